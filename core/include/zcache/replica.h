// zcache/replica.h — the SQLite replica tier: a persistent, byte-budgeted store of cache entries
// under the in-process cache, shared by the processes of one host. See docs/ARCHITECTURE.md.
//
// Threads. A ReplicaStore owns a writer thread (the one write connection), `readers` reader
// threads (one read connection each) and, with poll_interval_ms > 0, a poller thread. No SQLite
// call ever runs on the caller's thread except in the *_sync variants, flush() and the
// constructor: bindings use write()/read()/purge() from a JS or asyncio thread and get results by
// callback. Every method may be called from any thread.
//
// Callbacks run on the store's threads (read: a reader thread; purge: the writer thread;
// listener: the poller thread) with no store lock held. They may call write(), read(), erase()
// and purge() but must not call flush(), the *_sync variants or close(), nor destroy the store
// (those would wait for the very thread they run on: they throw InvalidArgument instead, except
// destruction, which is undefined). They must not throw; an exception is swallowed.
//
// Consistency. write()/erase()/purge() are queued and applied in call order by the writer, many
// per transaction. A read sees the committed file plus everything this store has queued: the
// latest queued write of the key, and every queued purge that covers it. Writes and purges of
// other processes are seen by every read that starts options.snapshot_reuse_us (default 1 ms)
// or more after they commit: a reader reuses its snapshot of the file across back-to-back
// reads. A purge made by another process reaches this process's purge listener within about
// poll_interval_ms.
//
// Durability. Committed means it survives a crash of the process (kill -9) and a file that is
// never corrupted (WAL, synchronous=NORMAL). Surviving power loss as well needs
// synchronous_full = true (an fsync per transaction). flush() returns once everything queued
// before it is committed.
//
// Errors: zcache::Error. Corrupt: the file is not SQLite, belongs to another application, has a
// newer schema, or is damaged (the message names the file and what is wrong; see
// rebuild_if_unreadable). Io: the file cannot be opened, read or written. Timeout: another
// process held the write lock longer than busy_timeout_ms. Closed: the store was closed.
// InvalidArgument: bad options or arguments.
#pragma once

#include <zcache/cache.h>
#include <zcache/clock.h>
#include <zcache/error.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zcache {

namespace replica {
class StoreImpl;
}

// ReplicaOptions (the store's options) is declared in zcache/cache.h, since CacheOptions holds one.

inline constexpr std::uint64_t kReplicaRowOverhead = 64;
inline constexpr std::uint64_t kReplicaTagOverhead = 16;

// One stored entry. Windows are absolute wall-clock times (ms since the Unix epoch), as in the
// engine: fresh until fresh_until, servable stale until stale_until, servable on a fetch error
// until error_until; of no use after max(stale_until, error_until).
struct ReplicaEntry {
  std::string key;
  std::string value;
  std::uint8_t encoding = 0;
  std::vector<std::string> tags;
  std::int64_t fresh_until = 0;
  std::int64_t stale_until = 0;
  std::int64_t error_until = 0;
};

// The bytes an entry is charged against max_bytes.
std::uint64_t replica_charge(const ReplicaEntry& entry) noexcept;

struct ReplicaRead {
  std::optional<ReplicaEntry> entry;  // empty: absent, or past its last window
  std::optional<Error> error;         // set when the read failed (entry is then empty)
};

struct ReplicaPurgeDone {
  PurgeResult result;             // rows of the file purged (soft: marked stale) and bytes freed
  std::int64_t log_id = 0;        // the purge's row in purge_log: the file's local sequence
  std::optional<Error> error;     // the transaction failed: nothing was purged
};

// A purge committed by another process (or another store on the same file).
struct ReplicaPurgeEvent {
  std::int64_t log_id = 0;            // purge_log id (increasing)
  std::int64_t cluster_sequence = 0;  // 0 when the purge had none
  PurgeSelector selector;
  PurgeMode mode = PurgeMode::Hard;
  std::int64_t at_ms = 0;
};

