// PinTable: the engine entries whose decoded values the SDK keeps (sdk-js/hot_values.js).
//
// A decoded value is reused only while the engine's current entry for its key has the same
// identity (EntryRef::identity). Identities are unique only while a reference is held, so every
// remembered identity is pinned here — natively, one table per cache instance, rather than by a
// JS external per value (each of those costs a GC finalizer and external-memory accounting that
// dominated the decode path). The SDK unpins when it forgets a value. JS thread only.
#pragma once

#include <zcache/entry.h>

#include <absl/container/flat_hash_map.h>

namespace zatabase_node {

class PinTable {
 public:
  void Pin(const zcache::EntryRef& entry) {
    Slot& slot = slots_[entry.identity()];
    if (slot.count++ == 0) slot.entry = entry;
  }
  void Unpin(const void* identity) {
    auto it = slots_.find(identity);
    if (it != slots_.end() && --it->second.count == 0) slots_.erase(it);
  }
  void Clear() { slots_.clear(); }
  std::size_t size() const noexcept { return slots_.size(); }

 private:
  struct Slot {
    zcache::EntryRef entry;
    int count = 0;
  };
  absl::flat_hash_map<const void*, Slot> slots_;
};

}  // namespace zatabase_node
