#include "meshgate/translate/responses_bridge.hpp"

#include <array>
#include <ctime>
#include <optional>

#include "meshgate/translate/request_fields.hpp"
#include "meshgate/translate/responses_common.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;

constexpr std::array<std::string_view, 19> responses_only_keys = {
    "input", "instructions", "max_output_tokens", "previous_response_id", "reasoning", "text", "tools",
    "tool_choice", "store", "include", "truncation", "background", "service_tier", "prompt", "prompt_cache_key",
    "safety_identifier", "conversation", "max_tool_calls", "top_logprobs"};

std::string string_or(const json& object, std::string_view key, std::string fallback = {}) {
  const json* v = present(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::move(fallback);
}

void map_tools(const json& body, json& chat) {
  const json* tools = present(body, "tools");
  if (tools == nullptr || !tools->is_array()) return;
  json out = json::array();
  for (const json& tool : *tools) {
    std::string type = string_or(tool, "type");
    if (type == "function") {
      if (const json* f = present(tool, "function"); f != nullptr && f->is_object()) {
        out.push_back(tool);
        continue;
      }
      json function = json::object();
      for (const char* key : {"name", "description", "parameters", "strict"}) {
        if (const json* v = present(tool, key)) function[key] = *v;
      }
      json t = json::object();
      t["type"] = "function";
      t["function"] = std::move(function);
      out.push_back(std::move(t));
    } else if (type.starts_with("web_search")) {
      json options = json::object();
      for (const char* key : {"search_context_size", "user_location"}) {
        if (const json* v = present(tool, key)) options[key] = *v;
      }
      chat["web_search_options"] = std::move(options);
    }
  }
  if (!out.empty()) chat["tools"] = std::move(out);
}

void map_tool_choice(const json& body, json& chat) {
  const json* choice = present(body, "tool_choice");
  if (choice == nullptr || !chat.contains("tools")) return;
  if (choice->is_string()) {
    chat["tool_choice"] = *choice;
    return;
  }
  std::string type = string_or(*choice, "type");
  if (type == "auto" || type == "none") {
    chat["tool_choice"] = type;
  } else if (type == "required" || type == "any" || type == "tool") {
    chat["tool_choice"] = "required";
  } else if (type == "function") {
    if (const json* f = present(*choice, "function"); f != nullptr && f->is_object()) {
      chat["tool_choice"] = *choice;
    } else if (const json* name = present(*choice, "name"); name != nullptr && name->is_string()) {
      json function = json::object();
      function["name"] = *name;
      json c = json::object();
      c["type"] = "function";
      c["function"] = std::move(function);
      chat["tool_choice"] = std::move(c);
    }
  }
}

void map_text_format(const json& body, json& chat) {
  const json* text = present(body, "text");
  const json* format = text != nullptr ? present(*text, "format") : nullptr;
  if (format == nullptr) return;
  std::string type = string_or(*format, "type");
  if (type == "json_schema") {
    json schema = json::object();
    schema["name"] = string_or(*format, "name", "response");
    for (const char* key : {"schema", "strict", "description"}) {
      if (const json* v = present(*format, key)) schema[key] = *v;
    }
    json rf = json::object();
    rf["type"] = "json_schema";
    rf["json_schema"] = std::move(schema);
    chat["response_format"] = std::move(rf);
  } else if (type == "json_object") {
    json rf = json::object();
    rf["type"] = "json_object";
    chat["response_format"] = std::move(rf);
  }
}

json echo_or(const json& body, std::string_view key, json fallback) {
  const json* v = present(body, key);
  return v != nullptr ? *v : std::move(fallback);
}

json make_template(const responses_request& req) {
  const json& b = req.body;
  json reasoning_default = json::object();
  reasoning_default["effort"] = nullptr;
  reasoning_default["summary"] = nullptr;
  json format = json::object();
  format["type"] = "text";
  json text_default = json::object();
  text_default["format"] = std::move(format);

  json t = json::object();
  t["object"] = "response";
  t["instructions"] = echo_or(b, "instructions", nullptr);
  t["max_output_tokens"] = echo_or(b, "max_output_tokens", nullptr);
  t["metadata"] = echo_or(b, "metadata", json::object());
  t["parallel_tool_calls"] = echo_or(b, "parallel_tool_calls", true);
  t["previous_response_id"] = echo_or(b, "previous_response_id", nullptr);
  t["reasoning"] = echo_or(b, "reasoning", std::move(reasoning_default));
  t["store"] = req.store;
  t["temperature"] = echo_or(b, "temperature", nullptr);
  t["text"] = echo_or(b, "text", std::move(text_default));
  t["tool_choice"] = echo_or(b, "tool_choice", "auto");
  t["tools"] = echo_or(b, "tools", json::array());
  t["top_p"] = echo_or(b, "top_p", nullptr);
  t["truncation"] = echo_or(b, "truncation", "disabled");
  t["user"] = echo_or(b, "user", nullptr);
  t["error"] = nullptr;
  t["incomplete_details"] = nullptr;
  t["output"] = json::array();
  t["usage"] = nullptr;
  return t;
}

std::string text_of(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const json& part : content) out += string_or(part, "text");
  }
  return out;
}

}  // namespace

