// One line per event on stderr: "2026-11-24T04:55:01.123Z zcache worker: registered as node_…".
#pragma once

#include <string_view>

namespace zcache::logging {

void log_line(std::string_view component, std::string_view message);

}  // namespace zcache::logging
