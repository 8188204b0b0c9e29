#include "meshgate/translate/responses_request.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace meshgate::translate {

namespace {

using core::json;

// Same refusal list as the chat route: a client never picks the upstream or its credentials.
constexpr std::array<std::string_view, 7> forbidden_keys = {
    "api_base", "base_url", "api_key", "api_version", "custom_llm_provider", "litellm_params", "azure_ad_token"};
constexpr std::array<std::string_view, 3> forbidden_prefixes = {"aws_", "vertex_", "azure_"};

// The chat route's consumed list minus `metadata`, which the Responses API defines itself.
constexpr std::array<std::string_view, 24> consumed_keys = {
    "tags", "fallbacks", "num_retries", "mock_response", "caching", "timeout", "cache", "guardrails",
    "drop_params", "additional_drop_params", "mock_testing_fallbacks", "mock_timeout", "mock_tool_calls",
    "context_window_fallback_dict", "content_policy_fallbacks", "disable_fallbacks", "max_retries",
    "input_cost_per_token", "output_cost_per_token", "proxy_server_request", "secret_fields", "model_list",
    "no-log", "extra_headers"};
constexpr std::array<std::string_view, 2> consumed_prefixes = {"litellm_", "user_api_key"};

bool matches(std::string_view key, const auto& exact, const auto& prefixes) {
  for (std::string_view k : exact) {
    if (key == k) return true;
  }
  for (std::string_view p : prefixes) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

core::api_error field_error(std::string_view field, std::string_view what) {
  return core::bad_request(in_quotes(field) + " " + std::string(what), std::string(field));
}

core::api_error forbidden_error(std::string_view shown, std::string_view param) {
  return core::bad_request(
      in_quotes(shown) + " is not allowed in the request body: the upstream is fixed by the gateway's config",
      std::string(param));
}

const json* present(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

// Python clients send some integers as 12.0.
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
    if (matches(key, forbidden_keys, forbidden_prefixes)) return forbidden_error("extra_body." + key, "extra_body");
    body[key] = std::move(value);
  }
  return std::nullopt;
}

std::optional<core::api_error> check_input(const json& body) {
  const json* input = present(body, "input");
  if (input == nullptr) return field_error("input", "is required");
  if (input->is_string()) return std::nullopt;
  if (!input->is_array()) return field_error("input", "must be a string or an array");
  for (std::size_t i = 0; i < input->size(); ++i) {
    if (!(*input)[i].is_object()) return core::bad_request("input[" + std::to_string(i) + "] must be an object", "input");
  }
  return std::nullopt;
}

std::optional<core::api_error> check_types(const json& body, responses_request& req) {
  if (const json* v = present(body, "stream")) {
    if (!v->is_boolean()) return field_error("stream", "must be a boolean");
    req.stream = v->get<bool>();
  }
  if (const json* v = present(body, "store")) {
    if (!v->is_boolean()) return field_error("store", "must be a boolean");
    req.store = v->get<bool>();
  }
  if (const json* v = present(body, "previous_response_id")) {
    if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
      return field_error("previous_response_id", "must be a non-empty string");
    }
    req.previous_response_id = v->get<std::string>();
  }
  if (const json* v = present(body, "instructions"); v != nullptr && !v->is_string()) {
    return field_error("instructions", "must be a string");
  }
  if (const json* v = present(body, "max_output_tokens")) {
    auto n = integral(*v);
    if (!n || *n < 1) return field_error("max_output_tokens", "must be a positive integer");
  }
  for (std::string_view key : {std::string_view("text"), std::string_view("reasoning"), std::string_view("metadata")}) {
    if (const json* v = present(body, key); v != nullptr && !v->is_object()) return field_error(key, "must be an object");
  }
  if (const json* v = present(body, "tool_choice"); v != nullptr && !v->is_string() && !v->is_object()) {
    return field_error("tool_choice", "must be a string or an object");
  }
  return std::nullopt;
}

