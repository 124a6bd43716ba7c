#include "worker/stored_object.h"

namespace zcache::worker {
namespace {
constexpr char kVersion = 1;
constexpr std::size_t kMaxContentType = 255;
}  // namespace

std::string encode_object(std::string_view content_type, std::string_view body) {
  if (content_type.size() > kMaxContentType) content_type = content_type.substr(0, kMaxContentType);
  std::string out;
  out.reserve(2 + content_type.size() + body.size());
  out.push_back(kVersion);
  out.push_back(static_cast<char>(content_type.size()));
  out.append(content_type);
  out.append(body);
  return out;
}

std::optional<ObjectView> decode_object(std::string_view stored) {
  if (stored.size() < 2 || stored[0] != kVersion) return std::nullopt;
  const std::size_t ct = static_cast<unsigned char>(stored[1]);
  if (stored.size() < 2 + ct) return std::nullopt;
  return ObjectView{stored.substr(2, ct), stored.substr(2 + ct)};
}

}  // namespace zcache::worker
