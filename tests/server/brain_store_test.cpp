// Tests for brain/store/brain_store.h: node registry, metric samples, purge log, restart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "brain/store/brain_store.h"
#include "brain/store/node_id.h"
#include "brain_store_test_util.h"

namespace zcache::brain {
namespace {

using nlohmann::json;
using testing::TempDir;

constexpr std::int64_t kT0 = 1'772'798'400'000;  // 2026-03-06T12:00:00Z in ms

class BrainStoreTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.file("brain.db");
};

// ---- registry ----

TEST_F(BrainStoreTest, RegisterCreatesAnOnlineNode) {
  BrainStore store(path);
  const RegisterResult r = store.register_node("https://worker-1.example.com:9001", "us-east-1", 5368709120, kT0);
  EXPECT_TRUE(r.created);
  EXPECT_TRUE(looks_like_node_id(r.node.node_id)) << r.node.node_id;
  EXPECT_EQ(r.node.endpoint, "https://worker-1.example.com:9001");
  EXPECT_EQ(r.node.region, "us-east-1");
  EXPECT_EQ(r.node.capacity_bytes, 5368709120);
  EXPECT_EQ(r.node.used_bytes, 0);
  EXPECT_EQ(r.node.object_count, 0);
  EXPECT_EQ(r.node.status, NodeStatus::Online);
  EXPECT_EQ(r.node.registered_at_ms, kT0);
  EXPECT_EQ(r.node.last_seen_at_ms, kT0);
  EXPECT_EQ(store.get_node(r.node.node_id), r.node);
}

TEST_F(BrainStoreTest, NodeJsonHasTheSeedFields) {
  BrainStore store(path);
  const Node n = store.register_node("https://w.example.com:9001", "eu-west-1", 10737418240, kT0).node;
  const json j = node_to_json(n);
  EXPECT_EQ(j.size(), 9u);
  EXPECT_EQ(j["node_id"], n.node_id);
  EXPECT_EQ(j["endpoint"], "https://w.example.com:9001");
  EXPECT_EQ(j["region"], "eu-west-1");
  EXPECT_EQ(j["capacity_bytes"], 10737418240);
  EXPECT_EQ(j["used_bytes"], 0);
  EXPECT_EQ(j["object_count"], 0);
  EXPECT_EQ(j["status"], "online");
  EXPECT_EQ(j["registered_at"], "2026-03-06T12:00:00Z");
  EXPECT_EQ(j["last_seen_at"], "2026-03-06T12:00:00Z");
}

TEST_F(BrainStoreTest, ReRegisteringTheSameEndpointKeepsTheNodeId) {
  BrainStore store(path);
  const Node first = store.register_node("https://w1.example.com:9001", "us-east-1", 1000, kT0).node;
  ASSERT_TRUE(store.set_status(first.node_id, NodeStatus::Offline));
  ASSERT_TRUE(store.touch(first.node_id, kT0 + 5, 400, 7));
  // Same endpoint spelt differently (case, trailing slash): still the same node.
  const RegisterResult again = store.register_node("HTTPS://W1.Example.com:9001/", "us-west-2", 2000, kT0 + 60000);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.node.node_id, first.node_id);
  EXPECT_EQ(again.node.region, "us-west-2");
  EXPECT_EQ(again.node.capacity_bytes, 2000);
  EXPECT_EQ(again.node.status, NodeStatus::Online);
  EXPECT_EQ(again.node.registered_at_ms, kT0);
  EXPECT_EQ(again.node.last_seen_at_ms, kT0 + 60000);
  EXPECT_EQ(again.node.used_bytes, 400);  // usage is the poller's, registration leaves it
  EXPECT_EQ(store.list_nodes().size(), 1u);
}

