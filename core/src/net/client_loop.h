// client_loop.h — the state behind an HttpClient: its thread, its libuv loop, the submission queue
// other threads feed, and the transfers in flight.
//
// Threads. Any thread: submit(), shutdown(), stats(). The client thread: everything else,
// including every user callback. The only state shared between them is the block guarded by mu_
// (queue, accepting flag, stop request) and the atomic counters.
//
// Submission: submit() appends to queue_ and signals wakeup_ (uv_async_send coalesces signals), so
// a burst of requests costs the client thread one wake-up; it then starts the whole batch.
//
// Shutdown: shutdown() closes the queue (accepting_ = false) and records the mode; the client
// thread sees it on its next wake-up. Cancel completes every queued and active transfer with
// Cancelled; Drain waits until the queue and the active list are empty. Then the thread closes
// every handle (libcurl's first, then libuv's in their close callbacks), uv_run returns, and the
// thread ends. The thread holds a shared_ptr to this object, so a client destroyed from its own
// callback (thread detached, not joined) stays valid until the thread is done with it.
#pragma once

#include <zcache/http_client.h>

#include <uv.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "net/curl_uv.h"
#include "net/transfer.h"

namespace zcache::detail {

class ClientLoop : public std::enable_shared_from_this<ClientLoop> {
 public:
  explicit ClientLoop(HttpClientOptions options);
  ~ClientLoop();

  // Starts the client thread; returns once its loop runs. Throws Error(Internal) on failure.
  void start();
  void submit(HttpRequest&& request, HttpClient::Callback&& done);
  // Joins the client thread unless called on it. Safe from several threads at once.
  void shutdown(ShutdownMode mode);
  // For ~HttpClient: shutdown(Cancel), and if that is running on the client thread, detach it.
  void release();
  HttpClientStats stats() const noexcept;

 private:
  struct Submission {
    HttpRequest request;
    HttpClient::Callback done;
  };

  void run(std::promise<void>& ready);
  bool request_stop(ShutdownMode mode);  // false when the thread had already been told to stop
  bool on_client_thread() const noexcept { return std::this_thread::get_id() == thread_id_; }

  // --- client thread only
  static void on_wakeup(uv_async_t* async);
  void take_submissions();
  void start_transfer(Submission& submission);
  void on_transfer_done(CURL* easy, CURLcode result);
  void detach_active(net::Transfer* transfer);
  void recycle(std::unique_ptr<net::Transfer> transfer);
  void cancel_active();
  void finish_if_drained();
  void complete(HttpClient::Callback& done, HttpResponse&& response, long connections_opened = 0);
  void log(std::string_view line);

  const HttpClientOptions options_;

  uv_loop_t loop_{};
  uv_async_t wakeup_{};
  net::CurlUv curl_;
  std::vector<std::unique_ptr<net::Transfer>> active_;  // Transfer::slot is the index
  std::vector<std::unique_ptr<net::Transfer>> idle_;    // reset, ready for the next request
  std::vector<Submission> batch_;                       // swapped with queue_, capacity kept
  bool stopping_ = false;                               // copy of the stop request, read on wake-up
  ShutdownMode stop_mode_seen_ = ShutdownMode::Drain;
  bool finished_ = false;                               // handles are closing

  // --- shared, guarded by mu_
  std::mutex mu_;
  std::vector<Submission> queue_;
  bool accepting_ = true;
  bool wakeup_open_ = false;  // uv_async_send is only legal while the handle is open
  bool stop_requested_ = false;
  ShutdownMode stop_mode_ = ShutdownMode::Drain;

  // --- the thread itself
  std::mutex join_mu_;  // std::thread::join/detach must not race
  std::thread thread_;
  std::thread::id thread_id_;  // written before start() returns, constant after

  std::atomic<std::uint64_t> requests_{0}, completed_{0}, failed_{0}, connections_opened_{0};
};

}  // namespace zcache::detail
