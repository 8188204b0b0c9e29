#include "meshgate/translate/responses_request.hpp"

#include <utility>
#include <vector>

#include "meshgate/translate/request_fields.hpp"

namespace meshgate::translate {

namespace {

using core::json;

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
  if (auto e = read_retry_controls(body, req.timeout_s, req.num_retries)) return e;
  if (const json* user = present(body, "user"); user != nullptr && user->is_string()) req.user = user->get<std::string>();
  return std::nullopt;
}

}  // namespace

std::variant<responses_request, core::api_error> parse_responses_request(std::string_view body) {
  auto parsed = parse_request_json(body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  responses_request req;
  req.body = std::get<json>(std::move(parsed));
  json& j = req.body;
  if (auto e = check_request_object(j)) return *std::move(e);
  if (auto e = read_model(j, req.model)) return *std::move(e);
  if (auto e = check_input(j)) return *std::move(e);
  if (auto e = check_types(j, req)) return *std::move(e);
  if (auto e = check_tools(j)) return *std::move(e);
  if (auto e = read_litellm_controls(j, req)) return *std::move(e);
  return req;
}

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
