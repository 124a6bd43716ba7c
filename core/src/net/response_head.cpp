#include "net/response_head.h"

#include "net/ascii.h"

namespace zcache::net {

bool ResponseHead::feed(std::string_view line) {
  bytes_ += line.size();
  if (bytes_ > kMaxHeaderBytes) return false;

  if (line.starts_with("HTTP/")) {  // a status line: a new (interim or final) response begins
    fields_.clear();
    return true;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // obs-fold (RFC 9112 §5.2): a continuation of the previous value, joined with one space.
    std::string_view more = trim_ows(line);
    if (!fields_.empty() && !more.empty()) {
      std::string& value = fields_.back().second;
      if (!value.empty()) value += ' ';
      value += more;
    }
    return true;
  }
  std::string_view content = trim_ows(line);
  if (content.empty()) return true;  // the blank line that ends a head
  std::size_t colon = content.find(':');
  if (colon == std::string_view::npos || colon == 0) return true;  // not a field: ignore it
  if (fields_.size() >= kMaxHeaderFields) return false;
  fields_.emplace_back(std::string(content.substr(0, colon)), std::string(trim_ows(content.substr(colon + 1))));
  return true;
}

void ResponseHead::reset() noexcept {
  fields_.clear();
  bytes_ = 0;
}

}  // namespace zcache::net
