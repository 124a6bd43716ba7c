// PyRef: a strong reference to a Python object that may be dropped on any thread.
//
// Engine callbacks and FlightResult copies (with their error payloads) die on whichever thread
// completed a flight, often one that does not hold the GIL or was never a Python thread. The
// owner takes the GIL to release the object, and leaks it instead once the interpreter is
// shutting down (taking the GIL then would hang or kill the thread).
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>

namespace zcache::py_binding {

namespace py = pybind11;

// Set by an atexit hook (see module.cpp): after it no foreign thread may enter Python.
inline std::atomic<bool> g_python_shutting_down{false};

inline bool python_alive() noexcept {
  if (g_python_shutting_down.load(std::memory_order_acquire) || !Py_IsInitialized()) return false;
#if PY_VERSION_HEX >= 0x030D0000
  return !Py_IsFinalizing();
#else
  return !_Py_IsFinalizing();
#endif
}

class PyRef {
 public:
  // Takes a new reference; the GIL must be held.
  explicit PyRef(py::handle h) : p_(h.inc_ref().ptr()) {}
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  ~PyRef() {
    if (!p_ || !python_alive()) return;  // leaked at shutdown on purpose
    py::gil_scoped_acquire gil;
    Py_DECREF(p_);
  }

  // A new reference to the object; the GIL must be held.
  py::object object() const { return py::reinterpret_borrow<py::object>(p_); }

 private:
  PyObject* p_;
};

}  // namespace zcache::py_binding