std::optional<core::api_error> check_tools(const json& body) {
  const json* tools = present(body, "tools");
  if (tools == nullptr) return std::nullopt;
  if (!tools->is_array()) return field_error("tools", "must be an array");
  for (std::size_t i = 0; i < tools->size(); ++i) {
    const json& tool = (*tools)[i];
    std::string where = "tools[" + std::to_string(i) + "]";
    if (!tool.is_object()) return core::bad_request(where + " must be an object", "tools");
    const json* type = present(tool, "type");
    if (type == nullptr || !type->is_string() || type->get_ref<const std::string&>() != "function") continue;
    // Flat Responses shape; a chat-shaped `function` object is accepted too (some clients reuse theirs).
    const json& def = tool.contains("function") && tool["function"].is_object() ? tool["function"] : tool;
    const json* name = present(def, "name");
    if (name == nullptr || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      return core::bad_request(where + ": name is required", "tools");
    }
    if (const json* description = present(def, "description"); description == nullptr || !has_visible_text(*description)) {
      return core::bad_request(where + " (" + in_quotes(name->get_ref<const std::string&>()) +
                                   "): description is required by Tensormesh and must be non-empty",
                               "tools");
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> read_litellm_controls(const json& body, responses_request& req) {
  if (const json* timeout = present(body, "timeout")) {
    req.timeout_s = seconds(*timeout);
    if (!req.timeout_s) return field_error("timeout", "must be a positive number of seconds");
  }
  if (const json* retries = present(body, "num_retries")) {
    auto n = integral(*retries);
    if (!n || *n < 0 || *n > std::numeric_limits<int>::max()) {
      return field_error("num_retries", "must be a non-negative integer");
    }
    req.num_retries = static_cast<int>(*n);
  }
  if (const json* user = present(body, "user"); user != nullptr && user->is_string()) req.user = user->get<std::string>();
  return std::nullopt;
}

}  // namespace

std::variant<responses_request, core::api_error> parse_responses_request(std::string_view body) {
  auto parsed = core::parse_json(body);
  if (auto* err = std::get_if<core::json_parse_error>(&parsed)) {
    return core::bad_request("Malformed JSON in request body: " + err->message);
  }
  responses_request req;
  req.body = std::move(std::get<json>(parsed));
  json& j = req.body;
  if (!j.is_object()) return core::bad_request(std::string("Request body must be a JSON object, got ") + j.type_name());
  if (auto e = merge_extra_body(j)) return *std::move(e);
  for (const auto& [key, value] : j.items()) {
    if (matches(key, forbidden_keys, forbidden_prefixes)) return forbidden_error(key, key);
  }
  const json* model = present(j, "model");
  if (model == nullptr) return field_error("model", "is required");
  if (!model->is_string() || model->get_ref<const std::string&>().empty()) {
    return field_error("model", "must be a non-empty string");
  }
  req.model = model->get<std::string>();
  if (auto e = check_input(j)) return *std::move(e);
  if (auto e = check_types(j, req)) return *std::move(e);
  if (auto e = check_tools(j)) return *std::move(e);
  if (auto e = read_litellm_controls(j, req)) return *std::move(e);
  return req;
}

bool is_gateway_only_key(std::string_view key) { return matches(key, consumed_keys, consumed_prefixes); }

std::string build_native_body(responses_request& req, std::string_view upstream_model,
                              std::string_view upstream_previous_response_id) {
  json& j = req.body;
  if (!j.is_object()) j = json::object();
  j["model"] = std::string(upstream_model);
  if (!upstream_previous_response_id.empty()) j["previous_response_id"] = std::string(upstream_previous_response_id);
  std::vector<std::string> drop;
  for (const auto& [key, value] : j.items()) {
    if (is_gateway_only_key(key)) drop.push_back(key);
  }
  for (const auto& key : drop) j.erase(key);
  return core::dump_json(j);
}

}  // namespace meshgate::translate
