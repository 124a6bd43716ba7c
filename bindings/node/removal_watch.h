// RemovalWatch: tells one Cache's JS thread which of the entries it keeps as external strings
// left the engine.
//
// A long ASCII value kept in the SDK's decoded-value map (sdk-js/hot_values.js) is an external
// string over the entry's own bytes, charged to hotBytes only for its handle: the entry's memory
// is already in the engine's budget. That stays true only while the entry is resident. Once it
// is replaced, deleted, purged, evicted or reclaimed — by any thread — the kept string alone
// holds its memory, outside every budget, until the SDK drops it. So this listener notes those
// removals and wakes the SDK's thread (WakeChannel::PostRemoved) to take them (TakeRemoved) and
// drop their slots at once, rather than whenever the key happens to be read again.
//
// Threads: on_removal runs on whichever thread removed the entry, with no engine lock held;
// everything else on the JS thread. Lock order: `mu_`, then the channel's own lock (its
// non-blocking post is all that is called under `mu_`). Registered on the engine at the first
// Watch (a cache that keeps no long strings pays nothing on removals) and removed by Close.
#pragma once

#include "wake_channel.h"

#include <absl/container/flat_hash_set.h>
#include <zcache/cache.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace zatabase_node {

class RemovalWatch : public zcache::CacheListener {
 public:
  // Holds a reference to `channel` until Close().
  explicit RemovalWatch(WakeChannel* channel);
  ~RemovalWatch() override;

  // JS thread. Starts watching `entry`, which the caller keeps (pinned); false — nothing watched
  // — when it already left `engine`: a removal before the watch began would go unreported.
  bool Watch(zcache::Cache& engine, const zcache::EntryRef& entry);
  void Unwatch(const void* identity);
  // JS thread. The identities of watched entries removed since the last call; no longer watched.
  std::vector<const void*> TakeRemoved();
  // JS thread; idempotent. Stops reporting and releases the channel.
  void Close();

  void on_removal(const zcache::EntryRef& entry, zcache::RemovalCause cause) override;

 private:
  std::mutex mu_;
  absl::flat_hash_set<const void*> watched_;
  std::vector<const void*> removed_;
  bool posted_ = false;                   // a wake is queued and TakeRemoved has not run since
  WakeChannel* channel_;                  // null once closed
  std::atomic<std::size_t> watching_{0};  // watched_.size(), read without the lock
};

}  // namespace zatabase_node
