#include <algorithm>
#include <array>

#include <boost/url/parse.hpp>

#include "meshgate/config/sections.hpp"
#include "meshgate/core/ascii.hpp"
#include "meshgate/core/ids.hpp"

namespace meshgate::config {

namespace {

constexpr long long max_retries_limit = 100;
// Bounds the id hash walk: YAML aliases can make a small file describe a huge tree.
constexpr std::size_t max_hashed_nodes = 100000;

struct provider_info {
  std::string_view name;
  std::string_view default_base;  // empty: api_base is required
  std::array<std::string_view, 2> base_envs;
  std::string_view key_env;
};

// litellm-reference §6 for tensormesh; LiteLLM's own env names for the other two.
constexpr std::array providers{
    provider_info{"tensormesh", "https://serverless.tensormesh.ai/v1", {"TENSORMESH_SERVERLESS_BASE_URL", ""},
                  "TENSORMESH_INFERENCE_API_KEY"},
    provider_info{"hosted_vllm", "", {"HOSTED_VLLM_API_BASE", ""}, "HOSTED_VLLM_API_KEY"},
    provider_info{"openai", "https://api.openai.com/v1", {"OPENAI_BASE_URL", "OPENAI_API_BASE"}, "OPENAI_API_KEY"},
};

bool has_control_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }


// Why `url` cannot be an api_base, or empty when it can.
std::string api_base_problem(std::string_view url) {
  auto r = boost::urls::parse_absolute_uri(url);
  if (!r) return "must be an http:// or https:// URL";
  const auto& u = *r;
  if (u.scheme_id() != boost::urls::scheme::http && u.scheme_id() != boost::urls::scheme::https)
    return "must be an http:// or https:// URL";
  if (!u.has_authority() || u.encoded_host().empty()) return "must be an http:// or https:// URL with a host";
  if (u.has_userinfo()) return "must not carry credentials (user:password@); use api_key";
  if (u.has_query() || u.has_fragment()) return "must not have a query or fragment";
  return {};
}

std::string strip_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// --- deployment id -----------------------------------------------------------------------

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

// Compact JSON of the YAML as written (scalars as strings, os.environ/ references unresolved),
// so the id never depends on a secret's value and survives key rotation.
bool append_raw(std::string& out, const YAML::Node& n, std::size_t& budget) {
  if (budget == 0) return false;
  --budget;
  if (!n.IsDefined() || n.IsNull()) {
    out += "null";
  } else if (n.IsScalar()) {
    append_json_string(out, n.Scalar());
  } else if (n.IsSequence()) {
    out += '[';
    bool first = true;
    for (const auto& item : n) {
      if (!first) out += ", ";
      first = false;
      if (!append_raw(out, item, budget)) return false;
    }
    out += ']';
  } else {
    out += '{';
    bool first = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      const YAML::Node key = it->first;  // copies: `it->` yields a temporary proxy
      const YAML::Node value = it->second;
      if (!append_raw(out, key, budget)) return false;
      out += ": ";
      if (!append_raw(out, value, budget)) return false;
    }
    out += '}';
  }
  return true;
}

// LiteLLM's Router._generate_model_id shape: model_name, then each litellm_params key followed
// by its value (strings as written, structures as JSON).
std::optional<std::string> generated_id(const YAML::Node& model_name, const std::vector<map_entry>& params) {
  std::string text = model_name.IsScalar() ? model_name.Scalar() : std::string();
  std::size_t budget = max_hashed_nodes;
  for (const auto& e : params) {
    text += e.key;
    const YAML::Node& v = e.value.node;
    if (v.IsDefined() && v.IsScalar()) {
      text += v.Scalar();
    } else if (!append_raw(text, v, budget)) {
      return std::nullopt;
    }
  }
  return core::sha256_hex(text);
}

// --- headers -----------------------------------------------------------------------------

struct header {
  std::string name;
  std::string value;
  int line = 0;
};

