// The `zatabase` CLI (zcache::run_admin_cli) against the real brain API: each command's output,
// the --json form, and the exit codes of real refusals.
#include <gtest/gtest.h>
#include <zcache/admin_cli.h>

#include <map>
#include <string>

#include "brain_api_fixture.h"

namespace zcache::brain::testing {
namespace {

class AdminCliRealBrainTest : public BrainApiTest {
 protected:
  AdminCliResult run(std::vector<std::string> args, std::map<std::string, std::string> vars = {}) {
    if (!vars.count("ZATABASE_URL")) vars["ZATABASE_URL"] = "http://127.0.0.1:" + std::to_string(server_->port());
    if (!vars.count("ZATABASE_TOKEN")) vars["ZATABASE_TOKEN"] = token();
    return run_admin_cli(args, [&vars](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    });
  }
};

TEST_F(AdminCliRealBrainTest, EveryCommand) {
  AdminCliResult status = run({"cache", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("Cluster status"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("online nodes"), std::string::npos) << status.out;
  EXPECT_TRUE(status.err.empty()) << status.err;

  EXPECT_EQ(run({"cache", "nodes"}).out, "no nodes registered\n");

  AdminCliResult reg = run({"cache", "register", "--endpoint", "http://127.0.0.1:9001", "--region", "eu-west-1",
                            "--capacity", "10GiB", "--json"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  const nlohmann::json node = nlohmann::json::parse(reg.out);
  const std::string id = node.at("node_id").get<std::string>();
  EXPECT_EQ(node["capacity_bytes"], 10737418240);

  AdminCliResult nodes = run({"cache", "nodes"});
  ASSERT_EQ(nodes.exit_code, 0) << nodes.err;
  EXPECT_NE(nodes.out.find(id), std::string::npos) << nodes.out;
  EXPECT_NE(nodes.out.find("eu-west-1"), std::string::npos) << nodes.out;
  EXPECT_NE(nodes.out.find("10.0 GiB"), std::string::npos) << nodes.out;

  AdminCliResult one = run({"cache", "node", id});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("Node " + id), std::string::npos) << one.out;

  AdminCliResult node_metrics = run({"cache", "metrics", "--node", id});
  ASSERT_EQ(node_metrics.exit_code, 0) << node_metrics.err;
  EXPECT_NE(node_metrics.out.find("Metrics of node " + id), std::string::npos) << node_metrics.out;

  AdminCliResult metrics = run({"cache", "metrics", "--json"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  EXPECT_TRUE(nlohmann::json::parse(metrics.out).contains("p99_latency_ms")) << metrics.out;

  AdminCliResult purge = run({"cache", "purge", "--prefix", "images/", "--key", "a", "--tag", "t"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_NE(purge.out.find("objects purged"), std::string::npos) << purge.out;

  AdminCliResult gone = run({"cache", "deregister", id});
  ASSERT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_EQ(gone.out, "Deregistered node " + id + "\n");
}

TEST_F(AdminCliRealBrainTest, RefusalsExitOne) {
  AdminCliResult missing = run({"cache", "node", "no-such-node"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(missing.out.empty());
  EXPECT_NE(missing.err.find("zatabase: not_found (HTTP 404)"), std::string::npos) << missing.err;

  AdminCliResult denied = run({"cache", "status"}, {{"ZATABASE_TOKEN", "not-a-token"}});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("unauthorized (HTTP 401)"), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find("hint: the token was refused"), std::string::npos) << denied.err;

  // A flag beats the environment.
  EXPECT_EQ(run({"cache", "status", "--token", token()}, {{"ZATABASE_TOKEN", "not-a-token"}}).exit_code, 0);

  AdminCliResult bad = run({"cache", "register", "--endpoint", "not a url", "--region", "r", "--capacity", "1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad_request (HTTP 400)"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace zcache::brain::testing
