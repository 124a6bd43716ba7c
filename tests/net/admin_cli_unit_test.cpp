// The `zatabase` CLI's parsing and rendering (core/src/admin_cli), without a brain; and the
// failures run_admin_cli() reports without sending anything.
#include <gtest/gtest.h>
#include <zcache/admin_cli.h>

#include <map>

#include "admin_cli/cli_args.h"
#include "admin_cli/cli_render.h"

namespace zcache::admin_cli {
namespace {

Invocation parsed(const std::vector<std::string>& args) {
  ParseResult r = parse_arguments(args);
  EXPECT_FALSE(r.error) << (r.error ? r.error->message : "");
  return r.invocation.value_or(Invocation{});
}

std::string mistake(const std::vector<std::string>& args) {
  ParseResult r = parse_arguments(args);
  EXPECT_TRUE(r.error) << "accepted";
  return r.error ? r.error->message : "";
}

TEST(AdminCliArgs, EveryCommand) {
  EXPECT_EQ(parsed({"cache", "status"}).command, Command::Status);
  EXPECT_EQ(parsed({"cache", "nodes"}).command, Command::Nodes);
  Invocation node = parsed({"cache", "node", "n-1"});
  EXPECT_EQ(node.command, Command::Node);
  EXPECT_EQ(node.node_id, "n-1");
  EXPECT_EQ(parsed({"cache", "deregister", "n-2"}).node_id, "n-2");
  EXPECT_EQ(parsed({"cache", "metrics"}).node_id, "");
  EXPECT_EQ(parsed({"cache", "metrics", "--node", "n-3"}).node_id, "n-3");

  Invocation reg = parsed({"cache", "register", "--endpoint", "http://w:9001", "--region=eu-west-1", "--capacity", "5GiB"});
  EXPECT_EQ(reg.command, Command::Register);
  EXPECT_EQ(reg.endpoint, "http://w:9001");
  EXPECT_EQ(reg.region, "eu-west-1");
  EXPECT_EQ(reg.capacity_bytes, 5368709120);

  Invocation purge = parsed({"cache", "purge", "--prefix", "images/", "--key", "a", "--key=b", "--tag", "t", "--soft"});
  EXPECT_EQ(purge.prefix, "images/");
  EXPECT_EQ(purge.keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(purge.tags, (std::vector<std::string>{"t"}));
  EXPECT_TRUE(purge.soft);
}

TEST(AdminCliArgs, GlobalOptionsAnywhere) {
  Invocation a = parsed({"--url", "http://b:1", "--json", "cache", "status", "--token=T", "--timeout", "0.5"});
  EXPECT_EQ(a.url, "http://b:1");
  EXPECT_EQ(a.token, "T");
  EXPECT_EQ(a.timeout_ms, 500);
  EXPECT_TRUE(a.json);
  // After "--" a value that looks like an option is a positional.
  EXPECT_EQ(parsed({"cache", "node", "--", "--odd-id"}).node_id, "--odd-id");
}

TEST(AdminCliArgs, HelpAtEveryLevel) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"help"}, {"-h"}, {"cache", "--help"}}) {
    Invocation i = parsed(args);
    ASSERT_TRUE(i.help_text);
    EXPECT_NE(i.help_text->find("zatabase [options] cache <command>"), std::string::npos);
  }
  Invocation purge = parsed({"cache", "purge", "--help"});
  ASSERT_TRUE(purge.help_text);
  EXPECT_NE(purge.help_text->find("--prefix P"), std::string::npos);
  // Help wins over an otherwise incomplete command.
  EXPECT_TRUE(parsed({"cache", "register", "--help"}).help_text);
}

TEST(AdminCliArgs, MistakesAreNamed) {
  EXPECT_NE(mistake({}).find("missing command"), std::string::npos);
  EXPECT_NE(mistake({"status"}).find("unknown command 'status'"), std::string::npos);
  EXPECT_NE(mistake({"cache"}).find("missing command after 'cache'"), std::string::npos);
  EXPECT_NE(mistake({"cache", "stats"}).find("unknown command 'cache stats'"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "--frobnicate"}).find("unknown option '--frobnicate'"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "-x"}).find("unknown option '-x'"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "--prefix", "a"}).find("'cache status' takes no --prefix"), std::string::npos);
  EXPECT_NE(mistake({"cache", "node"}).find("needs the node ID"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "extra"}).find("unexpected argument 'extra'"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "--url"}).find("--url needs a value"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "--json=yes"}).find("--json takes no value"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "--timeout", "-1"}).find("--timeout must be"), std::string::npos);
  EXPECT_NE(mistake({"cache", "status", "--timeout", "soon"}).find("--timeout must be"), std::string::npos);
  EXPECT_NE(mistake({"cache", "register", "--endpoint", "http://w"}).find("needs --region --capacity"), std::string::npos);
  EXPECT_NE(mistake({"cache", "register", "--endpoint", "e", "--region", "r", "--capacity", "lots"}).find("--capacity must be"),
            std::string::npos);
  EXPECT_NE(mistake({"cache", "purge"}).find("at least one of --prefix, --key, --tag"), std::string::npos);
  EXPECT_NE(mistake({"cache", "purge", "--key="}).find("--key must not be empty"), std::string::npos);
  EXPECT_EQ(parse_arguments({"cache", "purge"}).error->help_command, "zatabase cache purge --help");
}

