// ManualClock for tests: a zcache::ManualClock that Python moves and the engine reads.
#pragma once

#include <zcache/clock.h>

#include <pybind11/pybind11.h>

#include <memory>

namespace zcache::py_binding {

namespace py = pybind11;

struct PyManualClock {
  std::shared_ptr<zcache::ManualClock> clock;
};

void bind_manual_clock(py::module_& m);

}  // namespace zcache::py_binding
