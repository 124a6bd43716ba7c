#include "trace_parsers.h"

#include <charconv>

namespace zcache::sim {
namespace {

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

void LirsTextParser::feed(std::string_view chunk) {
  for (;;) {
    const std::size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(chunk);
      return;
    }
    if (partial_.empty()) {
      parse_line(chunk.substr(0, nl));
    } else {
      partial_.append(chunk.substr(0, nl));
      parse_line(partial_);
      partial_.clear();
    }
    chunk.remove_prefix(nl + 1);
  }
}

Trace LirsTextParser::finish() {
  if (!partial_.empty()) {
    parse_line(partial_);
    partial_.clear();
  }
  return std::move(keys_);
}

void LirsTextParser::parse_line(std::string_view raw) {
  ++line_no_;
  const std::string_view line = trim(raw);
  if (line.empty() || line == "*") return;
  std::int64_t key = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), key);
  if (ec != std::errc() || end != line.data() + line.size()) {
    constexpr std::size_t kShown = 40;
    std::string shown(line.substr(0, kShown));
    if (line.size() > kShown) shown += "...";
    throw TraceError(source_ + ":" + std::to_string(line_no_) + ": expected an integer key or '*', got '" +
                     shown + "'");
  }
  keys_.push_back(static_cast<Key>(key));
}

void Int32BigEndianParser::feed(std::string_view chunk) {
  const auto* p = reinterpret_cast<const unsigned char*>(chunk.data());
  const auto* end = p + chunk.size();
  while (pending_len_ > 0 && pending_len_ < 4 && p < end) pending_[pending_len_++] = *p++;
  const auto push = [this](const unsigned char* b) {
    const std::uint32_t u = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    // Sign-extend, so that a key is the same number whichever width it is read at.
    keys_.push_back(static_cast<Key>(static_cast<std::int64_t>(static_cast<std::int32_t>(u))));
  };
  if (pending_len_ == 4) {
    push(pending_);
    pending_len_ = 0;
  }
  keys_.reserve(keys_.size() + static_cast<std::size_t>(end - p) / 4);
  for (; end - p >= 4; p += 4) push(p);
  while (p < end) pending_[pending_len_++] = *p++;
}

Trace Int32BigEndianParser::finish() {
  if (pending_len_ != 0)
    throw TraceError(source_ + ": truncated binary trace: " + std::to_string(pending_len_) +
                     " trailing byte(s) after the last whole 32-bit key");
  return std::move(keys_);
}

}  // namespace zcache::sim
