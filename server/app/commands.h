// The subcommands of the zcache executable. Each takes the words after its name and returns the
// process exit code; a bad option throws cli::UsageError (main prints it and exits 2).
#pragma once

#include <string>
#include <vector>

namespace zcache::app {

using Args = std::vector<std::string>;

int run_worker(const Args& args);
int run_brain(const Args& args);
int run_token(const Args& args);

}  // namespace zcache::app
