// bench_hitratio_traces [--traces DIR] [--json FILE] [--quick]
// The `hitratio` suite (issue 9): every trace in DIR (default ../shared/traces beside the
// repository) at the capacities of the README's table, through the engine's W-TinyLFU, plain LRU
// and Bélády's OPT, with the README's reference LRU/OPT printed beside ours. The traces are
// small, so --quick runs the same thing (it is accepted for bench/run's sake).
#include "bench_args.h"
#include "figures.h"
#include "reference_table.h"
#include "simulate.h"
#include "trace_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <absl/container/flat_hash_set.h>

#ifndef ZCACHE_DEFAULT_TRACES_DIR
#define ZCACHE_DEFAULT_TRACES_DIR "../shared/traces"
#endif

namespace {

using namespace zcache::sim;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: bench_hitratio_traces [--traces DIR] [--json FILE] [--quick]\n"
    "  --traces DIR  directory of *.trace.gz / *.trace.xz files (default " ZCACHE_DEFAULT_TRACES_DIR ")\n"
    "  --json FILE   write the figures ({\"figures\": {...}}) to FILE\n"
    "  --quick       accepted; the traces are small and always run in full\n";

struct Row {
  std::string trace;
  std::uint64_t capacity;
  double ours[3];
  const ReferenceRow* reference;  // null for a trace the README does not list
  double wt() const { return ours[static_cast<int>(Policy::kWTinyLfu)]; }
  double lru() const { return ours[static_cast<int>(Policy::kLru)]; }
  double opt() const { return ours[static_cast<int>(Policy::kOpt)]; }
};

std::vector<fs::path> trace_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && (name.ends_with(".trace.gz") || name.ends_with(".trace.xz")))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::uint64_t distinct_keys(const Trace& trace) {
  absl::flat_hash_set<Key> keys(trace.begin(), trace.end());
  return keys.size();
}

