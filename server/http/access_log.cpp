#include "access_log.h"

#include <cstdio>

namespace zcache::http {

namespace {
void append_sanitized(std::string& out, std::string_view s, size_t max_len) {
  if (s.size() > max_len) s = s.substr(0, max_len);
  for (unsigned char c : s) out.push_back((c < 0x20 || c == 0x7f || c == '"') ? '?' : char(c));
}
}  // namespace

std::string format_access_line(const AccessLogEntry& e) {
  std::string line;
  line.reserve(96 + e.target.size());
  line += "http ";
  line += e.remote;
  line += " \"";
  append_sanitized(line, e.method, 32);
  line += ' ';
  append_sanitized(line, e.target, 512);
  char tail[96];
  std::snprintf(tail, sizeof tail, "\" %d %lluB %.3fms id=", e.status, static_cast<unsigned long long>(e.bytes),
                double(e.duration_ns) / 1e6);
  line += tail;
  line += e.request_id.empty() ? std::string_view("-") : e.request_id;
  return line;
}

}  // namespace zcache::http