TEST_F(BrainStoreTest, DifferentEndpointsGetDifferentIds) {
  BrainStore store(path);
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    ids.insert(store.register_node("http://10.0.0." + std::to_string(i + 1) + ":9001", "r", 1, kT0).node.node_id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST_F(BrainStoreTest, ListIsInRegistrationOrder) {
  BrainStore store(path);
  std::vector<std::string> ids;
  for (const char* host : {"http://c.example", "http://a.example", "http://b.example"}) {
    ids.push_back(store.register_node(host, "r", 1, kT0).node.node_id);
  }
  store.register_node("http://a.example", "r2", 1, kT0 + 1);  // re-registration keeps its place
  const auto nodes = store.list_nodes();
  ASSERT_EQ(nodes.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(nodes[i].node_id, ids[i]);
}

TEST_F(BrainStoreTest, GetAndFindUnknown) {
  BrainStore store(path);
  EXPECT_FALSE(store.get_node("node_0000000000000000"));
  EXPECT_FALSE(store.get_node(""));
  EXPECT_FALSE(store.get_node("'; DROP TABLE nodes; --"));
  const Node n = store.register_node("http://x.example:1", "r", 1, kT0).node;
  EXPECT_EQ(store.find_node_by_endpoint("HTTP://X.EXAMPLE:1/"), n);
  EXPECT_FALSE(store.find_node_by_endpoint("http://y.example:1"));
  EXPECT_FALSE(store.find_node_by_endpoint("not a url"));
}

TEST_F(BrainStoreTest, Deregister) {
  BrainStore store(path);
  const Node n = store.register_node("http://x.example:1", "r", 1, kT0).node;
  ASSERT_TRUE(store.record_sample(n.node_id, kT0, MetricCounters{.hits = 1}, LatencyHistogram{}));
  EXPECT_TRUE(store.deregister_node(n.node_id));
  EXPECT_FALSE(store.get_node(n.node_id));
  EXPECT_FALSE(store.deregister_node(n.node_id));
  EXPECT_TRUE(store.list_nodes().empty());
  EXPECT_TRUE(store.latest_samples().empty());  // its samples went with it
  // Registering the endpoint again makes a new node.
  EXPECT_NE(store.register_node("http://x.example:1", "r", 1, kT0).node.node_id, n.node_id);
}

TEST_F(BrainStoreTest, SetStatus) {
  BrainStore store(path);
  const Node n = store.register_node("http://x.example:1", "r", 1, kT0).node;
  for (NodeStatus s : {NodeStatus::Offline, NodeStatus::Draining, NodeStatus::Online}) {
    EXPECT_TRUE(store.set_status(n.node_id, s));
    EXPECT_EQ(store.get_node(n.node_id)->status, s);
  }
  EXPECT_FALSE(store.set_status("node_ffffffffffffffff", NodeStatus::Offline));
  EXPECT_EQ(parse_node_status("draining"), NodeStatus::Draining);
  EXPECT_FALSE(parse_node_status("Online"));
  EXPECT_EQ(to_string(NodeStatus::Offline), "offline");
}

TEST_F(BrainStoreTest, TouchUpdatesUsageAndLastSeenButNotStatus) {
  BrainStore store(path);
  const Node n = store.register_node("http://x.example:1", "r", 1000, kT0).node;
  ASSERT_TRUE(store.set_status(n.node_id, NodeStatus::Draining));
  EXPECT_TRUE(store.touch(n.node_id, kT0 + 30000, 512, 9));
  const Node t = *store.get_node(n.node_id);
  EXPECT_EQ(t.last_seen_at_ms, kT0 + 30000);
  EXPECT_EQ(t.used_bytes, 512);
  EXPECT_EQ(t.object_count, 9);
  EXPECT_EQ(t.status, NodeStatus::Draining);
  EXPECT_EQ(t.registered_at_ms, kT0);
  EXPECT_TRUE(store.touch(n.node_id, kT0 + 30001, -5, -1));  // nonsense from a worker → 0
  EXPECT_EQ(store.get_node(n.node_id)->used_bytes, 0);
  EXPECT_FALSE(store.touch("node_ffffffffffffffff", kT0, 1, 1));
}

TEST_F(BrainStoreTest, RegisterRefusesInvalidFields) {
  BrainStore store(path);
  EXPECT_THROW(store.register_node("ftp://x", "r", 1, kT0), std::invalid_argument);
  EXPECT_THROW(store.register_node("http://x", "", 1, kT0), std::invalid_argument);
  EXPECT_THROW(store.register_node("http://x", "r", 0, kT0), std::invalid_argument);
  EXPECT_TRUE(store.list_nodes().empty());
}

// ---- metric samples ----

MetricCounters counters(std::uint64_t base) {
  return MetricCounters{base, base + 1, base + 2, base + 3, base + 4, base + 5, base + 6};
}

TEST_F(BrainStoreTest, RecordAndReadSamples) {
  BrainStore store(path);
  const Node a = store.register_node("http://a.example", "r", 1, kT0).node;
  const Node b = store.register_node("http://b.example", "r", 1, kT0).node;
  LatencyHistogram h;
  h.record(800);
  h.record(12000, 3);
  ASSERT_TRUE(store.record_sample(a.node_id, kT0, counters(10), h));
  ASSERT_TRUE(store.record_sample(a.node_id, kT0 + 1000, counters(20), h));
  ASSERT_TRUE(store.record_sample(b.node_id, kT0 + 500, counters(30), LatencyHistogram{}));
  EXPECT_FALSE(store.record_sample("node_0000000000000000", kT0, counters(1), h));

  const auto latest = store.latest_samples();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].node_id, a.node_id);
  EXPECT_EQ(latest[0].collected_at_ms, kT0 + 1000);
  EXPECT_EQ(latest[0].counters, counters(20));
  EXPECT_EQ(latest[0].latency, h);
  EXPECT_EQ(latest[1].node_id, b.node_id);
  EXPECT_EQ(latest[1].counters, counters(30));
  EXPECT_TRUE(latest[1].latency.empty());

  const auto one = store.latest_sample(a.node_id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->counters, counters(20));
  EXPECT_FALSE(store.latest_sample("node_0000000000000000"));

  const auto history = store.samples(a.node_id, 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].collected_at_ms, kT0 + 1000);  // newest first
  EXPECT_EQ(history[1].collected_at_ms, kT0);
  EXPECT_EQ(store.samples(a.node_id, 1).size(), 1u);
}

