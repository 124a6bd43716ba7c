#include "cli/options.h"

#include <cstdlib>
#include <sstream>

namespace zcache::cli {
namespace {

template <class T>
T value_or_throw(Parsed<T> parsed, const std::string& what) {
  if (auto* err = std::get_if<Problem>(&parsed)) throw UsageError("invalid value for " + what + ": " + err->message);
  return std::get<T>(std::move(parsed));
}

std::string check_message(Kind kind, const std::string& value) {
  auto error_of = [](const auto& parsed) -> std::string {
    auto* err = std::get_if<Problem>(&parsed);
    return err ? err->message : std::string();
  };
  switch (kind) {
    case Kind::String: return {};
    case Kind::Secret: return value.empty() ? "must not be empty" : std::string();
    case Kind::Bytes: return error_of(parse_bytes(value));
    case Kind::Duration: return error_of(parse_duration_ms(value));
    case Kind::Port: return error_of(parse_port(value));
    case Kind::HostPort: return error_of(parse_host_port(value));
    case Kind::Url: return error_of(parse_http_url(value));
    case Kind::Bool: return error_of(parse_bool(value));
    case Kind::Count: return error_of(parse_count(value));
  }
  return {};
}

}  // namespace

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Options::Options(std::string command, std::string summary, std::vector<Option> spec)
    : command_(std::move(command)), summary_(std::move(summary)), spec_(std::move(spec)) {}

const Option* Options::find(const std::string& name) const {
  for (const auto& o : spec_)
    if (o.name == name) return &o;
  return nullptr;
}

const Option& Options::spec(const std::string& name) const {
  if (const Option* o = find(name)) return *o;
  throw std::logic_error("zcache: no option named " + name);  // a bug in the caller, not input
}

std::string Options::describe(const Option& o) const {
  std::string d = "--" + o.name;
  if (!o.env.empty()) {
    d += " (";
    for (std::size_t i = 0; i < o.env.size(); ++i) d += (i ? " or " : "") + o.env[i];
    d += ")";
  }
  return d;
}

void Options::check(const Option& o, const std::string& value) const {
  const std::string problem = check_message(o.kind, value);
  if (!problem.empty()) throw UsageError("invalid value for " + describe(o) + ": " + problem);
}

void Options::parse(const std::vector<std::string>& args, const Environment& env) {
  values_.clear();
  help_ = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      return;
    }
    if (!arg.starts_with("--") || arg.size() == 2)
      throw UsageError("unexpected argument \"" + arg + "\" (see zcache " + command_ + " --help)");
    std::string name = arg.substr(2), value;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Option* o = find(name);
    if (!o) throw UsageError("unknown option --" + name + " (see zcache " + command_ + " --help)");
    if (eq == std::string::npos) {
      const bool next_is_value = i + 1 < args.size() && !args[i + 1].starts_with("--");
      if (o->kind == Kind::Bool && !next_is_value) {
        value = "true";  // a bare boolean flag
      } else if (!next_is_value) {
        throw UsageError("option --" + name + " needs a value");
      } else {
        value = args[++i];
      }
    }
    check(*o, value);
    values_[name] = value;
  }
  for (const auto& o : spec_) {
    if (values_.count(o.name)) continue;
    for (const auto& var : o.env) {
      if (auto v = env(var)) {
        check(o, *v);
        values_[o.name] = *v;
        break;
      }
    }
    if (!values_.count(o.name) && !o.default_value.empty()) values_[o.name] = o.default_value;
    if (!values_.count(o.name) && o.required) throw UsageError(describe(o) + " is required: " + o.help);
  }
}

std::string Options::help() const {
  std::ostringstream out;
  out << "usage: zcache " << command_ << " [options]\n\n" << summary_ << "\n\noptions (a flag wins over its variable):\n";
  for (const auto& o : spec_) {
    out << "  " << describe(o) << "\n      " << o.help;
    if (!o.default_value.empty()) out << " (default: " << o.default_value << ")";
    if (o.required) out << " (required)";
    out << "\n";
  }
  out << "  --help\n      print this and exit\n";
  return out.str();
}

bool Options::has(const std::string& name) const {
  (void)spec(name);
  return values_.count(name) != 0;
}

const std::string& Options::text(const std::string& name) const {
  const Option& o = spec(name);
  auto it = values_.find(name);
  if (it == values_.end()) throw UsageError(describe(o) + " is not set");
  return it->second;
}

std::uint64_t Options::bytes(const std::string& name) const {
  return value_or_throw(parse_bytes(text(name)), describe(spec(name)));
}
std::int64_t Options::duration_ms(const std::string& name) const {
  return value_or_throw(parse_duration_ms(text(name)), describe(spec(name)));
}
std::uint16_t Options::port(const std::string& name) const {
  return value_or_throw(parse_port(text(name)), describe(spec(name)));
}
HostPort Options::host_port(const std::string& name) const {
  return value_or_throw(parse_host_port(text(name)), describe(spec(name)));
}
bool Options::flag(const std::string& name) const {
  return value_or_throw(parse_bool(text(name)), describe(spec(name)));
}
std::uint64_t Options::count(const std::string& name) const {
  return value_or_throw(parse_count(text(name)), describe(spec(name)));
}

}  // namespace zcache::cli
