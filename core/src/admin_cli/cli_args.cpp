#include "admin_cli/cli_args.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace zcache::admin_cli {
namespace {

struct OptionSpec {
  std::string_view name;  // without "--"
  bool takes_value;
};

// Every option of every command, so that a value can be told from a positional before the
// command is known (`zatabase --url U cache status` and `zatabase cache status --url U` alike).
constexpr std::array<OptionSpec, 13> kOptions = {{
    {"url", true}, {"token", true}, {"timeout", true}, {"json", false}, {"help", false},
    {"node", true}, {"endpoint", true}, {"region", true}, {"capacity", true},
    {"prefix", true}, {"key", true}, {"tag", true}, {"soft", false},
}};
constexpr std::array<std::string_view, 5> kGlobalOptions = {"url", "token", "timeout", "json", "help"};

struct CommandSpec {
  std::string_view name;
  Command command;
  std::string_view id_argument;          // "" when the command takes no positional
  std::vector<std::string_view> options;  // besides the global ones
  std::string_view usage;
  std::string_view summary;
};

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> specs = {
      {"status", Command::Status, "", {}, "zatabase cache status",
       "Cluster overview: brain health, nodes online, capacity used, hit ratio."},
      {"nodes", Command::Nodes, "", {}, "zatabase cache nodes", "Every registered worker node."},
      {"node", Command::Node, "ID", {}, "zatabase cache node ID", "One worker node."},
      {"register", Command::Register, "", {"endpoint", "region", "capacity"},
       "zatabase cache register --endpoint URL --region REGION --capacity BYTES",
       "Registers a worker node (BYTES may be 5368709120, 5GiB, 512MiB, 10GB)."},
      {"deregister", Command::Deregister, "ID", {}, "zatabase cache deregister ID",
       "Removes a worker node from the registry."},
      {"metrics", Command::Metrics, "", {"node"}, "zatabase cache metrics [--node ID]",
       "Cluster-wide metrics, or one node's."},
      {"purge", Command::Purge, "", {"prefix", "key", "tag", "soft"},
       "zatabase cache purge [--prefix P] [--key K]... [--tag T]... [--soft]",
       "Purges objects on every worker: all that match any selector. --soft marks them stale."},
  };
  return specs;
}

constexpr std::string_view kGlobalHelp =
    "Options (anywhere on the line, as --name VALUE or --name=VALUE):\n"
    "  --url URL          the brain's API (default: $ZATABASE_URL, else $ZCACHE_BRAIN_URL, else http://127.0.0.1:8081)\n"
    "  --token TOKEN      bearer token (default: $ZATABASE_TOKEN)\n"
    "  --timeout SECONDS  whole-call budget, retries included (default: $ZCACHE_TIMEOUT, else 10)\n"
    "  --json             print the brain's JSON instead of tables\n"
    "  --help             this help\n"
    "\n"
    "Exit codes: 0 done; 1 the brain refused the request (4xx); 2 bad usage;\n"
    "            3 the brain is unreachable, too slow or failing.\n";

std::string top_help() {
  std::string out =
      "zatabase — administer a Zatabase edge-cache cluster through its brain.\n\n"
      "Usage: zatabase [options] cache <command> [arguments]\n\nCommands:\n";
  for (const CommandSpec& c : commands()) {
    std::string usage(c.usage.substr(std::string_view("zatabase cache ").size()));
    out += "  " + usage;
    out += usage.size() < 40 ? std::string(40 - usage.size(), ' ') : "\n" + std::string(42, ' ');
    out += std::string(c.summary) + "\n";
  }
  out += "\n";
  out += kGlobalHelp;
  out += "\nHelp on one command: zatabase cache <command> --help\n";
  return out;
}

std::string command_help(const CommandSpec& c) {
  return "Usage: " + std::string(c.usage) + " [options]\n\n" + std::string(c.summary) + "\n\n" +
         std::string(kGlobalHelp);
}