TEST_F(BrainStoreTest, NodesWithoutSamplesAreLeftOutOfLatest) {
  BrainStore store(path);
  store.register_node("http://a.example", "r", 1, kT0);
  EXPECT_TRUE(store.latest_samples().empty());
}

TEST_F(BrainStoreTest, HugeCountersAreClampedNotWrapped) {
  BrainStore store(path);
  const Node a = store.register_node("http://a.example", "r", 1, kT0).node;
  MetricCounters c;
  c.hits = UINT64_MAX;
  ASSERT_TRUE(store.record_sample(a.node_id, kT0, c, LatencyHistogram{}));
  EXPECT_EQ(store.latest_sample(a.node_id)->counters.hits, static_cast<std::uint64_t>(INT64_MAX));
}

TEST_F(BrainStoreTest, SampleRetentionByCount) {
  BrainStore store(path, BrainStoreOptions{.max_samples_per_node = 5, .max_sample_age_ms = 0});
  const Node a = store.register_node("http://a.example", "r", 1, kT0).node;
  const Node b = store.register_node("http://b.example", "r", 1, kT0).node;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.record_sample(a.node_id, kT0 + i, counters(i), LatencyHistogram{}));
  ASSERT_TRUE(store.record_sample(b.node_id, kT0, counters(100), LatencyHistogram{}));
  const auto kept = store.samples(a.node_id, 100);
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept.front().counters, counters(19));
  EXPECT_EQ(kept.back().counters, counters(15));
  EXPECT_EQ(store.samples(b.node_id, 100).size(), 1u);  // per node: b keeps its own
}

TEST_F(BrainStoreTest, SampleRetentionByAge) {
  constexpr std::int64_t kHour = 3600'000;
  BrainStore store(path, BrainStoreOptions{.max_samples_per_node = 1000, .max_sample_age_ms = kHour});
  const Node a = store.register_node("http://a.example", "r", 1, kT0).node;
  const Node b = store.register_node("http://b.example", "r", 1, kT0).node;
  ASSERT_TRUE(store.record_sample(b.node_id, kT0, counters(1), LatencyHistogram{}));  // b then goes quiet
  for (int i = 0; i <= 6; ++i) {
    ASSERT_TRUE(store.record_sample(a.node_id, kT0 + i * (kHour / 2), counters(i), LatencyHistogram{}));
  }
  // Newest at kT0 + 3h: samples older than kT0 + 2h are gone (2h itself stays).
  const auto kept = store.samples(a.node_id, 100);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.back().collected_at_ms, kT0 + 2 * kHour);
  EXPECT_TRUE(store.samples(b.node_id, 100).empty());
  EXPECT_EQ(store.latest_samples().size(), 1u);
}