struct ReplicaStats {
  std::uint64_t writes = 0;            // accepted by write()
  std::uint64_t superseded = 0;        // queued writes replaced by a later write of their key
  std::uint64_t dropped = 0;           // refused: queue full, or larger than max_bytes
  std::uint64_t committed = 0;         // rows written by committed transactions
  std::uint64_t batches = 0;           // batches the writer took (one transaction each)
  std::uint64_t transactions = 0;      // ... of which committed
  std::uint64_t write_errors = 0;      // operations lost with a failed transaction
  std::uint64_t reads = 0, read_hits = 0, read_errors = 0;
  std::uint64_t evictions = 0, expirations = 0, purges = 0, remote_purges = 0;
  std::uint64_t queue_bytes = 0;       // now
  std::uint64_t bytes = 0, entries = 0;  // the file, as of this store's last transaction
  std::uint64_t max_bytes = 0;
  std::int64_t last_purge_sequence = 0;  // the highest cluster sequence applied to the file
};

class ReplicaStore {
 public:
  using ReadCallback = std::function<void(ReplicaRead)>;
  using PurgeCallback = std::function<void(ReplicaPurgeDone)>;
  using PurgeListener = std::function<void(const ReplicaPurgeEvent&)>;

  // Opens (or creates) options.path, checks and, if needed, creates the schema, and starts the
  // threads. Blocking (a few ms). Throws Corrupt / Io / InvalidArgument as described above.
  explicit ReplicaStore(ReplicaOptions options);
  ~ReplicaStore();  // close()
  ReplicaStore(const ReplicaStore&) = delete;
  ReplicaStore& operator=(const ReplicaStore&) = delete;

  // Queues a write and returns at once; never blocks on SQLite. Returns false, counted in
  // stats().dropped, when the entry is larger than max_bytes or the queue holds max_queue_bytes;
  // then the key is queued for erasure instead, so that an older copy can never be served after
  // a newer write was refused. A queued write of the same key not yet followed by a purge is
  // replaced in place (no queue growth). An entry already past its last window erases the key.
  // After close(): false. Throws InvalidArgument for a bad key or tags.
  bool write(ReplicaEntry entry);
  // Queues the removal of one key (never dropped).
  void erase(std::string_view key);

  // Reads one key on a reader thread; `done` is called there exactly once. Throws Closed after
  // close() (then `done` is not called).
  void read(std::string key, ReadCallback done);
  // The same on the caller's thread, through a reader (blocks until it answers).
  ReplicaRead read_sync(std::string_view key);

  // Queues a purge (never dropped), ordered after every earlier write/erase/purge: writes queued
  // before it are purged with the file's rows, writes queued after it survive it. Soft: rows
  // still servable become stale at once (fresh_until = now); others are removed.
  // cluster_sequence > 0 is recorded in purge_log and raises last_purge_sequence to it.
  // `done` runs on the writer thread after the commit (may be empty).
  void purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence,
             PurgeCallback done);
  PurgeResult purge_sync(const PurgeSelector& selector, PurgeMode mode = PurgeMode::Hard,
                         std::int64_t cluster_sequence = 0);  // throws the commit's error

  // Blocks until everything queued before the call is committed. Throws the error of a failed
  // transaction that held such operations (each error is reported to one flush only).
  void flush();

  // Called for every purge committed to the file by anyone else, in log order, on the poller
  // thread (purges polled while no listener is set are not kept). Replaces the previous
  // listener; empty to remove it. Does nothing when poll_interval_ms is 0.
  void set_purge_listener(PurgeListener listener);

  ReplicaStats stats() const;
  const std::string& path() const noexcept;
  // The clock the store's windows are compared with (options.clock, or system_clock()).
  const std::shared_ptr<Clock>& clock() const noexcept { return clock_; }

  // Commits what is queued, stops the threads, closes the file. Reads not yet started get an
  // error of kind Closed, on the calling thread. Idempotent. The destructor calls it.
  void close();

 private:
  std::shared_ptr<Clock> clock_;  // before impl_: taken from the options before they move
  std::unique_ptr<replica::StoreImpl> impl_;
};

}  // namespace zcache
