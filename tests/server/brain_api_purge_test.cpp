// POST /v1/cache/purge: validation, fan-out to the online nodes through fake workers, sums,
// failures (timeouts, errors, bad answers), the purge log.
#include "brain_api_fixture.h"

#include "auth/bearer.h"

namespace zcache::brain::testing {
namespace {

// Fake workers keyed by endpoint host: each answers its own counts, or fails in its own way.
struct Workers {
  std::map<std::string, std::function<std::optional<HttpResponse>()>> by_endpoint;
  FakeTransport::Answer answer() {
    return [this](const HttpRequest& r) -> std::optional<HttpResponse> {
      for (auto& [endpoint, fn] : by_endpoint)
        if (r.url == endpoint + "/purge") return fn();
      return transport_failure(TransportError::Connect);
    };
  }
};

std::function<std::optional<HttpResponse>()> purged(std::int64_t objects, std::int64_t bytes) {
  return [=] { return http_answer(200, nlohmann::json{{"objects_purged", objects}, {"bytes_freed", bytes}}.dump()); };
}

TEST_F(BrainApiTest, PurgeRefusesBadSelectorsNamingTheField) {
  auto list = [](std::size_t n) {
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) a.push_back("k" + std::to_string(i));
    return a;
  };
  expect_field_error(call("POST", "/v1/cache/purge", ""), "body");
  expect_field_error(call("POST", "/v1/cache/purge", "prefix=a"), "body");
  expect_field_error(call("POST", "/v1/cache/purge", "[\"a\"]"), "body");
  expect_field_error(call("POST", "/v1/cache/purge", "{}"), "body");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"keys":[],"tags":[]})"), "body");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"prefix":null})"), "body");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"prefix":""})"), "prefix");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"prefix":5})"), "prefix");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"prefix":["a"]})"), "prefix");
  expect_field_error(call_json("POST", "/v1/cache/purge", {{"prefix", std::string(1025, 'p')}}), "prefix");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"keys":"a"})"), "keys");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"keys":["a",1]})"), "keys");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"keys":[""]})"), "keys");
  expect_field_error(call_json("POST", "/v1/cache/purge", {{"keys", list(10'001)}}), "keys");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"tags":{"a":1}})"), "tags");
  expect_field_error(call_json("POST", "/v1/cache/purge", {{"tags", list(1'001)}}), "tags");
  expect_field_error(call("POST", "/v1/cache/purge", R"({"prefix":"a","soft":"yes"})"), "soft");
  EXPECT_EQ(store_->purge_log_bounds().newest, 0);  // nothing refused was logged
  // The limits themselves are fine.
  EXPECT_EQ(call_json("POST", "/v1/cache/purge", {{"keys", list(10'000)}, {"tags", list(1'000)},
                                                  {"prefix", std::string(1024, 'p')}}).status, 200);
}

TEST_F(BrainApiTest, PurgeWithoutNodesAnswersZeros) {
  const ApiResponse r = call("POST", "/v1/cache/purge", R"({"prefix":"images/"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["objects_purged"], 0);
  EXPECT_EQ(r.json["bytes_freed"], 0);
  EXPECT_EQ(r.json["nodes_affected"], 0);
  EXPECT_EQ(r.json["nodes_failed"], 0);
  EXPECT_EQ(r.json["sequence"], 1);
}

TEST_F(BrainApiTest, PurgeFansOutToOnlineNodesAndSums) {
  Workers w;
  w.by_endpoint["http://a.example:1"] = purged(100, 5000);
  w.by_endpoint["http://b.example:2"] = purged(40, 2500);
  w.by_endpoint["http://c.example:3"] = purged(2, 10);
  w.by_endpoint["http://off.example:4"] = purged(1000, 1000);  // offline: must not be asked
  transport_.set_answer(w.answer());
  register_node("http://a.example:1");
  register_node("http://b.example:2");
  register_node("http://c.example:3");
  ASSERT_TRUE(store_->set_status(register_node("http://off.example:4"), NodeStatus::Offline));

  const ApiResponse r = call("POST", "/v1/cache/purge", R"({"prefix":"images/","keys":["assets/logo.png"],"extra":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["objects_purged"], 142);
  EXPECT_EQ(r.json["bytes_freed"], 7510);
  EXPECT_EQ(r.json["nodes_affected"], 3);
  EXPECT_EQ(r.json["nodes_failed"], 0);
  const std::int64_t seq = r.json["sequence"].get<std::int64_t>();

  // Each online worker got the normalized selector and the purge's sequence, with a token it can
  // verify.
  const auto sent = transport_.sent();
  ASSERT_EQ(sent.size(), 3u);
  for (const HttpRequest& req : sent) {
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(nlohmann::json::parse(req.body),
              nlohmann::json({{"prefix", "images/"}, {"keys", {"assets/logo.png"}}, {"sequence", seq}}));
    EXPECT_TRUE(auth::authenticate_bearer(req.headers.get("Authorization"), kSecret, now_ms_.load() / 1000).ok());
    EXPECT_EQ(req.headers.get("Content-Type"), "application/json");
    EXPECT_NE(req.url, "http://off.example:4/purge");
  }

  // Logged with its sequence number and the counts.
  const auto log = store_->purges_since(seq - 1, 10);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].seq, seq);
  EXPECT_TRUE(log[0].completed);
  EXPECT_EQ(log[0].counts, (PurgeCounts{142, 7510, 3}));
  EXPECT_EQ(log[0].selector, nlohmann::json({{"prefix", "images/"}, {"keys", {"assets/logo.png"}}}));

  // The next purge gets a greater sequence number.
  EXPECT_GT(call("POST", "/v1/cache/purge", R"({"tags":["t"]})").json["sequence"].get<std::int64_t>(), seq);
}

TEST_F(BrainApiTest, PurgeCompletesWhenNodesFailOrHang) {
  Workers w;
  w.by_endpoint["http://ok.example:1"] = purged(10, 100);
  w.by_endpoint["http://hang.example:2"] = [] { return std::nullopt; };  // never answers
  w.by_endpoint["http://err.example:3"] = [] { return http_answer(500, R"({"error":{}})"); };
  w.by_endpoint["http://junk.example:4"] = [] { return http_answer(200, "not json"); };
  w.by_endpoint["http://neg.example:5"] = [] { return http_answer(200, R"({"objects_purged":-1,"bytes_freed":0})"); };
  w.by_endpoint["http://down.example:6"] = [] { return transport_failure(TransportError::Connect); };
  w.by_endpoint["http://ok2.example:7"] = purged(5, 50);
  transport_.set_answer(w.answer());
  for (const auto& [endpoint, fn] : w.by_endpoint) register_node(endpoint);

  const ApiResponse r = call("POST", "/v1/cache/purge", R"({"keys":["a","b"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["objects_purged"], 15);
  EXPECT_EQ(r.json["bytes_freed"], 150);
  EXPECT_EQ(r.json["nodes_affected"], 2);
  EXPECT_EQ(r.json["nodes_failed"], 5);
  const auto log = store_->purges_since(0, 10);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_TRUE(log[0].completed);
  EXPECT_EQ(log[0].counts, (PurgeCounts{15, 150, 2}));
}

TEST_F(BrainApiTest, SoftPurgeIsForwarded) {
  transport_.set_answer([](const HttpRequest&) { return http_answer(200, R"({"objects_purged":1,"bytes_freed":2})"); });
  register_node("http://a.example:1");
  const auto r = call("POST", "/v1/cache/purge", R"({"tags":["x"],"soft":true})");
  EXPECT_EQ(r.status, 200);
  const auto sent = transport_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(sent[0].body),
            nlohmann::json({{"tags", {"x"}}, {"soft", true}, {"sequence", r.json["sequence"]}}));
}

TEST_F(BrainApiTest, PurgesAreCountedInPrometheus) {
  call("POST", "/v1/cache/purge", R"({"prefix":"a"})");
  call("POST", "/v1/cache/purge", R"({"prefix":"b"})");
  const std::string t = call("GET", "/metrics", {}, "").body;
  EXPECT_NE(t.find("zcache_purges_total 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("zcache_http_requests_total{route=\"/v1/cache/purge\",code=\"200\"} 2\n"), std::string::npos) << t;
}

}  // namespace
}  // namespace zcache::brain::testing
