// The worker's object API over a real HTTP server on a loopback port.
#include "test_client.h"
#include "worker/object_api.h"

#include <gtest/gtest.h>

namespace zcache::worker {
namespace {

using http::test::Client;
using http::test::ClientResponse;
using http::test::TestServer;

struct WorkerApiTest : ::testing::Test {
  CacheOptions small() {
    CacheOptions o;
    o.max_bytes = 4 << 20;
    o.shards = 1;
    o.background_maintenance = false;
    return o;
  }
  Cache cache{small()};
  WorkerMetrics metrics;
  ObjectApi api{cache, metrics};
  TestServer server{[this](http::Request&& req, http::Responder res) {
    if (!api.handle(req, res)) res.send_error(404, "not_found", "no such route");
  }};

  std::optional<ClientResponse> request(std::string_view method, std::string_view path, std::string_view headers = {},
                                        std::string_view body = {}) {
    Client c(server.port());
    std::string raw = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(headers) +
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
    if (!c.send(raw)) return std::nullopt;
    return c.read_response(method == "HEAD");
  }
};

TEST_F(WorkerApiTest, PutThenGetServesTheBodyWithCacheStatus) {
  auto put = request("PUT", "/objects/images/logo.png", "Content-Type: image/png\r\nZcache-Ttl: 60\r\nZcache-Tags: media, brand\r\n",
                     "PNGDATA");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(put->header("Cache-Status"), "zcache; fwd=miss; stored");
  auto got = request("GET", "/objects/images/logo.png");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "PNGDATA");
  EXPECT_EQ(got->header("Content-Type"), "image/png");
  EXPECT_EQ(got->header("Cache-Status"), "zcache; hit; detail=memory");
  auto head = request("HEAD", "/objects/images/logo.png");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(metrics.hits.load(), 2u);
  EXPECT_EQ(metrics.bytes_served.load(), 7u);
}

TEST_F(WorkerApiTest, MissingObjectIs404WithAMissStatus) {
  auto r = request("GET", "/objects/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("Cache-Status"), "zcache; fwd=miss");
  EXPECT_EQ(metrics.misses.load(), 1u);
}

TEST_F(WorkerApiTest, CacheControlSetsTheWindowsWhenNoZcacheHeaders) {
  request("PUT", "/objects/a", "Cache-Control: s-maxage=120, stale-while-revalidate=30\r\n", "x");
  EntryRef e = cache.get("a").value;
  ASSERT_TRUE(e);
  EXPECT_NEAR(static_cast<double>(e.stale_until_ms() - e.fresh_until_ms()), 30'000, 1);
}

TEST_F(WorkerApiTest, DeleteAndPurge) {
  request("PUT", "/objects/img/1", "Zcache-Tags: media\r\n", "a");
  request("PUT", "/objects/img/2", "", "b");
  request("PUT", "/objects/doc/1", "", "c");
  EXPECT_EQ(request("DELETE", "/objects/doc/1")->status, 204);
  EXPECT_EQ(request("DELETE", "/objects/doc/1")->status, 404);
  auto purged = request("POST", "/purge", "Content-Type: application/json\r\n", R"({"prefix":"img/","tags":["media"]})");
  ASSERT_TRUE(purged);
  EXPECT_EQ(purged->status, 200);
  EXPECT_NE(purged->body.find("\"objects_purged\":2"), std::string::npos);
  EXPECT_EQ(request("GET", "/objects/img/2")->status, 404);
}

TEST_F(WorkerApiTest, BadInputGetsA4xxNamingTheProblem) {
  auto bad_ttl = request("PUT", "/objects/a", "Zcache-Ttl: soon\r\n", "x");
  EXPECT_EQ(bad_ttl->status, 400);
  EXPECT_NE(bad_ttl->body.find("Zcache-Ttl"), std::string::npos);
  EXPECT_EQ(request("PUT", "/objects/a", "Zcache-Ttl: -1\r\n", "x")->status, 400);
  EXPECT_EQ(request("PUT", "/objects/", "", "x")->status, 400);
  EXPECT_EQ(request("PATCH", "/objects/a", "", "x")->status, 405);
  EXPECT_EQ(request("GET", "/purge")->status, 405);
  for (std::string body : {"", "[]", "{\"keys\":\"a\"}", "{\"keys\":[1]}", "{\"prefix\":3}", "{\"soft\":\"yes\"}", "{}", "{\"prefix\":\"\"}"}) {
    auto r = request("POST", "/purge", "", body);
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body << " -> " << r->body;
  }
  std::string too_many_tags;
  for (int i = 0; i < 70; ++i) too_many_tags += "t" + std::to_string(i) + ",";
  EXPECT_EQ(request("PUT", "/objects/a", "Zcache-Tags: " + too_many_tags + "\r\n", "x")->status, 400);
  EXPECT_EQ(request("PUT", "/objects/big", "", std::string(5 << 20, 'x'))->status, 413);
}

}  // namespace
}  // namespace zcache::worker

namespace zcache::worker {
namespace {

TEST_F(WorkerApiTest, MetricsReportCountersEngineStateAndLatency) {
  request("PUT", "/objects/a", "", "12345");
  request("GET", "/objects/a");
  request("GET", "/objects/b");
  auto r = request("GET", "/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const auto m = nlohmann::json::parse(r->body);
  EXPECT_EQ(m["hits"], 1);
  EXPECT_EQ(m["misses"], 1);
  EXPECT_EQ(m["bytes_served"], 5);
  EXPECT_EQ(m["object_count"], 1);
  EXPECT_EQ(m["capacity_bytes"], 4 << 20);
  EXPECT_GT(m["bytes_stored"].get<std::uint64_t>(), 5u);
  auto h = brain::histogram_from_json(m["latency"]);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->count(), 2u);  // both reads, hit and miss
}

}  // namespace
}  // namespace zcache::worker
