// A tour of the engine: the outcomes of stale-while-revalidate on a clock we move by hand,
// single-flight fills, tag purges and the stats. Run by `make demo`.
#include <zcache/cache.h>

#include <cstdio>
#include <memory>
#include <string>

namespace {

const char* state_name(zcache::LookupResult::State s) {
  switch (s) {
    case zcache::LookupResult::State::Fresh: return "hit (fresh)";
    case zcache::LookupResult::State::Stale: return "stale (served, revalidating)";
    case zcache::LookupResult::State::Miss: return "miss (this caller fetches)";
    case zcache::LookupResult::State::Wait: return "wait (another caller fetches)";
  }
  return "?";
}

void show(const char* when, const zcache::LookupResult& r) {
  const char* state = state_name(r.state);
  if (r.state == zcache::LookupResult::State::Stale && !r.ticket) state = "stale (served, another revalidates)";
  std::printf("  %-34s -> %-36s %s%s\n", when, state,
              r.value ? "value=" : "", r.value ? std::string(r.value.value()).c_str() : "");
}

}  // namespace

int main() {
  auto clock = std::make_shared<zcache::ManualClock>();
  zcache::CacheOptions options;
  options.max_bytes = 64 << 20;
  options.clock = clock;
  zcache::Cache cache(options);

  zcache::EntryOptions product;
  product.ttl_ms = 300'000;   // fresh 5 min
  product.stale_ms = 3'600'000;  // then stale-while-revalidate for 1 h
  product.tags = {"products"};

  std::puts("stale-while-revalidate on product:42 (ttl 300 s, stale 3600 s):");
  auto first = cache.lookup("product:42", nullptr);
  show("t=0     first request", first);
  int followers_woken = 0;
  auto follower = cache.lookup("product:42", [&](zcache::FlightResult r) {
    ++followers_woken;
    std::printf("  %-34s -> woken with %s\n", "        (follower)", std::string(r.value.value()).c_str());
  });
  show("t=0     concurrent request", follower);
  cache.fill(std::move(first.ticket), R"({"id":42,"name":"lamp","v":1})", product);

  show("t=0     next request", cache.lookup("product:42", nullptr));
  clock->advance(301'000);
  auto stale = cache.lookup("product:42", nullptr);
  show("t=301s  after ttl", stale);
  show("t=301s  another request meanwhile", cache.lookup("product:42", nullptr));
  cache.fill(std::move(stale.ticket), R"({"id":42,"name":"lamp","v":2})", product);
  show("t=301s  after revalidation", cache.lookup("product:42", nullptr));
  clock->advance(301'000 + 3'600'000);
  cache.run_maintenance();
  auto gone = cache.lookup("product:42", nullptr);
  show("t=~76m  past the stale window", gone);
  auto failed = cache.fail(std::move(gone.ticket), zcache::Error(zcache::ErrorKind::FetchFailed, "db down"));
  std::printf("  %-34s -> %s\n", "        fetch fails", failed.error ? failed.error->what() : "?");

  std::puts("\ntag purge:");
  for (int i = 0; i < 5; ++i) cache.set("product:" + std::to_string(i), "{}", product);
  zcache::EntryOptions user;
  user.tags = {"users"};
  cache.set("user:1", "{}", user);
  zcache::PurgeSelector products;
  products.tags = {"products"};
  auto purged = cache.purge(products);
  std::printf("  purge tags=[products] -> objects_purged=%llu bytes_freed=%llu\n",
              static_cast<unsigned long long>(purged.objects_purged),
              static_cast<unsigned long long>(purged.bytes_freed));

  auto s = cache.stats();
  std::printf("\nstats: hits=%llu stale_hits=%llu misses=%llu fills=%llu entries=%llu bytes=%llu of %llu\n",
              (unsigned long long)s.hits, (unsigned long long)s.stale_hits, (unsigned long long)s.misses,
              (unsigned long long)s.fills, (unsigned long long)s.entries, (unsigned long long)s.bytes,
              (unsigned long long)s.max_bytes);
  return followers_woken == 1 ? 0 : 1;
}
