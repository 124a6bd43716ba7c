// DecodedMemo: already-decoded Python values of recently read entries (DESIGN §9).
//
// Decoding (pickle.loads) on every hit would cost more than a whole hit of the pure-Python caches,
// so each Engine keeps the decoded object of the entry version it last decoded per key. The engine
// stays the source of truth: a slot is used only while its EntryRef is the very version the engine
// just returned (EntryRef::identity), so a write or purge from any thread is seen at once. The slot
// holds that EntryRef, which keeps the identity unique (memory cannot be reused under it).
//
// Bounded by the bytes of the entries it pins (key + value + overhead), evicted first-in first-out.
// Guarded by the GIL, like the Python objects in it.
#pragma once

#include <zcache/entry.h>

#include <absl/container/flat_hash_map.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <list>
#include <string_view>

namespace zcache::py_binding {

namespace py = pybind11;

class DecodedMemo {
 public:
  explicit DecodedMemo(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The decoded value of exactly this entry version, or nullptr (a borrowed reference).
  PyObject* find(const EntryRef& entry) const;
  void remember(const EntryRef& entry, py::handle value);
  void clear();

  std::size_t size() const noexcept { return by_key_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  struct Slot {
    EntryRef entry;
    py::object value;
    std::size_t charge;
  };
  using Fifo = std::list<Slot>;
  // Identity and value are copied into the map so that a hit reads one map slot, no list node.
  struct Index {
    const void* identity;
    PyObject* value;  // borrowed from the slot
    Fifo::iterator slot;
  };

  static std::size_t charge_of(const EntryRef& e) noexcept { return e.key().size() + e.value().size() + 96; }
  void drop(Fifo::iterator it);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  Fifo fifo_;
  // Keys are views into the slot's own EntryRef, which outlives its map entry.
  absl::flat_hash_map<std::string_view, Index> by_key_;
};

}  // namespace zcache::py_binding
