// zcache worker: a cache node that serves objects and registers with a brain.
#include "app/commands.h"
#include "app/run_loop.h"
#include "cli/options.h"
#include "worker/worker_node.h"

#include <cstdio>

namespace zcache::app {

int run_worker(const Args& args) {
  hold_stop_signals();
  using cli::Kind;
  cli::Options o("worker", "Runs a cache worker node: stores and serves objects, obeys purges, reports metrics.",
                 {{"brain", {"ZCACHE_BRAIN_URL"}, Kind::Url, "", false, "the brain's URL (none: run alone)"},
                  {"listen", {"ZCACHE_LISTEN"}, Kind::HostPort, "127.0.0.1:9001", false, "address to serve on (port 0: any free port)"},
                  {"advertise", {"ZCACHE_ADVERTISE"}, Kind::Url, "", false, "URL the brain reaches this node at (default: http://LISTEN)"},
                  {"region", {"ZCACHE_REGION"}, Kind::String, "local", false, "region reported to the brain"},
                  {"capacity", {"ZCACHE_CAPACITY"}, Kind::Bytes, "512MiB", false, "memory budget for objects (bytes, or 512MiB, 2GB, ...)"},
                  {"data", {"ZCACHE_DATA"}, Kind::String, "", false, "SQLite file beneath memory: a hybrid memory + disk node (none: memory only)"},
                  {"disk-capacity", {"ZCACHE_DISK_CAPACITY"}, Kind::Bytes, "", false, "disk budget for objects with --data (default 10GiB)"},
                  {"data-rebuild", {"ZCACHE_DATA_REBUILD"}, Kind::Bool, "false", false, "move an unreadable --data file aside and start empty, instead of refusing to start"},
                  {"secret", {"ZCACHE_BRAIN_SECRET", "BRAIN_SECRET"}, Kind::Secret, "", true, "the shared secret of the cluster"},
                  {"heartbeat-interval", {"ZCACHE_HEARTBEAT_INTERVAL"}, Kind::Duration, "10s", false, "how often to (re-)register with the brain"},
                  {"timeout", {"ZCACHE_TIMEOUT"}, Kind::Duration, "10", false, "timeout of calls to the brain (seconds, or 500ms, ...)"},
                  {"access-log", {"ZCACHE_ACCESS_LOG"}, Kind::Bool, "true", false, "log one line per request"}});
  o.parse(args, cli::process_environment());
  if (o.help_requested()) {
    std::fputs(o.help().c_str(), stdout);
    return 0;
  }
  worker::WorkerNodeOptions w;
  const cli::HostPort listen = o.host_port("listen");
  w.listen_host = listen.host;
  w.listen_port = listen.port;
  if (o.has("advertise")) w.advertise = o.text("advertise");
  if (o.has("brain")) w.brain_url = o.text("brain");
  w.secret = o.text("secret");
  w.region = o.text("region");
  if (w.region.empty() || w.region.size() > 64) throw cli::UsageError("invalid value for --region (ZCACHE_REGION): must be 1 to 64 characters");
  w.capacity_bytes = o.bytes("capacity");
  if (o.has("data")) {
    w.data_path = o.text("data");
    if (w.data_path.empty()) throw cli::UsageError("invalid value for --data (ZCACHE_DATA): a file path");
    if (o.has("disk-capacity")) w.disk_capacity_bytes = o.bytes("disk-capacity");
    w.data_rebuild = o.flag("data-rebuild");
  } else if (o.has("disk-capacity")) {
    throw cli::UsageError("--disk-capacity (ZCACHE_DISK_CAPACITY) needs --data (ZCACHE_DATA): the disk tier's file");
  }
  w.heartbeat_interval_ms = o.duration_ms("heartbeat-interval");
  if (w.heartbeat_interval_ms < 100) throw cli::UsageError("invalid value for --heartbeat-interval: at least 100ms");
  w.brain_timeout_ms = o.duration_ms("timeout");
  w.server.access_log = o.flag("access-log");
  if (w.brain_timeout_ms <= 0) throw cli::UsageError("invalid value for --timeout (ZCACHE_TIMEOUT): must be greater than 0");

  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    worker::WorkerNode node(&loop, w);
    node.start();
    run_until_signal(&loop, "worker", [&node](std::function<void()> done) { node.shutdown(std::move(done)); });
  }
  uv_loop_close(&loop);
  return 0;
}

}  // namespace zcache::app
