// auth/base64url.h — strict base64url (RFC 4648 §5) without padding, as JWS compact form uses it.
//
// Hand-written rather than OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock: those speak standard base64
// with padding, skip whitespace and cannot reject non-canonical input. A token must have exactly
// one spelling, so decode() refuses padding, whitespace, characters outside the alphabet, a length
// of 4n+1, and non-zero unused bits in the last character.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zcache::auth {

std::string base64url_encode(std::string_view bytes);

// The decoded bytes, or nullopt when `text` is not canonical unpadded base64url.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace zcache::auth
