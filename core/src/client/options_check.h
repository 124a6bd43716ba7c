// options_check.h — validation shared by from_environment() and the BrainClient constructor.
#pragma once

#include <zcache/brain_client.h>

#include <string>
#include <string_view>

namespace zcache::client {

// Throws Error(InvalidArgument) naming `what` unless `url` is http:// or https:// with a host.
void check_base_url(std::string_view what, const std::string& url);
// Throws Error(InvalidArgument) for a bad base_url, timeout, retry count or breaker setting.
void check_options(const BrainClientOptions& options);
// base_url without trailing slashes, so paths can be appended.
std::string trimmed_base_url(const std::string& url);

}  // namespace zcache::client
