// BrainClient (the cluster API client, zcache/brain_client.h) and run_admin_cli (zcache/admin_cli.h)
// for Python. Use zatabase.ZatabaseClient and `python -m zatabase` instead.
//
// Conversions: request bodies (a dict or JSON text) to nlohmann::json while the caller holds the
// GIL; results from nlohmann::json straight to Python objects (dict/list/str/int/float/bool/None),
// not through JSON text: measured per conversion (Python 3.11, -O2), a status response takes
// 0.31 µs natively vs 1.9 µs as dump() + json.loads (6x), cluster metrics 0.73 vs 3.1 µs, a list of
// 50 nodes 28 vs 63 µs. Errors go through the one mapping (errors.h): `code` and `http_status`.
//
// Threads: every call only submits the request (with the GIL released) and returns; the result
// reaches the Python callable `done(result, None)` or `done(None, exception)` exactly once, on a
// client thread, with the GIL taken there. `done` must be short: the SDK passes one that does
// loop.call_soon_threadsafe(...). Once the interpreter is shutting down (python_alive() false)
// results are dropped and the callable is leaked, never called.
//
// Lifetime: close() (also the destructor) drops the core client with the GIL released: retries
// waiting for their backoff and requests in flight complete with ClosedError (the core's Cancelled,
// renamed as the JS SDK does: the caller closed the client); later calls raise ClosedError. Idempotent, and any thread may call it, a `done` callable included. A call that was
// submitting on another thread at that moment keeps the core client alive until it returns.
#pragma once

#include <pybind11/pybind11.h>

namespace zcache::py_binding {

namespace py = pybind11;

// BrainClient, and the JSON helpers it needs.
void bind_brain_client(py::module_& m);

// run_admin_cli(args, env) -> (exit_code, out, err), blocking with the GIL released; `env` is
// copied to C++ first, and is all the command sees of the environment.
void bind_admin_cli(py::module_& m);

}  // namespace zcache::py_binding
