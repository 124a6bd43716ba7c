// The state behind a ReplicaStore handle: the queue, the threads, the counters.
#pragma once

#include <zcache/replica.h>

#include <memory>
#include <mutex>

#include "replica/counters.h"
#include "replica/purge_poller.h"
#include "replica/reader.h"
#include "replica/write_queue.h"
#include "replica/writer.h"

namespace zcache::replica {

class StoreImpl {
 public:
  explicit StoreImpl(ReplicaOptions options);
  ~StoreImpl();

  bool write(ReplicaEntry entry);
  void erase(std::string_view key);
  void read(std::string key, ReplicaStore::ReadCallback done);
  ReplicaRead read_sync(std::string_view key);
  void purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence,
             ReplicaStore::PurgeCallback done);
  PurgeResult purge_sync(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence);
  void flush();
  void set_purge_listener(ReplicaStore::PurgeListener listener);
  ReplicaStats stats() const;
  const std::string& path() const noexcept { return options_.path; }
  void close();

 private:
  // Refuses blocking calls from this store's own threads (they would wait for themselves).
  void check_not_own_thread(const char* what) const;

  const ReplicaOptions options_;
  const std::shared_ptr<Clock> clock_;
  const std::int64_t origin_;
  Counters counters_;
  WriteQueue queue_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<PurgePoller> poller_;
  std::mutex close_mu_;
  bool closed_ = false;
};

}  // namespace zcache::replica
