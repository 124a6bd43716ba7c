// The brain API's routing, authentication and error shapes, through a real server.
#include "brain_api_fixture.h"

#include "auth/base64url.h"

#include <sqlite3.h>

namespace zcache::brain::testing {
namespace {

TEST_F(BrainApiTest, HealthNeedsNoToken) {
  const ApiResponse r = call("GET", "/health", {}, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json, nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(call("HEAD", "/health", {}, "").status, 200);
  const ApiResponse post = call("POST", "/health", "{}", "");
  expect_error(post, 405, "method_not_allowed");
  EXPECT_EQ(post.header("Allow"), "GET, HEAD");
}

TEST_F(BrainApiTest, UnknownPathsAre404Json) {
  expect_error(call("GET", "/nope", {}, ""), 404, "not_found");
  expect_error(call("GET", "/v1/cache/nope"), 404, "not_found");
  expect_error(call("GET", "/v1/cache/status/"), 404, "not_found");
  expect_error(call("GET", "/v1/cache/nodes/node_0123456789abcdef/extra"), 404, "not_found");
}

TEST_F(BrainApiTest, WrongMethodIs405WithAllow) {
  struct Case { const char* method; const char* path; const char* allow; };
  for (const Case& c : {Case{"POST", "/v1/cache/status", "GET, HEAD"}, Case{"DELETE", "/v1/cache/nodes", "GET, HEAD"},
                        Case{"GET", "/v1/cache/purge", "POST"}, Case{"GET", "/v1/cache/nodes/register", "POST"},
                        Case{"DELETE", "/v1/cache/nodes/register", "POST"}, Case{"PUT", "/v1/cache/metrics", "GET, HEAD"},
                        Case{"POST", "/v1/cache/nodes/node_0123456789abcdef", "GET, HEAD, DELETE"},
                        Case{"DELETE", "/v1/cache/nodes/node_0123456789abcdef/metrics", "GET, HEAD"},
                        Case{"PUT", "/metrics", "GET, HEAD"}}) {
    const ApiResponse r = call(c.method, c.path, std::string_view(c.method) == "GET" ? "" : "{}");
    expect_error(r, 405, "method_not_allowed");
    EXPECT_EQ(r.header("Allow"), c.allow) << c.method << " " << c.path;
  }
}

// ---- Authentication ----

void expect_unauthorized(const ApiResponse& r) {
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer");
  ASSERT_TRUE(r.json.is_object()) << r.body;
  EXPECT_EQ(r.json["error"]["code"], "unauthorized");
  EXPECT_FALSE(r.json["error"]["message"].get<std::string>().empty());
}

// header.payload. with an empty signature, as `alg: none` tokens are.
std::string unsigned_token(const std::string& header_json, const std::string& payload_json) {
  return auth::base64url_encode(header_json) + "." + auth::base64url_encode(payload_json) + ".";
}

// Holds SQLite's write lock on `path` from another connection until `release` is ready.
void sqlite_hold_write_lock(const std::string& path, std::promise<void>& locked, std::future<void> release) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  locked.set_value();
  release.wait();
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
}

TEST_F(BrainApiTest, EveryApiRouteNeedsAToken) {
  for (const char* path : {"/v1/cache/status", "/v1/cache/nodes", "/v1/cache/metrics",
                           "/v1/cache/nodes/node_0123456789abcdef", "/v1/cache/nodes/node_0123456789abcdef/metrics",
                           "/v1/cache/unknown"})
    expect_unauthorized(call("GET", path, {}, ""));
  expect_unauthorized(call("POST", "/v1/cache/nodes/register", R"({"endpoint":"http://a:1","region":"r","capacity_bytes":1})", ""));
  expect_unauthorized(call("POST", "/v1/cache/purge", R"({"prefix":"a"})", ""));
  expect_unauthorized(call("DELETE", "/v1/cache/nodes/node_0123456789abcdef", {}, ""));
  // Nothing was done by the refused requests.
  EXPECT_TRUE(store_->list_nodes().empty());
  EXPECT_EQ(store_->purge_log_bounds().newest, 0);
}

TEST_F(BrainApiTest, BadTokensAre401) {
  const std::int64_t now_s = now_ms_.load() / 1000;
  auth::MintOptions expired;
  expired.now = now_s - 7200;
  expired.ttl_seconds = 3600;
  auth::MintOptions not_yet;
  not_yet.now = now_s;
  not_yet.nbf = now_s + 600;
  auth::MintOptions fine;
  fine.now = now_s;

  const std::string good = auth::mint_token(kSecret, fine);
  const std::string forged = auth::mint_token("another-secret", fine);
  std::string tampered = good;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  const std::string payload = R"({"sub":"admin","exp":)" + std::to_string(now_s + 3600) + "}";
  const std::string alg_none = unsigned_token(R"({"alg":"none","typ":"JWT"})", payload);
  // An HS256 signature of the payload under alg HS384: refused on the algorithm alone.
  const std::string hs384 = auth::base64url_encode(R"({"alg":"HS384","typ":"JWT"})") + good.substr(good.find('.'));

  for (const std::string& auth : {std::string("Bearer"), std::string("Bearer "), "Basic " + good, "Bearer  " + good,
                                  std::string("Bearer not.a.jwt"), "Bearer " + auth::mint_token(kSecret, expired),
                                  "Bearer " + auth::mint_token(kSecret, not_yet), "Bearer " + forged,
                                  "Bearer " + tampered, "Bearer " + alg_none, "Bearer " + hs384})
    expect_unauthorized(call("GET", "/v1/cache/status", {}, auth));
  EXPECT_EQ(call("GET", "/v1/cache/status", {}, "Bearer " + good).status, 200);
  EXPECT_EQ(call("GET", "/v1/cache/status", {}, "bearer " + good).status, 200);  // scheme is case-insensitive
}

TEST_F(BrainApiTest, TokenExpiryFollowsTheInjectedClock) {
  const std::string t = token(60);
  EXPECT_EQ(call("GET", "/v1/cache/status", {}, "Bearer " + t).status, 200);
  now_ms_ += 61'000;
  expect_unauthorized(call("GET", "/v1/cache/status", {}, "Bearer " + t));
}

// ---- Status ----

TEST_F(BrainApiTest, StatusOfAnEmptyCluster) {
  const ApiResponse r = call("GET", "/v1/cache/status");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").substr(0, 16), "application/json");
  EXPECT_EQ(r.json, nlohmann::json({{"brain_healthy", true}, {"total_nodes", 0}, {"online_nodes", 0},
                                    {"total_cache_bytes", 0}, {"used_cache_bytes", 0}, {"hit_ratio", 0.0}}));
}

TEST_F(BrainApiTest, StoreErrorsAre503) {
  stop();
  BrainStoreOptions o;
  o.busy_timeout_ms = 1;
  start(o);
  // Another connection holds the write lock: the store's write fails with SQLITE_BUSY.
  std::promise<void> locked, release;
  std::thread holder([&] {
    sqlite_hold_write_lock(dir_.file("brain.db"), locked, release.get_future());
  });
  locked.get_future().wait();
  const ApiResponse r = call_json("POST", "/v1/cache/nodes/register",
                                  {{"endpoint", "http://w1:9001"}, {"region", "eu"}, {"capacity_bytes", 10}});
  release.set_value();
  holder.join();
  expect_error(r, 503, "store_unavailable");
  // Reads still work, and the next write succeeds once the lock is gone.
  EXPECT_EQ(call("GET", "/v1/cache/status").status, 200);
  EXPECT_EQ(call_json("POST", "/v1/cache/nodes/register",
                      {{"endpoint", "http://w1:9001"}, {"region", "eu"}, {"capacity_bytes", 10}})
                .status,
            201);
}

}  // namespace
}  // namespace zcache::brain::testing
