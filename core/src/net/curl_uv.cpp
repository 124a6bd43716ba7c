#include "net/curl_uv.h"

#include <cstdlib>

namespace zcache::net {

// One per socket libcurl asked us to watch; attached to the socket with curl_multi_assign.
struct CurlUv::SocketWatch {
  uv_poll_t poll;
  curl_socket_t fd;
  CurlUv* owner;
};

CurlUv::~CurlUv() {
  if (multi_ || timer_open_ || !watches_.empty()) {
    // Freeing handles libuv still links to would corrupt the loop: fail loudly instead.
    std::abort();
  }
}

int CurlUv::open(uv_loop_t* loop, long max_host_connections, long max_pooled_connections, DoneFn on_done) {
  loop_ = loop;
  on_done_ = std::move(on_done);
  int rc = uv_timer_init(loop_, &timer_);
  if (rc != 0) return rc;
  timer_open_ = true;
  timer_.data = this;
  multi_ = curl_multi_init();
  if (!multi_) return -1;
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlUv::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlUv::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, max_host_connections);
  // libcurl's default pool size is 4 × the transfers in the multi handle *at that moment*; ours
  // come and go in batches, and a default-sized pool closed one connection in ten under load.
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_pooled_connections);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, long(CURLPIPE_MULTIPLEX));  // HTTP/2 streams share a connection
  return 0;
}

void CurlUv::close() {
  if (multi_) {
    // May still call on_socket (REMOVE) and on_timer while it closes pooled connections.
    closing_ = true;
    curl_multi_cleanup(multi_);
    multi_ = nullptr;
  }
  // Sockets libcurl never told us to forget (it closed them during cleanup) still have a handle.
  while (!watches_.empty()) unwatch(*watches_.begin());
  if (timer_open_) {
    uv_timer_stop(&timer_);
    // The timer is a member: the owner keeps this object alive until uv_run has returned.
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
    timer_open_ = false;
  }
}

int CurlUv::on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void* watch_ptr) {
  auto* self = static_cast<CurlUv*>(self_ptr);
  auto* watch = static_cast<SocketWatch*>(watch_ptr);
  if (what == CURL_POLL_REMOVE) {
    if (watch) {
      self->unwatch(watch);
      if (!self->closing_) curl_multi_assign(self->multi_, fd, nullptr);
    }
    return 0;
  }
  if (!watch) {
    watch = new SocketWatch{{}, fd, self};
    if (uv_poll_init_socket(self->loop_, &watch->poll, fd) != 0) {
      delete watch;
      return -1;  // libcurl fails the transfers on this socket
    }
    watch->poll.data = watch;
    self->watches_.insert(watch);
    curl_multi_assign(self->multi_, fd, watch);
  }
  int events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= UV_WRITABLE;
  uv_poll_start(&watch->poll, events, &CurlUv::on_poll);
  return 0;
}

int CurlUv::on_timer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<CurlUv*>(self_ptr);
  if (!self->timer_open_) return 0;
  if (timeout_ms < 0) {
    uv_timer_stop(&self->timer_);
  } else {
    // Even a 0 ms timeout goes through the loop: libcurl forbids calling it back from here.
    uv_timer_start(&self->timer_, &CurlUv::on_timeout, uint64_t(timeout_ms), 0);
  }
  return 0;
}

void CurlUv::on_poll(uv_poll_t* poll, int status, int events) {
  auto* watch = static_cast<SocketWatch*>(poll->data);
  int flags = 0;
  if (status < 0) flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  watch->owner->act(watch->fd, flags);
}

void CurlUv::on_timeout(uv_timer_t* timer) {
  static_cast<CurlUv*>(timer->data)->act(CURL_SOCKET_TIMEOUT, 0);
}

// libcurl is about to close the socket (or has, during cleanup): stop watching it before the
// descriptor can be reused by a new socket, which would then get a poll handle of its own.
void CurlUv::unwatch(SocketWatch* watch) {
  watches_.erase(watch);
  uv_poll_stop(&watch->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll), &CurlUv::on_watch_closed);
}

void CurlUv::on_watch_closed(uv_handle_t* handle) { delete static_cast<SocketWatch*>(handle->data); }

void CurlUv::act(curl_socket_t fd, int events) {
  if (!multi_) return;
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  read_done();
}

void CurlUv::read_done() {
  int queued = 0;
  while (multi_) {
    CURLMsg* message = curl_multi_info_read(multi_, &queued);
    if (!message) break;
    if (message->msg != CURLMSG_DONE) continue;
    // Copy out first: the message is invalid once the handle is removed (on_done does that).
    CURL* easy = message->easy_handle;
    CURLcode result = message->data.result;
    on_done_(easy, result);
  }
}

}  // namespace zcache::net
