#include "meshgate/config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "meshgate/core/ascii.hpp"

namespace meshgate::config {

namespace {

constexpr std::string_view env_prefix = "os.environ/";
// `<<` maps can merge maps that merge maps; real configs use one level, this only stops cycles.
constexpr int max_merge_depth = 16;

bool is_null(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }

// A plain (unquoted) `<<` key is YAML's merge key; yaml-cpp 0.7 leaves it to the application.
bool is_merge_key(const YAML::Node& k) { return k.Scalar() == "<<" && k.Tag() == "?"; }

std::string format_number(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

std::optional<double> parse_number(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  // from_chars rejects a leading '+', which YAML and humans both write.
  if (t.size() > 1 && t.front() == '+' && t[1] != '-' && t[1] != '+') t.remove_prefix(1);
  if (t.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
  if (ec != std::errc{} || ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string p(parent);
  if (!p.empty()) p += '.';
  p += key;
  return p;
}

std::string item_path(std::string_view parent, std::size_t index) {
  std::string p(parent);
  p += '[';
  p += std::to_string(index);
  p += ']';
  return p;
}

int line_of(const YAML::Node& n, int fallback) {
  if (!n.IsDefined()) return fallback;
  const int line = n.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

yaml_reader::yaml_reader(std::string source_name, lookup_fn env)
    : source_(std::move(source_name)), env_(std::move(env)) {}

void yaml_reader::fail(int line, std::string_view path, std::string_view what) {
  if (!error_.empty()) return;
  error_ = source_;
  if (line > 0) {
    error_ += ':';
    error_ += std::to_string(line);
  }
  error_ += ": ";
  if (!path.empty()) {
    error_ += path;
    error_ += ": ";
  }
  error_ += what;
}

void yaml_reader::set_section_variables(std::vector<std::pair<std::string, std::string>> vars) {
  section_vars_ = std::move(vars);
}

std::optional<std::string> yaml_reader::lookup(std::string_view name) const {
  for (const auto& [k, v] : section_vars_)
    if (k == name) return v;
  if (!env_) return std::nullopt;
  return env_(name);
}

bool yaml_reader::collect(const slot& s, int depth, std::vector<map_entry>& out) {
  if (!s.node.IsMap()) {
    fail(s, "must be a map");
    return false;
  }
  if (depth > max_merge_depth) {
    fail(s, "merge keys (<<) nested too deeply");
    return false;
  }
  // Explicit keys first: they win over merged ones wherever the `<<` sits.
  std::vector<std::pair<std::string, int>> seen;
  for (auto it = s.node.begin(); it != s.node.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: `it->` yields a temporary proxy
    const int key_line = line_of(k, s.line);
    if (!k.IsScalar()) {
      fail(key_line, s.path, "keys must be strings");
      return false;
    }
    if (is_merge_key(k)) continue;
    const std::string& key = k.Scalar();
    auto dup = std::find_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == key; });
    if (dup != seen.end()) {
      fail(key_line, child_path(s.path, key), "duplicate key (first at line " + std::to_string(dup->second) + ")");
      return false;
    }
    seen.emplace_back(key, key_line);
  }
  for (auto it = s.node.begin(); it != s.node.end(); ++it) {
    const YAML::Node k = it->first;  // copies: `it->` yields a temporary proxy
    const YAML::Node v = it->second;
    const int key_line = line_of(k, s.line);
    if (!is_merge_key(k)) {
      out.push_back(map_entry{k.Scalar(), slot{v, child_path(s.path, k.Scalar()), key_line}});
      continue;
    }
    std::vector<YAML::Node> sources;
    if (v.IsMap()) {
      sources.push_back(v);
    } else if (v.IsSequence()) {
      for (const auto& item : v) sources.push_back(item);
    }
    if (sources.empty() || std::any_of(sources.begin(), sources.end(), [](const YAML::Node& n) { return !n.IsMap(); })) {
      fail(key_line, child_path(s.path, "<<"), "must be a map or a list of maps");
      return false;
    }
    for (const auto& src : sources) {
      std::vector<map_entry> merged;
      if (!collect(slot{src, s.path, line_of(src, key_line)}, depth + 1, merged)) return false;
      for (auto& e : merged) {
        auto have = std::find_if(seen.begin(), seen.end(), [&](const auto& x) { return x.first == e.key; });
        if (have != seen.end()) continue;
        seen.emplace_back(e.key, e.value.line);
        out.push_back(std::move(e));
      }
    }
  }
  return true;
}

std::optional<std::vector<map_entry>> yaml_reader::entries(const slot& s) {
  std::vector<map_entry> out;
  if (is_null(s.node)) return out;
  if (!collect(s, 0, out)) return std::nullopt;
  return out;
}

std::optional<std::vector<slot>> yaml_reader::items(const slot& s, std::string_view not_list_what) {
  std::vector<slot> out;
  if (is_null(s.node)) return out;
  if (!s.node.IsSequence()) {
    fail(s, not_list_what);
    return std::nullopt;
  }
  std::size_t i = 0;
  for (const auto& item : s.node) {
    out.push_back(slot{item, item_path(s.path, i), line_of(item, s.line)});
    ++i;
  }
  return out;
}

std::optional<scalar_value> yaml_reader::resolve(const slot& s, const std::string& raw) {
  if (!raw.starts_with(env_prefix)) return scalar_value{raw, {}};
  std::string name = raw.substr(env_prefix.size());
  if (name.empty()) {
    fail(s, "os.environ/ must be followed by a variable name");
    return std::nullopt;
  }
  auto v = lookup(name);
  if (!v) {
    fail(s, "environment variable " + name + " is not set");
    return std::nullopt;
  }
  return scalar_value{std::move(*v), std::move(name)};
}

std::optional<scalar_value> yaml_reader::scalar(const slot& s, std::string_view not_scalar_what) {
  if (!ok() || is_null(s.node)) return std::nullopt;
  if (!s.node.IsScalar()) {
    fail(s, not_scalar_what);
    return std::nullopt;
  }
  return resolve(s, s.node.Scalar());
}

std::optional<std::string> yaml_reader::text(const slot& s) {
  auto v = scalar(s, "must be a string");
  if (!v) return std::nullopt;
  return std::move(v->text);
}

std::optional<std::string> yaml_reader::nonempty_text(const slot& s) {
  auto v = text(s);
  if (v && v->empty()) {
    fail(s, "must not be empty");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> yaml_reader::boolean(const slot& s) {
  constexpr std::string_view what = "must be true or false";
  auto v = scalar(s, what);
  if (!v) return std::nullopt;
  for (std::string_view t : {"true", "yes", "on"})
    if (core::ascii_iequals(v->text, t)) return true;
  for (std::string_view f : {"false", "no", "off"})
    if (core::ascii_iequals(v->text, f)) return false;
  fail(s, what);
  return std::nullopt;
}

std::optional<double> yaml_reader::number(const slot& s, std::string_view not_number_what) {
  auto v = scalar(s, not_number_what);
  if (!v) return std::nullopt;
  auto d = parse_number(v->text);
  if (!d) fail(s, not_number_what);
  return d;
}

std::optional<double> yaml_reader::seconds(const slot& s) {
  auto d = number(s, "must be a number of seconds");
  if (d && (*d <= 0 || *d > max_timeout_seconds)) {
    fail(s, "must be greater than 0 and at most " + format_number(max_timeout_seconds) + " seconds");
    return std::nullopt;
  }
  return d;
}

std::optional<double> yaml_reader::cost(const slot& s) {
  auto d = number(s, "must be a number (USD per token)");
  if (d && *d < 0) {
    fail(s, "must not be negative");
    return std::nullopt;
  }
  return d;
}

std::optional<long long> yaml_reader::whole(const slot& s, long long lo, long long hi) {
  auto d = number(s, "must be a whole number");
  if (!d) return std::nullopt;
  if (std::floor(*d) != *d) {
    fail(s, "must be a whole number");
    return std::nullopt;
  }
  if (*d < static_cast<double>(lo) || *d > static_cast<double>(hi)) {
    fail(s, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return std::nullopt;
  }
  return static_cast<long long>(*d);
}

std::optional<double> yaml_reader::positive(const slot& s, double max, std::string_view unit) {
  auto d = number(s, "must be a number of " + std::string(unit));
  if (d && (*d <= 0 || *d > max)) {
    fail(s, "must be greater than 0 and at most " + format_number(max) + " " + std::string(unit));
    return std::nullopt;
  }
  return d;
}

}  // namespace meshgate::config
