// bench_replica — the `replica` suite: zcache::ReplicaStore (the SQLite tier) against a
// one-file-per-entry store in the layout of seed 004's disk backend, both measured in this run.
//
//   bench_replica [--quick] [--json FILE] [--dir DIR] [--keep]
//
// 1. replica_write_per_s: N entries of 1 KiB (16-byte keys in shuffled order, no tags) written
//    with write() as fast as the writer thread commits them (the producer waits while the queue is
//    over half full, so nothing is dropped), timed from the first write to flush()'s return.
//    N = 1M (--quick: 100k).
// 2. replica_hit_p50_us / _p99_us: closed-loop reads of random written keys through read():
//    the time from the call to the callback on the reader thread (memory miss, disk hit: this
//    store has no memory tier; the file is in the OS page cache). The reader spins
//    reader_spin_us (default) for the next request and reuses its read transaction between
//    reads (snapshot_reuse_us, default). On the reopened file: replica_hit_no_reuse_p50_us with
//    snapshot_reuse_us = 0 (a transaction per read), replica_hit_parked_p50_us with reader_spin_us
//    = 0 as well (every read wakes a sleeping reader, as before either existed).
// 3. reopen_to_first_hit_ms: close, then the time from the constructor to the first read_sync()
//    hit on the N-entry file (median of 5; page cache warm).
// 4. files_write_per_s / files_hit_p50_us: the baseline, the same N entries: 16 shard
//    directories of 256 subdirectories by the key's hash, each entry one file (a header with the
//    windows, encoding and tags, then key and value), written to the shard's tmp/ and renamed into
//    place; no fsync on either side (the replica runs synchronous=NORMAL). Reads go through one
//    reader thread with the same hand-off as the replica's (files_hit_*: spin, then sleep;
//    files_hit_parked_p50_us: sleep at once), so each pair of hit figures has the same thread hop.
//    The files figures depend on the file system's state: on ext4 without a journal, creating
//    inodes right after many were deleted (an earlier run's cleanup) is several times slower.
//
// Data lives in a temporary directory (under DIR, default $TMPDIR or /tmp), removed at the end.
#include <zcache/replica.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/figures.h"
#include "util/cpu_relax.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kValueBytes = 1024;
constexpr std::int64_t kFarFuture = 4'000'000'000'000;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double us_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

using zcache::bench::Figure;
using zcache::bench::print_table;
using zcache::bench::write_json;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

// ---------------------------------------------------------------------------------------------
// The workload

std::string key_of(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key:%012zu", i);  // 16 bytes
  return buf;
}

zcache::ReplicaEntry entry_of(std::size_t i) {
  zcache::ReplicaEntry e;
  e.key = key_of(i);
  e.value.assign(kValueBytes, static_cast<char>('a' + i % 26));
  e.fresh_until = kFarFuture;
  e.stale_until = kFarFuture + 1000;
  e.error_until = kFarFuture + 1000;
  return e;
}

std::vector<std::size_t> shuffled(std::size_t n, std::uint32_t seed) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
  return order;
}

// ---------------------------------------------------------------------------------------------
// The baseline: one file per entry, seed 004's sharded layout, temp file + rename.

class FilesStore {
 public:
  explicit FilesStore(fs::path root, int shards = 16) : root_(std::move(root)), shards_(shards) {
    for (int s = 0; s < shards_; ++s) {
      char name[16];
      std::snprintf(name, sizeof name, "shard-%02x", s);
      fs::create_directories(root_ / name / "tmp");
      for (int d = 0; d < 256; ++d) {
        char sub[4];
        std::snprintf(sub, sizeof sub, "%02x", d);
        fs::create_directories(root_ / name / sub);
      }
    }
  }

  void write(const zcache::ReplicaEntry& e) {
    const std::uint64_t h = std::hash<std::string>{}(e.key);
    std::string buf;
    buf.reserve(64 + e.key.size() + e.value.size());
    auto put = [&](const void* p, std::size_t n) { buf.append(static_cast<const char*>(p), n); };
    const std::uint32_t key_len = static_cast<std::uint32_t>(e.key.size());
    const std::uint32_t tag_count = static_cast<std::uint32_t>(e.tags.size());
    put(&e.fresh_until, 8);
    put(&e.stale_until, 8);
    put(&e.error_until, 8);
    put(&e.encoding, 1);
    put(&key_len, 4);
    put(&tag_count, 4);
    for (const auto& t : e.tags) {
      const std::uint32_t n = static_cast<std::uint32_t>(t.size());
      put(&n, 4);
      buf += t;
    }
    buf += e.key;
    buf += e.value;
    const std::string tmp = shard_dir(h) + "/tmp/" + std::to_string(counter_++) + ".tmp";
    const int fd = ::open(tmp.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) die("write " + tmp);
    ::close(fd);
    if (std::rename(tmp.c_str(), path_for(h).c_str()) != 0) die("rename " + tmp);
  }

