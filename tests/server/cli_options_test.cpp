// zcache's option parsing: values, flags over variables, defaults, and clear refusals.
#include "cli/options.h"

#include <gtest/gtest.h>

#include <map>

namespace zcache::cli {
namespace {

Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Options brain_like() {
  return Options("brain", "Runs the brain.",
                 {{"port", {"ZCACHE_PORT"}, Kind::Port, "8081", false, "API port"},
                  {"secret", {"ZCACHE_BRAIN_SECRET", "BRAIN_SECRET"}, Kind::Secret, "", true, "shared secret"},
                  {"capacity", {"ZCACHE_CAPACITY"}, Kind::Bytes, "512MiB", false, "byte budget"},
                  {"metrics-interval", {"ZCACHE_METRICS_INTERVAL"}, Kind::Duration, "30", false, "poll period"},
                  {"brain", {"ZCACHE_BRAIN_URL"}, Kind::Url, "", false, "brain URL"},
                  {"listen", {"ZCACHE_LISTEN"}, Kind::HostPort, "127.0.0.1:9001", false, "address"},
                  {"once", {}, Kind::Bool, "false", false, "exit after one round"}});
}

std::string usage_error(Options& o, std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  try {
    o.parse(args, env_of(std::move(env)));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(CliValues, Bytes) {
  EXPECT_EQ(std::get<std::uint64_t>(parse_bytes("1048576")), 1048576u);
  EXPECT_EQ(std::get<std::uint64_t>(parse_bytes("512MiB")), 512ull << 20);
  EXPECT_EQ(std::get<std::uint64_t>(parse_bytes("10GB")), 10'000'000'000ull);
  EXPECT_EQ(std::get<std::uint64_t>(parse_bytes("1.5gib")), 1610612736ull);
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_bytes("0")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_bytes("-5")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_bytes("12 parsecs")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_bytes("")));
}

TEST(CliValues, Durations) {
  EXPECT_EQ(std::get<std::int64_t>(parse_duration_ms("30")), 30'000);
  EXPECT_EQ(std::get<std::int64_t>(parse_duration_ms("500ms")), 500);
  EXPECT_EQ(std::get<std::int64_t>(parse_duration_ms("1h")), 3'600'000);
  EXPECT_EQ(std::get<std::int64_t>(parse_duration_ms("1.5m")), 90'000);
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_duration_ms("soon")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_duration_ms("5y")));
}

TEST(CliValues, PortsAddressesUrls) {
  EXPECT_EQ(std::get<std::uint16_t>(parse_port("0")), 0);
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_port("65536")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_port("80x")));
  auto hp = std::get<HostPort>(parse_host_port("[::1]:9001"));
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 9001);
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_host_port("localhost")));
  EXPECT_EQ(std::get<std::string>(parse_http_url("http://127.0.0.1:8081/")), "http://127.0.0.1:8081");
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_http_url("ftp://x")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_http_url("http://user@host")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_http_url("http://:80")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_http_url("http://host:0")));
}

TEST(CliOptions, DefaultsThenEnvironmentThenFlags) {
  Options o = brain_like();
  o.parse({}, env_of({{"BRAIN_SECRET", "s1"}}));
  EXPECT_EQ(o.port("port"), 8081);
  EXPECT_EQ(o.text("secret"), "s1");
  EXPECT_EQ(o.bytes("capacity"), 512ull << 20);
  EXPECT_EQ(o.duration_ms("metrics-interval"), 30'000);
  EXPECT_FALSE(o.has("brain"));
  EXPECT_FALSE(o.flag("once"));

  o.parse({"--port", "0", "--capacity=1GiB", "--once"},
          env_of({{"ZCACHE_PORT", "9999"}, {"ZCACHE_BRAIN_SECRET", "s2"}, {"BRAIN_SECRET", "s1"}}));
  EXPECT_EQ(o.port("port"), 0);  // the flag wins
  EXPECT_EQ(o.text("secret"), "s2");  // the first variable set wins
  EXPECT_EQ(o.bytes("capacity"), 1ull << 30);
  EXPECT_TRUE(o.flag("once"));
}

TEST(CliOptions, BadInputIsRefusedNamingTheOption) {
  Options o = brain_like();
  EXPECT_NE(usage_error(o, {}).find("--secret (ZCACHE_BRAIN_SECRET or BRAIN_SECRET) is required"), std::string::npos);
  EXPECT_NE(usage_error(o, {"--port", "http"}, {{"BRAIN_SECRET", "s"}}).find("invalid value for --port (ZCACHE_PORT)"),
            std::string::npos);
  EXPECT_NE(usage_error(o, {}, {{"BRAIN_SECRET", "s"}, {"ZCACHE_CAPACITY", "lots"}}).find("--capacity (ZCACHE_CAPACITY)"),
            std::string::npos);
  EXPECT_NE(usage_error(o, {"--nope", "1"}).find("unknown option --nope"), std::string::npos);
  EXPECT_NE(usage_error(o, {"--port"}).find("needs a value"), std::string::npos);
  EXPECT_NE(usage_error(o, {"stray"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(usage_error(o, {"--brain", "localhost:8081"}, {{"BRAIN_SECRET", "s"}}).find("not an http"), std::string::npos);
}

TEST(CliOptions, HelpListsEveryOptionWithItsDefault) {
  Options o = brain_like();
  o.parse({"--help"}, env_of({}));
  EXPECT_TRUE(o.help_requested());
  const std::string h = o.help();
  EXPECT_NE(h.find("--port (ZCACHE_PORT)"), std::string::npos);
  EXPECT_NE(h.find("(default: 8081)"), std::string::npos);
  EXPECT_NE(h.find("(required)"), std::string::npos);
}

}  // namespace
}  // namespace zcache::cli

namespace zcache::cli {
namespace {
TEST(CliValues, Counts) {
  EXPECT_EQ(std::get<std::uint64_t>(parse_count("3")), 3u);
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_count("0")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_count("-1")));
  EXPECT_TRUE(std::holds_alternative<Problem>(parse_count("2.5")));
}
}  // namespace
}  // namespace zcache::cli
