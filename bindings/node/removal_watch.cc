#include "removal_watch.h"

namespace zatabase_node {

RemovalWatch::RemovalWatch(WakeChannel* channel) : channel_(channel) { channel_->Retain(); }

RemovalWatch::~RemovalWatch() { Close(); }

bool RemovalWatch::Watch(zcache::Cache& engine, const zcache::EntryRef& entry) {
  {
    std::lock_guard lock(mu_);
    if (channel_ == nullptr) return false;
    watched_.insert(entry.identity());
    watching_.store(watched_.size(), std::memory_order_relaxed);
  }
  // Checked after the insert: a removal from here on finds the entry watched.
  if (engine.is_resident(entry)) return true;
  Unwatch(entry.identity());
  return false;
}

void RemovalWatch::Unwatch(const void* identity) {
  std::lock_guard lock(mu_);
  watched_.erase(identity);
  watching_.store(watched_.size(), std::memory_order_relaxed);
}

std::vector<const void*> RemovalWatch::TakeRemoved() {
  std::lock_guard lock(mu_);
  posted_ = false;
  return std::exchange(removed_, {});
}

void RemovalWatch::Close() {
  WakeChannel* channel;
  {
    std::lock_guard lock(mu_);
    channel = std::exchange(channel_, nullptr);
    watched_.clear();
    removed_.clear();
    watching_.store(0, std::memory_order_relaxed);
  }
  if (channel != nullptr) channel->Release();
}

void RemovalWatch::on_removal(const zcache::EntryRef& entry, zcache::RemovalCause) {
  // Every removal of the engine comes here: most caches watch few of its entries, or none.
  if (watching_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mu_);
  if (channel_ == nullptr || watched_.erase(entry.identity()) == 0) return;
  watching_.store(watched_.size(), std::memory_order_relaxed);
  removed_.push_back(entry.identity());
  if (!posted_) posted_ = channel_->PostRemoved();
}

}  // namespace zatabase_node
