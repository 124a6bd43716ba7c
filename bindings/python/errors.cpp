#include "errors.h"

#include "py_ref.h"

#include <cstdint>
#include <memory>
#include <string>

namespace zcache::py_binding {
namespace {

// Leaked on purpose: classes must outlive every thread that may still map an error.
PyObject* g_classes_by_code = nullptr;

// What Error::payload holds for a fetcher's exception. The tag tells it apart from payloads of
// other bindings that may share a named engine in the same process.
struct ExceptionPayload {
  static constexpr std::uint64_t kTag = 0x7a70792d65786321;  // "zpy-exc!"
  std::uint64_t tag = kTag;
  PyInterpreterState* interpreter;
  PyRef exception;
  ExceptionPayload(py::handle exc) : interpreter(PyInterpreterState_Get()), exception(exc) {}
};

py::object class_for(std::string_view code) {
  if (g_classes_by_code) {
    PyObject* cls = PyDict_GetItemString(g_classes_by_code, std::string(code).c_str());  // borrowed
    if (cls) return py::reinterpret_borrow<py::object>(cls);
  }
  return py::reinterpret_borrow<py::object>(PyExc_RuntimeError);  // module used without the SDK
}

}  // namespace

void set_error_classes(py::dict classes_by_code) {
  for (auto item : classes_by_code) {
    if (!py::isinstance<py::str>(item.first) || !PyType_Check(item.second.ptr()) ||
        !PyObject_IsSubclass(item.second.ptr(), PyExc_Exception))
      throw py::type_error("set_error_classes() needs a dict of {code: exception class}");
  }
  Py_XDECREF(g_classes_by_code);
  g_classes_by_code = classes_by_code.inc_ref().ptr();
}

py::object to_python_error(const Error& error) {
  if (error.kind() == ErrorKind::FetchFailed && error.payload) {
    auto* p = static_cast<const ExceptionPayload*>(error.payload.get());
    if (p->tag == ExceptionPayload::kTag && p->interpreter == PyInterpreterState_Get()) return p->exception.object();
  }
  py::object cls = class_for(error.code());
  if (cls.ptr() == PyExc_RuntimeError) return cls(std::string(error.code()) + ": " + error.what());
  return cls(error.what(), py::arg("http_status") = error.http_status());
}

void raise_python_error(const Error& error) {
  py::object exc = to_python_error(error);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

Error fetch_failed(py::handle exception) {
  std::string message = "the fetcher raised " + std::string(Py_TYPE(exception.ptr())->tp_name);
  if (std::string text = py::str(exception); !text.empty()) message += ": " + text;
  Error error(ErrorKind::FetchFailed, message);
  error.payload = std::make_shared<ExceptionPayload>(exception);
  return error;
}

void register_error_translator() {
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object exc = to_python_error(e);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });
}

}  // namespace zcache::py_binding
