#include "brain_client.h"

#include "errors.h"
#include "py_ref.h"

#include <zcache/admin_cli.h>
#include <zcache/brain_client.h>

#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace zcache::py_binding {
namespace {

using nlohmann::json;

// Deeper than any body the brain takes or gives; bounds the recursion of both conversions.
constexpr int kMaxDepth = 64;

// ------------------------------------------------------------------ JSON → Python (GIL held)

py::str utf8_str(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::object to_python(const json& j, int depth = 0) {
  if (depth > kMaxDepth) throw Error(ErrorKind::Protocol, "the brain's answer is nested too deeply");
  switch (j.type()) {
    case json::value_t::null:
    case json::value_t::discarded: return py::none();
    case json::value_t::boolean: return py::bool_(j.get<bool>());
    case json::value_t::number_integer: return py::reinterpret_steal<py::object>(PyLong_FromLongLong(j.get<std::int64_t>()));
    case json::value_t::number_unsigned:
      return py::reinterpret_steal<py::object>(PyLong_FromUnsignedLongLong(j.get<std::uint64_t>()));
    case json::value_t::number_float: return py::float_(j.get<double>());
    case json::value_t::string: return utf8_str(j.get_ref<const std::string&>());
    case json::value_t::array: {
      py::list out(j.size());
      std::size_t i = 0;
      for (const json& item : j) PyList_SET_ITEM(out.ptr(), i++, to_python(item, depth + 1).release().ptr());
      return out;
    }
    case json::value_t::object: {
      py::dict out;
      for (const auto& [key, value] : j.items()) out[utf8_str(key)] = to_python(value, depth + 1);
      return out;
    }
    case json::value_t::binary: break;
  }
  throw Error(ErrorKind::Protocol, "the brain's answer holds a value JSON cannot carry");
}

// ------------------------------------------------------------------ Python → JSON (GIL held)

std::string utf8(py::handle s) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(s.ptr(), &size);  // raises for lone surrogates
  if (!data) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

[[noreturn]] void not_json(const std::string& where, py::handle value) {
  throw py::type_error(where + " must be JSON data (dict, list, str, int, float, bool, None), not " +
                       Py_TYPE(value.ptr())->tp_name);
}

json to_json(py::handle o, const std::string& where, int depth = 0) {
  if (depth > kMaxDepth) throw py::value_error(where + " is nested too deeply (or refers to itself)");
  PyObject* p = o.ptr();
  if (p == Py_None) return nullptr;
  if (PyBool_Check(p)) return p == Py_True;
  if (PyLong_Check(p)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow == 0) {
      if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
      return static_cast<std::int64_t>(v);
    }
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(p);
      if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) return static_cast<std::uint64_t>(u);
      PyErr_Clear();
    }
    throw py::value_error(where + " holds an integer outside the 64-bit range");
  }
  if (PyFloat_Check(p)) {
    const double d = PyFloat_AS_DOUBLE(p);
    if (!std::isfinite(d)) throw py::value_error(where + " holds " + std::string(py::str(o)) + ", which JSON cannot carry");
    return d;
  }
  if (PyUnicode_Check(p)) return utf8(o);
  if (PyDict_Check(p)) {
    json out = json::object();
    for (auto [key, value] : py::reinterpret_borrow<py::dict>(o)) {
      if (!PyUnicode_Check(key.ptr()))
        throw py::type_error(where + " has a key of type " + Py_TYPE(key.ptr())->tp_name + "; JSON keys are str");
      std::string k = utf8(key);
      json v = to_json(value, where + "[" + std::string(py::repr(key)) + "]", depth + 1);
      out[std::move(k)] = std::move(v);
    }
    return out;
  }
  if (PyList_Check(p) || PyTuple_Check(p)) {
    json out = json::array();
    py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
    const std::size_t n = seq.size();
    for (std::size_t i = 0; i < n; ++i) out.push_back(to_json(seq[i], where + "[" + std::to_string(i) + "]", depth + 1));
    return out;
  }
  not_json(where, o);
}

