// throughput.cpp — the `core` suite's engine benchmark: zcache::Cache against the naive
// std::unordered_map LRU (naive_lru.h), both measured in this same run.
//
//   bench_core_throughput [--quick] [--json FILE] [--no-memory] [--benchmark_* flags]
//
// 1. Memory: heap bytes per entry beyond the key and value bytes, for 1M entries (16 B keys,
//    100 B values), measured first so that nothing else is on the heap.
// 2. Memory latency of this machine (a dependent random load), to read the times against.
// 3. Throughput (Google Benchmark): get hit, set (overwrite) and SWR lookup (Fresh), 1 and 2
//    threads, for 100k and 1M keys of 100 B and 4 KiB values (--quick: 100k keys, 100 B).
//    Keys are "key:%08d", visited in a pre-shuffled order; the caches are sized so that
//    nothing is evicted.
//
// Prints a table of figures and, with --json, writes {"figures": {...}} for bench/run.
// For profiling: --no-memory skips part 1, and --benchmark_filter=REGEX runs (and fills the
// caches of) only the matching benchmarks; no figures are reported then.
#include "naive_lru.h"
#include "common/figures.h"

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <zcache/cache.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

constexpr std::int64_t kLongTtlMs = 3'600'000;  // entries stay fresh for the whole run
constexpr int kRepetitions = 3;                 // each throughput figure is the median of these

zcache::EntryOptions long_ttl() {
  zcache::EntryOptions o;
  o.ttl_ms = kLongTtlMs;
  return o;
}

zcache::Cache make_cache(std::uint64_t max_bytes) {
  zcache::CacheOptions o;
  o.max_bytes = max_bytes;
  o.background_maintenance = false;  // no thread of its own competing with the measured ones
  return zcache::Cache(o);
}

using zcache::bench::Figure;
using zcache::bench::print_table;
using zcache::bench::write_json;

// ---------------------------------------------------------------------------------------------
// Memory overhead per entry

// Bytes the allocator has handed out: small chunks plus mmap'd ones (big hash tables land there).
std::size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

constexpr std::size_t kMemEntries = 1'000'000;
constexpr std::size_t kMemKeyBytes = 16;
constexpr std::size_t kMemValueBytes = 100;

// Writes the i-th 16-byte key into buf without allocating, so only the cache's allocations count.
std::string_view mem_key(char (&buf)[kMemKeyBytes + 1], std::size_t i) {
  std::snprintf(buf, sizeof buf, "mem:%012zu", i);
  return {buf, kMemKeyBytes};
}

// Heap growth per entry beyond its key and value bytes.
double overhead_per_entry(std::size_t before, std::size_t after, std::size_t stored) {
  if (stored != kMemEntries) {
    std::fprintf(stderr, "memory run stored %zu of %zu entries; the budget is too small\n", stored, kMemEntries);
    std::exit(1);
  }
  return static_cast<double>(after - before) / kMemEntries - double(kMemKeyBytes + kMemValueBytes);
}

// Both budgets leave room to spare so that nothing is evicted whatever the per-entry charge.
// Then, on the same 1M entries: the time of a purge by a prefix that 10,000 keys match (the
// engine has no ordered index: a prefix purge scans the key index).
double ours_overhead_per_entry(double* prefix_purge_ms) {
  const std::string value(kMemValueBytes, 'v');
  const zcache::EntryOptions opts = long_ttl();
  char buf[kMemKeyBytes + 1];
  const std::size_t before = heap_in_use();
  zcache::Cache cache = make_cache(kMemEntries * 512);
  for (std::size_t i = 0; i < kMemEntries; ++i) cache.set(mem_key(buf, i), value, opts);
  const std::size_t after = heap_in_use();
  const double overhead = overhead_per_entry(before, after, cache.stats().entries);
  zcache::PurgeSelector selector;
  selector.prefix = "mem:00000012";  // mem:00000012xxxx: 10,000 keys
  const auto t0 = std::chrono::steady_clock::now();
  const zcache::PurgeResult purged = cache.purge(selector);
  *prefix_purge_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (purged.objects_purged != 10'000) {
    std::fprintf(stderr, "the prefix purge removed %llu entries, not 10000\n", static_cast<unsigned long long>(purged.objects_purged));
    std::exit(1);
  }
  return overhead;
}

