// WakeChannel: delivers the results of single-flight waits to one Cache's JS thread.
//
// The core calls a waiter's callback exactly once, on whichever thread completes the flight: a
// fill or fail in another worker_thread, the core's maintenance thread, a replica reader thread
// (read-through), or this JS thread. A message may carry a ticket (Lead, or a read-through's
// revalidation); one never delivered — the channel closed — is dropped with the message, which
// fails its flight with Cancelled for the other waiters. The
// callback only queues a message on the channel's thread-safe function; the JS callback
// (`onWake`, from the SDK) runs later on this Cache's thread. The thread-safe function is ref'd
// only while waiters are pending, so an idle cache never keeps the process alive.
//
// Lifetime: the channel is reference counted by hand (intrusively) because the waiter callback
// must fit std::function's small buffer (the hot lookup path builds one on every call, and a
// hit must not allocate). The owner holds one reference, the thread-safe function one, and every
// *pending* waiter one, taken on the JS thread right after lookup() reported Wait and dropped
// when its message is consumed (or cannot be queued). A callback that runs before that reference
// is taken runs during lookup(), while the owner's reference is held.
#pragma once

#include "pin_table.h"

#include <napi.h>
#include <zcache/cache.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace zatabase_node {

// Attached to a FetchFailed error (zcache::Error::payload) by a leader on this thread. It names
// the JS error object, kept in the SDK's per-cache map under `error_id`, so that waiters of the
// same channel get that very object. Plain data: destroying it on any thread is harmless. The
// SDK drops the map entry when the release message posted by fail() arrives, which is after
// every wake message of that flight (one FIFO queue; the core queues them all inside fail()).
struct JsErrorPayload {
  static constexpr std::uint64_t kMagic = 0x7a6a7345727250ULL;  // recognises ours among payloads
  std::uint64_t magic = kMagic;
  std::uint64_t channel_serial = 0;
  double error_id = 0;
};

class WakeChannel {
 public:
  // On the JS thread. `on_wake(waiterId, status, outcome, buffer, identity, encoding, error,
  // errorId, ticket)`; see the kWake* constants in wake_channel.cc. `ticket` (a ticket external)
  // comes with status Lead (the fill ticket: the waiter now leads the flight) and with a
  // read-through's Stale value for the one waiter that revalidates.
  // `pins` (the owner's) pins every delivered entry; valid while the channel is open.
  static WakeChannel* Create(Napi::Env env, Napi::Function on_wake, PinTable* pins);

  // The callback for lookup(). Cheap to build (no allocation); see the lifetime note above.
  zcache::WaitCallback Waiter(std::uint32_t waiter_id) noexcept;
  // JS thread, after lookup() reported Wait: counts the waiter and keeps the loop alive for it.
  void WaiterPending(Napi::Env env);

  // JS thread: the payload naming a JS error for this channel's waiters, and the message
  // (queued after all wakes of the flight) that lets the SDK forget it.
  std::shared_ptr<void> ErrorPayload(double error_id) const;
  void PostErrorRelease(double error_id);
  // Any thread: tells the SDK that watched entries left the engine (RemovalWatch). False when the
  // channel is closed.
  bool PostRemoved();

  // JS thread; idempotent. Stops deliveries: messages still queued are dropped, callbacks that
  // fire later find the channel closed. The SDK rejects its own pending waiters.
  void Close(Napi::Env env);

  void Retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Release() noexcept;

 private:
  struct Message {
    enum class Kind : std::uint8_t { Wake, ReleaseError, Removed } kind;
    std::uint32_t waiter_id = 0;
    double error_id = 0;
    zcache::FlightResult result;
  };
  static void CallJs(Napi::Env env, Napi::Function on_wake, WakeChannel* self, Message* message);
  void Deliver(Napi::Env env, Napi::Function on_wake, Message& message);
  // Any thread. False when the channel is closed (the message is then deleted).
  bool Post(Message* message);

  WakeChannel() = default;
  ~WakeChannel() = default;

  using Tsfn = Napi::TypedThreadSafeFunction<WakeChannel, Message, &WakeChannel::CallJs>;
  std::atomic<int> refs_{1};  // the creator's
  const std::uint64_t serial_ = next_serial_.fetch_add(1, std::memory_order_relaxed);
  std::mutex mu_;            // guards open_ against Close() while another thread posts
  bool open_ = true;
  Tsfn tsfn_;
  PinTable* pins_ = nullptr;
  std::uint32_t pending_ = 0;  // JS thread only
  bool referenced_ = false;    // JS thread only

  static inline std::atomic<std::uint64_t> next_serial_{1};
};

}  // namespace zatabase_node
