#include "brain/store/node_id.h"

#include <cstdint>
#include <random>

namespace zcache::brain {

std::string new_node_id() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ static_cast<std::uint64_t>(rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "node_";
  for (int shift = 60; shift >= 0; shift -= 4) id += kHex[(v >> shift) & 0xF];
  return id;
}

bool looks_like_node_id(std::string_view text) noexcept {
  if (text.size() != 21 || text.substr(0, 5) != "node_") return false;
  for (char c : text.substr(5)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace zcache::brain