double naive_overhead_per_entry() {
  const std::string value(kMemValueBytes, 'v');
  char buf[kMemKeyBytes + 1];
  const std::size_t before = heap_in_use();
  zbench::NaiveLru cache(kMemEntries * 512);
  for (std::size_t i = 0; i < kMemEntries; ++i) cache.set(mem_key(buf, i), value);
  const std::size_t after = heap_in_use();
  return overhead_per_entry(before, after, cache.size());
}

// ---------------------------------------------------------------------------------------------
// Memory latency: the floor under a hit on a working set bigger than the CPU caches, which costs
// at least one such load (the entry itself). Reported beside the times to read them against.

double memory_latency_ns() {
  constexpr std::size_t kLines = (64u << 20) / 64;  // 64 MiB, one load per cache line
  struct alignas(64) Line {
    std::uint32_t next;
  };
  std::vector<std::uint32_t> cycle(kLines);
  for (std::size_t i = 0; i < kLines; ++i) cycle[i] = static_cast<std::uint32_t>(i);
  std::shuffle(cycle.begin() + 1, cycle.end(), std::mt19937_64(7));
  std::vector<Line> lines(kLines);
  for (std::size_t i = 0; i < kLines; ++i) lines[cycle[i]].next = cycle[(i + 1) % kLines];

  constexpr int kLoads = 2'000'000;
  std::uint32_t at = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kLoads; ++i) at = lines[at].next;  // each load needs the previous one
  const auto stop = std::chrono::steady_clock::now();
  benchmark::DoNotOptimize(at);
  return std::chrono::duration<double, std::nano>(stop - start).count() / kLoads;
}

// ---------------------------------------------------------------------------------------------
// Throughput

// One configuration: its keys, the order they are visited in, and the value stored.
struct Workload {
  std::string label;               // e.g. "100k_100b"
  std::vector<std::string> keys;   // in key order: the order the caches are filled in
  std::vector<std::string> visit;  // the same keys shuffled, stored contiguously so the harness
                                   // reads them sequentially and the cost measured is the cache's
  std::string value;
};

Workload make_workload(std::size_t n_keys, std::size_t value_bytes) {
  Workload w;
  w.label = (n_keys >= 1'000'000 ? std::to_string(n_keys / 1'000'000) + "m" : std::to_string(n_keys / 1000) + "k") +
            "_" + (value_bytes >= 1024 ? std::to_string(value_bytes / 1024) + "k" : std::to_string(value_bytes) + "b");
  w.keys.reserve(n_keys);
  char buf[32];
  for (std::size_t i = 0; i < n_keys; ++i) {
    std::snprintf(buf, sizeof buf, "key:%08zu", i);
    w.keys.emplace_back(buf);
  }
  w.visit = w.keys;
  std::shuffle(w.visit.begin(), w.visit.end(), std::mt19937_64(42));
  w.value.assign(value_bytes, 'v');
  return w;
}

// A budget that holds every key with room to spare (nothing may be evicted while measuring), and
// at least the default one, so that small workloads run the engine as configured out of the box
// (the budget also picks the number of shards).
std::uint64_t roomy_budget(const Workload& w) {
  const std::uint64_t roomy = 2 * w.keys.size() * (w.keys.front().size() + w.value.size() + 256);
  return std::max(roomy, zcache::CacheOptions{}.max_bytes);
}

// Runs op(key) once per iteration; each thread starts at its own place in the shuffled order.
// `op` returns false on an unexpected result (a miss in a hit run), which fails the benchmark.
template <class Op>
void over_keys(benchmark::State& state, const Workload& w, Op op) {
  const std::size_t n = w.visit.size();
  std::size_t pos = static_cast<std::size_t>(state.thread_index()) * n / static_cast<std::size_t>(state.threads());
  std::size_t unexpected = 0;
  for (auto _ : state) {
    unexpected += !op(w.visit[pos]);
    if (++pos == n) pos = 0;
  }
  state.SetItemsProcessed(state.iterations());
  if (unexpected) state.SkipWithError("unexpected result (a miss or a non-Fresh lookup)");
}

