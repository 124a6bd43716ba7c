// The SWR flight as Python sees it: a Ticket (the leader's duty to fill or fail), a Waiter (a
// follower's pending result) and FlightResult (what a waiter receives, opaque to Python until
// Engine.resolve() turns it into a value or an exception). With a replica a waiter may also be
// handed a ticket: the fill ticket (it is now the leader) or a revalidation ticket; the result
// exposes it as `ticket` (a Ticket) and Engine.resolve() returns it.
//
// Threads: the engine completes a flight on whatever thread fills, fails or times it out. The
// waiter's callback takes the GIL there and calls the `notify` callable the SDK attached, which is
// `loop.call_soon_threadsafe(...)` into the waiting task's loop. Nothing here blocks.
#pragma once

#include "py_ref.h"

#include <zcache/cache.h>

#include <atomic>
#include <memory>
#include <utility>
#include <mutex>
#include <optional>

namespace zcache::py_binding {

// A ticket and the engine handle to finish it with (so that a leader can still fill after its
// Cache was closed and released its own handle). A ticket delivered to a waiter gets its handle
// from Engine.resolve(); until then `cache` is empty and the Engine's own handle is used.
//
// Dropping a ticket may drop the last reference to an engine, and with it close its replica
// store, which joins the store's threads; those may be waiting for the GIL (a purge's `done`).
// So the destructor lets the GIL go while it drops them.
struct PyTicket {
  zcache::Ticket ticket;
  std::shared_ptr<zcache::Cache> cache;

  PyTicket(zcache::Ticket t, std::shared_ptr<zcache::Cache> c) : ticket(std::move(t)), cache(std::move(c)) {}
  PyTicket(PyTicket&&) noexcept = default;
  PyTicket& operator=(PyTicket&&) = delete;
  ~PyTicket() { drop(); }

  // Throws InvalidArgument when the ticket was already used.
  zcache::Ticket take();
  // Releases the ticket (failing its flight with Cancelled if unused) and the handle; lets the
  // GIL go meanwhile when this thread holds it.
  void drop() noexcept;
};

// Drops what `t` and `c` hold with the GIL released when this thread holds it (see PyTicket).
void drop_without_gil(zcache::Ticket& t, std::shared_ptr<zcache::Cache>& c) noexcept;

// Resets `t` and `c` on leaving its scope, normally or by an exception. Declared after a
// py::gil_scoped_release, it runs before the GIL is taken back: either may be the engine's last
// reference.
struct ReleaseOnExit {
  zcache::Ticket& t;
  std::shared_ptr<zcache::Cache>& c;
  ~ReleaseOnExit() {
    t = zcache::Ticket();
    c.reset();
  }
};

struct PyFlightResult {
  zcache::FlightResult result;  // its ticket has moved to `ticket`
  py::object ticket;            // a PyTicket, or None
};

// Shared by the engine's callback and the Python Waiter; whichever comes second delivers.
// Reference-counted by hand (see WaitSlot): one reference per owner, the last one deletes.
struct WaitState {
  std::atomic<int> refs{1};
  std::mutex mu;
  std::optional<zcache::FlightResult> result;  // arrived before notify was attached
  std::unique_ptr<PyRef> notify;               // attached before the result arrived
  bool attached = false;

  void retain() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

// The WaitState of one lookup. Most lookups are hits that never wait, so the state comes from a
// per-thread spare and is handed over only when the lookup waits: the hit path allocates nothing,
// and the callback captures one pointer (no std::function heap). The callback holds its own
// reference, released when the engine destroys it (after it fired, or unused).
class WaitSlot {
 public:
  WaitSlot();
  ~WaitSlot();
  WaitSlot(const WaitSlot&) = delete;
  WaitSlot& operator=(const WaitSlot&) = delete;

  zcache::WaitCallback callback();
  // Call when the lookup returned Wait: the spare's reference goes to the caller (a PyWaiter).
  WaitState* hand_over();

 private:
  WaitState* state_;
};

class PyWaiter {
 public:
  PyWaiter(WaitState* adopted, std::uint64_t id) : state_(adopted), id_(id) {}
  PyWaiter(PyWaiter&& o) noexcept : state_(std::exchange(o.state_, nullptr)), id_(o.id_) {}
  PyWaiter(const PyWaiter&) = delete;
  ~PyWaiter() {
    if (state_) state_->release();
  }
  // Calls notify(FlightResult) exactly once: now if the result is already in, else from the
  // thread that completes the flight. Must be called at most once.
  void attach(py::object notify);
  // The engine's wait id, for Engine.cancel_wait().
  std::uint64_t id() const noexcept { return id_; }

 private:
  WaitState* state_;
  std::uint64_t id_;
};

void bind_flight(py::module_& m);

}  // namespace zcache::py_binding
