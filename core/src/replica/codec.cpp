#include "replica/codec.h"

#include <algorithm>
#include <cstdint>

namespace zcache::replica {
namespace {

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_bytes32(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// Reads from a byte string, failing (sticky) on any overrun.
struct Reader {
  std::string_view in;
  bool ok = true;

  std::uint32_t uint(int width) {
    if (in.size() < static_cast<std::size_t>(width)) return ok = false, 0;
    std::uint32_t v = 0;
    for (int i = 0; i < width; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(width);
    return v;
  }
  std::string bytes(std::uint32_t n) {
    if (in.size() < n) return ok = false, std::string();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};

}  // namespace

std::string encode_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) {
    put_u16(out, static_cast<std::uint16_t>(t.size()));  // tags are at most kMaxTagBytes
    out.append(t);
  }
  return out;
}

bool decode_tags(std::string_view bytes, std::vector<std::string>& out) {
  out.clear();
  Reader r{bytes};
  while (r.ok && !r.in.empty()) {
    const std::uint32_t n = r.uint(2);
    std::string t = r.bytes(n);
    if (r.ok) out.push_back(std::move(t));
  }
  return r.ok;
}

std::string encode_selector(const PurgeSelector& s) {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(s.keys.size()));
  for (const auto& k : s.keys) put_bytes32(out, k);
  out.push_back(s.prefix ? 1 : 0);
  if (s.prefix) put_bytes32(out, *s.prefix);
  put_u32(out, static_cast<std::uint32_t>(s.tags.size()));
  for (const auto& t : s.tags) put_bytes32(out, t);
  return out;
}

bool decode_selector(std::string_view bytes, PurgeSelector& out) {
  out = PurgeSelector{};
  Reader r{bytes};
  const std::uint32_t keys = r.uint(4);
  for (std::uint32_t i = 0; r.ok && i < keys; ++i) out.keys.push_back(r.bytes(r.uint(4)));
  if (r.uint(1) == 1) out.prefix = r.bytes(r.uint(4));
  const std::uint32_t tags = r.uint(4);
  for (std::uint32_t i = 0; r.ok && i < tags; ++i) out.tags.push_back(r.bytes(r.uint(4)));
  return r.ok && r.in.empty();
}

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

bool covers(const PurgeSelector& s, std::string_view key, const std::vector<std::string>& tags) {
  if (s.prefix && key.starts_with(*s.prefix)) return true;
  if (std::find(s.keys.begin(), s.keys.end(), key) != s.keys.end()) return true;
  for (const auto& t : s.tags)
    if (std::find(tags.begin(), tags.end(), t) != tags.end()) return true;
  return false;
}

}  // namespace zcache::replica