std::string fmt(const char* f, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  BenchArgs args = parse_bench_args(argc, argv, kUsage, /*accept_traces=*/true);
  if (args.traces_dir.empty()) args.traces_dir = ZCACHE_DEFAULT_TRACES_DIR;
  const auto started = std::chrono::steady_clock::now();

  std::vector<fs::path> files;
  try {
    files = trace_files(args.traces_dir);
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "bench_hitratio_traces: cannot list traces in %s: %s\n", args.traces_dir.c_str(),
                 e.code().message().c_str());
    return 1;
  }
  if (files.empty()) {
    std::fprintf(stderr, "bench_hitratio_traces: no *.trace.gz or *.trace.xz files in %s\n", args.traces_dir.c_str());
    return 1;
  }

  std::vector<Row> rows;
  std::vector<std::string> notes;
  for (const fs::path& file : files) {
    const std::string name = trace_name(file.string());
    Trace trace;
    try {
      trace = read_trace(file.string());
    } catch (const TraceError& e) {
      std::fprintf(stderr, "bench_hitratio_traces: %s\n", e.what());
      return 1;
    }
    std::vector<const ReferenceRow*> refs;
    for (const ReferenceRow& r : reference_rows())
      if (r.trace == name) refs.push_back(&r);
    std::vector<std::uint64_t> capacities;
    const std::uint64_t distinct = distinct_keys(trace);
    if (refs.empty()) {
      // Not in the README's table: the README's rule, 5%, 10% and 25% of the distinct keys.
      for (const double f : {0.05, 0.10, 0.25})
        capacities.push_back(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(distinct) * f)));
      notes.push_back(name + ": not in the README table; capacities 5/10/25% of its distinct keys, no reference");
    } else {
      for (const ReferenceRow* r : refs) capacities.push_back(r->capacity);
      if (refs.front()->requests != trace.size() || refs.front()->distinct_keys != distinct)
        notes.push_back(name + ": the file has " + std::to_string(trace.size()) + " requests / " +
                        std::to_string(distinct) + " keys, the README says " +
                        std::to_string(refs.front()->requests) + " / " + std::to_string(refs.front()->distinct_keys));
    }
    for (std::size_t i = 0; i < capacities.size(); ++i) {
      Row row{name, capacities[i], {}, refs.empty() ? nullptr : refs[i]};
      for (const Policy p : kAllPolicies) row.ours[static_cast<int>(p)] = simulate(p, trace, capacities[i]).hit_ratio_percent();
      rows.push_back(row);
    }
  }
  for (const ReferenceRow& r : reference_rows()) {
    const bool present = std::any_of(rows.begin(), rows.end(), [&](const Row& row) { return row.trace == r.trace; });
    if (!present && (&r == reference_rows().data() || (&r)[-1].trace != r.trace))
      notes.push_back(std::string(r.trace) + ": in the README table but not in " + args.traces_dir);
  }

  // Table.
  std::printf("hit ratio (%%) on the traces of %s; ref = the README's reference simulator\n", args.traces_dir.c_str());
  std::printf("%-8s %9s %9s %8s %8s %8s %8s %8s %8s\n", "trace", "capacity", "wtinylfu", "lru", "ref lru", "opt",
              "ref opt", "wt-lru", "gap cl.");
  double gap_sum = 0, worst = std::numeric_limits<double>::infinity();
  int gap_rows = 0;
  std::vector<Figure> figures;
  for (const Row& row : rows) {
    const double gap = row.opt() - row.lru();
    const bool counts = gap > 1.0;
    const double closed = counts ? (row.wt() - row.lru()) / gap : 0;
    if (counts) gap_sum += closed, ++gap_rows;
    worst = std::min(worst, row.wt() - row.lru());
    std::printf("%-8s %9llu %9.2f %8.2f %8s %8.2f %8s %+8.2f %8s\n", row.trace.c_str(),
                static_cast<unsigned long long>(row.capacity), row.wt(), row.lru(),
                row.reference ? fmt("%.2f", row.reference->lru_percent).c_str() : "-", row.opt(),
                row.reference ? fmt("%.2f", row.reference->opt_percent).c_str() : "-", row.wt() - row.lru(),
                counts ? fmt("%.2f", closed).c_str() : "-");
    const std::string prefix = "hit_" + row.trace + "_" + std::to_string(row.capacity) + "_";
    for (const Policy p : kAllPolicies) {
      Figure f{prefix + std::string(policy_name(p)), row.ours[static_cast<int>(p)], "%", "", ""};
      if (p == Policy::kLru && row.reference) f.anchor = "README reference LRU " + fmt("%.2f", row.reference->lru_percent);
      if (p == Policy::kOpt && row.reference) f.anchor = "README reference OPT " + fmt("%.2f", row.reference->opt_percent);
      if (p == Policy::kWTinyLfu && row.trace == "gli" && row.capacity == 1000) f.target = ">= 50.5 (Caffeine, Glimpse)";
      if (p == Policy::kWTinyLfu && row.trace == "gli" && row.capacity == 250) f.target = ">= 16 (Caffeine, Glimpse)";
      figures.push_back(std::move(f));
    }
  }
  const double gap_closed_mean = gap_rows ? gap_sum / gap_rows : 0;
  figures.push_back({"gap_closed_mean", gap_closed_mean, "ratio",
                     "mean of (wtinylfu-lru)/(opt-lru) over the " + std::to_string(gap_rows) + " rows where opt-lru > 1 point",
                     ">= 0.75"});
  figures.push_back({"worst_vs_lru_points", worst, "points", "min over rows of wtinylfu-lru", ">= -1"});

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("gap_closed_mean %.3f (>= 0.75) over %d rows; worst_vs_lru_points %+.2f (>= -1)   [%.1f s]\n",
              gap_closed_mean, gap_rows, worst, seconds);
  for (const std::string& note : notes) std::printf("note: %s\n", note.c_str());

  if (!args.json_path.empty()) {
    try {
      write_figures_json(args.json_path, figures);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_hitratio_traces: %s\n", e.what());
      return 1;
    }
  }
  return 0;
}