TEST(AdminCliArgs, ByteSizes) {
  EXPECT_EQ(parse_byte_size("5368709120"), 5368709120);
  EXPECT_EQ(parse_byte_size("512MiB"), 512ll << 20);
  EXPECT_EQ(parse_byte_size("10GB"), 10'000'000'000);
  EXPECT_EQ(parse_byte_size("1.5KiB"), 1536);
  EXPECT_EQ(parse_byte_size("12B"), 12);
  EXPECT_FALSE(parse_byte_size(""));
  EXPECT_FALSE(parse_byte_size("GiB"));
  EXPECT_FALSE(parse_byte_size("5 GiB"));
  EXPECT_FALSE(parse_byte_size("5XB"));
  EXPECT_FALSE(parse_byte_size("-5"));
  EXPECT_FALSE(parse_byte_size("0.5"));   // not whole bytes
  EXPECT_FALSE(parse_byte_size("1e30"));  // out of range
}

TEST(AdminCliRender, TablesAndJson) {
  Invocation status = parsed({"cache", "status"});
  const nlohmann::json body = {{"brain_healthy", true}, {"total_nodes", 5}, {"online_nodes", 4},
                               {"total_cache_bytes", 10737418240}, {"used_cache_bytes", 512}, {"hit_ratio", 0.847}};
  const std::string text = render(status, body);
  EXPECT_NE(text.find("brain healthy"), std::string::npos) << text;
  EXPECT_NE(text.find("yes"), std::string::npos) << text;
  EXPECT_NE(text.find("84.7%"), std::string::npos) << text;
  EXPECT_NE(text.find("10.0 GiB (10,737,418,240 bytes)"), std::string::npos) << text;
  EXPECT_NE(text.find("512 bytes"), std::string::npos) << text;

  Invocation json = parsed({"cache", "status", "--json"});
  EXPECT_EQ(nlohmann::json::parse(render(json, body)), body);

  Invocation nodes = parsed({"cache", "nodes"});
  EXPECT_EQ(render(nodes, nlohmann::json::array()), "no nodes registered\n");
  const std::string table = render(nodes, nlohmann::json::array({{{"node_id", "n-1"}, {"endpoint", "http://w:1"},
                                                                 {"region", "eu"}, {"status", "online"},
                                                                 {"used_bytes", 2048}, {"capacity_bytes", 1 << 20},
                                                                 {"object_count", 3}, {"last_seen_at", nullptr}}}));
  EXPECT_NE(table.find("NODE ID"), std::string::npos) << table;
  EXPECT_NE(table.find("n-1"), std::string::npos) << table;
  EXPECT_NE(table.find("2.00 KiB"), std::string::npos) << table;
  EXPECT_NE(table.find("1 node\n"), std::string::npos) << table;

  EXPECT_EQ(render(parsed({"cache", "deregister", "n-9"}), nullptr), "Deregistered node n-9\n");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(grouped(1523847), "1,523,847");
  EXPECT_EQ(grouped(-1000), "-1,000");
}

EnvironmentLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AdminCli, UsageAndEnvironmentMistakesExitTwo) {
  AdminCliResult r = run_admin_cli({"cache", "nope"}, env({}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'cache nope'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zatabase --help"), std::string::npos) << r.err;

  r = run_admin_cli({"cache", "status"}, env({{"ZCACHE_TIMEOUT", "forever"}}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ZCACHE_TIMEOUT"), std::string::npos) << r.err;

  r = run_admin_cli({"cache", "status", "--url", "ftp://brain"}, env({}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("base_url"), std::string::npos) << r.err;

  r = run_admin_cli({"--help"}, env({}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.err.empty());
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
}

TEST(AdminCli, DisabledPrintsTheNoOpResult) {
  AdminCliResult r = run_admin_cli({"cache", "status", "--json"}, env({{"ZCACHE_ENABLED", "false"}}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["brain_healthy"], false);
  EXPECT_NE(r.err.find("nothing was sent"), std::string::npos) << r.err;
}

TEST(AdminCli, UnreachableBrainExitsThree) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  AdminCliResult r = run_admin_cli({"cache", "status", "--url", "http://127.0.0.1:1", "--timeout", "2"}, env({}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("zatabase: unavailable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is the brain running at http://127.0.0.1:1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace zcache::admin_cli
