// A trace is the sequence of keys requested, in order; every request has weight 1.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace zcache::sim {

using Key = std::uint64_t;
using Trace = std::vector<Key>;

// A trace that cannot be read: missing or unreadable file, corrupt compression, bad content.
// The message names the file and, for text traces, the line.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace zcache::sim
