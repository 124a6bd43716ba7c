#include "auth/hmac_sha256.h"

#include <climits>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace zcache::auth {

bool hmac_sha256(std::string_view key, std::string_view data, Sha256Digest& out) noexcept {
  if (key.size() > static_cast<std::size_t>(INT_MAX)) return false;
  unsigned int len = 0;
  // HMAC() with an empty key: pass a non-null pointer, OpenSSL treats a null key as "reuse".
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  const unsigned char* result =
      HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return result != nullptr && len == out.size();
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // The length of an HS256 signature is public; only the bytes need constant-time comparison.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace zcache::auth
