#include "request_id.h"

#include <random>

namespace zcache::http {

namespace {
// Mixes a 48-bit value bijectively (xorshift-multiply steps, each invertible modulo 2^48).
uint64_t mix48(uint64_t x) noexcept {
  constexpr uint64_t kMask = (uint64_t{1} << 48) - 1;
  x &= kMask;
  x ^= x >> 23;
  x = (x * 0x9E3779B97F4Bull) & kMask;  // odd multiplier: invertible
  x ^= x >> 21;
  x = (x * 0xBF58476D1CE5ull) & kMask;
  x ^= x >> 25;
  return x;
}
}  // namespace

RequestIdGenerator::RequestIdGenerator() {
  std::random_device rd;
  base_ = (uint64_t(rd()) << 32) ^ rd();
}

std::string RequestIdGenerator::next() {
  static const char kHex[] = "0123456789abcdef";
  uint64_t v = mix48(base_ + counter_++);
  std::string id(12, '0');
  for (int i = 11; i >= 0; --i, v >>= 4) id[size_t(i)] = kHex[v & 0xF];
  return id;
}

bool acceptable_client_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace zcache::http
