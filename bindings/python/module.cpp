// zatabase._native: the module's entry point. Each file binds one thing: engine.cpp the Engine,
// flight.cpp tickets and waiters, manual_clock.cpp the test clock, errors.cpp the error mapping,
// brain_client.cpp the cluster API client and the admin CLI.
#include "brain_client.h"
#include "engine.h"
#include "errors.h"
#include "flight.h"
#include "manual_clock.h"
#include "py_ref.h"

#include <pybind11/stl.h>

#include <string>
#include <vector>

PYBIND11_MODULE(_native, m) {
  namespace zb = zcache::py_binding;
  namespace py = pybind11;
  m.doc() = "Native glue of zatabase: the zcache engine for Python. Use zatabase.Cache instead.";
  zb::register_error_translator();
  m.def("set_error_classes", &zb::set_error_classes, py::arg("classes_by_code"),
        "Hands the ZcacheError classes ({code: class}) to native code; called once by zatabase.");
  m.def("error_codes", [] {
    std::vector<std::string> codes;
#define ZCACHE_X(name, code) codes.emplace_back(code);
    ZCACHE_ERROR_KINDS(ZCACHE_X)
#undef ZCACHE_X
    return codes;
  }, "Every error code of the core, in its order.");
  m.def("raise_error", [](const std::string& code, const std::string& message) {
    for (int k = 0;; ++k) {
      auto kind = static_cast<zcache::ErrorKind>(k);
      if (zcache::error_code(kind) == code) throw zcache::Error(kind, message);
      if (zcache::error_code(kind) == "internal") throw py::value_error("unknown error code " + code);
    }
  }, py::arg("code"), py::arg("message"), "Raises the core error of this code (for tests of the mapping).");
  // atexit runs before finalization: after it, foreign threads completing flights leave Python alone.
  m.def("_shutdown", [] { zb::g_python_shutting_down.store(true, std::memory_order_release); });
  zb::bind_manual_clock(m);
  zb::bind_flight(m);
  zb::bind_engine(m);
  zb::bind_brain_client(m);
  zb::bind_admin_cli(m);
}
