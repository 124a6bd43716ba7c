#include "engine.h"

#include "errors.h"
#include "manual_clock.h"

#include <pybind11/stl.h>

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

}  // namespace

zcache::Cache& Engine::cache() {
  if (closed()) throw Error(ErrorKind::Closed, "the cache is closed");
  return cache_;
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
  zcache::Cache& c = cache();
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
      py::object ticket = r.ticket ? py::cast(PyTicket{std::move(r.ticket)}) : py::none();
      return py::make_tuple(int(kStale), decode(r.value), std::move(ticket));
    }
    case zcache::LookupResult::State::Miss:
      return py::make_tuple(int(kMiss), py::none(), py::cast(PyTicket{std::move(r.ticket)}));
    case zcache::LookupResult::State::Wait:
      return py::make_tuple(int(kWait), py::none(), py::cast(PyWaiter(wait.hand_over(), r.wait_id)));
  }
  throw Error(ErrorKind::Internal, "unknown lookup state");
}

py::tuple Engine::get(py::handle key) {
  const std::string_view k = key_view(key);
  zcache::Cache& c = cache();
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
  zcache::Cache& c = cache();
  py::gil_scoped_release nogil;
  return c.set(k, v, options);
}

void Engine::fill(PyTicket& ticket, py::handle data, const zcache::EntryOptions& options) {
  const std::string_view v = bytes_view(data);
  zcache::Cache& c = cache_;  // a leader may finish its flight after close(): waiters need it
  zcache::Ticket t = ticket.take();
  py::gil_scoped_release nogil;
  c.fill(std::move(t), v, options);
}

bool Engine::cancel_wait(py::handle key, std::uint64_t wait_id) {
  const std::string_view k = key_view(key);
  zcache::Cache& c = cache();
  py::gil_scoped_release nogil;
  return c.cancel_wait(k, wait_id);
}

py::tuple Engine::fail(PyTicket& ticket, py::handle exception, bool cancelled) {
  Error error = cancelled ? Error(ErrorKind::Cancelled, "the fetch was cancelled by its leader")
                          : fetch_failed(exception);
  zcache::Ticket t = ticket.take();
  zcache::FlightResult r;
  {
    py::gil_scoped_release nogil;
    r = cache_.fail(std::move(t), std::move(error));
  }
  if (r.status == zcache::FlightResult::Status::Value) return state_value(kStale, decode(r.value));
  return state_value(kAbsent, py::none());
}

py::tuple Engine::resolve(PyFlightResult& flight) {
  // Consumed: a result kept alive by a frame in the raised exception's traceback must not keep
  // that exception alive through the payload (a cycle the garbage collector cannot see).
  zcache::FlightResult r = std::move(flight.result);
  flight.result = zcache::FlightResult{};
  flight.result.status = zcache::FlightResult::Status::Error;
  flight.result.error = Error(ErrorKind::InvalidArgument, "this flight result was already resolved");
  switch (r.status) {
    case zcache::FlightResult::Status::Value:
      return state_value(r.outcome == Outcome::Stale ? kStale : kFilled, decode(r.value));
    case zcache::FlightResult::Status::LockTimeout:
      return state_value(kLockTimeout, py::none());
    case zcache::FlightResult::Status::Error:
      raise_python_error(r.error ? *r.error : Error(ErrorKind::Internal, "a flight failed without an error"));
  }
  throw Error(ErrorKind::Internal, "unknown flight status");
}

bool Engine::erase(py::handle key) {
  const std::string_view k = key_view(key);
  zcache::Cache& c = cache();
  py::gil_scoped_release nogil;
  return c.erase(k);
}

py::tuple Engine::purge(std::vector<std::string> keys, std::optional<std::string> prefix,
                        std::vector<std::string> tags, bool soft) {
  zcache::PurgeSelector selector{std::move(keys), std::move(prefix), std::move(tags)};
  zcache::Cache& c = cache();
  zcache::PurgeResult r;
  {
    py::gil_scoped_release nogil;
    r = c.purge(selector, soft ? zcache::PurgeMode::Soft : zcache::PurgeMode::Hard);
  }
  return py::make_tuple(r.objects_purged, r.bytes_freed);
}

void Engine::clear() {
  zcache::Cache& c = cache();
  {
    py::gil_scoped_release nogil;
    c.clear();
  }
  memo_.clear();
}

py::dict Engine::stats() {
  zcache::Cache& c = cache();
  zcache::Stats s;
  {
    py::gil_scoped_release nogil;
    s = c.stats();
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
  return d;
}

void Engine::run_maintenance() {
  zcache::Cache& c = cache();
  py::gil_scoped_release nogil;
  c.run_maintenance();
}

void Engine::close() {
  if (closed_) return;
  closed_ = true;
  memo_.clear();
  // A private engine has no other user: free its memory now rather than when the handle dies.
  if (!shared_) {
    py::gil_scoped_release nogil;
    cache_.clear();
  }
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

  py::class_<Engine>(m, "Engine", "A handle to one cache engine (see zatabase.Cache for the API).")
      .def(py::init([](std::uint64_t max_bytes, std::uint32_t shards, std::int64_t ttl_ms, std::int64_t stale_ms,
                       std::int64_t stale_if_error_ms, double ttl_jitter, std::int64_t lock_timeout_ms,
                       std::int64_t soft_timeout_ms, std::int64_t hard_timeout_ms,
                       std::optional<PyManualClock*> clock, std::optional<std::string> name, py::function decoder,
                       std::size_t memo_bytes) {
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
             std::optional<zcache::Cache> cache;
             {
               py::gil_scoped_release nogil;  // shared() takes the process-wide registry lock
               cache.emplace(name ? zcache::Cache::shared(*name, std::move(o)) : zcache::Cache(std::move(o)));
             }
             return std::make_unique<Engine>(std::move(*cache), std::move(decoder), memo_bytes, name.has_value());
           }),
           py::kw_only(), py::arg("max_bytes"), py::arg("shards"), py::arg("ttl_ms"), py::arg("stale_ms"),
           py::arg("stale_if_error_ms"), py::arg("ttl_jitter"), py::arg("lock_timeout_ms"),
           py::arg("soft_timeout_ms"), py::arg("hard_timeout_ms"), py::arg("clock"), py::arg("name"),
           py::arg("decoder"), py::arg("memo_bytes"))
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
           py::arg("soft"))
      .def("clear", &Engine::clear)
      .def("stats", &Engine::stats)
      .def("run_maintenance", &Engine::run_maintenance)
      .def("close", &Engine::close)
      .def_property_readonly("closed", &Engine::closed)
      .def_property_readonly("shared", &Engine::shared)
      .def_property_readonly("engine_id", &Engine::engine_id)
      .def("memo_info", &Engine::memo_info);
}

}  // namespace zcache::py_binding
