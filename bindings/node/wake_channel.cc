#include "wake_channel.h"

#include "ticket_value.h"
#include "errors.h"
#include "args.h"

namespace zatabase_node {
namespace {

// The `status` argument of onWake (mirrored in sdk-js/native.js).
constexpr int kWakeValue = 0;
constexpr int kWakeError = 1;
constexpr int kWakeLockTimeout = 2;
constexpr int kWakeReleaseError = 3;
constexpr int kWakeLead = 4;
constexpr int kWakeRemoved = 5;

}  // namespace

WakeChannel* WakeChannel::Create(Napi::Env env, Napi::Function on_wake, PinTable* pins) {
  auto* self = new WakeChannel();
  self->pins_ = pins;
  self->Retain();  // the thread-safe function's reference, dropped by its finalizer
  try {
    self->tsfn_ = Tsfn::New(env, on_wake, "zatabase.Cache.wake", 0, 1, self,
                            [](Napi::Env, void*, WakeChannel* channel) { channel->Release(); });
  } catch (...) {
    self->refs_.store(0);
    delete self;
    throw;
  }
  self->tsfn_.Unref(env);  // nothing pending yet: an idle cache must not keep the loop alive
  return self;
}

zcache::WaitCallback WakeChannel::Waiter(std::uint32_t waiter_id) noexcept {
  return [self = this, waiter_id](zcache::FlightResult result) {
    auto* message = new Message{Message::Kind::Wake, waiter_id, 0, std::move(result)};
    if (!self->Post(message)) self->Release();  // the pending waiter's reference
  };
}

void WakeChannel::WaiterPending(Napi::Env env) {
  Retain();
  if (pending_++ == 0 && !referenced_ && open_) {
    tsfn_.Ref(env);
    referenced_ = true;
  }
}

std::shared_ptr<void> WakeChannel::ErrorPayload(double error_id) const {
  auto payload = std::make_shared<JsErrorPayload>();
  payload->channel_serial = serial_;
  payload->error_id = error_id;
  return payload;
}

void WakeChannel::PostErrorRelease(double error_id) {
  Post(new Message{Message::Kind::ReleaseError, 0, error_id, {}});
}

bool WakeChannel::PostRemoved() { return Post(new Message{Message::Kind::Removed, 0, 0, {}}); }

bool WakeChannel::Post(Message* message) {
  {
    std::lock_guard lock(mu_);
    if (open_ && tsfn_.NonBlockingCall(message) == napi_ok) return true;
  }
  delete message;
  return false;
}

void WakeChannel::Close(Napi::Env env) {
  {
    std::lock_guard lock(mu_);
    if (!open_) return;
    open_ = false;
  }
  if (referenced_) tsfn_.Unref(env);
  referenced_ = false;
  // Abort: messages still queued reach CallJs with no env and are only freed.
  tsfn_.Abort();
}

void WakeChannel::Release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void WakeChannel::CallJs(Napi::Env env, Napi::Function on_wake, WakeChannel* self, Message* message) {
  std::unique_ptr<Message> owned(message);
  const bool wake = message->kind == Message::Kind::Wake;
  const bool live = static_cast<napi_env>(env) != nullptr;
  if (wake && live && --self->pending_ == 0 && self->referenced_) {
    self->tsfn_.Unref(env);
    self->referenced_ = false;
  }
  if (live && !on_wake.IsEmpty()) {
    try {
      self->Deliver(env, on_wake, *message);
    } catch (const Napi::Error& e) {
      // onWake only settles promises; if it throws anyway, that is a bug to surface loudly.
      napi_fatal_exception(env, e.Value());
    } catch (const std::exception& e) {
      napi_fatal_exception(env, MakeError(env, JsErrorKind::Internal, e.what()).Value());
    }
  }
  if (wake) self->Release();  // the pending waiter's reference (may delete the channel)
}

void WakeChannel::Deliver(Napi::Env env, Napi::Function on_wake, Message& m) {
  Napi::Value undefined = env.Undefined();
  if (m.kind == Message::Kind::Removed) {
    on_wake.Call({Napi::Number::New(env, 0), Napi::Number::New(env, kWakeRemoved), undefined, undefined, undefined,
                  undefined, undefined, undefined, undefined});
    return;
  }
  if (m.kind == Message::Kind::ReleaseError) {
    on_wake.Call({Napi::Number::New(env, 0), Napi::Number::New(env, kWakeReleaseError), undefined, undefined,
                  undefined, undefined, undefined, Napi::Number::New(env, m.error_id), undefined});
    return;
  }
  zcache::FlightResult& r = m.result;
  Napi::Value id = Napi::Number::New(env, m.waiter_id);
  switch (r.status) {
    case zcache::FlightResult::Status::Value: {
      // A copy of the bytes, and a pin the SDK keeps (remembering the value) or drops (unpin).
      const double identity = IdentityNumber(r.value.identity());
      const int encoding = r.value.encoding();
      const std::string_view data = r.value.value();
      Napi::Value bytes = Napi::Buffer<char>::Copy(env, data.data(), data.size());
      // A read-through's Stale result: this waiter revalidates.
      Napi::Value ticket = r.ticket ? TicketValue(env, std::move(r.ticket)) : undefined;
      pins_->Pin(r.value);
      on_wake.Call({id, Napi::Number::New(env, kWakeValue), Napi::Number::New(env, static_cast<int>(r.outcome)),
                    bytes, Napi::Number::New(env, identity), Napi::Number::New(env, encoding), undefined, undefined,
                    ticket});
      return;
    }
    case zcache::FlightResult::Status::Error: {
      Napi::Value error = undefined;
      Napi::Value error_id = undefined;
      const zcache::Error& e = r.error ? *r.error : zcache::Error(zcache::ErrorKind::Internal, "flight failed without an error");
      const auto* payload = static_cast<const JsErrorPayload*>(e.payload.get());
      if (e.kind() == zcache::ErrorKind::FetchFailed && payload && payload->magic == JsErrorPayload::kMagic &&
          payload->channel_serial == serial_) {
        error_id = Napi::Number::New(env, payload->error_id);  // the leader's own JS error
      } else {
        error = MakeError(env, e).Value();
      }
      on_wake.Call({id, Napi::Number::New(env, kWakeError), undefined, undefined, undefined, undefined, error,
                    error_id, undefined});
      return;
    }
    case zcache::FlightResult::Status::LockTimeout:
      on_wake.Call({id, Napi::Number::New(env, kWakeLockTimeout), undefined, undefined, undefined, undefined,
                    undefined, undefined, undefined});
      return;
    case zcache::FlightResult::Status::Lead: {
      // A read-through found nothing servable: this waiter now leads the flight (fetch, then
      // fill or fail). Undelivered (channel closed), the ticket dies with the message: Cancelled.
      Napi::Value ticket = TicketValue(env, std::move(r.ticket));
      on_wake.Call({id, Napi::Number::New(env, kWakeLead), Napi::Number::New(env, static_cast<int>(r.outcome)),
                    undefined, undefined, undefined, undefined, undefined, ticket});
      return;
    }
  }
}

}  // namespace zatabase_node
