// The command line every hit-ratio bench program shares: --json FILE, --quick, and (for the
// trace suite) --traces DIR. Bad flags print a usage message naming the problem and exit 2.
#pragma once

#include <string>

namespace zcache::sim {

struct BenchArgs {
  std::string json_path;   // empty: no JSON output
  bool quick = false;
  std::string traces_dir;  // only when `accept_traces`
};

BenchArgs parse_bench_args(int argc, char** argv, const char* usage, bool accept_traces);

}  // namespace zcache::sim
