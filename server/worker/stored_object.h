// How the worker keeps an object in the engine: the value bytes are a small header (a version
// byte and the Content-Type) followed by the body, so a GET can answer with the body's bytes
// straight out of the entry, with no copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zcache::worker {

// The engine's encoding byte for values written by the worker.
inline constexpr std::uint8_t kWorkerObjectEncoding = 0x57;  // 'W'

std::string encode_object(std::string_view content_type, std::string_view body);

struct ObjectView {
  std::string_view content_type;
  std::string_view body;
};
// Nothing when the bytes were not written by encode_object.
std::optional<ObjectView> decode_object(std::string_view stored);

}  // namespace zcache::worker
