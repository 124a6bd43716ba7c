#include <zcache/error.h>

namespace zcache {

std::string_view error_code(ErrorKind kind) noexcept {
  switch (kind) {
#define ZCACHE_X(name, code) \
  case ErrorKind::name:      \
    return code;
    ZCACHE_ERROR_KINDS(ZCACHE_X)
#undef ZCACHE_X
  }
  return "internal";
}

}  // namespace zcache
