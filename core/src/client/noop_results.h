// noop_results.h — what each call resolves to when the client is disabled (ZCACHE_ENABLED=false).
// The values are documented in zcache/brain_client.h; shapes follow the seed so callers need no
// special case.
#pragma once

#include <nlohmann/json.hpp>

namespace zcache::client {

nlohmann::json noop_status();
nlohmann::json noop_metrics();
nlohmann::json noop_purge();
nlohmann::json noop_health();

}  // namespace zcache::client
