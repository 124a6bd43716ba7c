// The core's BrainClient against the real brain API (BrainApi over a BrainStore file): the seed's
// calls end to end, and the errors the brain really produces.
#include <gtest/gtest.h>
#include <zcache/brain_client.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "brain_api_fixture.h"

namespace zcache::brain::testing {
namespace {

class BrainClientRealBrainTest : public BrainApiTest {
 protected:
  BrainClientOptions options(std::string token) const {
    BrainClientOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(server_->port());
    o.token = std::move(token);
    o.timeout_ms = 5'000;
    return o;
  }

  static BrainResult await(const std::function<void(BrainClient::Callback)>& call) {
    auto promise = std::make_shared<std::promise<BrainResult>>();
    auto future = promise->get_future();
    call([promise](BrainResult r) { promise->set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << "the brain client never called back";
      return BrainResult(Error(ErrorKind::Internal, "no callback"));
    }
    return future.get();
  }
};

TEST_F(BrainClientRealBrainTest, TheSeedsCallsEndToEnd) {
  BrainClient brain(options(token()));

  BrainResult health = await([&](auto done) { brain.health(done); });
  ASSERT_TRUE(health.ok()) << health.error().what();

  BrainResult status = await([&](auto done) { brain.get_status(done); });
  ASSERT_TRUE(status.ok()) << status.error().what();
  for (const char* field : {"brain_healthy", "total_nodes", "online_nodes", "total_cache_bytes", "used_cache_bytes", "hit_ratio"})
    EXPECT_TRUE(status.value().contains(field)) << field << " in " << status.value().dump();

  BrainResult purge = await([&](auto done) { brain.purge({{"prefix", "images/"}}, done); });
  ASSERT_TRUE(purge.ok()) << purge.error().what();
  EXPECT_EQ(purge.value()["objects_purged"], 0);
  EXPECT_TRUE(purge.value().contains("bytes_freed"));
  EXPECT_TRUE(purge.value().contains("nodes_affected"));

  BrainResult reg = await([&](auto done) {
    brain.register_node({{"endpoint", "http://127.0.0.1:9001"}, {"region", "eu-west-1"}, {"capacity_bytes", 10737418240}}, done);
  });
  ASSERT_TRUE(reg.ok()) << reg.error().what();
  const std::string id = reg.value().at("node_id").get<std::string>();
  ASSERT_FALSE(id.empty());

  BrainResult nodes = await([&](auto done) { brain.list_nodes(done); });
  ASSERT_TRUE(nodes.ok()) << nodes.error().what();
  ASSERT_TRUE(nodes.value().is_array());
  EXPECT_EQ(nodes.value().size(), 1u);

  BrainResult node = await([&](auto done) { brain.get_node(id, done); });
  ASSERT_TRUE(node.ok()) << node.error().what();
  EXPECT_EQ(node.value()["node_id"], id);
  EXPECT_TRUE(await([&](auto done) { brain.get_node_metrics(id, done); }).ok());

  BrainResult metrics = await([&](auto done) { brain.get_metrics(done); });
  ASSERT_TRUE(metrics.ok()) << metrics.error().what();
  EXPECT_TRUE(metrics.value().contains("p99_latency_ms")) << metrics.value().dump();

  BrainResult gone = await([&](auto done) { brain.deregister_node(id, done); });
  ASSERT_TRUE(gone.ok()) << gone.error().what();
  BrainResult missing = await([&](auto done) { brain.get_node(id, done); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(missing.error().http_status(), 404);
  EXPECT_NE(std::string(missing.error().what()).find(id), std::string::npos) << missing.error().what();
}

TEST_F(BrainClientRealBrainTest, RealErrors) {
  BrainClient brain(options(token()));
  BrainResult bad = await([&](auto done) { brain.register_node({{"endpoint", 42}}, done); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::BadRequest);
  EXPECT_EQ(bad.error().http_status(), 400);

  BrainClient wrong(options("not-a-token"));
  BrainResult denied = await([&](auto done) { wrong.get_status(done); });
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().kind(), ErrorKind::Unauthorized);
  EXPECT_EQ(denied.error().http_status(), 401);
  EXPECT_FALSE(std::string(denied.error().what()).empty());
}

}  // namespace
}  // namespace zcache::brain::testing
