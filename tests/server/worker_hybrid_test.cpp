// A hybrid worker (WorkerNodeOptions::data_path): objects beyond memory live in a SQLite file and
// survive a restart on the same file. Real workers on loopback ports, restarted in-process.
#include "auth/jwt.h"
#include "running_worker.h"
#include "temp_dir.h"
#include "test_client.h"
#include "worker/worker_node.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace zcache::worker {
namespace {

using http::test::ClientResponse;
using test::RunningWorker;
constexpr const char* kSecret = "test-secret";

std::string token() {
  auth::MintOptions m;
  m.sub = "test";
  m.now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return auth::mint_token(kSecret, m);
}

struct HybridWorkerTest : ::testing::Test {
  zcache::test::TempDir dir;
  std::string data = dir.file("objects.db");

  WorkerNodeOptions options(std::uint64_t capacity = 4 << 20) {
    WorkerNodeOptions o;
    o.listen_port = 0;
    o.secret = kSecret;
    o.server.access_log = false;
    o.capacity_bytes = capacity;
    o.data_path = data;
    o.disk_capacity_bytes = 64 << 20;
    return o;
  }

  static std::optional<ClientResponse> call(const RunningWorker& w, std::string_view method, std::string_view path,
                                            std::string_view body = {}, std::string_view headers = {}) {
    const std::string raw = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                            token() + "\r\n" + std::string(headers) + "Content-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + std::string(body);
    return http::test::request_once(w.port, raw, method == "HEAD");
  }
  static int status(const RunningWorker& w, std::string_view method, std::string_view path, std::string_view body = {}) {
    auto r = call(w, method, path, body);
    return r ? r->status : -1;
  }
  static std::string cache_status(const RunningWorker& w, std::string_view path) {
    auto r = call(w, "GET", path);
    return r ? std::to_string(r->status) + " " + r->header("Cache-Status") : "no answer";
  }
};

TEST_F(HybridWorkerTest, ARestartedWorkerServesFromDiskThenFromMemory) {
  {
    RunningWorker w(options());
    ASSERT_EQ(status(w, "PUT", "/objects/a", "alpha"), 201);
    EXPECT_EQ(cache_status(w, "/objects/a"), "200 zcache; hit; detail=memory");
  }
  RunningWorker w(options());
  auto got = call(w, "GET", "/objects/a");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "alpha");
  EXPECT_EQ(got->header("Cache-Status"), "zcache; hit; detail=disk");
  EXPECT_EQ(cache_status(w, "/objects/a"), "200 zcache; hit; detail=memory");
  auto head = call(w, "HEAD", "/objects/a");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(cache_status(w, "/objects/missing"), "404 zcache; fwd=miss");
  EXPECT_EQ(cache_status(w, "/objects/missing"), "404 zcache; fwd=miss");  // the failed flight left nothing behind

  auto metrics = call(w, "GET", "/metrics");
  ASSERT_TRUE(metrics);
  const auto j = nlohmann::json::parse(metrics->body);
  EXPECT_EQ(j["hits"], 3);
  EXPECT_EQ(j["misses"], 2);
  EXPECT_EQ(j["disk_hits"], 1);
  EXPECT_EQ(j["disk"]["object_count"], 1);
  EXPECT_EQ(j["disk"]["capacity_bytes"], 64 << 20);
  EXPECT_TRUE(j["latency"].is_object());
}

TEST_F(HybridWorkerTest, AStaleObjectOnDiskIsServedStaleAndStaysServable) {
  {
    RunningWorker w(options());
    auto put = call(w, "PUT", "/objects/s", "old", "Zcache-Ttl: 0\r\nZcache-Stale: 600\r\n");
    ASSERT_TRUE(put);
    ASSERT_EQ(put->status, 201);
    EXPECT_EQ(cache_status(w, "/objects/s"), "200 zcache; fwd=stale; detail=memory");
  }
  RunningWorker w(options());
  EXPECT_EQ(cache_status(w, "/objects/s"), "200 zcache; fwd=stale; detail=disk");
  // The revalidation ticket this node cannot use was dropped; the stale copy stays servable.
  EXPECT_EQ(cache_status(w, "/objects/s"), "200 zcache; fwd=stale; detail=memory");
}

TEST_F(HybridWorkerTest, ManyReadersOfOneDiskObjectAllGetIt) {
  { RunningWorker w(options()); ASSERT_EQ(status(w, "PUT", "/objects/k", "v"), 201); }
  RunningWorker w(options());
  std::vector<std::thread> readers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    readers.emplace_back([&] {
      if (status(w, "GET", "/objects/k") == 200) ++ok;
    });
  for (auto& t : readers) t.join();
  EXPECT_EQ(ok.load(), 8);
}

