// url.h — percent-decoding of request paths and parsing of query strings (RFC 3986 §2.1,
// application/x-www-form-urlencoded for queries). Pure functions: no I/O, easy to fuzz.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zcache::http {

// Query parameters in the order they appear; a key may repeat.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes into `out` (replacing its contents). With `plus_is_space` a '+' becomes ' '
// (query strings). Returns false on a malformed escape ("%", "%4", "%zz") or, when
// `reject_nul` is set, on an encoded NUL byte; `out` is then unspecified.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space = false,
                    bool reject_nul = false);

// Splits "a=1&b=x%20y&c" into {{"a","1"},{"b","x y"},{"c",""}}. Lenient, as browsers are: an
// undecodable key or value is kept verbatim, empty pairs ("a=1&&b=2") are skipped.
QueryParams parse_query(std::string_view query);

}  // namespace zcache::http