// Keeps each benchmark's median total throughput, keyed "<name>/<threads>t", and prints as usual
// (without colours: the output usually goes through bench/run).
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  CapturingReporter() : ConsoleReporter(OO_Tabular) {}
  std::map<std::string, double> ops_per_second;

  // Benchmarks run in several batches; describe the machine once.
  bool ReportContext(const Context& context) override {
    if (context_reported_) return true;
    context_reported_ = true;
    return ConsoleReporter::ReportContext(context);
  }

  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> shown;  // the medians, and any run that failed
    for (const Run& run : runs) {
      if (run.error_occurred) shown.push_back(run);
      if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "median" || run.error_occurred) continue;
      shown.push_back(run);
      const auto it = run.counters.find("items_per_second");  // all threads' items / wall time
      if (it != run.counters.end())
        ops_per_second[run.run_name.function_name + "/" + std::to_string(run.threads) + "t"] = it->second.value;
    }
    ConsoleReporter::ReportRuns(shown);
  }

 private:
  bool context_reported_ = false;
};

struct Settings {
  bool quick = false;
  bool memory = true;
  std::string json_path;
};

// Registers `body` at 1 and 2 threads, each as the median of a few repetitions (the machine is
// shared and noisy). Thread 0 first calls `prepare` (outside the timing; the other threads wait
// at the timed loop's start barrier).
void add_bench(const std::string& name, double min_time, const std::function<void()>& prepare,
               const std::function<void(benchmark::State&)>& body) {
  auto fn = [prepare, body](benchmark::State& s) {
    if (s.thread_index() == 0) prepare();
    body(s);
  };
  for (int threads : {1, 2})
    benchmark::RegisterBenchmark(name.c_str(), fn)
        ->Threads(threads)
        ->UseRealTime()
        ->MinTime(min_time)
        ->Repetitions(kRepetitions)
        ->ReportAggregatesOnly(true);
}

// Benchmarks one workload on our cache, then on the naive baseline; one big cache lives at a time
// (1M x 4 KiB is 4 GiB each). A cache is filled on first use, so that a --benchmark_filter run
// skips the fills it does not need.
void run_workload(const Workload& w, double min_time, CapturingReporter& reporter) {
  {
    zcache::Cache cache = make_cache(roomy_budget(w));
    const zcache::EntryOptions opts = long_ttl();
    bool filled = false;
    auto fill = [&] {
      if (std::exchange(filled, true)) return;
      for (const std::string& k : w.keys) cache.set(k, w.value, opts);
      if (cache.stats().entries != w.keys.size()) {
        std::fprintf(stderr, "%s: zcache holds %llu of %zu keys after the fill\n", w.label.c_str(),
                     static_cast<unsigned long long>(cache.stats().entries), w.keys.size());
        std::exit(1);
      }
    };
    add_bench("ours/get_hit/" + w.label, min_time, fill, [&](benchmark::State& s) {
      over_keys(s, w, [&](const std::string& k) {
        zcache::GetResult r = cache.get(k);
        benchmark::DoNotOptimize(r.value.value().data());
        return static_cast<bool>(r.value);
      });
    });
    add_bench("ours/swr_lookup/" + w.label, min_time, fill, [&](benchmark::State& s) {
      over_keys(s, w, [&](const std::string& k) {
        zcache::LookupResult r = cache.lookup(k, nullptr);
        benchmark::DoNotOptimize(r.value.value().data());
        return r.state == zcache::LookupResult::State::Fresh;
      });
    });
    add_bench("ours/set/" + w.label, min_time, fill, [&](benchmark::State& s) {
      over_keys(s, w, [&](const std::string& k) { return cache.set(k, w.value, opts); });
    });
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::ClearRegisteredBenchmarks();
    if (const zcache::Stats st = cache.stats(); st.evictions != 0)
      std::fprintf(stderr, "warning: %s: zcache evicted %llu entries during the run\n", w.label.c_str(),
                   static_cast<unsigned long long>(st.evictions));
  }
  {
    zbench::NaiveLru naive(roomy_budget(w));
    bool filled = false;
    auto fill = [&] {
      if (std::exchange(filled, true)) return;
      for (const std::string& k : w.keys) naive.set(k, w.value);
    };
    add_bench("naive/get_hit/" + w.label, min_time, fill, [&](benchmark::State& s) {
      over_keys(s, w, [&](const std::string& k) {
        zbench::NaiveLru::Value v = naive.get(k);
        benchmark::DoNotOptimize(v.get());
        return v != nullptr;
      });
    });
    add_bench("naive/set/" + w.label, min_time, fill, [&](benchmark::State& s) {
      over_keys(s, w, [&](const std::string& k) { return naive.set(k, w.value); });
    });
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::ClearRegisteredBenchmarks();
  }
}

