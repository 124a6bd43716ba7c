// Reads a trace file of either format of ../shared/traces/README.md, chosen by extension:
//   *.gz  gzip'd LIRS text (one integer per line, `*` markers skipped)
//   *.xz  xz'd cache2k stream of big-endian signed 32-bit keys
#pragma once

#include "trace.h"

#include <string>

namespace zcache::sim {

// Throws TraceError: unknown extension, missing/unreadable file, corrupt compression, bad content.
Trace read_trace(const std::string& path);

// The trace's name: its file name without directory and extensions ("x/gli.trace.gz" → "gli").
std::string trace_name(const std::string& path);

}  // namespace zcache::sim
