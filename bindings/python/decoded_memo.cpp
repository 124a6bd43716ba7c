#include "decoded_memo.h"

namespace zcache::py_binding {

PyObject* DecodedMemo::find(const EntryRef& entry) const {
  if (by_key_.empty()) return nullptr;
  auto it = by_key_.find(entry.key());
  if (it == by_key_.end() || it->second.identity != entry.identity()) return nullptr;
  return it->second.value;
}

void DecodedMemo::remember(const EntryRef& entry, py::handle value) {
  const std::size_t charge = charge_of(entry);
  if (charge > max_bytes_) return;
  if (auto it = by_key_.find(entry.key()); it != by_key_.end()) drop(it->second.slot);  // an older version
  while (bytes_ + charge > max_bytes_ && !fifo_.empty()) drop(fifo_.begin());
  fifo_.push_back(Slot{entry, py::reinterpret_borrow<py::object>(value), charge});
  auto slot = std::prev(fifo_.end());
  by_key_.emplace(slot->entry.key(), Index{slot->entry.identity(), slot->value.ptr(), slot});
  bytes_ += charge;
}

void DecodedMemo::drop(Fifo::iterator it) {
  by_key_.erase(it->entry.key());  // before the entry (and the key's memory) goes
  bytes_ -= it->charge;
  fifo_.erase(it);
}

void DecodedMemo::clear() {
  by_key_.clear();
  fifo_.clear();
  bytes_ = 0;
}

}  // namespace zcache::py_binding