std::variant<bridge_request, core::api_error> build_bridge_request(const responses_request& req,
                                                                   std::string_view upstream_model,
                                                                   const core::json& prior_messages) {
  const json& body = req.body;
  bridge_request out;

  if (const json* input = present(body, "input")) {
    auto mapped = chat_messages_from_input(*input);
    if (auto* e = std::get_if<core::api_error>(&mapped)) return *std::move(e);
    out.turn_messages = std::get<json>(std::move(mapped));
  } else {
    out.turn_messages = json::array();
  }

  json messages = json::array();
  if (std::string instructions = string_or(body, "instructions"); !instructions.empty()) {
    json m = json::object();
    m["role"] = "system";
    m["content"] = std::move(instructions);
    messages.push_back(std::move(m));
  }
  if (prior_messages.is_array()) {
    for (const json& m : prior_messages) messages.push_back(m);
  }
  for (const json& m : out.turn_messages) messages.push_back(m);

  json chat = json::object();
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      bool drop = is_gateway_only_key(key) || key == "metadata" || key == "stream_options";
      for (std::string_view k : responses_only_keys) drop = drop || key == k;
      if (!drop) chat[key] = value;
    }
  }
  chat["model"] = std::string(upstream_model);
  chat["messages"] = std::move(messages);
  map_tools(body, chat);
  map_tool_choice(body, chat);
  if (const json* max = present(body, "max_output_tokens")) chat["max_tokens"] = *max;
  map_text_format(body, chat);
  if (const json* reasoning = present(body, "reasoning")) {
    if (const json* effort = present(*reasoning, "effort"); effort != nullptr && effort->is_string()) {
      chat["reasoning_effort"] = *effort;
    }
  }
  if (req.stream) {
    json options = json::object();
    options["include_usage"] = true;
    chat["stream_options"] = std::move(options);
  }
  out.chat_body = core::dump_json(chat);
  out.response_template = make_template(req);
  return out;
}

core::json bridge_response_object(const core::json& response_template, std::string_view response_id,
                                  std::string_view alias, std::int64_t created_at, std::string_view status) {
  json r = response_template.is_object() ? response_template : json::object();
  r["id"] = std::string(response_id);
  r["object"] = "response";
  r["model"] = std::string(alias);
  r["created_at"] = created_at;
  r["status"] = std::string(status);
  return r;
}

core::json reasoning_item(std::string_view id, std::string_view text) {
  json item = json::object();
  item["type"] = "reasoning";
  item["id"] = std::string(id);
  item["summary"] = json::array();
  if (!text.empty()) {
    json part = json::object();
    part["type"] = "summary_text";
    part["text"] = std::string(text);
    item["summary"].push_back(std::move(part));
  }
  return item;
}

core::json message_item(std::string_view id, std::string_view text, std::string_view status) {
  json part = json::object();
  part["type"] = "output_text";
  part["text"] = std::string(text);
  part["annotations"] = json::array();
  json item = empty_message_item(id);
  item["status"] = std::string(status);
  item["content"].push_back(std::move(part));
  return item;
}

core::json empty_message_item(std::string_view id) {
  json item = json::object();
  item["type"] = "message";
  item["id"] = std::string(id);
  item["status"] = "in_progress";
  item["role"] = "assistant";
  item["content"] = json::array();
  return item;
}

core::json function_call_item(std::string_view id, std::string_view call_id, std::string_view name,
                              std::string_view arguments, std::string_view status) {
  json item = json::object();
  item["type"] = "function_call";
  item["id"] = std::string(id);
  item["call_id"] = std::string(call_id);
  item["name"] = std::string(name);
  item["arguments"] = std::string(arguments);
  item["status"] = std::string(status);
  return item;
}

