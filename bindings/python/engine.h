// Engine: one Python handle to a zcache::Cache (private, or shared by name across threads).
//
// Conversions only: str keys to UTF-8 views, bytes to values, seconds-free millisecond options to
// EntryOptions, EntryRef to decoded Python objects (through the SDK's decoder and DecodedMemo),
// zcache::Error to Python exceptions (errors.h). Cache logic stays in the core.
//
// GIL: released around every engine call, so that other Python threads run while this one takes
// a shard lock or copies a value; callbacks from the engine take it back themselves.
//
// Lifetime: close() marks the handle closed (later calls raise ClosedError); release() (or the
// Python object's death) then drops the engine handle — at once, or when the last call in
// progress on another thread returns (`calls_`, counted under the GIL). Dropping the last handle
// of an engine with a replica closes the store: it commits its queue and joins its threads,
// which may be waiting for the GIL, so handles are always dropped with the GIL released. The SDK
// calls release() off the event loop (run_in_executor) when there is a replica.
//
// Replica: the constructor passes replica_file to the core (CacheOptions::replica_options) with
// the GIL released; the core opens the ReplicaStore on the cache's own clock when it creates the
// engine. Named engines: Cache::shared — a later handle of a name joins the engine without
// opening the file again (Conflict for another file). See engine.cpp (open_engine).
#pragma once

#include "decoded_memo.h"
#include "flight.h"

#include <zcache/cache.h>
#include <zcache/replica.h>

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zcache::py_binding {

namespace py = pybind11;

// States returned to Python by lookup() / get() / resolve().
enum LookupState : int {
  kFresh = 0, kStale = 1, kMiss = 2, kWait = 3, kAbsent = 4, kLockTimeout = 5, kFilled = 6, kLead = 7
};

class Engine {
 public:
  Engine(std::shared_ptr<zcache::Cache> cache, py::object decoder, std::size_t memo_bytes, bool shared)
      : cache_(std::move(cache)), decoder_(std::move(decoder)), memo_(memo_bytes), shared_(shared),
        has_replica_(cache_->options().replica != nullptr) {}
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

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
  // A waiter's result as (state, value, ticket): (FILLED|FRESH|STALE, value, None), (STALE, value,
  // Ticket) for the one waiter that revalidates a value read through from the replica,
  // (LEAD, None, Ticket) for the waiter that now leads the fill, (LOCK_TIMEOUT, None, None).
  // Raises the flight's error. Consumes the result (its ticket moves to the tuple).
  py::tuple resolve(PyFlightResult& result);
  bool erase(py::handle key);
  // Purges both tiers; calls done(objects_purged, bytes_freed, exception|None) exactly once, with
  // the GIL, on the replica's writer thread or on this thread (possibly before purge() returns).
  void purge(std::vector<std::string> keys, std::optional<std::string> prefix, std::vector<std::string> tags,
             bool soft, py::object done);
  // Blocks (GIL released) until the replica committed everything queued; no-op without one.
  void flush();
  void clear();
  py::dict stats();
  void run_maintenance();
  void close();
  // close() and drop the engine handle (GIL released): may close the replica store. Idempotent.
  void release();

  bool closed() const noexcept { return closed_; }
  bool shared() const noexcept { return shared_; }
  bool has_replica() const noexcept { return has_replica_; }
  // Equal for handles to the same engine; stays valid after release().
  std::uintptr_t engine_id() const noexcept { return engine_id_; }
  py::dict memo_info() const;

 private:
  class Call;
  py::object decode(const EntryRef& entry);
  void drop_handle() noexcept;  // GIL held; lets it go while dropping

  std::shared_ptr<zcache::Cache> cache_;  // null once released; shared by handles of one name
  py::object decoder_;  // decoder(bytes, encoding) -> object, from the SDK
  DecodedMemo memo_;
  bool shared_;
  bool has_replica_;  // the store itself is reached through the handle: it closes with the engine
  std::uintptr_t engine_id_ = reinterpret_cast<std::uintptr_t>(cache_->id());
  // Guarded by the GIL:
  bool closed_ = false;
  bool release_pending_ = false;
  int calls_ = 0;  // calls in progress with the GIL released
};

void bind_engine(py::module_& m);

}  // namespace zcache::py_binding
