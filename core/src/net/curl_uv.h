// curl_uv.h — the libuv adapter for libcurl's multi_socket interface (what hiredis's
// adapters/libuv.h is to redisAsyncContext): libcurl says which sockets to watch and when to wake
// it; this turns that into uv_poll_t and uv_timer_t handles on one loop, and hands each finished
// transfer to `on_done`. It knows nothing about requests or callbacks of users.
//
// Loop thread only. Re-entrancy: on_done runs after libcurl returned (never from inside a libcurl
// callback), so it may add() and remove() handles.
//
// Lifetime: close() cleans up the multi handle (every easy handle must have been removed) and
// closes every libuv handle of the adapter; the memory of those handles is released in their close
// callbacks, so the adapter must stay alive until the loop has run them (uv_run returns).
#pragma once

#include <curl/curl.h>
#include <uv.h>

#include <functional>
#include <unordered_set>

namespace zcache::net {

class CurlUv {
 public:
  using DoneFn = std::function<void(CURL* easy, CURLcode result)>;

  CurlUv() = default;
  ~CurlUv();
  CurlUv(const CurlUv&) = delete;
  CurlUv& operator=(const CurlUv&) = delete;

  // 0, or a negative libuv error / -1 when libcurl cannot create a multi handle.
  int open(uv_loop_t* loop, long max_host_connections, long max_pooled_connections, DoneFn on_done);
  CURLMcode add(CURL* easy) { return curl_multi_add_handle(multi_, easy); }
  // May close the transfer's connection if it was unfinished (libcurl cannot reuse it then).
  CURLMcode remove(CURL* easy) { return curl_multi_remove_handle(multi_, easy); }
  void close();

 private:
  struct SocketWatch;

  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* watch);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static void on_poll(uv_poll_t* poll, int status, int events);
  static void on_timeout(uv_timer_t* timer);
  static void on_watch_closed(uv_handle_t* handle);

  void act(curl_socket_t fd, int events);
  void read_done();
  void unwatch(SocketWatch* watch);


  uv_loop_t* loop_ = nullptr;
  CURLM* multi_ = nullptr;
  uv_timer_t timer_{};
  bool timer_open_ = false;
  bool closing_ = false;  // inside curl_multi_cleanup: the multi handle must not be called back
  std::unordered_set<SocketWatch*> watches_;  // open poll handles, closed at the latest by close()
  DoneFn on_done_;
};

}  // namespace zcache::net
