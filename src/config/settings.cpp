#include <cmath>

#include "meshgate/config/sections.hpp"
#include "meshgate/core/ascii.hpp"

namespace meshgate::config {

namespace {

constexpr long long max_retries_limit = 100;
constexpr double max_size_mb = 1048576;  // 1 TiB: far beyond any sane body, far below overflow
constexpr std::uint64_t bytes_per_mb = 1ull << 20;

std::uint64_t megabytes_to_bytes(double mb) {
  const auto bytes = std::llround(mb * static_cast<double>(bytes_per_mb));
  return bytes < 1 ? 1 : static_cast<std::uint64_t>(bytes);
}

void set_seconds(yaml_reader& rd, const slot& s, double& out) {
  if (auto v = rd.seconds(s)) out = *v;
}

void set_bool(yaml_reader& rd, const slot& s, bool& out) {
  if (auto v = rd.boolean(s)) out = *v;
}

}  // namespace

bool is_http_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

void other_key(yaml_reader& rd, section s, const map_entry& e, std::string_view block_parent,
               std::vector<std::string>& ignored) {
  const placement p = home_of(s, e.key);
  if (p.top_level) {
    rd.fail(e.value, "belongs at the top level");
    return;
  }
  if (p.sections.empty()) {
    ignored.push_back(e.value.path);
    return;
  }
  const bool in_deployment = s == section::deployment || s == section::litellm_params || s == section::model_info;
  std::string where = "belongs in ";
  for (std::size_t i = 0; i < p.sections.size(); ++i) {
    if (i > 0) where += " or ";
    if (in_deployment) {
      where += block_parent;
      where += '.';
    }
    where += section_name(p.sections[i]);
  }
  rd.fail(e.value, where);
}

void parse_general_settings(yaml_reader& rd, const slot& s, settings_draft& d, std::vector<std::string>& ignored) {
  auto entries = rd.entries(s);
  if (!entries) return;
  settings& o = d.out;
  for (const auto& e : *entries) {
    const slot& v = e.value;
    if (e.key == "master_key") {
      if (auto k = rd.text(v)) {
        d.master_key = std::move(*k);
        d.master_key_path = v.path;
        d.master_key_line = v.line;
      }
    } else if (e.key == "allow_unauthenticated") {
      set_bool(rd, v, o.allow_unauthenticated);
    } else if (e.key == "max_request_size_mb") {
      if (auto mb = rd.positive(v, max_size_mb, "megabytes")) o.max_request_size_bytes = megabytes_to_bytes(*mb);
    } else if (e.key == "max_response_size_mb") {
      if (auto mb = rd.positive(v, max_size_mb, "megabytes")) o.max_response_size_bytes = megabytes_to_bytes(*mb);
    } else if (e.key == "disable_spend_logs") {
      set_bool(rd, v, o.disable_spend_logs);
    } else if (e.key == "spend_logs_path") {
      if (auto p = rd.nonempty_text(v)) o.spend_logs_path = std::move(*p);
    } else if (e.key == "database_url") {
      if (auto u = rd.text(v)) o.database_url = std::move(*u);
    } else if (e.key == "litellm_key_header_name") {
      if (auto h = rd.nonempty_text(v)) {
        if (!is_http_token(*h))
          rd.fail(v, "is not a valid HTTP header name");
        else
          o.key_header_name = core::ascii_lower(*h);
      }
    } else if (e.key == "connect_timeout") {
      set_seconds(rd, v, o.timeout.connect);
    } else if (e.key == "stream_idle_timeout") {
      set_seconds(rd, v, o.timeout.stream_idle);
    } else if (e.key == "request_read_timeout") {
      set_seconds(rd, v, o.timeout.downstream_read);
    } else if (e.key == "response_write_timeout") {
      set_seconds(rd, v, o.timeout.downstream_write);
    } else if (e.key == "keepalive_timeout") {
      set_seconds(rd, v, o.timeout.keepalive_idle);
    } else if (e.key == "health_check_timeout") {
      set_seconds(rd, v, o.timeout.health_check);
    } else {
      other_key(rd, section::general_settings, e, {}, ignored);
    }
    if (!rd.ok()) return;
  }
}

void parse_litellm_settings(yaml_reader& rd, const slot& s, settings_draft& d, std::vector<std::string>& ignored) {
  auto entries = rd.entries(s);
  if (!entries) return;
  for (const auto& e : *entries) {
    const slot& v = e.value;
    if (e.key == "num_retries") {
      if (auto n = rd.whole(v, 0, max_retries_limit)) d.litellm_num_retries = static_cast<int>(*n);
    } else if (e.key == "request_timeout") {
      d.litellm_request_timeout = rd.seconds(v);
    } else if (e.key == "json_logs") {
      set_bool(rd, v, d.out.json_logs);
    } else if (e.key == "include_cost_in_streaming_usage") {
      set_bool(rd, v, d.out.include_cost_in_streaming_usage);
    } else if (e.key == "ssl_verify") {
      d.ssl_verify = rd.boolean(v);
    } else {
      other_key(rd, section::litellm_settings, e, {}, ignored);
    }
    if (!rd.ok()) return;
  }
}

namespace {

void parse_alias(yaml_reader& rd, const map_entry& e, settings_draft& d, std::vector<std::string>& ignored) {
  const slot& v = e.value;
  settings_draft::alias a{e.key, {}, v.path, v.line};
  if (v.node.IsDefined() && v.node.IsMap()) {
    // LiteLLM's long form: {model: <group>, hidden: <bool>}.
    auto fields = rd.entries(v);
    if (!fields) return;
    bool have_model = false;
    for (const auto& f : *fields) {
      if (f.key == "model") {
        if (auto t = rd.nonempty_text(f.value)) {
          a.target = std::move(*t);
          have_model = true;
        }
      } else {
        if (f.key == "hidden") rd.boolean(f.value);  // validated, not acted on
        ignored.push_back(f.value.path);
      }
    }
    if (rd.ok() && !have_model) rd.fail(v.line, child_path(v.path, "model"), "is required");
  } else {
    auto t = rd.scalar(v, "must be a model_name or a map with model");
    if (rd.ok() && (!t || t->text.empty())) rd.fail(v, "must be a model_name or a map with model");
    if (t) a.target = std::move(t->text);
  }
  if (rd.ok()) d.aliases.push_back(std::move(a));
}

}  // namespace

void parse_router_settings(yaml_reader& rd, const slot& s, settings_draft& d, std::vector<std::string>& ignored) {
  auto entries = rd.entries(s);
  if (!entries) return;
  for (const auto& e : *entries) {
    const slot& v = e.value;
    if (e.key == "num_retries") {
      if (auto n = rd.whole(v, 0, max_retries_limit)) d.router_num_retries = static_cast<int>(*n);
    } else if (e.key == "timeout") {
      d.router_timeout = rd.seconds(v);
    } else if (e.key == "stream_timeout") {
      d.router_stream_timeout = rd.seconds(v);
    } else if (e.key == "model_group_alias") {
      auto aliases = rd.entries(v);
      if (!aliases) return;
      for (const auto& a : *aliases) {
        parse_alias(rd, a, d, ignored);
        if (!rd.ok()) return;
      }
    } else {
      other_key(rd, section::router_settings, e, {}, ignored);
    }
    if (!rd.ok()) return;
  }
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_environment_variables(yaml_reader& rd,
                                                                                           const slot& s) {
  auto entries = rd.entries(s);
  if (!entries) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : *entries) {
    if (e.key.empty() || e.key.find('=') != std::string::npos || e.key.find('\0') != std::string::npos) {
      rd.fail(e.value, "is not a valid environment variable name");
      return std::nullopt;
    }
    auto v = rd.scalar(e.value, "must be a string");
    if (!rd.ok()) return std::nullopt;
    if (!v) {
      rd.fail(e.value, "must be a string");
      return std::nullopt;
    }
    out.emplace_back(e.key, std::move(v->text));
  }
  return out;
}

}  // namespace meshgate::config
