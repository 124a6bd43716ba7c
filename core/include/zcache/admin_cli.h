// zcache/admin_cli.h — the `zatabase` command line for cluster administration, shared by the
// Node (`npx zatabase`) and Python (`zatabase`, `python -m zatabase`) packages so that both behave
// the same: the packages only pass the arguments and the environment in and print what comes out.
//
//   zatabase [--url URL] [--token T] [--timeout SECONDS] [--json] cache <command> [options]
//     status                                     cluster overview
//     nodes                                      every registered worker
//     node ID                                    one worker
//     register --endpoint URL --region R --capacity BYTES
//     deregister ID
//     metrics [--node ID]                        cluster-wide, or one worker's
//     purge [--prefix P] [--key K]... [--tag T]...
//
// --url ← ZATABASE_URL (else ZCACHE_BRAIN_URL), --token ← ZATABASE_TOKEN, --timeout ← ZCACHE_TIMEOUT;
// ZCACHE_ENABLED=false makes every command print the client's no-op result. Output: readable tables
// by default, the brain's JSON with --json. `--help` works at every level. Options may appear
// anywhere after `zatabase`, as `--name value` or `--name=value`.
//
// Exit codes: 0 success; 1 the brain refused the request (4xx: bad request, unauthorized,
// forbidden, not found, ...); 2 bad usage (unknown command or option, missing or bad value);
// 3 the brain could not be reached, answered too late, or failed (unavailable, timeout, an answer
// that is not the API's, a 5xx).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zcache {

struct AdminCliResult {
  int exit_code = 0;
  std::string out;  // for stdout
  std::string err;  // for stderr: errors and usage mistakes, one line each (+ a hint)
};

using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Runs one `zatabase` invocation; `args` excludes the program name. Blocks the calling thread
// until the brain answers (bounded by the timeout), so bindings run it off their event loop.
// Never throws: every failure is an exit code and a message.
AdminCliResult run_admin_cli(const std::vector<std::string>& args, const EnvironmentLookup& env);

}  // namespace zcache
