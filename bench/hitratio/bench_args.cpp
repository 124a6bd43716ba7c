#include "bench_args.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace zcache::sim {
namespace {

[[noreturn]] void usage_error(const char* program, const char* usage, const std::string& problem) {
  std::fprintf(stderr, "%s: %s\n%s", program, problem.c_str(), usage);
  std::exit(2);
}

}  // namespace

BenchArgs parse_bench_args(int argc, char** argv, const char* usage, bool accept_traces) {
  BenchArgs args;
  const char* program = argc > 0 ? argv[0] : "bench";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view inline_value;
    bool has_inline = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    const auto value = [&]() -> std::string {
      if (has_inline) return std::string(inline_value);
      if (i + 1 >= argc) usage_error(program, usage, std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (arg == "--json") {
      args.json_path = value();
      if (args.json_path.empty()) usage_error(program, usage, "--json needs a file name");
    } else if (arg == "--quick" && !has_inline) {
      args.quick = true;
    } else if (arg == "--traces" && accept_traces) {
      args.traces_dir = value();
    } else {
      usage_error(program, usage, "unknown argument '" + std::string(argv[i]) + "'");
    }
  }
  return args;
}

}  // namespace zcache::sim
