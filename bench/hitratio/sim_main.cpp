// bench/sim TRACE --capacity N [--policy wtinylfu|lru|opt]
// Replays one trace through one policy and prints one JSON line (issue 9).
#include "figures.h"
#include "simulate.h"
#include "trace_reader.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace zcache::sim;

constexpr const char* kUsage =
    "usage: bench/sim TRACE --capacity N [--policy wtinylfu|lru|opt]\n"
    "  TRACE       a .gz (LIRS text) or .xz (cache2k big-endian int32) trace file\n"
    "  --capacity  cache size in entries (every key has weight 1), a positive integer\n"
    "  --policy    wtinylfu (the engine's policy, default), lru or opt (Belady)\n";

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "bench/sim: %s\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

struct Args {
  std::string trace;
  std::uint64_t capacity = 0;
  Policy policy = Policy::kWTinyLfu;
};

Args parse_args(int argc, char** argv) {
  Args args;
  bool have_capacity = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::optional<std::string_view> inline_value;
    if (arg.starts_with("--")) {
      if (const auto eq = arg.find('='); eq != std::string_view::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    const auto value = [&]() -> std::string_view {
      if (inline_value) return *inline_value;
      if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--capacity") {
      const std::string_view v = value();
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), args.capacity);
      if (ec != std::errc() || end != v.data() + v.size() || args.capacity == 0)
        usage_error("--capacity must be a positive integer, not '" + std::string(v) + "'");
      have_capacity = true;
    } else if (arg == "--policy") {
      const std::string_view v = value();
      const auto p = parse_policy(v);
      if (!p) usage_error("unknown --policy '" + std::string(v) + "'");
      args.policy = *p;
    } else if (arg.starts_with("-") && arg.size() > 1) {
      usage_error("unknown option '" + std::string(arg) + "'");
    } else if (!args.trace.empty()) {
      usage_error("more than one TRACE given ('" + args.trace + "' and '" + std::string(arg) + "')");
    } else {
      args.trace = arg;
    }
  }
  if (args.trace.empty()) usage_error("no TRACE given");
  if (!have_capacity) usage_error("--capacity is required");
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  Trace trace;
  try {
    trace = read_trace(args.trace);
  } catch (const TraceError& e) {
    std::fprintf(stderr, "bench/sim: %s\n", e.what());
    return 1;
  }
  const SimResult r = simulate(args.policy, trace, args.capacity);
  std::printf("{\"trace\": %s, \"capacity\": %llu, \"policy\": \"%s\", \"requests\": %llu, \"hits\": %llu, "
              "\"hit_ratio\": %.2f}\n",
              json_quote(trace_name(args.trace)).c_str(), static_cast<unsigned long long>(args.capacity),
              std::string(policy_name(args.policy)).c_str(), static_cast<unsigned long long>(r.requests),
              static_cast<unsigned long long>(r.hits), r.hit_ratio_percent());
  return 0;
}
