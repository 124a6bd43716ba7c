// The one mapping from zcache::Error to Python exceptions.
//
// The exception classes are defined in Python (zatabase/errors.py) and handed over once with
// set_error_classes(); native code only builds them. A FetchFailed error whose payload carries
// a Python exception from this interpreter maps back to that very exception object, so every
// waiter of a flight re-raises what the fetcher raised.
#pragma once

#include <zcache/error.h>

#include <pybind11/pybind11.h>

namespace zcache::py_binding {

namespace py = pybind11;

// {code: class} from zatabase.errors; called once at import.
void set_error_classes(py::dict classes_by_code);

// The Python exception object for `error` (the GIL must be held).
py::object to_python_error(const Error& error);

// Raises `error` in Python: sets the error indicator and throws py::error_already_set.
[[noreturn]] void raise_python_error(const Error& error);

// Wraps a Python exception raised by a fetcher as a FetchFailed error that carries it.
Error fetch_failed(py::handle exception);

// Registers the translator that turns a zcache::Error escaping a bound function into its class.
void register_error_translator();

}  // namespace zcache::py_binding
