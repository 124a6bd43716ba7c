#include "flight.h"

#include "errors.h"

namespace zcache::py_binding {
namespace {

// Hands the result to Python; the GIL must be held. A closed loop (its thread has gone away) is
// no reason to disturb the thread completing the flight: the error is reported as unraisable.
// A ticket in the result goes to Python as a Ticket object; if nobody takes it (the loop is
// closed, the task was cancelled), dropping that object fails its flight with Cancelled, so the
// other waiters are not stranded.
void deliver(const py::object& notify, zcache::FlightResult result) {
  try {
    py::object ticket = py::none();
    if (result.ticket) ticket = py::cast(PyTicket(std::move(result.ticket), nullptr));
    notify(PyFlightResult{std::move(result), std::move(ticket)});
  } catch (py::error_already_set& e) {
    e.discard_as_unraisable("zatabase: delivering a flight result to a waiting task");
  }
}

}  // namespace

zcache::Ticket PyTicket::take() {
  if (!ticket) throw Error(ErrorKind::InvalidArgument, "this ticket was already filled or failed");
  return std::move(ticket);
}

void drop_without_gil(zcache::Ticket& t, std::shared_ptr<zcache::Cache>& c) noexcept {
  if (!t && !c) return;
  zcache::Ticket ticket = std::move(t);
  std::shared_ptr<zcache::Cache> cache = std::move(c);
  if (python_alive() && PyGILState_Check()) {
    py::gil_scoped_release nogil;
    ticket = zcache::Ticket();
    cache.reset();
  }
}

void PyTicket::drop() noexcept { drop_without_gil(ticket, cache); }

void PyWaiter::attach(py::object notify) {
  if (!state_) throw py::value_error("this Waiter is empty");
  std::optional<zcache::FlightResult> ready;
  {
    std::lock_guard lock(state_->mu);
    if (state_->attached) throw py::value_error("Waiter.attach() may be called only once");
    state_->attached = true;
    if (state_->result) {
      ready = std::move(state_->result);
      state_->result.reset();
    } else {
      state_->notify = std::make_unique<PyRef>(notify);
      return;
    }
  }
  deliver(notify, std::move(*ready));
}

namespace {
thread_local WaitState* t_spare = nullptr;  // one per thread, reused by every lookup that does not wait
}  // namespace

WaitSlot::WaitSlot() {
  if (!t_spare) t_spare = new WaitState;
  state_ = t_spare;
}

WaitSlot::~WaitSlot() = default;

namespace {
// The callback's own reference to its WaitState, released when the engine destroys the callback:
// after it fired, when the lookup did not wait, or when the waiter was withdrawn (cancel_wait).
// Copyable because std::function is; each copy holds a reference.
struct StateRef {
  WaitState* state;
  explicit StateRef(WaitState* s) noexcept : state(s) { state->retain(); }
  StateRef(const StateRef& o) noexcept : state(o.state) { state->retain(); }
  StateRef& operator=(const StateRef&) = delete;
  ~StateRef() { state->release(); }
};
}  // namespace

zcache::WaitCallback WaitSlot::callback() {
  return [ref = StateRef(state_)](zcache::FlightResult result) {
    WaitState* state = ref.state;
    std::unique_ptr<PyRef> notify;
    {
      std::lock_guard lock(state->mu);
      if (state->notify) {
        notify = std::move(state->notify);
      } else {
        state->result = std::move(result);  // for attach()
      }
    }
    if (!notify) return;
    if (!python_alive()) {
      (void)notify.release();  // leaked on purpose: Python is going away
      return;
    }
    py::gil_scoped_acquire gil;
    deliver(notify->object(), std::move(result));
    notify.reset();
  };
}

WaitState* WaitSlot::hand_over() {
  t_spare = nullptr;  // the next lookup on this thread gets a new spare
  return state_;
}

void bind_flight(py::module_& m) {
  py::class_<PyTicket>(m, "Ticket", "The duty to fill or fail one flight (exactly one holder).")
      .def_property_readonly("key", [](const PyTicket& t) { return t.ticket.key(); })
      .def_property_readonly("revalidation", [](const PyTicket& t) { return t.ticket.revalidation(); })
      .def_property_readonly("pending", [](const PyTicket& t) { return static_cast<bool>(t.ticket); })
      .def("drop", &PyTicket::drop, "Gives the ticket up unused: its flight fails with Cancelled.");

  py::class_<PyFlightResult>(m, "FlightResult", "A flight's outcome; Engine.resolve() reads it.")
      .def_property_readonly(
          "ticket", [](const PyFlightResult& r) { return r.ticket; },
          "The Ticket handed to this waiter (it leads the fill, or revalidates a stale value), else None.");

  py::class_<PyWaiter>(m, "Waiter", "A follower's pending flight result.")
      .def("attach", &PyWaiter::attach, py::arg("notify"))
      .def_property_readonly("id", &PyWaiter::id);
}

}  // namespace zcache::py_binding