// extra_headers / headers: a map of header name → value.
std::optional<std::vector<header>> parse_headers(yaml_reader& rd, const slot& s) {
  auto entries = rd.entries(s);
  if (!entries) return std::nullopt;
  std::vector<header> out;
  for (const auto& e : *entries) {
    const slot& v = e.value;
    if (!is_http_token(e.key)) {
      rd.fail(v, "is not a valid HTTP header name");
      return std::nullopt;
    }
    const std::string name = core::ascii_lower(e.key);
    if (name == "host" || name == "content-length" || name == "transfer-encoding" || name == "connection") {
      rd.fail(v, "is set by meshgate; remove it");
      return std::nullopt;
    }
    if (name == "authorization") {
      rd.fail(v, "the upstream credential comes from litellm_params.api_key; remove it");
      return std::nullopt;
    }
    auto dup = std::find_if(out.begin(), out.end(), [&](const header& h) { return core::ascii_iequals(h.name, e.key); });
    if (dup != out.end()) {
      rd.fail(v, "duplicate header (also at line " + std::to_string(dup->line) + ")");
      return std::nullopt;
    }
    auto value = rd.scalar(v, "must be a string");
    if (!rd.ok()) return std::nullopt;
    if (!value) {
      rd.fail(v, "must be a string");
      return std::nullopt;
    }
    if (has_control_break(value->text)) {
      rd.fail(v, "must not contain CR, LF or NUL");
      return std::nullopt;
    }
    out.push_back(header{e.key, std::move(value->text), v.line});
  }
  return out;
}

// --- blocks ------------------------------------------------------------------------------

struct params_block {
  std::vector<map_entry> entries;  // as written, for the id
  std::optional<std::string> model;
  slot model_slot;
  std::optional<scalar_value> api_key;
  slot api_key_slot;
  std::optional<std::string> api_base;
  slot api_base_slot;
  std::vector<header> headers;        // litellm_params.headers
  std::vector<header> extra_headers;  // litellm_params.extra_headers
  std::optional<std::string> custom_provider;
  slot custom_provider_slot;
  std::optional<double> input_cost, output_cost, cache_read_cost;
  std::optional<std::string> base_model;
};

struct info_block {
  std::optional<std::string> id;
  slot id_slot;
  std::optional<double> input_cost, output_cost, cache_read_cost;
  std::optional<std::string> base_model;
};

void read_params(yaml_reader& rd, const slot& s, const std::string& entry_path, params_block& p,
                 deployment_draft& d, std::vector<std::string>& ignored) {
  auto entries = rd.entries(s);
  if (!entries) return;
  p.entries = *entries;
  deployment& dep = d.dep;
  for (const auto& e : *entries) {
    const slot& v = e.value;
    if (e.key == "model") {
      p.model = rd.nonempty_text(v);
      p.model_slot = v;
    } else if (e.key == "api_key") {
      p.api_key = rd.scalar(v, "must be a string");
      p.api_key_slot = v;
    } else if (e.key == "api_base") {
      p.api_base = rd.text(v);
      p.api_base_slot = v;
    } else if (e.key == "extra_headers") {
      if (auto h = parse_headers(rd, v)) p.extra_headers = std::move(*h);
    } else if (e.key == "headers") {
      if (auto h = parse_headers(rd, v)) p.headers = std::move(*h);
    } else if (e.key == "timeout") {
      dep.timeout_s = rd.seconds(v);
    } else if (e.key == "stream_timeout") {
      dep.stream_timeout_s = rd.seconds(v);
    } else if (e.key == "max_retries") {
      if (auto n = rd.whole(v, 0, max_retries_limit)) dep.max_retries = static_cast<int>(*n);
    } else if (e.key == "ssl_verify") {
      d.ssl_verify = rd.boolean(v);
    } else if (e.key == "responses_mode") {
      if (auto m = rd.nonempty_text(v)) {
        if (*m != "native" && *m != "bridge")
          rd.fail(v, "must be native or bridge");
        else
          dep.responses_mode = std::move(*m);
      }
    } else if (e.key == "input_cost_per_token") {
      p.input_cost = rd.cost(v);
    } else if (e.key == "output_cost_per_token") {
      p.output_cost = rd.cost(v);
    } else if (e.key == "cache_read_input_token_cost") {
      p.cache_read_cost = rd.cost(v);
    } else if (e.key == "base_model") {
      p.base_model = rd.text(v);
    } else if (e.key == "custom_llm_provider") {
      p.custom_provider = rd.text(v);
      p.custom_provider_slot = v;
    } else {
      other_key(rd, section::litellm_params, e, entry_path, ignored);
    }
    if (!rd.ok()) return;
  }
}

