// The node registry endpoints: register, list, get, delete, validation, restart.
#include "brain_api_fixture.h"

namespace zcache::brain::testing {
namespace {

const nlohmann::json kRegistration = {{"endpoint", "https://worker-1.example.com:9001"},
                                      {"region", "us-east-1"},
                                      {"capacity_bytes", 5368709120}};

TEST_F(BrainApiTest, RegisterAnswers201WithTheNodeObject) {
  const ApiResponse r = call_json("POST", "/v1/cache/nodes/register", kRegistration);
  ASSERT_EQ(r.status, 201) << r.body;
  const nlohmann::json& n = r.json;
  const std::string id = n.value("node_id", "");
  EXPECT_TRUE(looks_like_node_id(id)) << id;
  EXPECT_EQ(n["endpoint"], "https://worker-1.example.com:9001");
  EXPECT_EQ(n["region"], "us-east-1");
  EXPECT_EQ(n["capacity_bytes"], 5368709120);
  EXPECT_EQ(n["used_bytes"], 0);
  EXPECT_EQ(n["object_count"], 0);
  EXPECT_EQ(n["status"], "online");
  EXPECT_EQ(n["registered_at"], "2026-03-06T12:00:00Z");
  EXPECT_EQ(n["last_seen_at"], "2026-03-06T12:00:00Z");
  EXPECT_EQ(n.size(), 9u) << n.dump();
  EXPECT_EQ(r.header("Location"), "/v1/cache/nodes/" + id);
}

TEST_F(BrainApiTest, ReRegisteringTheSameEndpointKeepsTheId) {
  const std::string id = register_node("http://w1.example.com:9001");
  now_ms_ += 5000;
  const ApiResponse again = call_json("POST", "/v1/cache/nodes/register",
                                      {{"endpoint", "HTTP://W1.example.com:9001/"}, {"region", "eu-2"}, {"capacity_bytes", 77}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["node_id"], id);
  EXPECT_EQ(again.json["region"], "eu-2");
  EXPECT_EQ(again.json["capacity_bytes"], 77);
  EXPECT_EQ(again.json["registered_at"], "2026-03-06T12:00:00Z");
  EXPECT_EQ(again.json["last_seen_at"], "2026-03-06T12:00:05Z");
  EXPECT_EQ(call("GET", "/v1/cache/nodes").json.size(), 1u);
}

TEST_F(BrainApiTest, RegisterToleratesAnotherContentType) {
  const ApiResponse r = call("POST", "/v1/cache/nodes/register", kRegistration.dump(), std::nullopt,
                             "Content-Type: text/plain\r\n");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(BrainApiTest, RegisterRefusesBadBodiesNamingTheField) {
  expect_field_error(call("POST", "/v1/cache/nodes/register", ""), "body");
  expect_field_error(call("POST", "/v1/cache/nodes/register", "{not json"), "body");
  expect_field_error(call("POST", "/v1/cache/nodes/register", "[1,2]"), "body");
  expect_field_error(call("POST", "/v1/cache/nodes/register", "\"text\""), "body");
  expect_field_error(call("POST", "/v1/cache/nodes/register", "null"), "body");

  auto with = [](const char* field, nlohmann::json value) {
    nlohmann::json body = kRegistration;
    if (value.is_discarded()) body.erase(field);
    else body[field] = std::move(value);
    return body.dump();
  };
  const nlohmann::json absent = nlohmann::json::value_t::discarded;
  struct Case { const char* field; nlohmann::json value; };
  const std::vector<Case> cases = {
      {"endpoint", absent}, {"endpoint", 5}, {"endpoint", nullptr}, {"endpoint", ""}, {"endpoint", "ftp://w:1"},
      {"endpoint", "worker-1:9001"}, {"endpoint", "http://user@w:1"}, {"endpoint", "http://w:99999"},
      {"region", absent}, {"region", ""}, {"region", std::string(65, 'r')}, {"region", 7}, {"region", nlohmann::json::array()},
      {"capacity_bytes", absent}, {"capacity_bytes", 0}, {"capacity_bytes", -5}, {"capacity_bytes", 1.5},
      {"capacity_bytes", "5368709120"}, {"capacity_bytes", true}, {"capacity_bytes", nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.field) + " = " + (c.value.is_discarded() ? "(absent)" : c.value.dump()));
    expect_field_error(call("POST", "/v1/cache/nodes/register", with(c.field, c.value)), c.field);
  }
  EXPECT_TRUE(store_->list_nodes().empty());
}

TEST_F(BrainApiTest, ListNodesIsABareArrayInRegistrationOrder) {
  EXPECT_EQ(call("GET", "/v1/cache/nodes").json, nlohmann::json::array());
  const std::string a = register_node("http://a.example:1");
  const std::string b = register_node("http://b.example:2", 2000, "ap-9");
  const ApiResponse r = call("GET", "/v1/cache/nodes");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.json.is_array()) << r.body;
  ASSERT_EQ(r.json.size(), 2u);
  EXPECT_EQ(r.json[0]["node_id"], a);
  EXPECT_EQ(r.json[1]["node_id"], b);
  EXPECT_EQ(r.json[1]["region"], "ap-9");
  for (const char* field : {"node_id", "endpoint", "region", "capacity_bytes", "used_bytes", "object_count", "status",
                            "registered_at", "last_seen_at"})
    EXPECT_TRUE(r.json[0].contains(field)) << field;
}

TEST_F(BrainApiTest, GetAndDeleteANode) {
  const std::string id = register_node("http://a.example:1");
  const ApiResponse got = call("GET", "/v1/cache/nodes/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json["node_id"], id);
  EXPECT_EQ(got.json["endpoint"], "http://a.example:1");

  const ApiResponse deleted = call("DELETE", "/v1/cache/nodes/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  expect_error(call("GET", "/v1/cache/nodes/" + id), 404, "not_found");
  expect_error(call("DELETE", "/v1/cache/nodes/" + id), 404, "not_found");
  expect_error(call("GET", "/v1/cache/nodes/" + id + "/metrics"), 404, "not_found");
}

TEST_F(BrainApiTest, UnknownAndMalformedNodeIdsAre404) {
  for (const char* id : {"node_0000000000000000", "node_ABCDEF0123456789", "nope", "node_", "node_0123456789abcdef0",
                         "%6eode_0123456789abcdeg"}) {
    SCOPED_TRACE(id);
    expect_error(call("GET", std::string("/v1/cache/nodes/") + id), 404, "not_found");
    expect_error(call("DELETE", std::string("/v1/cache/nodes/") + id), 404, "not_found");
    expect_error(call("GET", std::string("/v1/cache/nodes/") + id + "/metrics"), 404, "not_found");
  }
}

TEST_F(BrainApiTest, ARestartedBrainKeepsItsRegistry) {
  const std::string a = register_node("http://a.example:1", 111);
  const std::string b = register_node("http://b.example:2", 222);
  ASSERT_TRUE(store_->set_status(b, NodeStatus::Offline));
  const nlohmann::json before = call("GET", "/v1/cache/nodes").json;

  stop();   // server, API and store closed
  start();  // the same file reopened
  EXPECT_EQ(call("GET", "/v1/cache/nodes").json, before);
  EXPECT_EQ(call("GET", "/v1/cache/nodes/" + b).json["status"], "offline");
  const ApiResponse status = call("GET", "/v1/cache/status");
  EXPECT_EQ(status.json["total_nodes"], 2);
  EXPECT_EQ(status.json["online_nodes"], 1);
  EXPECT_EQ(status.json["total_cache_bytes"], 333);
  // Re-registration after the restart still finds the node.
  EXPECT_EQ(register_node("http://a.example:1", 111), a);
}

}  // namespace
}  // namespace zcache::brain::testing
