// The options of a `zcache` command: each is a --flag and one or more environment variables
// (the flag wins), with a kind that says how its value is checked, a default and a help line.
// Parsing refuses a bad value with a message naming the option and what is wrong with it.
#pragma once

#include "cli/values.h"

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zcache::cli {

enum class Kind { String, Secret, Bytes, Duration, Port, HostPort, Url, Bool, Count };

struct Option {
  std::string name;              // "port" is given as --port
  std::vector<std::string> env;  // variables read when the flag is absent, first one set wins
  Kind kind = Kind::String;
  std::string default_value;     // empty: no default
  bool required = false;
  std::string help;
};

// A command line the user got wrong; the message is ready to print.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Looks a variable up; tests pass a map instead of the process environment.
using Environment = std::function<std::optional<std::string>(const std::string&)>;
Environment process_environment();

class Options {
 public:
  Options(std::string command, std::string summary, std::vector<Option> spec);

  // Reads `args` (the words after the command: --name VALUE, --name=VALUE, --help), then the
  // environment, then defaults; checks every value. Throws UsageError.
  void parse(const std::vector<std::string>& args, const Environment& env);

  bool help_requested() const noexcept { return help_; }
  std::string help() const;

  bool has(const std::string& name) const;
  const std::string& text(const std::string& name) const;  // the raw value
  std::uint64_t bytes(const std::string& name) const;
  std::int64_t duration_ms(const std::string& name) const;
  std::uint16_t port(const std::string& name) const;
  HostPort host_port(const std::string& name) const;
  bool flag(const std::string& name) const;
  std::uint64_t count(const std::string& name) const;

 private:
  const Option* find(const std::string& name) const;
  const Option& spec(const std::string& name) const;
  std::string describe(const Option& o) const;  // "--port (ZCACHE_PORT)"
  void check(const Option& o, const std::string& value) const;

  std::string command_;
  std::string summary_;
  std::vector<Option> spec_;
  std::map<std::string, std::string> values_;
  bool help_ = false;
};

}  // namespace zcache::cli