const OptionSpec* find_option(std::string_view name) {
  for (const OptionSpec& o : kOptions)
    if (o.name == name) return &o;
  return nullptr;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

bool is_global(std::string_view name) {
  for (std::string_view g : kGlobalOptions)
    if (g == name) return true;
  return false;
}

struct GivenOption {
  std::string name;
  std::string value;
};

UsageError usage(std::string message, std::string help_command = "zatabase --help") {
  return UsageError{std::move(message), std::move(help_command)};
}

std::optional<std::int64_t> parse_seconds_ms(const std::string& text) {
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 86'400)
    return std::nullopt;
  return std::max<std::int64_t>(1, std::llround(seconds * 1000));
}

// Applies one option to the invocation; returns the mistake, if any.
std::optional<UsageError> apply(Invocation& inv, const GivenOption& o, const std::string& help) {
  auto non_empty = [&]() -> std::optional<UsageError> {
    if (o.value.empty()) return usage("--" + o.name + " must not be empty", help);
    return std::nullopt;
  };
  if (o.name == "url") {
    if (auto e = non_empty()) return e;
    inv.url = o.value;
  } else if (o.name == "token") {
    if (auto e = non_empty()) return e;
    inv.token = o.value;
  } else if (o.name == "timeout") {
    inv.timeout_ms = parse_seconds_ms(o.value);
    if (!inv.timeout_ms) return usage("--timeout must be a number of seconds in (0, 86400], not '" + o.value + "'", help);
  } else if (o.name == "json") {
    inv.json = true;
  } else if (o.name == "node") {
    if (auto e = non_empty()) return e;
    inv.node_id = o.value;
  } else if (o.name == "endpoint") {
    if (auto e = non_empty()) return e;
    inv.endpoint = o.value;
  } else if (o.name == "region") {
    if (auto e = non_empty()) return e;
    inv.region = o.value;
  } else if (o.name == "capacity") {
    auto bytes = parse_byte_size(o.value);
    if (!bytes || *bytes <= 0)
      return usage("--capacity must be a positive number of bytes (e.g. 5368709120, 5GiB, 512MiB), not '" + o.value + "'", help);
    inv.capacity_bytes = *bytes;
  } else if (o.name == "prefix") {
    if (auto e = non_empty()) return e;
    inv.prefix = o.value;
  } else if (o.name == "key") {
    if (auto e = non_empty()) return e;
    inv.keys.push_back(o.value);
  } else if (o.name == "tag") {
    if (auto e = non_empty()) return e;
    inv.tags.push_back(o.value);
  } else if (o.name == "soft") {
    inv.soft = true;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_byte_size(const std::string& text) {
  static constexpr std::array<std::pair<std::string_view, double>, 12> kUnits = {{
      {"", 1.0}, {"B", 1.0},
      {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
      {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
      {"K", 1024.0}, {"M", 1048576.0},
  }};
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (text.empty() || end == text.c_str() || !std::isfinite(number) || number < 0) return std::nullopt;
  const std::string_view unit(end);
  for (const auto& [name, scale] : kUnits) {
    if (unit != name) continue;
    const double bytes = number * scale;
    if (bytes > 9.0e18 || bytes != std::floor(bytes)) return std::nullopt;  // whole bytes only
    return static_cast<std::int64_t>(bytes);
  }
  return std::nullopt;
}

ParseResult parse_arguments(const std::vector<std::string>& args) {
  std::vector<std::string> positionals;
  std::vector<GivenOption> given;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "-h") {
      given.push_back({"help", ""});
      continue;
    }
    if (arg.rfind("--", 0) != 0)
      return {std::nullopt, usage("unknown option '" + arg + "' (options are spelled --name)")};
    std::string name = arg.substr(2), value;
    const std::size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = find_option(name);
    if (!spec) return {std::nullopt, usage("unknown option '--" + name + "'")};
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) return {std::nullopt, usage("--" + name + " needs a value")};
      value = args[++i];
    } else if (!spec->takes_value && inline_value) {
      return {std::nullopt, usage("--" + name + " takes no value")};
    }
    given.push_back({std::move(name), std::move(value)});
  }

  auto asked_help = [&] {
    for (const GivenOption& o : given)
      if (o.name == "help") return true;
    return false;
  };
  Invocation inv;
  if (positionals.empty() || (positionals[0] == "help" && positionals.size() == 1)) {
    if (asked_help() || !positionals.empty()) {
      inv.help_text = top_help();
      return {inv, std::nullopt};
    }
    return {std::nullopt, usage("missing command: try 'zatabase cache status'")};
  }
  if (positionals[0] != "cache")
    return {std::nullopt, usage("unknown command '" + positionals[0] + "' (the commands are under 'zatabase cache')")};
  if (positionals.size() < 2) {
    if (asked_help()) {
      inv.help_text = top_help();
      return {inv, std::nullopt};
    }
    return {std::nullopt, usage("missing command after 'cache': status, nodes, node, register, deregister, metrics or purge")};
  }
  const CommandSpec* command = find_command(positionals[1]);
  if (!command)
    return {std::nullopt, usage("unknown command 'cache " + positionals[1] +
                                "' (status, nodes, node, register, deregister, metrics or purge)")};
  const std::string help = "zatabase cache " + std::string(command->name) + " --help";
  if (asked_help()) {
    inv.help_text = command_help(*command);
    return {inv, std::nullopt};
  }
  inv.command = command->command;

  const std::size_t expected = command->id_argument.empty() ? 2 : 3;
  if (positionals.size() < expected)
    return {std::nullopt, usage("'cache " + std::string(command->name) + "' needs the node " +
                                std::string(command->id_argument), help)};
  if (positionals.size() > expected)
    return {std::nullopt, usage("unexpected argument '" + positionals[expected] + "' for 'cache " +
                                std::string(command->name) + "'", help)};
  if (expected == 3) {
    if (positionals[2].empty()) return {std::nullopt, usage("the node ID must not be empty", help)};
    inv.node_id = positionals[2];
  }

  for (const GivenOption& o : given) {
    bool allowed = is_global(o.name);
    for (std::string_view own : command->options) allowed = allowed || own == o.name;
    if (!allowed)
      return {std::nullopt, usage("'cache " + std::string(command->name) + "' takes no --" + o.name, help)};
    if (auto error = apply(inv, o, help)) return {std::nullopt, *error};
  }

  if (inv.command == Command::Register) {
    std::string missing;
    if (inv.endpoint.empty()) missing += " --endpoint";
    if (inv.region.empty()) missing += " --region";
    if (inv.capacity_bytes == 0) missing += " --capacity";
    if (!missing.empty()) return {std::nullopt, usage("'cache register' needs" + missing, help)};
  }
  if (inv.command == Command::Purge && !inv.prefix && inv.keys.empty() && inv.tags.empty())
    return {std::nullopt, usage("'cache purge' needs at least one of --prefix, --key, --tag", help)};
  return {inv, std::nullopt};
}

}  // namespace zcache::admin_cli