// ---- purge log ----

TEST_F(BrainStoreTest, PurgeLogSequenceAndContents) {
  BrainStore store(path);
  EXPECT_EQ(store.purge_log_bounds().oldest, 0);
  EXPECT_EQ(store.purge_log_bounds().newest, 0);
  const json sel1 = {{"prefix", "images/"}};
  const json sel2 = {{"keys", {"assets/logo.png", "assets/hero.jpg"}}, {"tags", {"users"}}};
  const std::int64_t s1 = store.append_purge(sel1, PurgeCounts{142, 52428800, 3}, kT0);
  const std::int64_t s2 = store.append_purge(sel2, PurgeCounts{2, 10, 1}, kT0 + 1);
  EXPECT_GT(s1, 0);
  EXPECT_GT(s2, s1);

  const auto all = store.purges_since(0, 100);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].seq, s1);
  EXPECT_EQ(all[0].selector, sel1);
  EXPECT_EQ(all[0].counts, (PurgeCounts{142, 52428800, 3}));
  EXPECT_EQ(all[0].created_at_ms, kT0);
  EXPECT_TRUE(all[0].completed);
  EXPECT_EQ(all[1].selector, sel2);
  EXPECT_EQ(store.purges_since(s1, 100).size(), 1u);
  EXPECT_TRUE(store.purges_since(s2, 100).empty());
  EXPECT_EQ(store.purges_since(0, 1).size(), 1u);
  EXPECT_EQ(store.purge_log_bounds().oldest, s1);
  EXPECT_EQ(store.purge_log_bounds().newest, s2);
}

TEST_F(BrainStoreTest, TwoPhasePurge) {
  BrainStore store(path);
  const std::int64_t seq = store.begin_purge(json{{"tags", {"products"}}}, kT0);
  auto pending = store.purges_since(seq - 1, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_FALSE(pending[0].completed);
  EXPECT_EQ(pending[0].counts, PurgeCounts{});
  EXPECT_TRUE(store.complete_purge(seq, PurgeCounts{5, 500, 2}));
  const auto done = store.purges_since(seq - 1, 10);
  EXPECT_TRUE(done[0].completed);
  EXPECT_EQ(done[0].counts, (PurgeCounts{5, 500, 2}));
  EXPECT_FALSE(store.complete_purge(seq + 100, PurgeCounts{}));
}

TEST_F(BrainStoreTest, PurgeRetentionKeepsTheNewestAndNeverReusesNumbers) {
  BrainStore store(path, BrainStoreOptions{.max_purges = 10});
  std::int64_t last = 0;
  for (int i = 0; i < 35; ++i) {
    const std::int64_t seq = store.append_purge(json{{"prefix", std::to_string(i)}}, PurgeCounts{}, kT0 + i);
    EXPECT_GT(seq, last);
    last = seq;
  }
  const auto kept = store.purges_since(0, 1000);
  ASSERT_EQ(kept.size(), 10u);
  EXPECT_EQ(kept.front().seq, last - 9);
  EXPECT_EQ(kept.back().seq, last);
  EXPECT_EQ(kept.back().selector["prefix"], "34");
  const PurgeLogBounds b = store.purge_log_bounds();
  EXPECT_EQ(b.oldest, last - 9);
  EXPECT_EQ(b.newest, last);
}

// ---- restart ----

TEST_F(BrainStoreTest, ReopeningKeepsEverything) {
  std::string id_a, id_b;
  std::int64_t last_seq = 0;
  LatencyHistogram h;
  h.record(1500, 10);
  {
    BrainStore store(path);
    id_a = store.register_node("https://a.example:9001", "us-east-1", 111, kT0).node.node_id;
    id_b = store.register_node("https://b.example:9001", "eu-west-1", 222, kT0 + 1).node.node_id;
    store.set_status(id_b, NodeStatus::Draining);
    store.touch(id_a, kT0 + 2, 50, 5);
    store.record_sample(id_a, kT0 + 3, counters(7), h);
    store.append_purge(json{{"prefix", "x/"}}, PurgeCounts{1, 2, 3}, kT0 + 4);
    last_seq = store.append_purge(json{{"prefix", "y/"}}, PurgeCounts{4, 5, 6}, kT0 + 5);
  }
  BrainStore store(path);
  const auto nodes = store.list_nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node_id, id_a);
  EXPECT_EQ(nodes[0].used_bytes, 50);
  EXPECT_EQ(nodes[0].last_seen_at_ms, kT0 + 2);
  EXPECT_EQ(nodes[1].node_id, id_b);
  EXPECT_EQ(nodes[1].status, NodeStatus::Draining);
  EXPECT_EQ(nodes[1].region, "eu-west-1");
  // A worker restarting after the brain restarted still gets its id back.
  EXPECT_EQ(store.register_node("https://a.example:9001", "us-east-1", 111, kT0 + 10).node.node_id, id_a);
  const auto latest = store.latest_samples();
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].latency, h);
  EXPECT_EQ(latest[0].counters, counters(7));
  EXPECT_EQ(store.purges_since(0, 10).size(), 2u);
  // Sequence numbers continue after the restart.
  EXPECT_GT(store.append_purge(json{{"prefix", "z/"}}, PurgeCounts{}, kT0 + 6), last_seq);
}

