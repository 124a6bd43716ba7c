#include "net/client_loop.h"

#include <pthread.h>

#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "net/ascii.h"

namespace zcache::detail {

namespace {

// Idle easy handles kept for reuse; beyond this a burst's extra handles are freed.
constexpr std::size_t kMaxIdleTransfers = 256;

void init_curl_once() {
  // Thread-safe since curl 7.84 (the "threadsafe" feature), but one call per process is enough.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) throw Error(ErrorKind::Internal, std::string("curl_global_init: ") + curl_easy_strerror(rc));
}

void validate(const HttpClientOptions& o) {
  if (o.timeout_ms <= 0) throw Error(ErrorKind::InvalidArgument, "HttpClientOptions.timeout_ms must be positive");
  if (o.connect_timeout_ms <= 0)
    throw Error(ErrorKind::InvalidArgument, "HttpClientOptions.connect_timeout_ms must be positive");
  if (o.max_response_bytes == 0 ||
      o.max_response_bytes > std::size_t(std::numeric_limits<std::int64_t>::max()))
    throw Error(ErrorKind::InvalidArgument, "HttpClientOptions.max_response_bytes must be positive");
  if (o.max_pooled_connections == 0)
    throw Error(ErrorKind::InvalidArgument, "HttpClientOptions.max_pooled_connections must be positive");
  if (!net::is_safe_field_value(o.user_agent))
    throw Error(ErrorKind::InvalidArgument, "HttpClientOptions.user_agent contains CR, LF or NUL");
}

}  // namespace

ClientLoop::ClientLoop(HttpClientOptions options) : options_(std::move(options)) {
  validate(options_);
  init_curl_once();
}

// By now the thread was joined, detached (then this runs on it, after uv_run returned), or never
// started; every handle is closed.
ClientLoop::~ClientLoop() = default;

void ClientLoop::start() {
  std::promise<void> ready;
  std::future<void> started = ready.get_future();
  thread_ = std::thread([self = shared_from_this(), ready = std::move(ready)]() mutable { self->run(ready); });
  try {
    started.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

void ClientLoop::run(std::promise<void>& ready) {
  thread_id_ = std::this_thread::get_id();
  pthread_setname_np(pthread_self(), "zcache-http");

  auto fail = [&](const std::string& what) {
    ready.set_exception(std::make_exception_ptr(Error(ErrorKind::Internal, "HttpClient: " + what)));
  };
  int rc = uv_loop_init(&loop_);
  if (rc != 0) return fail(std::string("uv_loop_init: ") + uv_strerror(rc));
  rc = uv_async_init(&loop_, &wakeup_, &ClientLoop::on_wakeup);
  if (rc != 0) {
    uv_loop_close(&loop_);
    return fail(std::string("uv_async_init: ") + uv_strerror(rc));
  }
  wakeup_.data = this;
  rc = curl_.open(&loop_, long(options_.max_connections_per_host), long(options_.max_pooled_connections),
                  [this](CURL* easy, CURLcode result) { on_transfer_done(easy, result); });
  if (rc != 0) {
    curl_.close();
    uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    return fail(rc < 0 && rc != -1 ? std::string("uv_timer_init: ") + uv_strerror(rc) : "curl_multi_init failed");
  }
  {
    std::lock_guard lock(mu_);
    wakeup_open_ = true;
  }
  ready.set_value();

  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once finish_if_drained() closed the last handle
  if (uv_loop_close(&loop_) != 0) log("HttpClient: the loop still had handles at exit (a bug)");
}

// --- any thread ------------------------------------------------------------------------------

void ClientLoop::submit(HttpRequest&& request, HttpClient::Callback&& done) {
  std::lock_guard lock(mu_);
  if (!accepting_) throw Error(ErrorKind::Closed, "HttpClient: shut down; the request was not sent");
  queue_.push_back(Submission{std::move(request), std::move(done)});
  requests_.fetch_add(1, std::memory_order_relaxed);
  // Cheap when a wake-up is already pending (an atomic flag, no syscall). Under mu_ because the
  // handle closes only after accepting_ went false under mu_.
  uv_async_send(&wakeup_);
}

bool ClientLoop::request_stop(ShutdownMode mode) {
  std::lock_guard lock(mu_);
  if (!wakeup_open_) return false;  // never started, or already finishing
  const bool news = !stop_requested_ || (mode == ShutdownMode::Cancel && stop_mode_ == ShutdownMode::Drain);
  accepting_ = false;
  stop_requested_ = true;
  if (mode == ShutdownMode::Cancel) stop_mode_ = ShutdownMode::Cancel;
  if (news) uv_async_send(&wakeup_);
  return true;
}

void ClientLoop::shutdown(ShutdownMode mode) {
  request_stop(mode);
  if (on_client_thread()) return;  // the thread cannot wait for itself; it finishes on its own
  std::lock_guard lock(join_mu_);
  if (thread_.joinable()) thread_.join();
}

void ClientLoop::release() {
  if (!on_client_thread()) return shutdown(ShutdownMode::Cancel);
  request_stop(ShutdownMode::Cancel);
  std::lock_guard lock(join_mu_);
  if (thread_.joinable()) thread_.detach();  // the thread's own shared_ptr keeps *this alive
}

HttpClientStats ClientLoop::stats() const noexcept {
  HttpClientStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.completed = completed_.load(std::memory_order_relaxed);
  s.failed = failed_.load(std::memory_order_relaxed);
  s.connections_opened = connections_opened_.load(std::memory_order_relaxed);
  return s;
}

// --- client thread ---------------------------------------------------------------------------

void ClientLoop::on_wakeup(uv_async_t* async) { static_cast<ClientLoop*>(async->data)->take_submissions(); }

void ClientLoop::take_submissions() {
  {
    std::lock_guard lock(mu_);
    batch_.swap(queue_);
    if (stop_requested_) {
      stopping_ = true;
      stop_mode_seen_ = stop_mode_;
    }
  }
  const bool cancel = stopping_ && stop_mode_seen_ == ShutdownMode::Cancel;
  for (Submission& s : batch_) {
    if (cancel) {
      HttpResponse r;
      r.error = TransportError::Cancelled;
      r.error_message = "the client was shut down before the request started";
      complete(s.done, std::move(r));
    } else {
      start_transfer(s);
    }
  }
  batch_.clear();
  if (cancel) cancel_active();
  if (stopping_) finish_if_drained();
}

void ClientLoop::start_transfer(Submission& s) {
  std::unique_ptr<net::Transfer> t;
  if (!idle_.empty()) {
    t = std::move(idle_.back());
    idle_.pop_back();
  } else {
    t = net::Transfer::create();
  }
  if (!t) {
    HttpResponse r;
    r.error = TransportError::Internal;
    r.error_message = "curl_easy_init failed";
    return complete(s.done, std::move(r));
  }
  std::string why;
  TransportError error = t->prepare(std::move(s.request), std::move(s.done), options_, &why);
  if (error == TransportError::None) {
    CURLMcode mc = curl_.add(t->easy());
    if (mc == CURLM_OK) {
      t->slot = active_.size();
      active_.push_back(std::move(t));
      return;
    }
    error = TransportError::Internal;
    why = std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc);
  }
  HttpClient::Callback done = t->take_callback();
  HttpResponse r = t->abort(error, std::move(why));
  recycle(std::move(t));
  complete(done, std::move(r));
}

void ClientLoop::on_transfer_done(CURL* easy, CURLcode result) {
  net::Transfer* t = net::Transfer::from_easy(easy);
  curl_.remove(easy);
  std::unique_ptr<net::Transfer> owned = std::move(active_[t->slot]);
  detach_active(t);
  HttpResponse r = owned->finish(result);
  const long opened = owned->connections_opened();
  HttpClient::Callback done = owned->take_callback();
  recycle(std::move(owned));
  complete(done, std::move(r), opened);
  if (stopping_) finish_if_drained();
}

// Removes the (already moved-from) slot of `t` from active_ by moving the last entry into it.
void ClientLoop::detach_active(net::Transfer* t) {
  const std::size_t i = t->slot;
  if (i + 1 != active_.size()) {
    active_[i] = std::move(active_.back());
    active_[i]->slot = i;
  }
  active_.pop_back();
}

void ClientLoop::recycle(std::unique_ptr<net::Transfer> t) {
  if (!finished_ && idle_.size() < kMaxIdleTransfers) idle_.push_back(std::move(t));
}

void ClientLoop::cancel_active() {
  // Take the whole list first, so that callbacks see no half-updated state.
  std::vector<std::unique_ptr<net::Transfer>> transfers;
  transfers.swap(active_);
  std::vector<std::pair<HttpClient::Callback, HttpResponse>> cancelled;
  cancelled.reserve(transfers.size());
  for (auto& t : transfers) {
    curl_.remove(t->easy());  // an unfinished transfer's connection is closed, not pooled
    HttpClient::Callback done = t->take_callback();
    cancelled.emplace_back(std::move(done), t->abort(TransportError::Cancelled, "the client was shut down"));
    recycle(std::move(t));
  }
  for (auto& [done, response] : cancelled) complete(done, std::move(response));
}

void ClientLoop::finish_if_drained() {
  if (finished_ || !active_.empty()) return;
  {
    std::lock_guard lock(mu_);
    // Requests queued before the stop request: a wake-up is pending for them; finish after it.
    if (!queue_.empty()) return;
    wakeup_open_ = false;
  }
  finished_ = true;
  idle_.clear();  // easy handles before the multi handle
  curl_.close();
  uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_), nullptr);
}

void ClientLoop::complete(HttpClient::Callback& done, HttpResponse&& response, long connections_opened) {
  if (connections_opened > 0) connections_opened_.fetch_add(std::uint64_t(connections_opened), std::memory_order_relaxed);
  if (!response.ok()) failed_.fetch_add(1, std::memory_order_relaxed);
  completed_.fetch_add(1, std::memory_order_relaxed);  // before the callback, which may publish it
  if (!done) return;
  // Nothing may unwind into libuv or libcurl: a throwing callback is the caller's bug, logged.
  try {
    done(std::move(response));
  } catch (const std::exception& e) {
    log(std::string("HttpClient: a done callback threw: ") + e.what());
  } catch (...) {
    log("HttpClient: a done callback threw a non-std exception");
  }
  done = nullptr;  // release what the callback captured now, not when the slot is reused
}

void ClientLoop::log(std::string_view line) {
  if (options_.log_sink) {
    try {
      options_.log_sink(line);
      return;
    } catch (...) {
      // fall through to stderr
    }
  }
  std::fprintf(stderr, "%.*s\n", int(line.size()), line.data());
}

}  // namespace zcache::detail
