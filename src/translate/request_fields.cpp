#include "meshgate/translate/request_fields.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace meshgate::translate {

namespace {

using core::json;

constexpr std::array<std::string_view, 7> forbidden_keys = {
    "api_base", "base_url", "api_key", "api_version", "custom_llm_provider", "litellm_params", "azure_ad_token"};
constexpr std::array<std::string_view, 3> forbidden_prefixes = {"aws_", "vertex_", "azure_"};

constexpr std::array<std::string_view, 24> gateway_only_keys = {
    "tags", "fallbacks", "num_retries", "mock_response", "caching", "timeout", "cache", "guardrails",
    "drop_params", "additional_drop_params", "mock_testing_fallbacks", "mock_timeout", "mock_tool_calls",
    "context_window_fallback_dict", "content_policy_fallbacks", "disable_fallbacks", "max_retries",
    "input_cost_per_token", "output_cost_per_token", "proxy_server_request", "secret_fields", "model_list",
    "no-log", "extra_headers"};
constexpr std::array<std::string_view, 2> gateway_only_prefixes = {"litellm_", "user_api_key"};

bool matches(std::string_view key, const auto& exact, const auto& prefixes) {
  for (std::string_view k : exact) {
    if (key == k) return true;
  }
  for (std::string_view p : prefixes) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

std::optional<core::api_error> merge_extra_body(json& body) {
  auto it = body.find("extra_body");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) {
    body.erase(it);
    return std::nullopt;
  }
  if (!it->is_object()) return field_error("extra_body", "must be an object");
  json extra = std::move(*it);
  body.erase("extra_body");
  for (auto& [key, value] : extra.items()) {
    if (is_forbidden_key(key)) return forbidden_key_error("extra_body." + key, "extra_body");
    body[key] = std::move(value);
  }
  return std::nullopt;
}

}  // namespace

std::string in_quotes(std::string_view name) {
  std::string s;
  s.reserve(name.size() + 2);
  s += '"';
  s += name;
  s += '"';
  return s;
}

core::api_error field_error(std::string_view field, std::string_view what) {
  return field_error(field, what, field);
}

core::api_error field_error(std::string_view path, std::string_view what, std::string_view param) {
  return core::bad_request(in_quotes(path) + " " + std::string(what), std::string(param));
}

const json* present(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::int64_t> integral(const json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9.0e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> seconds(const json& v) {
  double d = 0;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(d) || d <= 0) return std::nullopt;
  return d;
}

bool has_visible_text(const json& v) {
  if (!v.is_string()) return false;
  return v.get_ref<const std::string&>().find_first_not_of(" \t\n\r\f\v") != std::string::npos;
}

bool is_forbidden_key(std::string_view key) { return matches(key, forbidden_keys, forbidden_prefixes); }

core::api_error forbidden_key_error(std::string_view shown, std::string_view param) {
  return core::bad_request(
      in_quotes(shown) + " is not allowed in the request body: the upstream is fixed by the gateway's config",
      std::string(param));
}

bool is_gateway_only_key(std::string_view key) { return matches(key, gateway_only_keys, gateway_only_prefixes); }

std::variant<json, core::api_error> parse_request_json(std::string_view body) {
  auto parsed = core::parse_json(body);
  if (auto* err = std::get_if<core::json_parse_error>(&parsed)) {
    return core::bad_request("Malformed JSON in request body: " + err->message);
  }
  return std::get<json>(std::move(parsed));
}

std::optional<core::api_error> check_request_object(json& body) {
  if (!body.is_object()) {
    return core::bad_request(std::string("Request body must be a JSON object, got ") + body.type_name());
  }
  if (auto e = merge_extra_body(body)) return e;
  for (const auto& [key, value] : body.items()) {
    if (is_forbidden_key(key)) return forbidden_key_error(key, key);
  }
  return std::nullopt;
}

std::optional<core::api_error> read_model(const json& body, std::string& model) {
  const json* m = present(body, "model");
  if (m == nullptr) return field_error("model", "is required");
  if (!m->is_string() || m->get_ref<const std::string&>().empty()) {
    return field_error("model", "must be a non-empty string");
  }
  model = m->get<std::string>();
  return std::nullopt;
}

std::optional<core::api_error> read_retry_controls(const json& body, std::optional<double>& timeout_s,
                                                   std::optional<int>& num_retries) {
  if (const json* timeout = present(body, "timeout")) {
    timeout_s = seconds(*timeout);
    if (!timeout_s) return field_error("timeout", "must be a positive number of seconds");
  }
  if (const json* retries = present(body, "num_retries")) {
    auto n = integral(*retries);
    if (!n || *n < 0 || *n > std::numeric_limits<int>::max()) {
      return field_error("num_retries", "must be a non-negative integer");
    }
    num_retries = static_cast<int>(*n);
  }
  return std::nullopt;
}

}  // namespace meshgate::translate
