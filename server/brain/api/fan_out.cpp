#include "brain/api/fan_out.h"

#include <memory>
#include <string>

namespace zcache::brain {
namespace {

class FanOut : public std::enable_shared_from_this<FanOut> {
 public:
  FanOut(uv_loop_t* loop, LoopPoster post, std::size_t count, FanOutCallbacks callbacks)
      : loop_(loop), post_(std::move(post)), callbacks_(std::move(callbacks)), answered_(count, false),
        pending_(count) {}

  void start(NodeTransport& transport, std::vector<HttpRequest> requests, std::int64_t deadline_ms) {
    if (requests.empty()) {
      finish();
      return;
    }
    deadline_ms_ = deadline_ms < 0 ? 0 : deadline_ms;
    keepalive_ = shared_from_this();  // released by the timer's close callback
    uv_timer_init(loop_, &timer_);
    timer_.data = this;
    timer_open_ = true;
    uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<FanOut*>(t->data)->on_deadline(); },
                   static_cast<std::uint64_t>(deadline_ms_), 0);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      transport.send(std::move(requests[i]), [self = shared_from_this(), i](HttpResponse r) mutable {
        const LoopPoster post = self->post_;  // a copy: the task below takes `self`
        post([self = std::move(self), i, r = std::move(r)]() mutable { self->on_answer(i, std::move(r)); });
      });
    }
  }

 private:
  void on_answer(std::size_t i, HttpResponse r) {
    if (finished_ || answered_[i]) return;  // after the deadline, or a transport answering twice
    answered_[i] = true;
    --pending_;
    callbacks_.on_answer(i, std::move(r));
    if (pending_ == 0) finish();
  }

  void on_deadline() {
    for (std::size_t i = 0; i < answered_.size() && !finished_; ++i) {
      if (answered_[i]) continue;
      HttpResponse timed_out;
      timed_out.error = TransportError::Timeout;
      timed_out.error_message = "no answer within " + std::to_string(deadline_ms_) + " ms";
      on_answer(i, std::move(timed_out));
    }
    finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    if (timer_open_) {
      timer_open_ = false;
      uv_timer_stop(&timer_);
      // libuv's last use of this object; answers still queued on the loop may hold references.
      uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
               [](uv_handle_t* h) { static_cast<FanOut*>(h->data)->keepalive_.reset(); });
    }
    // Released here, on the loop thread: the callbacks may own a Responder.
    FanOutCallbacks callbacks = std::move(callbacks_);
    callbacks_ = {};
    if (callbacks.on_done) callbacks.on_done();
  }

  uv_loop_t* loop_;
  LoopPoster post_;
  FanOutCallbacks callbacks_;
  std::vector<bool> answered_;
  std::size_t pending_;
  std::int64_t deadline_ms_ = 0;
  uv_timer_t timer_{};
  bool timer_open_ = false;
  bool finished_ = false;
  std::shared_ptr<FanOut> keepalive_;
};

}  // namespace

void fan_out(uv_loop_t* loop, LoopPoster post, NodeTransport& transport, std::vector<HttpRequest> requests,
             std::int64_t deadline_ms, FanOutCallbacks callbacks) {
  auto f = std::make_shared<FanOut>(loop, std::move(post), requests.size(), std::move(callbacks));
  f->start(transport, std::move(requests), deadline_ms);
}

}  // namespace zcache::brain