// A request body: a dict (converted) or a str of JSON text (parsed); either way a JSON object.
json body_json(py::handle body) {
  if (PyUnicode_Check(body.ptr())) {
    json j = json::parse(utf8(body), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw Error(ErrorKind::InvalidArgument, "body is not valid JSON text");
    if (!j.is_object()) throw Error(ErrorKind::InvalidArgument, "body must be a JSON object");
    return j;
  }
  if (!PyDict_Check(body.ptr()))
    throw py::type_error(std::string("body must be a dict or a str of JSON text, not ") + Py_TYPE(body.ptr())->tp_name);
  return to_json(body, "body");
}

std::string node_id(py::handle id) {
  if (!PyUnicode_Check(id.ptr()))
    throw py::type_error(std::string("node_id must be a str, not ") + Py_TYPE(id.ptr())->tp_name);
  return utf8(id);
}

// ------------------------------------------------------------------ results to Python

// Set by close(); read by the callbacks of the calls it cancels.
using ClosedFlag = std::shared_ptr<std::atomic<bool>>;

// The core's callback: takes the GIL on the client thread and calls done(result, error). Calls that
// close() cancelled get ClosedError, as in the JS SDK: the caller closed the client, nobody else
// cancelled anything (the core reports Cancelled only when its client is destroyed).
BrainClient::Callback deliver_to(py::handle done, ClosedFlag closed) {
  if (!PyCallable_Check(done.ptr()))
    throw py::type_error(std::string("done must be callable, not ") + Py_TYPE(done.ptr())->tp_name);
  return [fn = std::make_shared<PyRef>(done), closed = std::move(closed)](BrainResult r) mutable {
    if (!python_alive()) return;  // Python is going away: PyRef leaks the callable, nobody is called
    py::gil_scoped_acquire gil;
    try {
      py::object value = py::none(), error = py::none();
      try {
        if (r.ok()) value = to_python(r.value());
        else if (r.error().kind() == ErrorKind::Cancelled && closed->load(std::memory_order_acquire))
          error = to_python_error(Error(ErrorKind::Closed, "the client was closed before the call finished"));
        else error = to_python_error(r.error());
      } catch (const Error& e) {
        error = to_python_error(e);
      } catch (py::error_already_set& e) {  // e.g. MemoryError while converting
        error = e.value();
      } catch (const std::exception& e) {
        error = to_python_error(Error(ErrorKind::Internal, e.what()));
      }
      fn->object()(std::move(value), std::move(error));
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("zatabase: delivering a brain client result");
    }
    fn.reset();  // while the GIL is held
  };
}

// ------------------------------------------------------------------ the client

std::optional<std::string> optional_str(py::handle o, const char* name) {
  if (o.is_none()) return std::nullopt;
  if (!PyUnicode_Check(o.ptr()))
    throw py::type_error(std::string(name) + " must be a str or None, not " + Py_TYPE(o.ptr())->tp_name);
  return utf8(o);
}

class PyBrainClient {
 public:
  PyBrainClient(py::handle base_url, py::handle token, py::handle timeout_ms, py::handle enabled) {
    BrainClientOverrides o;
    o.base_url = optional_str(base_url, "base_url");
    o.token = optional_str(token, "token");
    if (!timeout_ms.is_none()) {
      if (PyBool_Check(timeout_ms.ptr()) || !PyLong_Check(timeout_ms.ptr()))
        throw py::type_error(std::string("timeout_ms must be an int or None, not ") + Py_TYPE(timeout_ms.ptr())->tp_name);
      o.timeout_ms = timeout_ms.cast<std::int64_t>();
    }
    if (!enabled.is_none()) {
      if (!PyBool_Check(enabled.ptr()))
        throw py::type_error(std::string("enabled must be a bool or None, not ") + Py_TYPE(enabled.ptr())->tp_name);
      o.enabled = enabled.ptr() == Py_True;
    }
    BrainClientOptions options = from_environment(o);  // reads the environment; throws InvalidArgument
    base_url_ = options.base_url;
    timeout_ms_ = options.timeout_ms;
    enabled_ = options.enabled;
    py::gil_scoped_release nogil;  // starts the client's threads
    client_ = std::make_shared<BrainClient>(std::move(options));
  }

  ~PyBrainClient() { close(); }
  PyBrainClient(const PyBrainClient&) = delete;
  PyBrainClient& operator=(const PyBrainClient&) = delete;

  void close() {
    std::shared_ptr<BrainClient> client;
    {
      std::lock_guard lock(mu_);
      client = std::move(client_);
    }
    if (!client) return;
    closed_->store(true, std::memory_order_release);
    // The client's threads deliver the Cancelled results with the GIL: never join them holding it.
    if (PyGILState_Check()) {
      py::gil_scoped_release nogil;
      client.reset();
    } else {
      client.reset();
    }
  }

  bool closed() {
    std::lock_guard lock(mu_);
    return !client_;
  }

  // Submits one call with the GIL released. `start` gets the client and the callback.
  template <class Start>
  void submit(py::handle done, Start&& start) {
    BrainClient::Callback callback = deliver_to(done, closed_);
    std::shared_ptr<BrainClient> client;
    {
      std::lock_guard lock(mu_);
      client = client_;
    }
    if (!client) throw Error(ErrorKind::Closed, "the client is closed");
    py::gil_scoped_release nogil;
    // Dropped before the GIL is taken back, even on an exception: when close() ran meanwhile this
    // is the last reference, and the destructor joins threads that may be waiting for the GIL.
    std::shared_ptr<BrainClient> held = std::move(client);
    start(*held, std::move(callback));
  }

  void get_status(py::handle done) { submit(done, [](BrainClient& c, auto cb) { c.get_status(std::move(cb)); }); }
  void list_nodes(py::handle done) { submit(done, [](BrainClient& c, auto cb) { c.list_nodes(std::move(cb)); }); }
  void get_metrics(py::handle done) { submit(done, [](BrainClient& c, auto cb) { c.get_metrics(std::move(cb)); }); }
  void health(py::handle done) { submit(done, [](BrainClient& c, auto cb) { c.health(std::move(cb)); }); }

  void register_node(py::handle body, py::handle done) {
    submit(done, [j = body_json(body)](BrainClient& c, auto cb) mutable { c.register_node(std::move(j), std::move(cb)); });
  }
  void purge(py::handle body, py::handle done) {
    submit(done, [j = body_json(body)](BrainClient& c, auto cb) mutable { c.purge(std::move(j), std::move(cb)); });
  }
  void get_node(py::handle id, py::handle done) {
    submit(done, [id = node_id(id)](BrainClient& c, auto cb) { c.get_node(id, std::move(cb)); });
  }
  void deregister_node(py::handle id, py::handle done) {
    submit(done, [id = node_id(id)](BrainClient& c, auto cb) { c.deregister_node(id, std::move(cb)); });
  }
  void get_node_metrics(py::handle id, py::handle done) {
    submit(done, [id = node_id(id)](BrainClient& c, auto cb) { c.get_node_metrics(id, std::move(cb)); });
  }

  const std::string& base_url() const noexcept { return base_url_; }
  std::int64_t timeout_ms() const noexcept { return timeout_ms_; }
  bool enabled() const noexcept { return enabled_; }

 private:
  std::mutex mu_;                        // guards client_ (close() may race calls on other threads)
  std::shared_ptr<BrainClient> client_;  // null once closed
  ClosedFlag closed_ = std::make_shared<std::atomic<bool>>(false);
  std::string base_url_;
  std::int64_t timeout_ms_ = 0;
  bool enabled_ = true;
};

}  // namespace

