// zcache brain: the cluster's control plane — the /v1/cache API (JWT auth), the node registry
// and metrics in SQLite, the health prober and metrics poller, and purge fan-out.
#include "app/commands.h"
#include "app/run_loop.h"
#include "brain/api/brain_api.h"
#include "brain/api/node_monitor.h"
#include "brain/api/node_transport.h"
#include "brain/store/brain_store.h"
#include "cli/options.h"
#include "log/log.h"

#include <cstdio>
#include <stdexcept>

namespace zcache::app {

int run_brain(const Args& args) {
  hold_stop_signals();
  using cli::Kind;
  cli::Options o("brain", "Runs the brain: the /v1/cache API, the node registry, metrics and purge fan-out.",
                 {{"host", {"ZCACHE_HOST"}, Kind::String, "127.0.0.1", false, "address to serve the API on"},
                  {"port", {"ZCACHE_PORT"}, Kind::Port, "8081", false, "API port (0: any free port, logged)"},
                  {"replica-file", {"ZCACHE_REPLICA_FILE"}, Kind::String, "zcache-brain.db", false, "SQLite file for the registry, metrics and purge log"},
                  {"secret", {"ZCACHE_BRAIN_SECRET", "BRAIN_SECRET"}, Kind::Secret, "", true, "the shared secret: verifies API tokens, signs calls to workers"},
                  {"metrics-interval", {"ZCACHE_METRICS_INTERVAL"}, Kind::Duration, "30", false, "seconds between metric polls of the workers"},
                  {"health-interval", {"ZCACHE_HEALTH_INTERVAL"}, Kind::Duration, "5", false, "seconds between health probes of the workers"},
                  {"offline-after", {"ZCACHE_OFFLINE_AFTER"}, Kind::Count, "3", false, "failed probes in a row that mark a node offline"},
                  {"timeout", {"ZCACHE_TIMEOUT"}, Kind::Duration, "10", false, "timeout of calls to workers (seconds)"},
                  {"purge-timeout", {"ZCACHE_PURGE_TIMEOUT"}, Kind::Duration, "5", false, "how long a purge waits for the workers"},
                  {"access-log", {"ZCACHE_ACCESS_LOG"}, Kind::Bool, "true", false, "log one line per request"}});
  o.parse(args, cli::process_environment());
  if (o.help_requested()) {
    std::fputs(o.help().c_str(), stdout);
    return 0;
  }
  const std::uint64_t offline_after = o.count("offline-after");
  if (offline_after > 1000) throw cli::UsageError("invalid value for --offline-after (ZCACHE_OFFLINE_AFTER): at most 1000");
  auto positive_ms = [&](const char* name, const char* env) {
    const std::int64_t ms = o.duration_ms(name);
    if (ms < 10) throw cli::UsageError(std::string("invalid value for --") + name + " (" + env + "): at least 10ms");
    return ms;
  };
  const std::int64_t metrics_ms = positive_ms("metrics-interval", "ZCACHE_METRICS_INTERVAL");
  const std::int64_t health_ms = positive_ms("health-interval", "ZCACHE_HEALTH_INTERVAL");
  const std::int64_t timeout_ms = positive_ms("timeout", "ZCACHE_TIMEOUT");
  const std::int64_t purge_timeout_ms = positive_ms("purge-timeout", "ZCACHE_PURGE_TIMEOUT");
  const std::string secret = o.text("secret");

  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    // Declaration order is destruction order in reverse: monitor, api, transport, server, store.
    brain::BrainStore store(o.text("replica-file"));
    http::ServerOptions server_options;
    server_options.log_sink = [](std::string_view line) { logging::log_line("brain", line); };
    server_options.access_log = o.flag("access-log");
    http::HttpServer server(&loop, server_options);
    HttpClientOptions client_options;
    client_options.timeout_ms = timeout_ms;
    client_options.max_response_bytes = 1 << 20;  // worker answers are small
    client_options.log_sink = [](std::string_view line) { logging::log_line("brain", line); };
    brain::HttpNodeTransport transport(client_options);
    brain::BrainApiOptions api_options;
    api_options.secret = secret;
    api_options.purge_timeout_ms = purge_timeout_ms;
    brain::BrainApi api(store, server, transport, api_options);
    server.set_handler(api.handler());
    brain::NodeMonitorOptions monitor_options;
    monitor_options.secret = secret;
    monitor_options.metrics_interval_ms = metrics_ms;
    monitor_options.metrics_timeout_ms = timeout_ms;
    monitor_options.health_interval_ms = health_ms;
    monitor_options.health_timeout_ms = std::min<std::int64_t>(timeout_ms, std::max<std::int64_t>(health_ms, 100));
    monitor_options.offline_after = static_cast<int>(offline_after);
    brain::NodeMonitor monitor(store, &loop, [&server](http::UniqueTask t) { return server.post(std::move(t)); },
                               transport, monitor_options);
    const std::string host = o.text("host");
    if (const int rc = server.listen(host, o.port("port")); rc != 0)
      throw std::runtime_error("cannot listen on " + host + ":" + o.text("port") + ": " + uv_strerror(rc));
    logging::log_line("brain", "listening on " + host + ":" + std::to_string(server.port()) + " (registry in " +
                                   o.text("replica-file") + ")");
    monitor.start();
    run_until_signal(&loop, "brain", [&](std::function<void()> done) {
      monitor.stop();
      server.shutdown(std::move(done));
    });
    transport.shutdown();
  }
  uv_loop_close(&loop);
  return 0;
}

}  // namespace zcache::app
