#include "trace_reader.h"

#include "decompress.h"
#include "trace_parsers.h"

namespace zcache::sim {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Trace read_trace(const std::string& path) {
  if (ends_with(path, ".gz")) {
    LirsTextParser parser(path);
    decompress_gzip_file(path, [&](std::string_view chunk) { parser.feed(chunk); });
    return parser.finish();
  }
  if (ends_with(path, ".xz")) {
    Int32BigEndianParser parser(path);
    decompress_xz_file(path, [&](std::string_view chunk) { parser.feed(chunk); });
    return parser.finish();
  }
  throw TraceError(path + ": unknown trace format: expected a .gz (LIRS text) or .xz (cache2k binary) file");
}

std::string trace_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

}  // namespace zcache::sim
