// The brain client's pure parts: options from the environment, the status table, path encoding.
#include <gtest/gtest.h>
#include <zcache/brain_client.h>

#include <map>
#include <string>

#include "client/path_encoding.h"
#include "client/response_mapping.h"

namespace zcache::client {
namespace {

BrainClientOptions from(std::map<std::string, std::string> env, BrainClientOverrides overrides = {}) {
  return from_environment(overrides, [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

std::string invalid_argument_message(const std::map<std::string, std::string>& env) {
  try {
    from(env);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(BrainClientOptions, DefaultsWithoutEnvironment) {
  BrainClientOptions o = from({});
  EXPECT_EQ(o.base_url, "http://127.0.0.1:8081");
  EXPECT_EQ(o.timeout_ms, 10'000);
  EXPECT_EQ(o.retries, 2);
  EXPECT_TRUE(o.enabled);
  EXPECT_TRUE(o.token.empty());
}

TEST(BrainClientOptions, ReadsTheVariables) {
  BrainClientOptions o = from({{"ZCACHE_BRAIN_URL", "http://brain:8081"}, {"ZATABASE_URL", "http://other:1"},
                               {"ZATABASE_TOKEN", "tok"}, {"ZCACHE_TIMEOUT", "2.5"}, {"ZCACHE_ENABLED", "FALSE"}});
  EXPECT_EQ(o.base_url, "http://other:1");  // ZATABASE_URL before ZCACHE_BRAIN_URL
  EXPECT_EQ(o.token, "tok");
  EXPECT_EQ(o.timeout_ms, 2500);
  EXPECT_FALSE(o.enabled);
  EXPECT_EQ(from({{"ZATABASE_URL", "https://z.example"}}).base_url, "https://z.example");
  EXPECT_EQ(from({{"ZCACHE_BRAIN_URL", "http://brain:8081"}}).base_url, "http://brain:8081");
  EXPECT_EQ(from({{"ZCACHE_BRAIN_URL", ""}}).base_url, "http://127.0.0.1:8081");  // empty = unset
}

TEST(BrainClientOptions, ExplicitOptionsWin) {
  BrainClientOverrides over;
  over.base_url = "http://mine:1";
  over.token = "t2";
  over.timeout_ms = 42;
  over.enabled = true;
  BrainClientOptions o = from({{"ZCACHE_BRAIN_URL", "http://env:2"}, {"ZATABASE_TOKEN", "t1"},
                               {"ZCACHE_TIMEOUT", "nonsense"}, {"ZCACHE_ENABLED", "nonsense"}},
                              over);
  EXPECT_EQ(o.base_url, "http://mine:1");
  EXPECT_EQ(o.token, "t2");
  EXPECT_EQ(o.timeout_ms, 42);
  EXPECT_TRUE(o.enabled);
}

TEST(BrainClientOptions, BadValuesNameTheirVariable) {
  EXPECT_NE(invalid_argument_message({{"ZCACHE_TIMEOUT", "ten"}}).find("ZCACHE_TIMEOUT"), std::string::npos);
  EXPECT_NE(invalid_argument_message({{"ZCACHE_TIMEOUT", "-1"}}).find("ZCACHE_TIMEOUT"), std::string::npos);
  EXPECT_NE(invalid_argument_message({{"ZCACHE_ENABLED", "maybe"}}).find("ZCACHE_ENABLED"), std::string::npos);
  EXPECT_NE(invalid_argument_message({{"ZCACHE_BRAIN_URL", "brain:8081"}}).find("ZCACHE_BRAIN_URL"), std::string::npos);
  EXPECT_NE(invalid_argument_message({{"ZATABASE_URL", "http://"}}).find("ZATABASE_URL"), std::string::npos);
}

TEST(BrainClientMapping, StatusKinds) {
  EXPECT_EQ(status_error_kind(400), ErrorKind::BadRequest);
  EXPECT_EQ(status_error_kind(401), ErrorKind::Unauthorized);
  EXPECT_EQ(status_error_kind(403), ErrorKind::Forbidden);
  EXPECT_EQ(status_error_kind(404), ErrorKind::NotFound);
  EXPECT_EQ(status_error_kind(409), ErrorKind::Conflict);
  EXPECT_EQ(status_error_kind(429), ErrorKind::RateLimited);
  EXPECT_EQ(status_error_kind(503), ErrorKind::Unavailable);
  EXPECT_EQ(status_error_kind(301), ErrorKind::Protocol);
  EXPECT_EQ(interpret_answer(302, "").error().kind(), ErrorKind::Protocol);
  EXPECT_TRUE(interpret_answer(204, "").value().is_null());
  EXPECT_EQ(interpret_answer(200, "[1]").value(), nlohmann::json::array({1}));
}

TEST(BrainClientMapping, ErrorMessageComesFromTheBody) {
  BrainResult r = interpret_answer(409, R"({"error":{"code":"conflict","message":"endpoint taken"}})");
  EXPECT_EQ(std::string(r.error().what()), "endpoint taken");
  EXPECT_EQ(r.error().http_status(), 409);
  EXPECT_EQ(std::string(interpret_answer(500, "").error().what()), "HTTP 500");
}

TEST(BrainClientPath, EncodesEverythingButUnreserved) {
  EXPECT_EQ(encode_path_segment("node-1.a_b~"), "node-1.a_b~");
  EXPECT_EQ(encode_path_segment("a/b c?#%"), "a%2Fb%20c%3F%23%25");
  EXPECT_EQ(encode_path_segment("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace zcache::client