void apply_finish_reason(core::json& response, std::string_view finish_reason) {
  std::string_view reason;
  if (finish_reason == "length") reason = "max_output_tokens";
  if (finish_reason == "content_filter") reason = "content_filter";
  if (reason.empty()) {
    response["status"] = "completed";
    response["incomplete_details"] = nullptr;
    return;
  }
  json details = json::object();
  details["reason"] = std::string(reason);
  response["status"] = "incomplete";
  response["incomplete_details"] = std::move(details);
}

core::json assistant_chat_message(std::string_view text, std::string_view reasoning, const core::json& tool_calls) {
  const bool has_calls = tool_calls.is_array() && !tool_calls.empty();
  json m = json::object();
  m["role"] = "assistant";
  m["content"] = text.empty() && has_calls ? json(nullptr) : json(std::string(text));
  if (!reasoning.empty()) m["reasoning_content"] = std::string(reasoning);
  if (has_calls) m["tool_calls"] = tool_calls;
  return m;
}

std::variant<bridge_result, core::api_error> bridge_response(std::string_view chat_body,
                                                             const core::json& response_template,
                                                             std::string_view response_id, std::string_view alias,
                                                             usage::token_usage& usage_out) {
  usage_out = usage::token_usage{};
  auto parsed = parse_upstream_object(chat_body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  json& j = std::get<json>(parsed);
  if (const std::string* error_message = upstream_error_message(j);
      error_message != nullptr && error_message->empty() && !j.contains("choices")) {
    return upstream_invalid("missing \"choices\"");  // as the bridge always said: nothing to quote
  }
  if (auto e = check_choices(j)) return *std::move(e);
  auto choices = j.find("choices");

  const json empty = json::object();
  const json& choice = !choices->empty() && (*choices)[0].is_object() ? (*choices)[0] : empty;
  const json* message = present(choice, "message");
  const json& msg = message != nullptr && message->is_object() ? *message : empty;
  std::string text = present(msg, "content") != nullptr ? text_of(msg["content"]) : std::string();
  std::string reasoning = string_or(msg, "reasoning_content");
  if (reasoning.empty()) reasoning = string_or(msg, "reasoning");

  json output = json::array();
  if (!reasoning.empty()) output.push_back(reasoning_item(new_object_id("rs_"), reasoning));
  json chat_calls = json::array();
  json call_items = json::array();
  if (const json* calls = present(msg, "tool_calls"); calls != nullptr && calls->is_array()) {
    for (const json& call : *calls) {
      if (!call.is_object()) continue;
      const json* f = present(call, "function");
      const json& function = f != nullptr && f->is_object() ? *f : empty;
      std::string call_id = string_or(call, "id");
      if (call_id.empty()) call_id = new_object_id("call_");
      std::string name = string_or(function, "name");
      const json* a = present(function, "arguments");
      std::string args = a == nullptr ? std::string() : a->is_string() ? a->get<std::string>() : core::dump_json(*a);
      call_items.push_back(function_call_item(new_object_id("fc_"), call_id, name, args, "completed"));
      json chat_fn = json::object();
      chat_fn["name"] = name;
      chat_fn["arguments"] = args;
      json chat_call = json::object();
      chat_call["id"] = call_id;
      chat_call["type"] = "function";
      chat_call["function"] = std::move(chat_fn);
      chat_calls.push_back(std::move(chat_call));
    }
  }
  if (!text.empty() || call_items.empty()) output.push_back(message_item(new_object_id("msg_"), text, "completed"));
  for (auto& item : call_items) output.push_back(std::move(item));

  std::int64_t created = static_cast<std::int64_t>(std::time(nullptr));
  if (const json* c = present(j, "created"); c != nullptr && c->is_number_integer()) created = c->get<std::int64_t>();
  json response = bridge_response_object(response_template, response_id, alias, created, "completed");
  apply_finish_reason(response, string_or(choice, "finish_reason"));
  response["output"] = std::move(output);
  if (const json* u = present(j, "usage"); u != nullptr && u->is_object()) {
    json usage = *u;
    usage_out = normalise_responses_usage(usage);
    response["usage"] = std::move(usage);
  }
  bridge_result result;
  result.body = core::dump_json(response);
  result.assistant_message = assistant_chat_message(text, reasoning, chat_calls);
  return result;
}

}  // namespace meshgate::translate