  bool read(const std::string& key, zcache::ReplicaEntry& out) {
    const std::uint64_t h = std::hash<std::string>{}(key);
    const int fd = ::open(path_for(h).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    std::string buf;
    if (fstat(fd, &st) == 0) {
      buf.resize(static_cast<std::size_t>(st.st_size));
      if (::read(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) buf.clear();
    }
    ::close(fd);
    if (buf.size() < 33) return false;
    const char* p = buf.data();
    std::memcpy(&out.fresh_until, p, 8);
    std::memcpy(&out.stale_until, p + 8, 8);
    std::memcpy(&out.error_until, p + 16, 8);
    out.encoding = static_cast<std::uint8_t>(p[24]);
    std::uint32_t key_len, tag_count;
    std::memcpy(&key_len, p + 25, 4);
    std::memcpy(&tag_count, p + 29, 4);
    std::size_t off = 33;
    out.tags.clear();
    for (std::uint32_t i = 0; i < tag_count; ++i) {
      std::uint32_t n;
      std::memcpy(&n, p + off, 4);
      out.tags.emplace_back(p + off + 4, n);
      off += 4 + n;
    }
    out.key.assign(p + off, key_len);
    if (out.key != key) return false;  // a hash collision: another key's file
    out.value.assign(p + off + key_len, buf.size() - off - key_len);
    return true;
  }

 private:
  [[noreturn]] static void die(const std::string& what) {
    std::perror(what.c_str());
    std::exit(1);
  }
  std::string shard_dir(std::uint64_t h) const {
    char name[16];
    std::snprintf(name, sizeof name, "shard-%02x", static_cast<unsigned>(h % static_cast<unsigned>(shards_)));
    return (root_ / name).string();
  }
  std::string path_for(std::uint64_t h) const {
    char name[48];
    std::snprintf(name, sizeof name, "/%02x/%016llx.entry", static_cast<unsigned>((h >> 8) & 0xff),
                  static_cast<unsigned long long>(h));
    return shard_dir(h) + name;
  }

  fs::path root_;
  int shards_;
  std::uint64_t counter_ = 0;
};

// One reader thread with the replica reader pool's hand-off (core/src/replica/reader.cpp): a
// mutex and deque; when idle, spin `spin_us` watching for a post, then sleep on a condition
// variable (spin_us = 0: sleep at once, as a plain thread pool does).
class HopThread {
 public:
  explicit HopThread(std::uint32_t spin_us) : spin_us_(spin_us), thread_([this] { run(); }) {}
  ~HopThread() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      signal_.fetch_add(1, std::memory_order_relaxed);
    }
    cv_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> f) {
    std::lock_guard lock(mu_);
    q_.push_back(std::move(f));
    signal_.fetch_add(1, std::memory_order_relaxed);
    if (idle_ && !spinning_) cv_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (q_.empty() && !stop_ && spin_us_ > 0) {
        spinning_ = true;
        const std::uint64_t seen = signal_.load(std::memory_order_relaxed);
        lock.unlock();
        const auto deadline = Clock::now() + std::chrono::microseconds(spin_us_);
        for (unsigned i = 1; signal_.load(std::memory_order_relaxed) == seen; ++i) {
          zcache::util::cpu_relax();
          if (i % 64 == 0 && Clock::now() >= deadline) break;
        }
        lock.lock();
        spinning_ = false;
      }
      while (q_.empty() && !stop_) {
        idle_ = true;
        cv_.wait(lock);
        idle_ = false;
      }
      if (q_.empty()) return;
      auto f = std::move(q_.front());
      q_.pop_front();
      lock.unlock();
      f();
      lock.lock();
    }
  }
  const std::uint32_t spin_us_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
  bool idle_ = false, spinning_ = false, stop_ = false;
  std::atomic<std::uint64_t> signal_{0};
  std::thread thread_;
};

