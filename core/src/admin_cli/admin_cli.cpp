// run_admin_cli(): parse, make one brain call through BrainClient, render, pick the exit code.
#include <zcache/admin_cli.h>
#include <zcache/brain_client.h>

#include "admin_cli/cli_args.h"
#include "admin_cli/cli_render.h"

#include <future>

namespace zcache {
namespace {

using admin_cli::Command;
using admin_cli::Invocation;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

nlohmann::json purge_body(const Invocation& inv) {
  nlohmann::json body = nlohmann::json::object();
  if (inv.prefix) body["prefix"] = *inv.prefix;
  if (!inv.keys.empty()) body["keys"] = inv.keys;
  if (!inv.tags.empty()) body["tags"] = inv.tags;
  if (inv.soft) body["soft"] = true;
  return body;
}

BrainResult call(BrainClient& brain, const Invocation& inv) {
  std::promise<BrainResult> promise;
  auto done = [&promise](BrainResult r) { promise.set_value(std::move(r)); };
  switch (inv.command) {
    case Command::Status: brain.get_status(done); break;
    case Command::Nodes: brain.list_nodes(done); break;
    case Command::Node: brain.get_node(inv.node_id, done); break;
    case Command::Register:
      brain.register_node({{"endpoint", inv.endpoint}, {"region", inv.region}, {"capacity_bytes", inv.capacity_bytes}},
                          done);
      break;
    case Command::Deregister: brain.deregister_node(inv.node_id, done); break;
    case Command::Metrics:
      if (inv.node_id.empty()) brain.get_metrics(done);
      else brain.get_node_metrics(inv.node_id, done);
      break;
    case Command::Purge: brain.purge(purge_body(inv), done); break;
  }
  return promise.get_future().get();
}

int exit_code_for(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::Unavailable:
    case ErrorKind::Timeout:
    case ErrorKind::Protocol:
    case ErrorKind::Internal:
    case ErrorKind::Io:
    case ErrorKind::Cancelled: return kExitUnreachable;
    case ErrorKind::InvalidArgument: return kExitUsage;
    default: return kExitRefused;
  }
}

// "zatabase: <what>: <message>" and, where one helps, a hint on the next line.
std::string describe(const Error& e, const BrainClientOptions& options) {
  std::string out = "zatabase: " + std::string(e.code());
  if (e.http_status() > 0) out += " (HTTP " + std::to_string(e.http_status()) + ")";
  out += ": " + std::string(e.what()) + "\n";
  switch (e.kind()) {
    case ErrorKind::Unavailable:
    case ErrorKind::Timeout:
      out += "hint: is the brain running at " + options.base_url + "? (--url or ZATABASE_URL)\n";
      break;
    case ErrorKind::Unauthorized:
      out += options.token.empty() ? "hint: no token given; pass --token or set ZATABASE_TOKEN\n"
                                   : "hint: the token was refused; mint one with `zcache token` and the brain's secret\n";
      break;
    default: break;
  }
  return out;
}

AdminCliResult run(const std::vector<std::string>& args, const EnvironmentLookup& env) {
  AdminCliResult result;
  admin_cli::ParseResult parsed = admin_cli::parse_arguments(args);
  if (parsed.error) {
    result.exit_code = kExitUsage;
    result.err = "zatabase: " + parsed.error->message + "\n(see '" + parsed.error->help_command + "')\n";
    return result;
  }
  const Invocation& inv = *parsed.invocation;
  if (inv.help_text) {
    result.out = *inv.help_text;
    return result;
  }

  BrainClientOverrides overrides;
  overrides.base_url = inv.url;
  overrides.token = inv.token;
  overrides.timeout_ms = inv.timeout_ms;
  BrainClientOptions options;
  try {
    options = from_environment(overrides, env);
  } catch (const Error& e) {
    result.exit_code = kExitUsage;
    result.err = "zatabase: " + std::string(e.what()) + "\n";
    return result;
  }

  BrainResult answer = [&] {
    BrainClient brain(options);
    return call(brain, inv);
  }();
  if (!answer.ok()) {
    result.exit_code = exit_code_for(answer.error());
    result.err = describe(answer.error(), options);
    return result;
  }
  if (!options.enabled)
    result.err = "zatabase: ZCACHE_ENABLED is false: nothing was sent; this is the no-op result\n";
  result.out = admin_cli::render(inv, answer.value());
  return result;
}

}  // namespace

AdminCliResult run_admin_cli(const std::vector<std::string>& args, const EnvironmentLookup& env) {
  try {
    return run(args, env);
  } catch (const std::exception& e) {  // out of memory, a thread that could not start
    return AdminCliResult{kExitUnreachable, "", std::string("zatabase: internal error: ") + e.what() + "\n"};
  }
}

}  // namespace zcache
