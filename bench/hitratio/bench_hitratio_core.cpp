// bench_hitratio_core [--json FILE] [--quick]
// The hit-ratio half of `bench/run core` (issue 3): synthetic traces over 1M keys — Zipf α 0.7,
// 0.9 and 1.1, Zipf 0.9 with 30% one-time scan keys, a loop — at caches of 0.1%, 1% and 10% of
// the key space, through the engine's W-TinyLFU, plain LRU and Bélády's OPT.
#include "bench_args.h"
#include "figures.h"
#include "simulate.h"
#include "synthetic_traces.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace zcache::sim;

constexpr const char* kUsage =
    "usage: bench_hitratio_core [--json FILE] [--quick]\n"
    "  --json FILE  write the figures ({\"figures\": {...}}) to FILE\n"
    "  --quick      fewer requests per trace (same figure names)\n";

constexpr std::uint64_t kKeys = 1'000'000;
// The loop cycles over a tenth of the key space, so that even --quick makes ten passes; its
// caches are 0.1%/1%/10% of its own key space.
constexpr std::uint64_t kLoopKeys = kKeys / 10;
constexpr std::uint64_t kSeed = 20261123;

struct Workload {
  std::string name;         // figure prefix: hit_<name>_<size>_<policy>
  std::string description;
  std::uint64_t keys;       // the key space the cache sizes are fractions of
  std::function<Trace(std::uint64_t requests)> make;
};

struct CacheSize {
  std::string name;  // 0p1pct, 1pct, 10pct
  double fraction;
};

std::vector<Workload> workloads() {
  return {
      {"zipf07", "Zipf a=0.7", kKeys, [](std::uint64_t r) { return zipf_trace(kKeys, 0.7, r, kSeed); }},
      {"zipf09", "Zipf a=0.9", kKeys, [](std::uint64_t r) { return zipf_trace(kKeys, 0.9, r, kSeed + 1); }},
      {"zipf11", "Zipf a=1.1", kKeys, [](std::uint64_t r) { return zipf_trace(kKeys, 1.1, r, kSeed + 2); }},
      {"scan", "Zipf a=0.9 + 30% one-time keys", kKeys,
       [](std::uint64_t r) { return zipf_with_scans_trace(kKeys, 0.9, 0.30, r, kSeed + 3); }},
      {"loop", "loop over 100k keys", kLoopKeys, [](std::uint64_t r) { return loop_trace(kLoopKeys, r); }},
  };
}

const std::vector<CacheSize> kSizes = {{"0p1pct", 0.001}, {"1pct", 0.01}, {"10pct", 0.10}};

std::string figure_name(const std::string& workload, const std::string& size, Policy p) {
  return "hit_" + workload + "_" + size + "_" + std::string(policy_name(p));
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args = parse_bench_args(argc, argv, kUsage, /*accept_traces=*/false);
  // Full: ten requests per key, so that even the 10% caches spend most of the run in steady
  // state (hits are counted from the first request, cold misses included); about half a minute
  // on one core, OPT being the slowest. Quick: a fifth of that.
  const std::uint64_t requests = args.quick ? 2'000'000 : 10'000'000;
  const auto started = std::chrono::steady_clock::now();

  std::printf("hit ratio (%%), %llu keys, %llu requests per trace%s\n", static_cast<unsigned long long>(kKeys),
              static_cast<unsigned long long>(requests), args.quick ? " (--quick)" : "");
  std::printf("%-34s %8s %9s %8s %8s %9s %9s\n", "trace", "cache", "wtinylfu", "lru", "opt", "wt-lru",
              "wt/opt");
  std::vector<Figure> figures;
  for (const Workload& w : workloads()) {
    const Trace trace = w.make(requests);
    for (const CacheSize& size : kSizes) {
      const auto capacity = static_cast<std::uint64_t>(static_cast<double>(w.keys) * size.fraction);
      double ratio[3] = {};
      for (const Policy p : kAllPolicies) {
        const double hit = simulate(p, trace, capacity).hit_ratio_percent();
        ratio[static_cast<int>(p)] = hit;
        Figure f{figure_name(w.name, size.name, p), hit, "%", "", ""};
        if (p == Policy::kLru) f.anchor = "plain LRU on the same trace, same run";
        if (p == Policy::kOpt) f.anchor = "Belady OPT on the same trace, same run";
        figures.push_back(std::move(f));
      }
      const double wt = ratio[static_cast<int>(Policy::kWTinyLfu)];
      const double lru = ratio[static_cast<int>(Policy::kLru)];
      const double opt = ratio[static_cast<int>(Policy::kOpt)];
      std::printf("%-34s %8llu %9.2f %8.2f %8.2f %+9.2f %9.3f\n", w.description.c_str(),
                  static_cast<unsigned long long>(capacity), wt, lru, opt, wt - lru, opt > 0 ? wt / opt : 0.0);
      std::fflush(stdout);
    }
  }

  // The issue 3 targets, stated on the figures they constrain.
  const auto find = [&](const std::string& name) -> Figure& {
    for (Figure& f : figures)
      if (f.name == name) return f;
    std::fprintf(stderr, "internal error: no figure %s\n", name.c_str());
    std::exit(1);
  };
  const double z_wt = find("hit_zipf09_1pct_wtinylfu").value, z_lru = find("hit_zipf09_1pct_lru").value,
               z_opt = find("hit_zipf09_1pct_opt").value;
  const double s_wt = find("hit_scan_1pct_wtinylfu").value, s_lru = find("hit_scan_1pct_lru").value;
  find("hit_zipf09_1pct_wtinylfu").target = ">= hit_zipf09_1pct_lru + 5 and >= 0.9 * hit_zipf09_1pct_opt";
  find("hit_scan_1pct_wtinylfu").target = ">= hit_scan_1pct_lru + 10";
  figures.push_back({"zipf09_1pct_wtinylfu_minus_lru", z_wt - z_lru, "points", "plain LRU, same run", ">= 5"});
  figures.push_back({"zipf09_1pct_wtinylfu_of_opt", z_opt > 0 ? z_wt / z_opt : 0, "ratio", "Belady OPT, same run",
                     ">= 0.9"});
  figures.push_back({"scan_1pct_wtinylfu_minus_lru", s_wt - s_lru, "points", "plain LRU, same run", ">= 10"});

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("targets (issue 3): zipf0.9@1%%: wtinylfu-lru %+.2f (>= +5), wtinylfu/opt %.3f (>= 0.9); "
              "scan@1%%: wtinylfu-lru %+.2f (>= +10)   [%.1f s]\n",
              z_wt - z_lru, z_opt > 0 ? z_wt / z_opt : 0, s_wt - s_lru, seconds);

  if (!args.json_path.empty()) {
    try {
      write_figures_json(args.json_path, figures);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_hitratio_core: %s\n", e.what());
      return 1;
    }
  }
  return 0;
}
