#include "worker/object_api.h"

#include "worker/stored_object.h"

#include <zcache/http_semantics.h>
#include <zcache/replica.h>

#include <nlohmann/json.hpp>
#include <uv.h>

#include <charconv>
#include <cmath>

namespace zcache::worker {
namespace {

namespace hs = zcache::http_semantics;
constexpr std::string_view kObjectsPrefix = "/objects/";

// Seconds (integer or decimal) in a header → milliseconds; an error message names the header.
std::optional<std::int64_t> header_seconds(const http::Request& req, std::string_view name, std::string& error) {
  const std::string* v = req.headers.find(name);
  if (!v) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(v->c_str(), &end);
  if (v->empty() || end != v->c_str() + v->size() || !std::isfinite(seconds) || seconds < 0 || seconds > 1e12) {
    error = std::string(name) + " must be a number of seconds >= 0, not \"" + *v + "\"";
    return std::nullopt;
  }
  return static_cast<std::int64_t>(seconds * 1000);
}

std::vector<std::string> split_tags(std::string_view list) {
  std::vector<std::string> tags;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view tag = list.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (!tag.empty()) tags.emplace_back(tag);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return tags;
}

void send_zcache_error(http::Responder& res, const Error& e) {
  switch (e.kind()) {
    case ErrorKind::InvalidArgument: res.send_error(400, "bad_request", e.what()); break;
    case ErrorKind::TooLarge: res.send_error(413, "too_large", e.what()); break;
    default: res.send_error(500, "internal", e.what()); break;
  }
}

}  // namespace

ObjectApi::ObjectApi(Cache cache, WorkerMetrics& metrics, ObjectApiOptions options)
    : cache_(std::move(cache)), replica_(cache_.options().replica), metrics_(metrics), options_(std::move(options)) {
  if (replica_ && !options_.post)
    throw Error(ErrorKind::InvalidArgument, "ObjectApi: an engine with a replica needs options.post");
  post_ = std::make_shared<const std::function<bool(http::UniqueTask)>>(options_.post);
}

bool ObjectApi::handle(http::Request& req, http::Responder& res) {
  try {
    if (req.path.starts_with(kObjectsPrefix)) {
      const std::string_view key = std::string_view(req.path).substr(kObjectsPrefix.size());
      if (key.empty()) {
        res.send_error(400, "bad_request", "the object key is empty: use /objects/{key}");
      } else if (req.method == "GET" || req.method == "HEAD") {
        get(req, key, res);
      } else if (req.method == "PUT") {
        put(req, key, res);
      } else if (req.method == "DELETE") {
        erase(key, res);
      } else {
        res.send_error(405, "method_not_allowed", "objects accept GET, HEAD, PUT and DELETE");
      }
      return true;
    }
    if (req.path == "/metrics") {
      if (req.method != "GET") res.send_error(405, "method_not_allowed", "metrics takes GET");
      else if (replica_) {
        const ReplicaStats disk = replica_->stats();
        res.send_json(200, metrics_.to_json(cache_.stats(), &disk).dump());
      } else {
        res.send_json(200, metrics_.to_json(cache_.stats()).dump());
      }
      return true;
    }
    if (req.path == "/purge") {
      if (req.method != "POST") res.send_error(405, "method_not_allowed", "purge takes POST");
      else purge(req, res);
      return true;
    }
  } catch (const Error& e) {
    send_zcache_error(res, e);
    return true;
  }
  return false;
}

void ObjectApi::get(const http::Request& req, std::string_view key, http::Responder& res) {
  if (replica_) {
    get_through(req, key, res);
    return;
  }
  GetResult r = cache_.get(key);
  answer_get(res, req.is_head(), req.received_ns, std::move(r.value), r.stale, "memory");
}

void ObjectApi::get_through(const http::Request& req, std::string_view key, http::Responder& res) {
  // The responder is shared with the wait callback: answered here on a memory hit, or by the
  // task the callback posts back to the loop (its last owner then lives on the loop thread,
  // except when the post is refused after shutdown, when every responder is inert anyway).
  auto pending = std::make_shared<http::Responder>(std::move(res));
  const bool head = req.is_head();
  const std::uint64_t since = req.received_ns;
  LookupResult r = cache_.lookup(key, [this, post = post_, pending, head, since](FlightResult f) mutable {
    // On a replica reader thread (or whichever thread ended the flight). No origin here: a
    // ticket of either kind (Lead's fill, a stale value's revalidation) is dropped at once, which
    // fails its flight with Cancelled so that other waiters stop waiting for this node.
    { Ticket unused = std::move(f.ticket); }
    EntryRef value;
    bool stale = false;
    if (f.status == FlightResult::Status::Value) {
      value = std::move(f.value);
      stale = f.outcome == Outcome::Stale;
    }
    // The responder moves on with the task, so that its last owner is never this thread.
    (*post)([this, pending = std::move(pending), head, since, value = std::move(value), stale]() mutable {
      answer_get(*pending, head, since, std::move(value), stale, "disk");
    });
  });
  switch (r.state) {
    case LookupResult::State::Fresh:
    case LookupResult::State::Stale: {
      { Ticket unused = std::move(r.ticket); }  // a revalidation nobody here can run
      answer_get(*pending, head, since, std::move(r.value), r.state == LookupResult::State::Stale, "memory");
      return;
    }
    case LookupResult::State::Miss: {
      { Ticket unused = std::move(r.ticket); }  // the engine could not wait: nothing to fill it with
      answer_get(*pending, head, since, EntryRef(), false, "memory");
      return;
    }
    case LookupResult::State::Wait: return;  // answered by the callback's posted task
  }
}

void ObjectApi::answer_get(http::Responder& res, bool head, std::uint64_t since_ns, EntryRef value, bool stale,
                           const char* tier) {
  struct RecordLatency {  // on every way out: the read's service time, parsed to answered
    WorkerMetrics& metrics;
    std::uint64_t since_ns;
    ~RecordLatency() { metrics.latency.record((uv_hrtime() - since_ns) / 1000); }
  } record{metrics_, since_ns};
  auto object = value ? decode_object(value.value()) : std::nullopt;
  hs::CacheStatus status;
  if (!object) {
    WorkerMetrics::add(metrics_.misses);
    status.kind = hs::CacheStatus::Kind::Miss;
    http::Response miss = http::Response::error(404, "not_found", "no object with this key");
    miss.headers.set("Cache-Status", hs::format_cache_status(options_.cache_name, status));
    res.send(std::move(miss));
    return;
  }
  WorkerMetrics::add(stale ? metrics_.stale_hits : metrics_.hits);
  status.kind = stale ? hs::CacheStatus::Kind::Stale : hs::CacheStatus::Kind::Hit;
  status.detail = tier;
  http::Response ok;
  ok.status = 200;
  ok.headers.set("Content-Type", std::string(object->content_type.empty() ? "application/octet-stream" : object->content_type));
  ok.headers.set("Cache-Status", hs::format_cache_status(options_.cache_name, status));
  if (!head) WorkerMetrics::add(metrics_.bytes_served, object->body.size());
  ok.borrow_body(object->body, std::move(value));  // the entry stays alive until written
  res.send(std::move(ok));
}

void ObjectApi::put(http::Request& req, std::string_view key, http::Responder& res) {
  const hs::CacheControl cc = hs::parse_cache_control(req.header("Cache-Control"));
  std::string error;
  auto ttl = header_seconds(req, "Zcache-Ttl", error);
  auto stale = header_seconds(req, "Zcache-Stale", error);
  auto on_error = header_seconds(req, "Zcache-Stale-If-Error", error);
  if (!error.empty()) {
    res.send_error(400, "bad_request", error);
    return;
  }
  EntryOptions o;
  o.encoding = kWorkerObjectEncoding;
  o.ttl_ms = ttl ? *ttl : cc.shared_max_age() ? *cc.shared_max_age() * 1000 : options_.default_ttl_ms;
  o.stale_ms = stale ? *stale : cc.stale_while_revalidate.value_or(0) * 1000;
  o.stale_if_error_ms = on_error ? *on_error : cc.stale_if_error.value_or(0) * 1000;
  o.tags = split_tags(req.header("Zcache-Tags"));
  const std::string stored = encode_object(req.header("Content-Type"), req.body);
  if (!cache_.set(key, stored, o)) {
    res.send_error(413, "too_large", "the object (" + std::to_string(req.body.size()) +
                                         " bytes) is larger than this node can hold");
    return;
  }
  WorkerMetrics::add(metrics_.writes);
  hs::CacheStatus status;
  status.kind = hs::CacheStatus::Kind::Miss;
  status.stored = true;
  http::Response created = http::Response::json(
      201, nlohmann::json{{"key", key}, {"bytes", req.body.size()}, {"ttl_ms", *o.ttl_ms}}.dump());
  created.headers.set("Cache-Status", hs::format_cache_status(options_.cache_name, status));
  res.send(std::move(created));
}

void ObjectApi::erase(std::string_view key, http::Responder& res) {
  if (!replica_) {
    if (cache_.erase(key)) res.send(http::Response::text(204, ""));
    else res.send_error(404, "not_found", "no object with this key");
    return;
  }
  // 204 when either tier held the key: ask the file first (asynchronously), then erase both
  // tiers on the loop. The read sees this store's queued writes, so a PUT just answered counts.
  auto pending = std::make_shared<http::Responder>(std::move(res));
  replica_->read(std::string(key), [this, post = post_, key = std::string(key), pending](ReplicaRead read) mutable {
    const bool on_disk = read.entry.has_value();
    (*post)([this, key = std::move(key), pending = std::move(pending), on_disk] {
      const bool in_memory = cache_.erase(key);
      if (in_memory || on_disk) pending->send(http::Response::text(204, ""));
      else pending->send_error(404, "not_found", "no object with this key");
    });
  });
}

void ObjectApi::purge(const http::Request& req, http::Responder& res) {
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    res.send_error(400, "bad_request", "the body must be a JSON object {\"keys\"?, \"prefix\"?, \"tags\"?, \"soft\"?}");
    return;
  }
  PurgeSelector selector;
  auto strings = [&](const char* field, std::size_t limit, std::vector<std::string>& out) -> bool {
    if (!body.contains(field)) return true;
    const auto& list = body[field];
    if (!list.is_array() || list.size() > limit) {
      res.send_error(400, "bad_request", std::string(field) + " must be an array of at most " + std::to_string(limit) + " strings");
      return false;
    }
    for (const auto& item : list) {
      if (!item.is_string()) {
        res.send_error(400, "bad_request", std::string(field) + " must contain only strings");
        return false;
      }
      out.push_back(item.get<std::string>());
    }
    return true;
  };
  if (!strings("keys", options_.max_purge_keys, selector.keys) || !strings("tags", options_.max_purge_tags, selector.tags))
    return;
  if (body.contains("prefix")) {
    if (!body["prefix"].is_string()) {
      res.send_error(400, "bad_request", "prefix must be a string");
      return;
    }
    selector.prefix = body["prefix"].get<std::string>();
  }
  bool soft = false;
  if (body.contains("soft")) {
    if (!body["soft"].is_boolean()) {
      res.send_error(400, "bad_request", "soft must be true or false");
      return;
    }
    soft = body["soft"].get<bool>();
  }
  std::int64_t sequence = 0;  // the brain's purge sequence, recorded with the file's purge
  if (body.contains("sequence")) {
    const auto& seq = body["sequence"];
    if (!seq.is_number_integer() || seq.get<std::int64_t>() < 0) {
      res.send_error(400, "bad_request", "sequence must be an integer >= 0");
      return;
    }
    sequence = seq.get<std::int64_t>();
  }
  const PurgeMode mode = soft ? PurgeMode::Soft : PurgeMode::Hard;
  if (!replica_) {
    const PurgeResult r = cache_.purge(selector, mode);
    res.send_json(200, nlohmann::json{{"objects_purged", r.objects_purged}, {"bytes_freed", r.bytes_freed}}.dump());
    return;
  }
  // One set of counts for both tiers, once the file committed: `done` runs on the writer thread
  // (or here, before purge returns); the answer is always given on the loop.
  auto pending = std::make_shared<http::Responder>(std::move(res));
  cache_.purge(selector, mode, sequence, [post = post_, pending](PurgeResult r, std::optional<Error> error) mutable {
    (*post)([pending = std::move(pending), r, error = std::move(error)] {
      // The file could not be written now (locked past busy_timeout, I/O): a server-side fault the
      // caller may retry, not a bug — 503 as the brain answers for its own store.
      if (error) pending->send_error(503, "unavailable", std::string("purged memory, but not the data file: ") + error->what());
      else pending->send_json(200, nlohmann::json{{"objects_purged", r.objects_purged}, {"bytes_freed", r.bytes_freed}}.dump());
    });
  });
}

}  // namespace zcache::worker