TEST_F(BrainStoreTest, SequenceIsMonotonicAcrossReopenEvenAfterPruningEverything) {
  std::int64_t last = 0;
  for (int round = 0; round < 3; ++round) {
    BrainStore store(path, BrainStoreOptions{.max_purges = 1});
    for (int i = 0; i < 4; ++i) {
      const std::int64_t seq = store.append_purge(json{{"keys", {"k"}}}, PurgeCounts{}, kT0);
      EXPECT_GT(seq, last);
      last = seq;
    }
    EXPECT_EQ(store.purges_since(0, 100).size(), 1u);
  }
  EXPECT_EQ(last, 12);
}

TEST_F(BrainStoreTest, InMemoryStoreWorks) {
  BrainStore store(":memory:");
  const Node n = store.register_node("http://a.example", "r", 1, kT0).node;
  EXPECT_EQ(store.get_node(n.node_id), n);
}

TEST_F(BrainStoreTest, TwoThreadsShareOneStore) {
  BrainStore store(path);
  const Node n = store.register_node("http://a.example", "r", 1, kT0).node;
  std::thread poller([&] {
    for (int i = 0; i < 200; ++i) store.record_sample(n.node_id, kT0 + i, counters(i), LatencyHistogram{});
  });
  for (int i = 0; i < 200; ++i) {
    store.touch(n.node_id, kT0 + i, i, i);
    store.append_purge(json{{"prefix", "p"}}, PurgeCounts{}, kT0 + i);
    (void)store.list_nodes();
  }
  poller.join();
  EXPECT_EQ(store.purges_since(0, 1000).size(), 200u);
  EXPECT_EQ(store.latest_sample(n.node_id)->counters, counters(199));
}

TEST_F(BrainStoreTest, TwoStoresOnOneFile) {
  // Two processes (here: two connections) on the same file see each other's writes; WAL + busy_timeout.
  BrainStore first(path);
  BrainStore second(path);
  const Node n = first.register_node("http://a.example", "r", 1, kT0).node;
  EXPECT_EQ(second.get_node(n.node_id), n);
  EXPECT_EQ(second.register_node("http://a.example", "r", 1, kT0).node.node_id, n.node_id);
  const std::int64_t s1 = first.append_purge(json{{"prefix", "a"}}, PurgeCounts{}, kT0);
  EXPECT_GT(second.append_purge(json{{"prefix", "b"}}, PurgeCounts{}, kT0), s1);
}

}  // namespace
}  // namespace zcache::brain