TEST_F(HybridWorkerTest, DeleteReachesTheFile) {
  {
    RunningWorker w(options());
    ASSERT_EQ(status(w, "PUT", "/objects/a", "alpha"), 201);
    ASSERT_EQ(status(w, "PUT", "/objects/b", "beta"), 201);
    EXPECT_EQ(status(w, "DELETE", "/objects/a"), 204);  // in both tiers
    EXPECT_EQ(status(w, "DELETE", "/objects/a"), 404);
  }
  {
    RunningWorker w(options());
    EXPECT_EQ(status(w, "GET", "/objects/a"), 404);
    EXPECT_EQ(status(w, "DELETE", "/objects/b"), 204);  // on disk only
    EXPECT_EQ(status(w, "DELETE", "/objects/b"), 404);
  }
  RunningWorker w(options());
  EXPECT_EQ(status(w, "GET", "/objects/b"), 404);
}

TEST_F(HybridWorkerTest, PurgeCountsAnObjectInBothTiersOnceAndReachesTheFile) {
  {
    RunningWorker w(options());
    ASSERT_EQ(status(w, "PUT", "/objects/img/1", "a"), 201);
    ASSERT_EQ(status(w, "PUT", "/objects/img/2", "b"), 201);
    ASSERT_EQ(status(w, "PUT", "/objects/doc/1", "c"), 201);
    auto purged = call(w, "POST", "/purge", R"({"prefix":"img/","sequence":7})", "Content-Type: application/json\r\n");
    ASSERT_TRUE(purged);
    ASSERT_EQ(purged->status, 200) << purged->body;
    const auto j = nlohmann::json::parse(purged->body);
    EXPECT_EQ(j["objects_purged"], 2);
    EXPECT_GT(j["bytes_freed"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(status(w, "GET", "/objects/img/1"), 404);
    auto metrics = call(w, "GET", "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_EQ(nlohmann::json::parse(metrics->body)["disk"]["last_purge_sequence"], 7);
    auto bad = call(w, "POST", "/purge", R"({"prefix":"x","sequence":-1})", "Content-Type: application/json\r\n");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
  }
  RunningWorker w(options());
  EXPECT_EQ(status(w, "GET", "/objects/img/1"), 404);
  EXPECT_EQ(status(w, "GET", "/objects/img/2"), 404);
  EXPECT_EQ(cache_status(w, "/objects/doc/1"), "200 zcache; hit; detail=disk");
  // A purge of objects that are on disk only counts them too.
  auto purged = call(w, "POST", "/purge", R"({"keys":["doc/1"]})", "Content-Type: application/json\r\n");
  ASSERT_TRUE(purged);
  EXPECT_EQ(nlohmann::json::parse(purged->body)["objects_purged"], 1);
}

TEST_F(HybridWorkerTest, ObjectsBeyondMemoryAreServedFromDisk) {
  RunningWorker w(options(/*capacity=*/256 << 10));
  const std::string body(8 << 10, 'x');
  constexpr int kObjects = 100;  // ~800 KiB: about three times what memory holds
  for (int i = 0; i < kObjects; ++i) ASSERT_EQ(status(w, "PUT", "/objects/o" + std::to_string(i), body), 201);
  int from_disk = 0;
  for (int i = 0; i < kObjects; ++i) {
    auto r = call(w, "GET", "/objects/o" + std::to_string(i));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << "object " << i;
    EXPECT_EQ(r->body.size(), body.size());
    if (r->header("Cache-Status") == "zcache; hit; detail=disk") ++from_disk;
  }
  EXPECT_GT(from_disk, 0);
}

TEST_F(HybridWorkerTest, AnUnreadableDataFileStopsStartUpWithItsName) {
  std::ofstream(data) << "this is not a SQLite database, not even close to one";
  uv_loop_t loop;
  uv_loop_init(&loop);
  try {
    WorkerNode node(&loop, options());
    ADD_FAILURE() << "a corrupt data file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(data), std::string::npos) << e.what();
  }
  WorkerNodeOptions rebuild = options();
  rebuild.data_rebuild = true;  // moved aside, and the node starts empty
  {
    RunningWorker w(rebuild);
    EXPECT_EQ(status(w, "GET", "/objects/a"), 404);
    EXPECT_EQ(status(w, "PUT", "/objects/a", "x"), 201);
  }
  uv_loop_close(&loop);
}

TEST_F(HybridWorkerTest, AnUnreachableDataPathStopsStartUpWithItsName) {
  WorkerNodeOptions o = options();
  o.data_path = (dir.path() / "no-such-dir" / "objects.db").string();
  uv_loop_t loop;
  uv_loop_init(&loop);
  try {
    WorkerNode node(&loop, o);
    ADD_FAILURE() << "an unreachable data path was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(o.data_path), std::string::npos) << e.what();
  }
  uv_loop_close(&loop);
}

}  // namespace
}  // namespace zcache::worker
