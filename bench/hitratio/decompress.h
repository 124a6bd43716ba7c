// Streams the decompressed bytes of a gzip or xz file to a sink, chunk by chunk, so that a trace
// is parsed while it is being inflated. Every failure is a TraceError naming the file.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace zcache::sim {

using ByteSink = std::function<void(std::string_view chunk)>;

// gzip (RFC 1952), including files of several concatenated members.
void decompress_gzip_file(const std::string& path, const ByteSink& sink);

// xz (.xz container, LZMA2), including concatenated streams.
void decompress_xz_file(const std::string& path, const ByteSink& sink);

}  // namespace zcache::sim
