#include "engine.h"

#include "errors.h"
#include "manual_clock.h"

#include <pybind11/stl.h>

#include <string>
#include <utility>

namespace zcache::py_binding {
namespace {

// Native code checks every argument itself; the SDK's messages are friendlier but not trusted.
std::string_view key_view(py::handle key) {
  if (!PyUnicode_Check(key.ptr()))
    throw py::type_error(std::string("key must be a str, not ") + Py_TYPE(key.ptr())->tp_name);
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(key.ptr(), &size);  // cached in the str object
  if (!utf8) throw py::error_already_set();
  return {utf8, static_cast<std::size_t>(size)};
}

std::string_view bytes_view(py::handle data) {
  if (!PyBytes_Check(data.ptr()))
    throw py::type_error(std::string("an encoded value must be bytes, not ") + Py_TYPE(data.ptr())->tp_name);
  return {PyBytes_AS_STRING(data.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(data.ptr()))};
}

std::uint8_t encoding_byte(int encoding) {
  if (encoding < 0 || encoding > 255) throw py::value_error("encoding must be in 0..255");
  return static_cast<std::uint8_t>(encoding);
}

zcache::EntryOptions entry_options(std::optional<std::int64_t> ttl_ms, std::optional<std::int64_t> stale_ms,
                                   std::optional<std::int64_t> stale_if_error_ms, std::vector<std::string> tags,
                                   int encoding) {
  zcache::EntryOptions o;
  o.ttl_ms = ttl_ms;
  o.stale_ms = stale_ms;
  o.stale_if_error_ms = stale_if_error_ms;
  o.tags = std::move(tags);
  o.encoding = encoding_byte(encoding);
  return o;
}

py::tuple state_value(int state, py::object value) { return py::make_tuple(state, std::move(value)); }

// --- opening an engine (GIL released): the core opens the replica file when it creates the
// engine, once per shared name (Cache::shared: Conflict for another file).

std::shared_ptr<zcache::Cache> open_engine(zcache::CacheOptions o, const std::optional<std::string>& name) {
  if (!name) return std::make_shared<zcache::Cache>(std::move(o));
  return std::make_shared<zcache::Cache>(zcache::Cache::shared(*name, std::move(o)));
}

}  // namespace

// A call in progress: release() waits for it to end before dropping the handle. Constructed and
// destroyed with the GIL held, so `calls_` needs no atomics (the hit path pays two increments).
class Engine::Call {
 public:
  explicit Call(Engine& e, bool allow_closed = false) : e_(e) {
    if ((e.closed_ && !allow_closed) || !e.cache_) throw Error(ErrorKind::Closed, "the cache is closed");
    ++e.calls_;
  }
  ~Call() {
    if (--e_.calls_ == 0 && e_.release_pending_) e_.drop_handle();
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  zcache::Cache& cache() const noexcept { return *e_.cache_; }

 private:
  Engine& e_;
};

Engine::~Engine() { drop_handle(); }

void Engine::drop_handle() noexcept {
  release_pending_ = false;
  std::shared_ptr<zcache::Cache> handle = std::move(cache_);
  if (handle && python_alive() && PyGILState_Check()) {
    py::gil_scoped_release nogil;  // the last handle closes the store, whose threads may want the GIL
    handle.reset();
  }
}

py::object Engine::decode(const EntryRef& entry) {
  if (PyObject* known = memo_.find(entry)) return py::reinterpret_borrow<py::object>(known);
  const std::string_view bytes = entry.value();
  py::object value = decoder_(py::bytes(bytes.data(), bytes.size()), entry.encoding());
  memo_.remember(entry, value);
  return value;
}

py::tuple Engine::lookup(py::handle key) {
  const std::string_view k = key_view(key);
  Call call(*this);
  zcache::Cache& c = call.cache();
  WaitSlot wait;
  zcache::LookupResult r;
  {
    py::gil_scoped_release nogil;
    r = c.lookup(k, wait.callback());
  }
  switch (r.state) {
    case zcache::LookupResult::State::Fresh:
      return py::make_tuple(int(kFresh), decode(r.value), py::none());
    case zcache::LookupResult::State::Stale: {
      py::object ticket = r.ticket ? py::cast(PyTicket(std::move(r.ticket), cache_)) : py::none();
      return py::make_tuple(int(kStale), decode(r.value), std::move(ticket));
    }
    case zcache::LookupResult::State::Miss:
      return py::make_tuple(int(kMiss), py::none(), py::cast(PyTicket(std::move(r.ticket), cache_)));
    case zcache::LookupResult::State::Wait:
      return py::make_tuple(int(kWait), py::none(), py::cast(PyWaiter(wait.hand_over(), r.wait_id)));
  }
  throw Error(ErrorKind::Internal, "unknown lookup state");
}

py::tuple Engine::get(py::handle key) {
  const std::string_view k = key_view(key);
  Call call(*this);
  zcache::Cache& c = call.cache();
  zcache::GetResult r;
  {
    py::gil_scoped_release nogil;
    r = c.get(k);
  }
  if (!r.value) return state_value(kAbsent, py::none());
  return state_value(r.stale ? kStale : kFresh, decode(r.value));
}

bool Engine::set(py::handle key, py::handle data, const zcache::EntryOptions& options) {
  const std::string_view k = key_view(key), v = bytes_view(data);
  Call call(*this);
  zcache::Cache& c = call.cache();
  py::gil_scoped_release nogil;
  return c.set(k, v, options);
}

void Engine::fill(PyTicket& ticket, py::handle data, const zcache::EntryOptions& options) {
  const std::string_view v = bytes_view(data);
  // A leader may finish its flight after close(): waiters need it. The ticket's own handle, else ours.
  std::shared_ptr<zcache::Cache> c = ticket.cache ? ticket.cache : cache_;
  zcache::Ticket t = ticket.take();
  ticket.drop();
  if (!c) {
    drop_without_gil(t, c);  // its waiters get Cancelled and look again
    throw Error(ErrorKind::Closed, "the cache is closed; the fetched value was not stored");
  }
  py::gil_scoped_release nogil;
  ReleaseOnExit release{t, c};
  c->fill(std::move(t), v, options);
}

bool Engine::cancel_wait(py::handle key, std::uint64_t wait_id) {
  const std::string_view k = key_view(key);
  if (!cache_) return false;  // released: the result is delivered and dropped unseen
  Call call(*this, true);
  zcache::Cache& c = call.cache();
  py::gil_scoped_release nogil;
  return c.cancel_wait(k, wait_id);
}

py::tuple Engine::fail(PyTicket& ticket, py::handle exception, bool cancelled) {
  Error error = cancelled ? Error(ErrorKind::Cancelled, "the fetch was cancelled by its leader")
                          : fetch_failed(exception);
  std::shared_ptr<zcache::Cache> c = ticket.cache ? ticket.cache : cache_;
  zcache::Ticket t = ticket.take();
  ticket.drop();
  zcache::FlightResult r;
  {
    py::gil_scoped_release nogil;
    ReleaseOnExit release{t, c};  // without c, the unused ticket fails its flight as Cancelled
    if (c) r = c->fail(std::move(t), std::move(error));
  }
  if (r.status == zcache::FlightResult::Status::Value) return state_value(kStale, decode(r.value));
  return state_value(kAbsent, py::none());
}

py::tuple Engine::resolve(PyFlightResult& flight) {
  // Consumed: a result kept alive by a frame in the raised exception's traceback must not keep
  // that exception alive through the payload (a cycle the garbage collector cannot see).
  zcache::FlightResult r = std::move(flight.result);
  py::object ticket = std::exchange(flight.ticket, py::none());
  flight.result = zcache::FlightResult{};
  flight.result.status = zcache::FlightResult::Status::Error;
  flight.result.error = Error(ErrorKind::InvalidArgument, "this flight result was already resolved");
  // The ticket finishes through this engine's handle, even if this Cache is closed later.
  if (!ticket.is_none() && cache_) ticket.cast<PyTicket&>().cache = cache_;
  switch (r.status) {
    case zcache::FlightResult::Status::Value: {
      const int state = r.outcome == Outcome::Stale ? kStale : r.outcome == Outcome::Hit ? kFresh : kFilled;
      return py::make_tuple(state, decode(r.value), std::move(ticket));
    }
    case zcache::FlightResult::Status::Lead:
      return py::make_tuple(int(kLead), py::none(), std::move(ticket));
    case zcache::FlightResult::Status::LockTimeout:
      return py::make_tuple(int(kLockTimeout), py::none(), py::none());
    case zcache::FlightResult::Status::Error:
      raise_python_error(r.error ? *r.error : Error(ErrorKind::Internal, "a flight failed without an error"));
  }
  throw Error(ErrorKind::Internal, "unknown flight status");
}

bool Engine::erase(py::handle key) {
  const std::string_view k = key_view(key);
  Call call(*this);
  zcache::Cache& c = call.cache();
  py::gil_scoped_release nogil;
  return c.erase(k);
}

void Engine::purge(std::vector<std::string> keys, std::optional<std::string> prefix, std::vector<std::string> tags,
                   bool soft, py::object done) {
  if (!PyCallable_Check(done.ptr())) throw py::type_error("done must be callable");
  zcache::PurgeSelector selector{std::move(keys), std::move(prefix), std::move(tags)};
  Call call(*this);
  zcache::Cache& c = call.cache();
  // Runs once, on the replica's writer thread or on this one; the reference to `done` may die on
  // either (PyRef takes the GIL for that, and leaks it once Python is shutting down).
  zcache::Cache::PurgeDone report = [ref = std::make_shared<PyRef>(done)](zcache::PurgeResult r,
                                                                        std::optional<Error> error) {
    if (!python_alive()) return;
    py::gil_scoped_acquire gil;
    try {
      py::object exc = error ? to_python_error(*error) : py::none();
      ref->object()(r.objects_purged, r.bytes_freed, exc);
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("zatabase: delivering a purge result to a waiting task");
    } catch (...) {
      // `done` must not throw into the engine.
    }
  };
  py::gil_scoped_release nogil;
  c.purge(selector, soft ? zcache::PurgeMode::Soft : zcache::PurgeMode::Hard, 0, std::move(report));
}

void Engine::flush() {
  Call call(*this);
  std::shared_ptr<zcache::ReplicaStore> store = call.cache().options().replica;
  if (!store) return;
  py::gil_scoped_release nogil;
  store->flush();
}

void Engine::clear() {
  Call call(*this);
  zcache::Cache& c = call.cache();
  {
    py::gil_scoped_release nogil;
    c.clear();
  }
  memo_.clear();
}

py::dict Engine::stats() {
  Call call(*this);
  zcache::Cache& c = call.cache();
  zcache::Stats s;
  zcache::ReplicaStats rs;
  {
    py::gil_scoped_release nogil;
    s = c.stats();
    if (const auto& store = c.options().replica) rs = store->stats();
  }
  py::dict d;
  d["hits"] = s.hits;
  d["stale_hits"] = s.stale_hits;
  d["misses"] = s.misses;
  d["fills"] = s.fills;
  d["sets"] = s.sets;
  d["evictions"] = s.evictions;
  d["expirations"] = s.expirations;
  d["purged"] = s.purged;
  d["rejected"] = s.rejected;
  d["bytes"] = s.bytes;
  d["entries"] = s.entries;
  d["max_bytes"] = s.max_bytes;
  d["replica_reads"] = s.replica_reads;
  d["replica_hits"] = s.replica_hits;
  d["promotions"] = s.promotions;
  d["replica_bytes"] = rs.bytes;
  d["replica_entries"] = rs.entries;
  d["replica_max_bytes"] = rs.max_bytes;
  d["replica_dropped"] = rs.dropped;
  d["replica_queue_bytes"] = rs.queue_bytes;
  return d;
}

void Engine::run_maintenance() {
  Call call(*this);
  zcache::Cache& c = call.cache();
  py::gil_scoped_release nogil;
  c.run_maintenance();
}

void Engine::close() {
  if (closed_) return;
  closed_ = true;
  memo_.clear();
  // A private engine has no other user: free its memory now rather than when the handle dies.
  if (!shared_ && cache_) {
    Call call(*this, true);
    zcache::Cache& c = call.cache();
    py::gil_scoped_release nogil;
    c.clear();
  }
}

void Engine::release() {
  close();
  release_pending_ = true;
  if (calls_ == 0) drop_handle();  // else the last call in progress drops it
}

py::dict Engine::memo_info() const {
  py::dict d;
  d["entries"] = memo_.size();
  d["bytes"] = memo_.bytes();
  return d;
}

void bind_engine(py::module_& m) {
  m.attr("FRESH") = int(kFresh);
  m.attr("STALE") = int(kStale);
  m.attr("MISS") = int(kMiss);
  m.attr("WAIT") = int(kWait);
  m.attr("ABSENT") = int(kAbsent);
  m.attr("LOCK_TIMEOUT") = int(kLockTimeout);
  m.attr("FILLED") = int(kFilled);

  m.attr("LEAD") = int(kLead);

  py::class_<Engine>(m, "Engine", "A handle to one cache engine (see zatabase.Cache for the API).")
      .def(py::init([](std::uint64_t max_bytes, std::uint32_t shards, std::int64_t ttl_ms, std::int64_t stale_ms,
                       std::int64_t stale_if_error_ms, double ttl_jitter, std::int64_t lock_timeout_ms,
                       std::int64_t soft_timeout_ms, std::int64_t hard_timeout_ms,
                       std::optional<PyManualClock*> clock, std::optional<std::string> name, py::function decoder,
                       std::size_t memo_bytes, std::optional<std::string> replica_file,
                       std::uint64_t replica_max_bytes, bool replica_rebuild) {
             zcache::CacheOptions o;
             o.max_bytes = max_bytes;
             o.shards = shards;
             o.default_ttl_ms = ttl_ms;
             o.default_stale_ms = stale_ms;
             o.default_stale_if_error_ms = stale_if_error_ms;
             o.ttl_jitter = ttl_jitter;
             o.lock_timeout_ms = lock_timeout_ms;
             o.soft_timeout_ms = soft_timeout_ms;
             o.hard_timeout_ms = hard_timeout_ms;
             if (clock && *clock) o.clock = (*clock)->clock;
             if (replica_file) {
               if (replica_file->empty()) throw py::value_error("replica_file must not be empty");
               if (replica_max_bytes == 0) throw py::value_error("replica_max_bytes must be greater than 0");
               zcache::ReplicaOptions& replica = o.replica_options.emplace();
               replica.path = *replica_file;  // the core opens it on the cache's clock
               replica.max_bytes = replica_max_bytes;
               replica.rebuild_if_unreadable = replica_rebuild;
             }
             std::shared_ptr<zcache::Cache> cache;
             {
               // Opening the file takes ms; shared() takes the process-wide registry lock.
               py::gil_scoped_release nogil;
               cache = open_engine(std::move(o), name);
             }
             return std::make_unique<Engine>(std::move(cache), std::move(decoder), memo_bytes, name.has_value());
           }),
           py::kw_only(), py::arg("max_bytes"), py::arg("shards"), py::arg("ttl_ms"), py::arg("stale_ms"),
           py::arg("stale_if_error_ms"), py::arg("ttl_jitter"), py::arg("lock_timeout_ms"),
           py::arg("soft_timeout_ms"), py::arg("hard_timeout_ms"), py::arg("clock"), py::arg("name"),
           py::arg("decoder"), py::arg("memo_bytes"), py::arg("replica_file") = py::none(),
           py::arg("replica_max_bytes") = std::uint64_t{1} << 30, py::arg("replica_rebuild").noconvert() = false)
      .def("lookup", &Engine::lookup, py::arg("key"))
      .def("get", &Engine::get, py::arg("key"))
      .def("set",
           [](Engine& e, py::handle key, py::handle data, int encoding, std::optional<std::int64_t> ttl_ms,
              std::optional<std::int64_t> stale_ms, std::optional<std::int64_t> stale_if_error_ms,
              std::vector<std::string> tags) {
             return e.set(key, data, entry_options(ttl_ms, stale_ms, stale_if_error_ms, std::move(tags), encoding));
           },
           py::arg("key"), py::arg("data"), py::arg("encoding"), py::arg("ttl_ms"), py::arg("stale_ms"),
           py::arg("stale_if_error_ms"), py::arg("tags"))
      .def("fill",
           [](Engine& e, PyTicket& ticket, py::handle data, int encoding, std::optional<std::int64_t> ttl_ms,
              std::optional<std::int64_t> stale_ms, std::optional<std::int64_t> stale_if_error_ms,
              std::vector<std::string> tags) {
             e.fill(ticket, data, entry_options(ttl_ms, stale_ms, stale_if_error_ms, std::move(tags), encoding));
           },
           py::arg("ticket"), py::arg("data"), py::arg("encoding"), py::arg("ttl_ms"), py::arg("stale_ms"),
           py::arg("stale_if_error_ms"), py::arg("tags"))
      .def("fail", &Engine::fail, py::arg("ticket"), py::arg("exception"), py::arg("cancelled") = false)
      .def("cancel_wait", &Engine::cancel_wait, py::arg("key"), py::arg("wait_id"))
      .def("resolve", &Engine::resolve, py::arg("result"))
      .def("erase", &Engine::erase, py::arg("key"))
      .def("purge", &Engine::purge, py::kw_only(), py::arg("keys"), py::arg("prefix"), py::arg("tags"),
           py::arg("soft"), py::arg("done"))
      .def("flush", &Engine::flush)
      .def("clear", &Engine::clear)
      .def("stats", &Engine::stats)
      .def("run_maintenance", &Engine::run_maintenance)
      .def("close", &Engine::close)
      .def("release", &Engine::release)
      .def_property_readonly("closed", &Engine::closed)
      .def_property_readonly("has_replica", &Engine::has_replica)
      .def_property_readonly("shared", &Engine::shared)
      .def_property_readonly("engine_id", &Engine::engine_id)
      .def("memo_info", &Engine::memo_info);
}

}  // namespace zcache::py_binding