void read_info(yaml_reader& rd, const slot& s, const std::string& entry_path, info_block& info,
               deployment_draft& d, std::vector<std::string>& ignored) {
  auto entries = rd.entries(s);
  if (!entries) return;
  deployment& dep = d.dep;
  for (const auto& e : *entries) {
    const slot& v = e.value;
    if (e.key == "id") {
      info.id = rd.text(v);
      info.id_slot = v;
    } else if (e.key == "mode") {
      if (auto m = rd.text(v); m && !m->empty()) dep.mode = std::move(*m);
    } else if (e.key == "input_cost_per_token") {
      info.input_cost = rd.cost(v);
    } else if (e.key == "output_cost_per_token") {
      info.output_cost = rd.cost(v);
    } else if (e.key == "cache_read_input_token_cost") {
      info.cache_read_cost = rd.cost(v);
    } else if (e.key == "base_model") {
      info.base_model = rd.text(v);
    } else if (e.key == "health_check_mode") {
      if (auto m = rd.text(v)) {
        if (!m->empty() && *m != "chat")
          rd.fail(v, "must be chat (or omitted for the free GET /models probe)");
        else
          dep.health_check_mode = std::move(*m);
      }
    } else if (e.key == "health_check_timeout") {
      dep.health_check_timeout_s = rd.seconds(v);
    } else {
      other_key(rd, section::model_info, e, entry_path, ignored);
    }
    if (!rd.ok()) return;
  }
}

const provider_info* find_provider(std::string_view name) {
  auto it = std::find_if(providers.begin(), providers.end(), [&](const provider_info& p) { return p.name == name; });
  return it == providers.end() ? nullptr : &*it;
}

// Splits litellm_params.model and fills provider, upstream_model, api_base, api_key.
void resolve_provider(yaml_reader& rd, const params_block& p, const slot& params_slot, deployment& dep) {
  const std::string& m = dep.model;
  if (m.find('*') != std::string::npos) {
    rd.fail(p.model_slot, "wildcard models are not supported; list each model");
    return;
  }
  const auto slash = m.find('/');
  if (slash == std::string::npos) {
    rd.fail(p.model_slot, "'" + m + "' has no provider prefix; write <provider>/<model id>, e.g. tensormesh/openai/gpt-oss-120b");
    return;
  }
  dep.provider = m.substr(0, slash);
  dep.upstream_model = m.substr(slash + 1);
  const provider_info* prov = find_provider(dep.provider);
  if (prov == nullptr) {
    rd.fail(p.model_slot, "provider '" + dep.provider + "' is not supported (use tensormesh/, hosted_vllm/ or openai/)");
    return;
  }
  if (dep.upstream_model.empty()) {
    rd.fail(p.model_slot, "'" + m + "' names no model after the provider");
    return;
  }
  if (p.custom_provider && !p.custom_provider->empty() && *p.custom_provider != dep.provider) {
    rd.fail(p.custom_provider_slot, "'" + *p.custom_provider + "' does not match the provider prefix of model ('" +
                                        dep.provider + "/'); meshgate takes the provider from model");
    return;
  }

  // api_base: litellm_params, else the provider's env vars, else its default.
  const std::string base_path = child_path(params_slot.path, "api_base");
  if (p.api_base && !p.api_base->empty()) {
    if (auto why = api_base_problem(*p.api_base); !why.empty()) {
      rd.fail(p.api_base_slot, why);
      return;
    }
    dep.api_base = *p.api_base;
  } else {
    for (std::string_view env : prov->base_envs) {
      if (env.empty()) continue;
      auto v = rd.lookup(env);
      if (!v || v->empty()) continue;
      if (auto why = api_base_problem(*v); !why.empty()) {
        rd.fail(params_slot.line, base_path, "environment variable " + std::string(env) + " " + why);
        return;
      }
      dep.api_base = *v;
      break;
    }
    if (dep.api_base.empty()) {
      if (prov->default_base.empty()) {
        rd.fail(params_slot.line, base_path,
                "is required for " + dep.provider + "/ models (or set " + std::string(prov->base_envs[0]) + ")");
        return;
      }
      dep.api_base = prov->default_base;
    }
  }
  dep.api_base = strip_trailing_slashes(std::move(dep.api_base));

  // api_key: litellm_params (an os.environ/ reference is honoured even when empty), else the
  // provider's env var; an empty result is allowed and reported per request.
  if (p.api_key && (!p.api_key->text.empty() || !p.api_key->env_name.empty())) {
    dep.api_key = p.api_key->text;
    dep.api_key_env = p.api_key->env_name;
    if (has_control_break(dep.api_key)) rd.fail(p.api_key_slot, "must not contain CR, LF or NUL");
  } else {
    dep.api_key = rd.lookup(prov->key_env).value_or("");
    dep.api_key_env = prov->key_env;
    if (has_control_break(dep.api_key))
      rd.fail(params_slot.line, child_path(params_slot.path, "api_key"),
              "environment variable " + std::string(prov->key_env) + " must not contain CR, LF or NUL");
  }
}

}  // namespace

