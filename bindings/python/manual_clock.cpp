#include "manual_clock.h"

namespace zcache::py_binding {

void bind_manual_clock(py::module_& m) {
  py::class_<PyManualClock>(m, "ManualClock", "A clock that moves only when told to (milliseconds).")
      .def(py::init([](std::int64_t start_ms) { return PyManualClock{std::make_shared<zcache::ManualClock>(start_ms)}; }),
           py::arg("start_ms") = 1'700'000'000'000)
      .def("now_ms", [](const PyManualClock& c) { return c.clock->now_ms(); })
      .def("set", [](PyManualClock& c, std::int64_t ms) { c.clock->set(ms); }, py::arg("ms"))
      .def("advance", [](PyManualClock& c, std::int64_t ms) {
            if (ms < 0) throw py::value_error("a clock only moves forward");
            c.clock->advance(ms);
          }, py::arg("ms"));
}

}  // namespace zcache::py_binding