// Closed-loop latency of `issue(key, done)`, where done() is called on another thread.
template <class Issue>
std::vector<double> hit_latencies(std::size_t written, std::size_t samples, Issue issue) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, written - 1);
  std::vector<double> out;
  out.reserve(samples);
  std::size_t misses = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    std::atomic<bool> done{false};
    Clock::time_point end;
    bool hit = false;
    const Clock::time_point start = Clock::now();
    issue(key_of(pick(rng)), [&](bool h) {
      end = Clock::now();
      hit = h;
      done.store(true, std::memory_order_release);
    });
    while (!done.load(std::memory_order_acquire)) std::this_thread::yield();
    if (!hit) ++misses;
    out.push_back(us_between(start, end));
  }
  if (misses) std::fprintf(stderr, "bench_replica: %zu reads missed (expected hits)\n", misses);
  return out;
}

zcache::ReplicaOptions replica_options(const std::string& path) {
  zcache::ReplicaOptions o;
  o.path = path;
  o.max_bytes = 8ull << 30;  // no eviction in this bench
  o.readers = 1;
  return o;
}

struct Settings {
  bool quick = false;
  std::string json_path;
  std::string dir;
  bool keep = false;  // leave the data directory (for profiling)
};

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) settings.quick = true;
    else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) settings.json_path = argv[++i];
    else if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) settings.dir = argv[++i];
    else if (std::strcmp(argv[i], "--keep") == 0) settings.keep = true;
    else {
      std::fprintf(stderr, "usage: bench_replica [--quick] [--json FILE] [--dir DIR] [--keep]\n");
      return 2;
    }
  }
  const std::size_t n_replica = settings.quick ? 100'000 : 1'000'000;
  const std::size_t n_files = n_replica;  // the same data on both sides
  const std::size_t samples = settings.quick ? 5'000 : 20'000;

  std::string tmpl = ((settings.dir.empty() ? fs::temp_directory_path() : fs::path(settings.dir)) /
                      "zcache-bench-replica-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path root = tmpl;
  struct Cleanup {
    fs::path p;
    bool keep;
    ~Cleanup() {
      std::error_code ec;
      if (keep) std::printf("kept %s\n", p.c_str());
      else fs::remove_all(p, ec);
    }
  } cleanup{root, settings.keep};
  const std::string db = (root / "replica.db").string();
  std::vector<Figure> figures;
  const std::string n_note = settings.quick ? "100k entries (--quick; the full run uses 1M)" : "1M entries";

  try {
    // 1. Sustained writes.
    double write_rate = 0, hit_p50 = 0, hit_p99 = 0, hit_no_reuse_p50 = 0, hit_parked_p50 = 0, reopen_ms = 0;
    {
      std::printf("replica: writing %zu entries of %zu B ...\n", n_replica, kValueBytes);
      std::fflush(stdout);
      zcache::ReplicaStore store(replica_options(db));
      const std::uint64_t half_queue = replica_options(db).max_queue_bytes / 2;
      const auto order = shuffled(n_replica, 1);
      const auto t0 = Clock::now();
      for (std::size_t i : order) {
        while (store.stats().queue_bytes > half_queue) std::this_thread::sleep_for(std::chrono::microseconds(200));
        store.write(entry_of(i));
      }
      store.flush();
      const double secs = seconds_since(t0);
      const zcache::ReplicaStats st = store.stats();
      write_rate = static_cast<double>(st.committed) / secs;
      std::printf("  %llu committed in %.2f s (%llu transactions, %llu dropped)\n",
                  static_cast<unsigned long long>(st.committed), secs, static_cast<unsigned long long>(st.transactions),
                  static_cast<unsigned long long>(st.dropped));

      // 2. Disk hits through the reader thread.
      const auto lat = hit_latencies(n_replica, samples, [&](std::string key, auto done) {
        store.read(std::move(key), [done](zcache::ReplicaRead r) { done(r.entry.has_value()); });
      });
      hit_p50 = percentile(lat, 50);
      hit_p99 = percentile(lat, 99);
    }
    // 2b. The same on the reopened file, without what makes a reader fast: a new snapshot per
    // read; and that, with every read waking a sleeping reader.
    auto reopened_hit_p50 = [&](std::uint32_t spin_us, std::uint32_t snapshot_reuse_us) {
      zcache::ReplicaOptions o = replica_options(db);
      o.reader_spin_us = spin_us;
      o.snapshot_reuse_us = snapshot_reuse_us;
      zcache::ReplicaStore store(o);
      const auto lat = hit_latencies(n_replica, samples, [&](std::string key, auto done) {
        store.read(std::move(key), [done](zcache::ReplicaRead r) { done(r.entry.has_value()); });
      });
      return percentile(lat, 50);
    };
    hit_no_reuse_p50 = reopened_hit_p50(replica_options(db).reader_spin_us, 0);
    hit_parked_p50 = reopened_hit_p50(0, 0);
    // 3. Reopen to the first hit.
    {
      std::vector<double> times;
      std::mt19937_64 rng(3);
      for (int r = 0; r < 5; ++r) {
        const std::string key = key_of(std::uniform_int_distribution<std::size_t>(0, n_replica - 1)(rng));
        const auto t0 = Clock::now();
        zcache::ReplicaStore store(replica_options(db));
        const bool hit = store.read_sync(key).entry.has_value();
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!hit) std::fprintf(stderr, "bench_replica: reopen read of %s missed\n", key.c_str());
      }
      reopen_ms = percentile(times, 50);
      std::printf("  file: %.0f MiB\n", static_cast<double>(fs::file_size(db)) / (1 << 20));
    }
    if (!settings.keep) fs::remove(db);

    // 4. The files baseline.
    double files_rate = 0, files_p50 = 0, files_p99 = 0, files_parked_p50 = 0;
    {
      std::printf("files: writing %zu entries of %zu B ...\n", n_files, kValueBytes);
      std::fflush(stdout);
      FilesStore files(root / "files");
      const auto order = shuffled(n_files, 1);
      const auto t0 = Clock::now();
      for (std::size_t i : order) files.write(entry_of(i));
      const double secs = seconds_since(t0);
      files_rate = static_cast<double>(n_files) / secs;
      std::printf("  %zu written in %.2f s\n", n_files, secs);
      auto files_hits = [&](std::uint32_t spin_us) {
        HopThread reader(spin_us);
        return hit_latencies(n_files, samples, [&](std::string key, auto done) {
          reader.post([&files, key = std::move(key), done] {
            zcache::ReplicaEntry e;
            done(files.read(key, e));
          });
        });
      };
      const auto lat = files_hits(replica_options(db).reader_spin_us);
      files_p50 = percentile(lat, 50);
      files_p99 = percentile(lat, 99);
      files_parked_p50 = percentile(files_hits(0), 50);
    }

    const std::string files_anchor = "one file per entry (seed 004 layout)";
    figures.push_back({"replica_write_per_s", write_rate, "writes/s", n_note + "; 1 KiB values",
                       ">= 50000 and > files_write_per_s"});
    figures.push_back({"files_write_per_s", files_rate, "writes/s", files_anchor + ", " + n_note, ""});
    figures.push_back({"replica_vs_files_write", write_rate / files_rate, "ratio", files_anchor, "> 1"});
    figures.push_back({"replica_hit_p50_us", hit_p50, "us", "read() to callback; " + n_note, "<= 20 and < files_hit_p50_us"});
    figures.push_back({"replica_hit_p99_us", hit_p99, "us", "", ""});
    figures.push_back({"files_hit_p50_us", files_p50, "us", files_anchor + ", same hand-off as the replica's", ""});
    figures.push_back({"files_hit_p99_us", files_p99, "us", files_anchor, ""});
    figures.push_back({"replica_hit_no_reuse_p50_us", hit_no_reuse_p50, "us", "snapshot_reuse_us = 0 (a read transaction per read)", ""});
    figures.push_back({"replica_hit_parked_p50_us", hit_parked_p50, "us", "also reader_spin_us = 0 (every read wakes a sleeping reader)", ""});
    figures.push_back({"files_hit_parked_p50_us", files_parked_p50, "us", files_anchor + ", reader sleeps at once", ""});
    figures.push_back({"reopen_to_first_hit_ms", reopen_ms, "ms", n_note + ", median of 5, page cache warm", "<= 100"});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_replica: %s\n", e.what());
    return 1;
  }

  print_table(figures);
  if (!settings.json_path.empty() && !write_json(settings.json_path, figures)) {
    std::fprintf(stderr, "cannot write %s\n", settings.json_path.c_str());
    return 1;
  }
  return 0;
}
