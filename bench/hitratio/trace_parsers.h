// Turn decompressed trace bytes into keys, fed chunk by chunk as they are inflated.
#pragma once

#include "trace.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace zcache::sim {

// LIRS text: one integer key per line; a line holding only `*` is a marker and is skipped, as
// are blank lines; surrounding spaces and CRs are ignored. Anything else is a TraceError
// naming the line.
class LirsTextParser {
 public:
  explicit LirsTextParser(std::string source) : source_(std::move(source)) {}
  void feed(std::string_view chunk);
  Trace finish();  // the last line may lack its newline

 private:
  void parse_line(std::string_view line);

  std::string source_;   // for error messages
  std::string partial_;  // an incomplete line carried over from the previous chunk
  std::uint64_t line_no_ = 0;
  Trace keys_;
};

// cache2k binary: a stream of big-endian signed 32-bit keys.
class Int32BigEndianParser {
 public:
  explicit Int32BigEndianParser(std::string source) : source_(std::move(source)) {}
  void feed(std::string_view chunk);
  Trace finish();  // a TraceError if the stream ends inside a key

 private:
  std::string source_;
  unsigned char pending_[4] = {};
  int pending_len_ = 0;
  Trace keys_;
};

}  // namespace zcache::sim
