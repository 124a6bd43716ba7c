// zcache token --sub admin --ttl 1h: prints a JWT for the brain's API.
#include "app/commands.h"
#include "auth/jwt.h"
#include "cli/options.h"

#include <chrono>
#include <cstdio>

namespace zcache::app {

int run_token(const Args& args) {
  cli::Options o("token", "Prints an HS256 JWT signed with the brain secret.",
                 {{"sub", {}, cli::Kind::String, "admin", false, "the token's subject"},
                  {"ttl", {}, cli::Kind::Duration, "1h", false, "how long the token is valid"},
                  {"secret", {"ZCACHE_BRAIN_SECRET", "BRAIN_SECRET"}, cli::Kind::Secret, "", true,
                   "the brain's shared secret"}});
  o.parse(args, cli::process_environment());
  if (o.help_requested()) {
    std::fputs(o.help().c_str(), stdout);
    return 0;
  }
  const std::int64_t ttl_s = o.duration_ms("ttl") / 1000;
  if (ttl_s <= 0) throw cli::UsageError("invalid value for --ttl: must be at least one second");
  auth::MintOptions mint;
  mint.sub = o.text("sub");
  mint.ttl_seconds = ttl_s;
  mint.now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::puts(auth::mint_token(o.text("secret"), mint).c_str());
  return 0;
}

}  // namespace zcache::app