void bind_brain_client(py::module_& m) {
  py::class_<PyBrainClient>(m, "BrainClient", "The brain's cluster API (zcache::BrainClient). Use zatabase.ZatabaseClient.")
      .def(py::init<py::handle, py::handle, py::handle, py::handle>(), py::arg("base_url") = py::none(),
           py::arg("token") = py::none(), py::arg("timeout_ms") = py::none(), py::arg("enabled") = py::none(),
           "Options left None come from ZATABASE_URL/ZCACHE_BRAIN_URL, ZATABASE_TOKEN, ZCACHE_TIMEOUT, "
           "ZCACHE_ENABLED, else the defaults. Raises InvalidArgumentError for unusable values.")
      .def("get_status", &PyBrainClient::get_status, py::arg("done"))
      .def("list_nodes", &PyBrainClient::list_nodes, py::arg("done"))
      .def("register_node", &PyBrainClient::register_node, py::arg("body"), py::arg("done"))
      .def("get_node", &PyBrainClient::get_node, py::arg("node_id"), py::arg("done"))
      .def("deregister_node", &PyBrainClient::deregister_node, py::arg("node_id"), py::arg("done"))
      .def("get_node_metrics", &PyBrainClient::get_node_metrics, py::arg("node_id"), py::arg("done"))
      .def("get_metrics", &PyBrainClient::get_metrics, py::arg("done"))
      .def("purge", &PyBrainClient::purge, py::arg("body"), py::arg("done"))
      .def("health", &PyBrainClient::health, py::arg("done"))
      .def("close", &PyBrainClient::close, "Cancels what is in flight; later calls raise ClosedError. Idempotent.")
      .def_property_readonly("closed", &PyBrainClient::closed)
      .def_property_readonly("base_url", &PyBrainClient::base_url)
      .def_property_readonly("timeout_ms", &PyBrainClient::timeout_ms)
      .def_property_readonly("enabled", &PyBrainClient::enabled);
}

void bind_admin_cli(py::module_& m) {
  m.def(
      "run_admin_cli",
      [](const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
        AdminCliResult r;
        {
          py::gil_scoped_release nogil;  // blocks until the brain answers (bounded by the timeout)
          r = run_admin_cli(args, [&env](std::string_view name) -> std::optional<std::string> {
            auto it = env.find(std::string(name));
            if (it == env.end()) return std::nullopt;
            return it->second;
          });
        }
        return py::make_tuple(r.exit_code, utf8_str(r.out), utf8_str(r.err));
      },
      py::arg("args"), py::arg("env"),
      "One `zatabase` invocation (args without the program name; env: the variables it may read). "
      "Returns (exit_code, out, err); blocks with the GIL released.");
}

}  // namespace zcache::py_binding
