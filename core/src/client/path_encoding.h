// path_encoding.h — one path segment percent-encoded (RFC 3986 §3.3): a node id such as "a/b?c"
// must reach the brain as one segment, not as a different route.
#pragma once

#include <string>
#include <string_view>

namespace zcache::client {

// Every byte except the unreserved set (ALPHA / DIGIT / "-" / "." / "_" / "~") becomes %XX.
std::string encode_path_segment(std::string_view segment);

}  // namespace zcache::client
