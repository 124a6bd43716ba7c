#include "worker/worker_node.h"

#include "auth/bearer.h"
#include "auth/jwt.h"
#include "log/log.h"

#include <zcache/replica.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <stdexcept>

namespace zcache::worker {
namespace {

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

CacheOptions engine_options(const WorkerNodeOptions& o) {
  CacheOptions c;
  c.max_bytes = o.capacity_bytes;
  if (o.data_path.empty()) return c;
  c.clock = system_clock();  // the store compares windows on the engine's clock object
  ReplicaOptions r;
  r.path = o.data_path;
  r.max_bytes = o.disk_capacity_bytes;
  r.clock = c.clock;
  r.rebuild_if_unreadable = o.data_rebuild;
  try {
    c.replica = std::make_shared<ReplicaStore>(std::move(r));
  } catch (const Error& e) {  // the message names the file and what is wrong with it
    throw std::runtime_error(std::string("cannot open the --data file: ") + e.what());
  }
  return c;
}

void log(const std::string& line) { logging::log_line("worker", line); }

http::ServerOptions with_log_sink(http::ServerOptions o) {
  if (!o.log_sink) o.log_sink = [](std::string_view line) { logging::log_line("worker", line); };
  return o;
}

}  // namespace

ObjectApiOptions WorkerNode::api_options(std::shared_ptr<LoopGate> gate) {
  ObjectApiOptions o;
  o.post = [gate = std::move(gate)](http::UniqueTask task) {
    std::lock_guard lock(gate->mu);
    return gate->server != nullptr && gate->server->post(std::move(task));
  };
  return o;
}

WorkerNode::WorkerNode(uv_loop_t* loop, WorkerNodeOptions options)
    : loop_(loop),
      options_(std::move(options)),
      cache_(engine_options(options_)),
      api_(cache_, metrics_, api_options(gate_)),
      server_(loop, with_log_sink(options_.server)),
      tokens_(options_.secret) {
  {
    std::lock_guard lock(gate_->mu);
    gate_->server = &server_;
  }
  server_.set_handler([this](http::Request&& req, http::Responder res) { handle(std::move(req), std::move(res)); });
  if (!options_.data_path.empty())
    log("objects beyond memory go to " + options_.data_path + " (" + std::to_string(options_.disk_capacity_bytes) + " bytes)");
}

WorkerNode::~WorkerNode() {
  std::lock_guard lock(gate_->mu);
  gate_->server = nullptr;  // a replica callback still running posts nothing from now on
}

void WorkerNode::start() {
  if (const int rc = server_.listen(options_.listen_host, options_.listen_port); rc != 0)
    throw std::runtime_error("cannot listen on " + options_.listen_host + ":" + std::to_string(options_.listen_port) +
                             ": " + uv_strerror(rc));
  advertise_ = options_.advertise.empty()
                   ? "http://" + options_.listen_host + ":" + std::to_string(server_.port())
                   : options_.advertise;
  log("serving on " + options_.listen_host + ":" + std::to_string(server_.port()) + " (advertised as " + advertise_ + ")");
  if (options_.brain_url.empty()) return;
  HttpClientOptions client_options;
  client_options.timeout_ms = options_.brain_timeout_ms;
  client_ = std::make_unique<HttpClient>(client_options);
  uv_timer_init(loop_, &heartbeat_);
  heartbeat_.data = this;
  heartbeat_open_ = true;
  uv_timer_start(
      &heartbeat_, [](uv_timer_t* t) { static_cast<WorkerNode*>(t->data)->register_with_brain(); }, 0,
      static_cast<std::uint64_t>(options_.heartbeat_interval_ms));
}

void WorkerNode::shutdown(std::function<void()> done) {
  if (heartbeat_open_) {
    heartbeat_open_ = false;
    uv_timer_stop(&heartbeat_);
    uv_close(reinterpret_cast<uv_handle_t*>(&heartbeat_), nullptr);
  }
  if (client_) client_->shutdown(ShutdownMode::Cancel);
  server_.shutdown(std::move(done));
}

void WorkerNode::handle(http::Request&& req, http::Responder res) {
  if (req.path == "/health") {
    res.send_json(200, R"({"status":"ok"})");
    return;
  }
  const auth::VerifyResult who = tokens_.authenticate(req.header("Authorization"), unix_seconds());
  if (!who.ok()) {
    http::Response denied = http::Response::error(401, "unauthorized", who.message);
    denied.headers.set("WWW-Authenticate", "Bearer");
    res.send(std::move(denied));
    return;
  }
  if (!api_.handle(req, res)) res.send_error(404, "not_found", "no route " + req.path);
}

void WorkerNode::register_with_brain() {
  auth::MintOptions mint;
  mint.sub = "worker";
  mint.ttl_seconds = 300;
  mint.now = unix_seconds();
  HttpRequest request;
  request.method = "POST";
  request.url = options_.brain_url + "/v1/cache/nodes/register";
  request.headers.add("Authorization", "Bearer " + auth::mint_token(options_.secret, mint));
  request.headers.add("Content-Type", "application/json");
  request.body = nlohmann::json{{"endpoint", advertise_}, {"region", options_.region},
                                {"capacity_bytes", options_.capacity_bytes}}.dump();
  client_->send(std::move(request), [this](HttpResponse r) {
    // On the client thread: hand the answer to the loop (post refuses once shut down).
    server_.post([this, status = r.status, body = std::move(r.body), error = r.ok() ? std::string() : r.error_message] {
      on_registered(status, body, error);
    });
  });
}

void WorkerNode::on_registered(int status, std::string body, std::string error) {
  if (error.empty() && (status == 200 || status == 201)) {
    const auto node = nlohmann::json::parse(body, nullptr, false);
    if (node.is_object() && node.contains("node_id") && node["node_id"].is_string()) {
      const std::string id = node["node_id"].get<std::string>();
      if (id != node_id_ || last_registration_failed_) log("registered with " + options_.brain_url + " as " + id);
      node_id_ = id;
      last_registration_failed_ = false;
      return;
    }
    error = "the brain's answer has no node_id";
  }
  if (!last_registration_failed_)  // one line per streak of failures, not one per heartbeat
    log("cannot register with " + options_.brain_url + ": " + (error.empty() ? "HTTP " + std::to_string(status) + " " + body : error));
  last_registration_failed_ = true;
}

}  // namespace zcache::worker
