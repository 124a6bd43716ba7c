// zcache — the edge-cache cluster: `zcache brain`, `zcache worker`, `zcache token`, `zcache version`.
#include "app/commands.h"
#include "cli/options.h"

#include <cstdio>
#include <cstring>
#include <exception>

namespace {

constexpr const char* kUsage =
    "usage: zcache COMMAND [options]\n\n"
    "commands:\n"
    "  brain     run the brain: the /v1/cache API, node registry, metrics and purge fan-out\n"
    "  worker    run a cache worker node that registers with a brain\n"
    "  token     print a JWT signed with the brain secret (for the API and the SDKs)\n"
    "  version   print the version\n\n"
    "Run `zcache COMMAND --help` for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const zcache::app::Args args(argv + 2, argv + argc);
  try {
    if (command == "version" || command == "--version") {
      std::puts("zcache 0.1.0");
      return 0;
    }
    if (command == "worker") return zcache::app::run_worker(args);
    if (command == "brain") return zcache::app::run_brain(args);
    if (command == "token") return zcache::app::run_token(args);
    std::fprintf(stderr, "zcache: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const zcache::cli::UsageError& e) {
    std::fprintf(stderr, "zcache %s: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zcache %s: %s\n", command.c_str(), e.what());
    return 1;
  }
}
