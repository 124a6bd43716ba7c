// The brain API's pure parts without a server: routing, the purge selector, the worker metrics
// format, purge answers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "brain/api/purge_fanout.h"
#include "brain/api/purge_selector.h"
#include "brain/api/route.h"
#include "brain/api/worker_metrics_format.h"

namespace zcache::brain {
namespace {

TEST(BrainRoute, MatchesEveryEndpoint) {
  const std::string id = "node_0123456789abcdef";
  struct Case { const char* method; std::string path; RouteId id; bool auth; };
  for (const Case& c : {Case{"GET", "/health", RouteId::Health, false}, Case{"GET", "/metrics", RouteId::PrometheusMetrics, false},
                        Case{"GET", "/v1/cache/status", RouteId::Status, true},
                        Case{"HEAD", "/v1/cache/status", RouteId::Status, true},
                        Case{"GET", "/v1/cache/nodes", RouteId::ListNodes, true},
                        Case{"POST", "/v1/cache/nodes/register", RouteId::RegisterNode, true},
                        Case{"GET", "/v1/cache/nodes/" + id, RouteId::GetNode, true},
                        Case{"DELETE", "/v1/cache/nodes/" + id, RouteId::DeleteNode, true},
                        Case{"GET", "/v1/cache/nodes/" + id + "/metrics", RouteId::NodeMetrics, true},
                        Case{"GET", "/v1/cache/metrics", RouteId::ClusterMetrics, true},
                        Case{"POST", "/v1/cache/purge", RouteId::Purge, true}}) {
    const RouteMatch m = match_route(c.method, c.path);
    EXPECT_EQ(m.id, c.id) << c.method << " " << c.path;
    EXPECT_TRUE(m.method_allowed) << c.path;
    EXPECT_EQ(m.needs_auth, c.auth) << c.path;
  }
  EXPECT_EQ(match_route("GET", "/v1/cache/nodes/" + id).node_id, id);
  EXPECT_EQ(match_route("GET", "/v1/cache/nodes/" + id + "/metrics").label, "/v1/cache/nodes/:node_id/metrics");
}

TEST(BrainRoute, RefusesOtherShapes) {
  for (const char* path : {"/", "", "/v1", "/v1/cache", "/v1/cache/", "/v1/cache/status/", "/v1/cache/nodes/",
                           "/v1/cache/nodes//metrics", "/v1/cache/nodes/node_0123456789abcdef/", "/v1/cache/nodes/register/x",
                           "/v1/cache/nodes/node_0123456789abcdef/metrics/", "/HEALTH", "/health/"}) {
    EXPECT_EQ(match_route("GET", path).id, RouteId::NotFound) << path;
  }
  EXPECT_TRUE(match_route("GET", "/v1/cache/anything").needs_auth);
  EXPECT_FALSE(match_route("GET", "/elsewhere").needs_auth);
  const RouteMatch m = match_route("PATCH", "/v1/cache/nodes/register");
  EXPECT_EQ(m.id, RouteId::RegisterNode);
  EXPECT_FALSE(m.method_allowed);
  EXPECT_EQ(m.allow, "POST");
}

TEST(PurgeSelector, NormalizesWhatItAccepts) {
  const auto s = parse_purge_selector(nlohmann::json::parse(
      R"({"prefix":"img/","keys":["a"],"tags":[],"soft":false,"other":{"x":1}})"));
  ASSERT_TRUE(s.ok()) << s.error.describe();
  EXPECT_EQ(*s.value, nlohmann::json::parse(R"({"prefix":"img/","keys":["a"]})"));
  const auto nulls = parse_purge_selector(nlohmann::json::parse(R"({"prefix":null,"keys":null,"tags":["t"]})"));
  ASSERT_TRUE(nulls.ok());
  EXPECT_EQ(*nulls.value, nlohmann::json::parse(R"({"tags":["t"]})"));
}

TEST(PurgeSelector, NamesTheRefusedField) {
  struct Case { const char* body; const char* field; };
  for (const Case& c : {Case{"{}", "body"}, Case{"[]", "body"}, Case{R"({"prefix":""})", "prefix"},
                        Case{R"({"prefix":true})", "prefix"}, Case{R"({"keys":{}})", "keys"}, Case{R"({"keys":[null]})", "keys"},
                        Case{R"({"tags":[1]})", "tags"}, Case{R"({"tags":"x"})", "tags"},
                        Case{R"({"prefix":"a","soft":1})", "soft"}}) {
    const auto s = parse_purge_selector(nlohmann::json::parse(c.body));
    EXPECT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.error.field, c.field) << c.body;
  }
}

TEST(WorkerMetricsFormat, ParsesTheDocumentedShape) {
  LatencyHistogram h;
  h.record(2000, 3);
  const nlohmann::json body = {{"hits", 5}, {"stale_hits", 1}, {"misses", 2}, {"bytes_served", 100},
                               {"bytes_stored", 50}, {"capacity_bytes", 1000}, {"object_count", 4},
                               {"evictions", 0}, {"latency", histogram_to_json(h)}, {"future_field", "x"}};
  std::string error;
  const auto report = parse_worker_metrics(body, &error);
  ASSERT_TRUE(report.has_value()) << error;
  EXPECT_EQ(report->counters, (MetricCounters{5, 2, 100, 50, 4, 0, 1000}));
  EXPECT_EQ(report->latency, h);

  for (const char* field : {"hits", "misses", "bytes_served", "bytes_stored", "capacity_bytes", "object_count",
                            "evictions", "latency"}) {
    nlohmann::json missing = body;
    missing.erase(field);
    EXPECT_FALSE(parse_worker_metrics(missing, &error).has_value()) << field;
    EXPECT_NE(error.find(field), std::string::npos) << error;
    nlohmann::json wrong = body;
    wrong[field] = "1";
    EXPECT_FALSE(parse_worker_metrics(wrong).has_value()) << field;
  }
  nlohmann::json negative = body;
  negative["misses"] = -1;
  EXPECT_FALSE(parse_worker_metrics(negative).has_value());
  EXPECT_FALSE(parse_worker_metrics(nlohmann::json::array()).has_value());
}

TEST(PurgeAnswer, AcceptsOnlyNonNegativeIntegers) {
  std::int64_t objects = 0, bytes = 0;
  EXPECT_TRUE(parse_purge_answer(R"({"objects_purged":3,"bytes_freed":40,"x":1})", objects, bytes));
  EXPECT_EQ(objects, 3);
  EXPECT_EQ(bytes, 40);
  for (const char* body : {"", "[]", "{}", R"({"objects_purged":3})", R"({"objects_purged":-3,"bytes_freed":1})",
                           R"({"objects_purged":1.5,"bytes_freed":1})", R"({"objects_purged":"3","bytes_freed":1})",
                           R"({"objects_purged":1,"bytes_freed":18446744073709551615})"})
    EXPECT_FALSE(parse_purge_answer(body, objects, bytes)) << body;
}

}  // namespace
}  // namespace zcache::brain
