// Engine: one Python handle to a zcache::Cache (private, or shared by name across threads).
//
// Conversions only: str keys to UTF-8 views, bytes to values, seconds-free millisecond options to
// EntryOptions, EntryRef to decoded Python objects (through the SDK's decoder and DecodedMemo),
// zcache::Error to Python exceptions (errors.h). Cache logic stays in the core.
//
// GIL: released around every engine call, so that other Python threads run while this one takes
// a shard lock or copies a value; callbacks from the engine take it back themselves.
// close() marks the handle closed (later calls raise ClosedError); the engine handle itself is
// dropped with the Python object, so that a call in progress on another thread keeps it alive.
#pragma once

#include "decoded_memo.h"
#include "flight.h"

#include <zcache/cache.h>

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zcache::py_binding {

namespace py = pybind11;

// States returned to Python by lookup() / get() / resolve().
enum LookupState : int { kFresh = 0, kStale = 1, kMiss = 2, kWait = 3, kAbsent = 4, kLockTimeout = 5, kFilled = 6 };

class Engine {
 public:
  Engine(zcache::Cache cache, py::object decoder, std::size_t memo_bytes, bool shared)
      : cache_(std::move(cache)), decoder_(std::move(decoder)), memo_(memo_bytes), shared_(shared) {}

  // (state, value, handle): (FRESH, v, None) | (STALE, v, Ticket|None) | (MISS, None, Ticket) |
  // (WAIT, None, Waiter).
  py::tuple lookup(py::handle key);
  // (FRESH|STALE, v) or (ABSENT, None); never starts a flight.
  py::tuple get(py::handle key);
  bool set(py::handle key, py::handle data, const zcache::EntryOptions& options);
  void fill(PyTicket& ticket, py::handle data, const zcache::EntryOptions& options);
  // Fails the flight with the fetcher's exception (or as Cancelled when `cancelled`); returns
  // (STALE, old value) when stale-if-error serves the old value, else (ABSENT, None).
  py::tuple fail(PyTicket& ticket, py::handle exception, bool cancelled);
  // Withdraws a cancelled follower from its flight; the other waiters are not disturbed.
  bool cancel_wait(py::handle key, std::uint64_t wait_id);
  // A waiter's result as (FILLED|STALE, value) or (LOCK_TIMEOUT, None); raises the flight's error.
  py::tuple resolve(PyFlightResult& result);  // consumes the result
  bool erase(py::handle key);
  py::tuple purge(std::vector<std::string> keys, std::optional<std::string> prefix,
                  std::vector<std::string> tags, bool soft);
  void clear();
  py::dict stats();
  void run_maintenance();
  void close();

  bool closed() const noexcept { return closed_; }
  bool shared() const noexcept { return shared_; }
  // Equal for handles to the same engine.
  std::uintptr_t engine_id() const noexcept { return reinterpret_cast<std::uintptr_t>(cache_.id()); }
  py::dict memo_info() const;

 private:
  zcache::Cache& cache();  // throws Closed once closed
  py::object decode(const EntryRef& entry);

  zcache::Cache cache_;
  py::object decoder_;  // decoder(bytes, encoding) -> object, from the SDK
  DecodedMemo memo_;
  bool shared_;
  bool closed_ = false;  // guarded by the GIL
};

void bind_engine(py::module_& m);

}  // namespace zcache::py_binding