Settings parse_args(int& argc, char** argv) {
  Settings s;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      s.quick = true;
    } else if (std::strcmp(argv[i], "--no-memory") == 0) {
      s.memory = false;
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      s.json_path = argv[++i];
    } else {
      argv[kept++] = argv[i];  // left for Google Benchmark (--benchmark_filter=... etc.)
    }
  }
  argc = kept;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse_args(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  try {
    // Memory first, while the heap holds nothing else of ours.
    double prefix_purge_ms = 0;
    const double ours_overhead = settings.memory ? ours_overhead_per_entry(&prefix_purge_ms) : 0;
    const double naive_overhead = settings.memory ? naive_overhead_per_entry() : 0;
    const double latency = memory_latency_ns();

    const double min_time = settings.quick ? 0.05 : 0.2;
    std::vector<std::pair<std::size_t, std::size_t>> shapes = {{100'000, 100}};  // keys, value bytes
    if (!settings.quick) shapes.insert(shapes.end(), {{100'000, 4096}, {1'000'000, 100}, {1'000'000, 4096}});

    CapturingReporter reporter;
    std::vector<std::string> labels;
    for (const auto& [keys, value_bytes] : shapes) {
      const Workload w = make_workload(keys, value_bytes);
      labels.push_back(w.label);
      run_workload(w, min_time, reporter);
    }

    // A filtered run (for profiling) has no complete set of figures.
    const std::string filter = benchmark::GetBenchmarkFilter();
    if (!filter.empty() && filter != "." && filter != "all") {
      std::printf("\n--benchmark_filter given: no figures reported\n");
      return 0;
    }
    // A missing run (it failed) is reported as an error, never as a number.
    auto ops = [&](const std::string& key) {
      const auto it = reporter.ops_per_second.find(key);
      if (it == reporter.ops_per_second.end()) {
        std::fprintf(stderr, "no result for %s\n", key.c_str());
        std::exit(1);
      }
      return it->second;
    };
    auto ns_per_op = [&](const std::string& key) { return 1e9 / ops(key); };
    auto mops = [&](const std::string& key) { return ops(key) / 1e6; };

    const std::string anchor = "naive std::unordered_map LRU";
    const std::string base = "100k_100b";
    std::vector<Figure> figures = {
        {"get_hit_1t_ns", ns_per_op("ours/get_hit/" + base + "/1t"), "ns/op", "", "<= 100"},
        {"get_hit_2t_mops", mops("ours/get_hit/" + base + "/2t"), "Mops/s", "", ""},
        {"get_hit_vs_naive_2t", ops("ours/get_hit/" + base + "/2t") / ops("naive/get_hit/" + base + "/2t"), "ratio",
         anchor, ">= 1.5"},
        {"set_1t_ns", ns_per_op("ours/set/" + base + "/1t"), "ns/op", "", ""},
    };
    if (settings.memory) {
      figures.push_back({"bytes_overhead_per_entry", ours_overhead, "bytes", "", "<= 100"});
      figures.push_back({"naive_bytes_overhead_per_entry", naive_overhead, "bytes", anchor, ""});
      figures.push_back({"purge_prefix_1m_ms", prefix_purge_ms, "ms", "1M entries, 10k match; a scan of the key index", ""});
    }
    figures.push_back({"memory_latency_ns", latency, "ns", "dependent random load over 64 MiB", ""});
    // Every raw number: 1 thread as ns/op, 2 threads as total Mops/s.
    for (const std::string& label : labels) {
      for (const std::string impl : {"ours", "naive"}) {
        for (const std::string op : {"get_hit", "swr_lookup", "set"}) {
          if (impl == "naive" && op == "swr_lookup") continue;  // the baseline has no SWR protocol
          const std::string key = impl + "/" + op + "/" + label;
          const std::string name = (impl == "naive" ? "naive_" : "") + op;
          const std::string note = impl == "naive" ? anchor : "";
          figures.push_back({name + "_1t_" + label + "_ns", ns_per_op(key + "/1t"), "ns/op", note, ""});
          figures.push_back({name + "_2t_" + label + "_mops", mops(key + "/2t"), "Mops/s", note, ""});
        }
      }
    }

    print_table(figures);
    if (!settings.json_path.empty() && !write_json(settings.json_path, figures)) {
      std::fprintf(stderr, "cannot write %s\n", settings.json_path.c_str());
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_core_throughput: %s\n", e.what());
    return 1;
  }
  return 0;
}
