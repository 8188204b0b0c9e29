#include "meshgate/translate/chat_passthrough.hpp"

#include <utility>
#include <vector>

#include "meshgate/translate/request_fields.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;

std::optional<core::api_error> check_model(const json& body, std::string_view path_model, openai_request& req) {
  if (!path_model.empty()) {
    req.model = std::string(path_model);
    return std::nullopt;
  }
  return read_model(body, req.model);
}

std::optional<core::api_error> check_messages(const json& body) {
  const json* messages = present(body, "messages");
  if (messages == nullptr) return field_error("messages", "is required");
  if (!messages->is_array() || messages->empty()) return field_error("messages", "must be a non-empty array");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    if (!(*messages)[i].is_object()) {
      return core::bad_request("messages[" + std::to_string(i) + "] must be an object", "messages");
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> check_prompt(const json& body) {
  const json* prompt = present(body, "prompt");
  if (prompt == nullptr) return field_error("prompt", "is required");
  if (!prompt->is_string() && !prompt->is_array()) return field_error("prompt", "must be a string or an array");
  return std::nullopt;
}

std::optional<core::api_error> check_stream(const json& body, openai_request& req) {
  if (const json* stream = present(body, "stream")) {
    if (!stream->is_boolean()) return field_error("stream", "must be a boolean");
    req.stream = stream->get<bool>();
  }
  if (const json* options = present(body, "stream_options")) {
    if (!options->is_object()) return field_error("stream_options", "must be an object");
    if (const json* include = present(*options, "include_usage")) {
      if (!include->is_boolean()) {
        return core::bad_request(R"("stream_options.include_usage" must be a boolean)", "stream_options");
      }
      req.client_wants_usage = include->get<bool>();
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> check_token_limits(const json& body) {
  for (std::string_view field : {std::string_view("max_tokens"), std::string_view("max_completion_tokens")}) {
    const json* v = present(body, field);
    if (v == nullptr) continue;
    auto n = integral(*v);
    // vLLM rejects anything below 1; saying so here names the field the client actually sent.
    if (!n || *n < 1) return field_error(field, "must be a positive integer");
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
    if (type != nullptr && !(type->is_string() && type->get_ref<const std::string&>() == "function")) continue;
    const json* function = present(tool, "function");
    if (function != nullptr && function->is_object()) {
      if (const json* name = present(*function, "name"); name != nullptr && name->is_string()) {
        where += " (" + in_quotes(name->get_ref<const std::string&>()) + ")";
      }
    }
    if (function == nullptr || !function->is_object()) {
      return core::bad_request(where + ": function must be an object", "tools");
    }
    const json* description = present(*function, "description");
    if (description == nullptr || !has_visible_text(*description)) {
      return core::bad_request(where + ": function.description is required by Tensormesh and must be non-empty",
                               "tools");
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> read_litellm_controls(const json& body, openai_request& req) {
  if (auto e = read_retry_controls(body, req.timeout_s, req.num_retries)) return e;
  if (const json* user = present(body, "user"); user != nullptr && user->is_string()) {
    req.user = user->get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

std::variant<openai_request, core::api_error> parse_openai_request(std::string_view body, openai_route route,
                                                                   std::string_view path_model) {
  auto parsed = parse_request_json(body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  openai_request req;
  req.body = std::get<json>(std::move(parsed));
  json& j = req.body;
  if (auto e = check_request_object(j)) return *std::move(e);
  if (auto e = check_model(j, path_model, req)) return *std::move(e);
  if (auto e = route == openai_route::chat ? check_messages(j) : check_prompt(j)) return *std::move(e);
  if (auto e = check_stream(j, req)) return *std::move(e);
  if (auto e = check_token_limits(j)) return *std::move(e);
  if (auto e = check_tools(j)) return *std::move(e);
  if (auto e = read_litellm_controls(j, req)) return *std::move(e);
  return req;
}

std::string build_upstream_body(openai_request& req, const config::deployment& d) {
  json& j = req.body;
  if (!j.is_object()) j = json::object();
  j["model"] = d.upstream_model;

  if (auto mct = j.find("max_completion_tokens"); mct != j.end()) {
    auto mt = j.find("max_tokens");
    if (mt == j.end() || mt->is_null()) j["max_tokens"] = std::move(*mct);
    j.erase("max_completion_tokens");
  }

  std::vector<std::string> drop;
  for (const auto& [key, value] : j.items()) {
    // `metadata` is LiteLLM's here; only the Responses API gives it a meaning upstream.
    if (key == "metadata" || is_gateway_only_key(key)) drop.push_back(key);
  }
  for (const auto& key : drop) j.erase(key);

  if (req.stream) {
    json& options = j["stream_options"];
    if (!options.is_object()) options = json::object();
    options["include_usage"] = true;
  } else {
    // Meaningless without streaming, and vLLM rejects it ("only ... when stream=True").
    j.erase("stream_options");
  }
  return core::dump_json(j);
}

std::variant<std::string, core::api_error> restamp_response(std::string_view upstream_body, std::string_view alias,
                                                            usage::token_usage& usage_out) {
  usage_out = usage::token_usage{};
  auto parsed = parse_upstream_object(upstream_body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  json& j = std::get<json>(parsed);
  if (auto e = check_choices(j)) return *std::move(e);
  j["model"] = std::string(alias);
  usage_out = chat_usage_of(j);
  return core::dump_json(j);
}

}  // namespace meshgate::translate
