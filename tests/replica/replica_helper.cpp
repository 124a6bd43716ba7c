// replica_helper — the second process of the replica tests (tests/replica/replica_process_test).
//
//   storm  FILE PREFIX              write storm_entry(PREFIX, 0, 1, ...) forever; after every 100
//                                   writes flush() and print "acked N" (N: the last index flushed)
//   write  FILE PREFIX N [TAG]      write N entries PREFIXi (tagged TAG), flush, print "done"
//   purge  FILE TAG SEQ             purge_sync the tag with cluster sequence SEQ, print "purged N"
//   read   FILE KEY                 print "hit SIZE FRESH_UNTIL" or "miss"
//   listen FILE COUNT               print "ready", then "purge LOG_ID SEQ MODE FIRST_TAG" for each
//                                   purge of another process, and exit after COUNT of them
#include <zcache/replica.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "replica_storm.h"

using namespace zcache;

namespace {

ReplicaOptions options(const char* path) {
  ReplicaOptions o;
  o.path = path;
  o.poll_interval_ms = 10;
  o.busy_timeout_ms = 30'000;
  return o;
}

int usage() {
  std::fprintf(stderr, "usage: replica_helper storm|write|purge|read|listen FILE ...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string mode = argv[1];
  try {
    if (mode == "storm" && argc == 4) {
      ReplicaStore store(options(argv[2]));
      for (std::int64_t i = 0;; ++i) {
        store.write(test::storm_entry(argv[3], i));
        if (i % 100 == 99) {
          store.flush();
          std::printf("acked %lld\n", static_cast<long long>(i));
          std::fflush(stdout);
        }
      }
    }
    if (mode == "write" && (argc == 5 || argc == 6)) {
      ReplicaStore store(options(argv[2]));
      const long n = std::atol(argv[4]);
      for (long i = 0; i < n; ++i) {
        ReplicaEntry e = test::storm_entry(argv[3], i);
        e.tags = argc == 6 ? std::vector<std::string>{argv[5]} : std::vector<std::string>{};
        if (!store.write(std::move(e))) return 3;
      }
      store.flush();
      std::printf("done\n");
      return 0;
    }
    if (mode == "purge" && argc == 5) {
      ReplicaStore store(options(argv[2]));
      PurgeSelector s;
      s.tags = {argv[3]};
      const PurgeResult r = store.purge_sync(s, PurgeMode::Hard, std::atoll(argv[4]));
      std::printf("purged %llu\n", static_cast<unsigned long long>(r.objects_purged));
      return 0;
    }
    if (mode == "read" && argc == 4) {
      ReplicaStore store(options(argv[2]));
      ReplicaRead r = store.read_sync(argv[3]);
      if (r.error) throw *r.error;
      if (r.entry)
        std::printf("hit %zu %lld\n", r.entry->value.size(), static_cast<long long>(r.entry->fresh_until));
      else
        std::printf("miss\n");
      return 0;
    }
    if (mode == "listen" && argc == 4) {
      const long want = std::atol(argv[3]);
      std::mutex mu;  // declared before the store: the listener uses them until the store closes
      std::condition_variable cv;
      long seen = 0;
      ReplicaStore store(options(argv[2]));
      store.set_purge_listener([&](const ReplicaPurgeEvent& e) {
        std::printf("purge %lld %lld %s %s\n", static_cast<long long>(e.log_id),
                    static_cast<long long>(e.cluster_sequence), e.mode == PurgeMode::Soft ? "soft" : "hard",
                    e.selector.tags.empty() ? "-" : e.selector.tags[0].c_str());
        std::fflush(stdout);
        std::lock_guard lock(mu);
        ++seen;
        cv.notify_all();
      });
      std::printf("ready\n");
      std::fflush(stdout);
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return seen >= want; });
      return 0;
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "replica_helper: %s (%.*s)\n", e.what(), static_cast<int>(e.code().size()), e.code().data());
    return 1;
  }
  return usage();
}