std::optional<deployment_draft> parse_deployment(yaml_reader& rd, const slot& entry, std::vector<std::string>& ignored) {
  if (!entry.node.IsDefined() || !entry.node.IsMap()) {
    rd.fail(entry, "must be a map with model_name and litellm_params");
    return std::nullopt;
  }
  auto entries = rd.entries(entry);
  if (!entries) return std::nullopt;

  deployment_draft d;
  d.path = entry.path;
  d.line = entry.line;
  const map_entry* name_e = nullptr;
  const map_entry* params_e = nullptr;
  const map_entry* info_e = nullptr;
  for (const auto& e : *entries) {
    if (e.key == "model_name") {
      name_e = &e;
    } else if (e.key == "litellm_params") {
      params_e = &e;
    } else if (e.key == "model_info") {
      info_e = &e;
    } else {
      other_key(rd, section::deployment, e, entry.path, ignored);
    }
    if (!rd.ok()) return std::nullopt;
  }

  deployment& dep = d.dep;
  std::optional<std::string> name = name_e ? rd.nonempty_text(name_e->value) : std::nullopt;
  if (!rd.ok()) return std::nullopt;
  if (!name) {
    rd.fail(name_e ? name_e->value.line : entry.line, child_path(entry.path, "model_name"), "is required");
    return std::nullopt;
  }
  dep.model_name = std::move(*name);

  const int params_line = params_e ? params_e->value.line : entry.line;
  const std::string params_path = child_path(entry.path, "litellm_params");
  if (!params_e || !params_e->value.node.IsDefined() || params_e->value.node.IsNull()) {
    rd.fail(params_line, params_path, "is required");
    return std::nullopt;
  }
  params_block p;
  read_params(rd, params_e->value, entry.path, p, d, ignored);
  if (!rd.ok()) return std::nullopt;
  if (!p.model) {
    rd.fail(p.model_slot.line > 0 ? p.model_slot.line : params_line, child_path(params_path, "model"), "is required");
    return std::nullopt;
  }
  dep.model = *p.model;

  info_block info;
  if (info_e) read_info(rd, info_e->value, entry.path, info, d, ignored);
  if (!rd.ok()) return std::nullopt;

  resolve_provider(rd, p, params_e->value, dep);
  if (!rd.ok()) return std::nullopt;

  // Header precedence: `headers` first, `extra_headers` replaces a header of the same name.
  for (auto& h : p.headers) dep.extra_headers.emplace_back(std::move(h.name), std::move(h.value));
  for (auto& h : p.extra_headers) {
    auto same = std::find_if(dep.extra_headers.begin(), dep.extra_headers.end(),
                             [&](const auto& x) { return core::ascii_iequals(x.first, h.name); });
    if (same != dep.extra_headers.end())
      *same = {std::move(h.name), std::move(h.value)};
    else
      dep.extra_headers.emplace_back(std::move(h.name), std::move(h.value));
  }

  // Pricing: litellm_params first, then model_info.
  dep.input_cost_per_token = p.input_cost ? p.input_cost : info.input_cost;
  dep.output_cost_per_token = p.output_cost ? p.output_cost : info.output_cost;
  dep.cache_read_input_token_cost = p.cache_read_cost ? p.cache_read_cost : info.cache_read_cost;
  if (info.base_model && !info.base_model->empty())
    dep.base_model = *info.base_model;
  else if (p.base_model)
    dep.base_model = *p.base_model;

  if (info.id && !info.id->empty()) {
    dep.id = *info.id;
    d.explicit_id = true;
    d.id_path = info.id_slot.path;
    d.id_line = info.id_slot.line;
  } else {
    auto id = generated_id(name_e->value.node, p.entries);
    if (!id) {
      rd.fail(params_line, params_path, "too large to derive a deployment id from; set model_info.id");
      return std::nullopt;
    }
    dep.id = std::move(*id);
  }
  return d;
}

}  // namespace meshgate::config
