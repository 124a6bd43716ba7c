// brain/store/node_id.h — fresh node ids.
#pragma once

#include <string>
#include <string_view>

namespace zcache::brain {

// "node_" + 16 lower-case hex digits from the OS random source (std::random_device → getrandom):
// unguessable, so one worker cannot predict another's id, and unique in practice (the store still
// retries on the UNIQUE constraint).
std::string new_node_id();

// True for the shape new_node_id() produces. Lets the HTTP layer answer 404 early for junk ids.
bool looks_like_node_id(std::string_view text) noexcept;

}  // namespace zcache::brain
