// auth/hmac_sha256.h — HMAC-SHA256 (OpenSSL) and a constant-time comparison.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace zcache::auth {

using Sha256Digest = std::array<unsigned char, 32>;

// HMAC-SHA256(key, data). Returns false only if OpenSSL fails (out of memory).
bool hmac_sha256(std::string_view key, std::string_view data, Sha256Digest& out) noexcept;

// True when a and b are equal; the time taken depends only on the lengths (CRYPTO_memcmp).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace zcache::auth
