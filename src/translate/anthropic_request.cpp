#include "meshgate/translate/anthropic_request.hpp"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "meshgate/translate/request_fields.hpp"

namespace meshgate::translate {

namespace {

using core::api_error;
using core::json;
using maybe_error = std::optional<api_error>;

// Anthropic-only controls vLLM would warn about or misread.
constexpr std::array<std::string_view, 5> anthropic_only_keys = {"anthropic_version", "container", "mcp_servers",
                                                                 "service_tier", "context_management"};

std::string at(std::string_view base, std::size_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }

// A required string member: nullptr plus the error when missing or of another type.
const std::string* need_string(const json& object, std::string_view key, const std::string& where,
                               std::string_view param, maybe_error& error) {
  const json* v = present(object, key);
  if (v == nullptr) {
    error = field_error(where + "." + std::string(key), "is required", param);
    return nullptr;
  }
  if (!v->is_string()) {
    error = field_error(where + "." + std::string(key), "must be a string", param);
    return nullptr;
  }
  return &v->get_ref<const std::string&>();
}

json text_part(std::string text) {
  json part = json::object();
  part["type"] = "text";
  part["text"] = std::move(text);
  return part;
}

json image_part(std::string url) {
  json image = json::object();
  image["url"] = std::move(url);
  json part = json::object();
  part["type"] = "image_url";
  part["image_url"] = std::move(image);
  return part;
}

json message(std::string_view role, json content) {
  json m = json::object();
  m["role"] = std::string(role);
  m["content"] = std::move(content);
  return m;
}

// ---- content blocks ---------------------------------------------------------------------

maybe_error append_document_content(const json& source, const std::string& where, json& parts) {
  const json* content = present(source, "content");
  if (content != nullptr && content->is_string()) {
    parts.push_back(text_part(content->get<std::string>()));
    return std::nullopt;
  }
  if (content == nullptr || !content->is_array()) {
    return field_error(where + ".source.content", "must be a string or an array", "messages");
  }
  for (const json& item : *content) {
    if (!item.is_object()) continue;
    const json* type = present(item, "type");
    const json* text = present(item, "text");
    if (type != nullptr && *type == "text" && text != nullptr && text->is_string()) {
      parts.push_back(text_part(text->get<std::string>()));
    }
  }
  return std::nullopt;
}

maybe_error append_media(const json& block, bool document, const std::string& where, json& parts) {
  const json* source = present(block, "source");
  if (source == nullptr || !source->is_object()) return field_error(where + ".source", "must be an object", "messages");
  const json* type = present(*source, "type");
  const std::string kind = type != nullptr && type->is_string() ? type->get<std::string>() : std::string();
  maybe_error error;
  if (kind == "base64") {
    const std::string* data = need_string(*source, "data", where + ".source", "messages", error);
    if (data == nullptr) return error;
    std::string media = document ? "application/pdf" : "";
    if (const json* mt = present(*source, "media_type"); mt != nullptr && mt->is_string()) media = mt->get<std::string>();
    if (media.empty()) return field_error(where + ".source.media_type", "must be a non-empty string", "messages");
    parts.push_back(image_part("data:" + media + ";base64," + *data));
    return std::nullopt;
  }
  if (kind == "url") {
    const std::string* url = need_string(*source, "url", where + ".source", "messages", error);
    if (url == nullptr) return error;
    parts.push_back(image_part(*url));
    return std::nullopt;
  }
  if (document && kind == "text") {
    const std::string* data = need_string(*source, "data", where + ".source", "messages", error);
    if (data == nullptr) return error;
    parts.push_back(text_part(*data));
    return std::nullopt;
  }
  if (document && kind == "content") return append_document_content(*source, where, parts);
  return field_error(where + ".source.type",
                     document ? R"(must be "base64", "url", "text" or "content")" : R"(must be "base64" or "url")",
                     "messages");
}

// The chat part for a text/image/document block; other block types add nothing.
maybe_error append_part(const json& block, const std::string& type, const std::string& where, json& parts) {
  if (type == "text") {
    maybe_error error;
    const std::string* text = need_string(block, "text", where, "messages", error);
    if (text == nullptr) return error;
    parts.push_back(text_part(*text));
    return std::nullopt;
  }
  if (type == "image" || type == "document") return append_media(block, type == "document", where, parts);
  return std::nullopt;
}

maybe_error block_type(const json& block, const std::string& where, std::string& type) {
  if (!block.is_object()) return field_error(where, "must be an object", "messages");
  const json* t = present(block, "type");
  if (t == nullptr || !t->is_string()) return field_error(where + ".type", "must be a string", "messages");
  type = t->get<std::string>();
  return std::nullopt;
}

maybe_error tool_message(const json& block, const std::string& where, json& out) {
  maybe_error error;
  const std::string* id = need_string(block, "tool_use_id", where, "messages", error);
  if (id == nullptr) return error;
  json content = "";
  if (const json* c = present(block, "content")) {
    if (c->is_string()) {
      content = *c;
    } else if (c->is_array()) {
      json parts = json::array();
      for (std::size_t k = 0; k < c->size(); ++k) {
        std::string type;
        const std::string item_where = at(where + ".content", k);
        if (auto e = block_type((*c)[k], item_where, type)) return e;
        if (auto e = append_part((*c)[k], type, item_where, parts)) return e;
      }
      if (parts.size() == 1) {
        const json& only = parts.front();
        content = only["type"] == "text" ? only["text"] : only["image_url"]["url"];
      } else if (!parts.empty()) {
        content = std::move(parts);
      }
    } else {
      return field_error(where + ".content", "must be a string or an array", "messages");
    }
  }
  json m = message("tool", std::move(content));
  m["tool_call_id"] = *id;
  out.push_back(std::move(m));
  return std::nullopt;
}

maybe_error map_user(const json& content, const std::string& where, json& out) {
  if (content.is_string()) {
    out.push_back(message("user", content));
    return std::nullopt;
  }
  json parts = json::array();
  std::size_t tool_results = 0;
  for (std::size_t k = 0; k < content.size(); ++k) {
    const std::string block_where = at(where + ".content", k);
    std::string type;
    if (auto e = block_type(content[k], block_where, type)) return e;
    if (type == "tool_result") {
      // Chat needs tool results right after the assistant's tool_calls: before this turn's text.
      if (auto e = tool_message(content[k], block_where, out)) return e;
      ++tool_results;
    } else if (auto e = append_part(content[k], type, block_where, parts)) {
      return e;
    }
  }
  if (!parts.empty()) {
    out.push_back(message("user", std::move(parts)));
  } else if (tool_results == 0) {
    out.push_back(message("user", ""));
  }
  return std::nullopt;
}

maybe_error map_assistant(const json& content, const std::string& where, json& out) {
  if (content.is_string()) {
    out.push_back(message("assistant", content));
    return std::nullopt;
  }
  std::optional<std::string> text;
  json calls = json::array();
  for (std::size_t k = 0; k < content.size(); ++k) {
    const std::string block_where = at(where + ".content", k);
    std::string type;
    if (auto e = block_type(content[k], block_where, type)) return e;
    const json& block = content[k];
    maybe_error error;
    if (type == "text") {
      const std::string* t = need_string(block, "text", block_where, "messages", error);
      if (t == nullptr) return error;
      text = text.value_or(std::string()) + *t;
    } else if (type == "tool_use") {
      const std::string* id = need_string(block, "id", block_where, "messages", error);
      if (id == nullptr) return error;
      const std::string* name = need_string(block, "name", block_where, "messages", error);
      if (name == nullptr) return error;
      const json* input = present(block, "input");
      if (input != nullptr && !input->is_object()) {
        return field_error(block_where + ".input", "must be an object", "messages");
      }
      json function = json::object();
      function["name"] = *name;
      function["arguments"] = input != nullptr ? core::dump_json(*input) : std::string("{}");
      json call = json::object();
      call["id"] = *id;
      call["type"] = "function";
      call["function"] = std::move(function);
      calls.push_back(std::move(call));
    }
  }
  json m = message("assistant", text ? json(*text) : calls.empty() ? json("") : json(nullptr));
  if (!calls.empty()) m["tool_calls"] = std::move(calls);
  out.push_back(std::move(m));
  return std::nullopt;
}

maybe_error map_system(const json& system, json& out) {
  if (system.is_string()) {
    if (!system.get_ref<const std::string&>().empty()) out.push_back(message("system", system));
    return std::nullopt;
  }
  if (!system.is_array()) return field_error("system", "must be a string or an array of text blocks", "system");
  json parts = json::array();
  for (const json& block : system) {
    if (!block.is_object()) continue;
    const json* type = present(block, "type");
    const json* text = present(block, "text");
    if (type != nullptr && *type == "text" && text != nullptr && text->is_string()) {
      parts.push_back(text_part(text->get<std::string>()));
    }
  }
  if (!parts.empty()) out.push_back(message("system", std::move(parts)));
  return std::nullopt;
}

maybe_error map_messages(json& body, anthropic_route route) {
  const json* messages = present(body, "messages");
  if (messages == nullptr) {
    return route == anthropic_route::count_tokens ? core::bad_request("messages parameter is required", "messages")
                                                  : field_error("messages", "is required", "messages");
  }
  if (!messages->is_array() || messages->empty()) return field_error("messages", "must be a non-empty array", "messages");

  json out = json::array();
  if (const json* system = present(body, "system")) {
    if (auto e = map_system(*system, out)) return e;
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = at("messages", i);
    if (!m.is_object()) return field_error(where, "must be an object", "messages");
    const json* role = present(m, "role");
    const bool user = role != nullptr && *role == "user";
    if (!user && !(role != nullptr && *role == "assistant")) {
      return field_error(where + ".role", R"(must be "user" or "assistant")", "messages");
    }
    const json* content = present(m, "content");
    if (content == nullptr) return field_error(where + ".content", "is required", "messages");
    if (!content->is_string() && !content->is_array()) {
      return field_error(where + ".content", "must be a string or an array of content blocks", "messages");
    }
    if (auto e = user ? map_user(*content, where, out) : map_assistant(*content, where, out)) return e;
  }
  body.erase("system");
  body["messages"] = std::move(out);
  return std::nullopt;
}

// ---- tools --------------------------------------------------------------------------------

maybe_error map_tool(const json& tool, std::size_t i, json& out) {
  const std::string where = at("tools", i);
  if (!tool.is_object()) return field_error(where, "must be an object", "tools");
  if (const json* type = present(tool, "type")) {
    if (!type->is_string()) return field_error(where + ".type", "must be a string", "tools");
    if (*type != "custom") return std::nullopt;  // a hosted tool: nothing on Tensormesh can run it
  }
  maybe_error error;
  const std::string* name = need_string(tool, "name", where, "tools", error);
  if (name == nullptr) return error;
  if (name->empty()) return field_error(where + ".name", "must be a non-empty string", "tools");

  json function = json::object();
  function["name"] = *name;
  const json* description = present(tool, "description");
  if (description != nullptr && !description->is_string()) {
    return field_error(where + ".description", "must be a string", "tools");
  }
  // Tensormesh rejects a function tool without a description; the name is the best stand-in.
  const bool usable = description != nullptr && has_visible_text(*description);
  function["description"] = usable ? description->get<std::string>() : *name;
  if (const json* schema = present(tool, "input_schema")) {
    if (!schema->is_object()) return field_error(where + ".input_schema", "must be an object", "tools");
    function["parameters"] = *schema;
  } else {
    json empty = json::object();
    empty["type"] = "object";
    empty["properties"] = json::object();
    function["parameters"] = std::move(empty);
  }
  json t = json::object();
  t["type"] = "function";
  t["function"] = std::move(function);
  out.push_back(std::move(t));
  return std::nullopt;
}

maybe_error map_tool_choice(const json& choice, json& out, bool& no_parallel) {
  if (!choice.is_object()) return field_error("tool_choice", "must be an object", "tool_choice");
  const json* type = present(choice, "type");
  if (type == nullptr || !type->is_string()) return field_error("tool_choice.type", "must be a string", "tool_choice");
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "auto") {
    out = "auto";
  } else if (t == "any") {
    out = "required";
  } else if (t == "none") {
    out = "none";
  } else if (t == "tool") {
    maybe_error error;
    const std::string* name = need_string(choice, "name", "tool_choice", "tool_choice", error);
    if (name == nullptr) return error;
    json function = json::object();
    function["name"] = *name;
    out = json::object();
    out["type"] = "function";
    out["function"] = std::move(function);
  } else {
    return field_error("tool_choice.type", R"(must be "auto", "any", "none" or "tool")", "tool_choice");
  }
  if (const json* d = present(choice, "disable_parallel_tool_use")) {
    if (!d->is_boolean()) return field_error("tool_choice.disable_parallel_tool_use", "must be a boolean", "tool_choice");
    no_parallel = d->get<bool>();
  }
  return std::nullopt;
}

maybe_error map_tools(json& body) {
  json tools = json::array();
  if (const json* in = present(body, "tools")) {
    if (!in->is_array()) return field_error("tools", "must be an array", "tools");
    for (std::size_t i = 0; i < in->size(); ++i) {
      if (auto e = map_tool((*in)[i], i, tools)) return e;
    }
  }
  json choice;
  bool no_parallel = false;
  if (const json* c = present(body, "tool_choice")) {
    if (auto e = map_tool_choice(*c, choice, no_parallel)) return e;
  }
  body.erase("tools");
  body.erase("tool_choice");
  if (tools.empty()) return std::nullopt;  // vLLM rejects tool_choice "required" without tools
  body["tools"] = std::move(tools);
  if (!choice.is_null()) body["tool_choice"] = std::move(choice);
  if (no_parallel) body["parallel_tool_calls"] = false;
  return std::nullopt;
}

// ---- reasoning and structured output ------------------------------------------------------

std::string effort_for_budget(std::int64_t budget) {
  if (budget >= 4096) return "high";
  if (budget >= 2048) return "medium";
  return "low";
}

// `decided`: from budget_tokens; `fallback`: enabled without a budget, or adaptive.
maybe_error read_thinking(const json& body, std::optional<std::string>& decided, std::optional<std::string>& fallback) {
  const json* thinking = present(body, "thinking");
  if (thinking == nullptr) return std::nullopt;
  if (!thinking->is_object()) return field_error("thinking", "must be an object", "thinking");
  const json* type = present(*thinking, "type");
  if (type == nullptr || !type->is_string()) return field_error("thinking.type", "must be a string", "thinking");
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "enabled") {
    if (const json* budget = present(*thinking, "budget_tokens")) {
      auto b = integral(*budget);
      if (!b) return field_error("thinking.budget_tokens", "must be an integer", "thinking");
      decided = effort_for_budget(*b);
    } else {
      fallback = "medium";
    }
  } else if (t == "adaptive") {
    fallback = "medium";
  } else if (t != "disabled") {
    return field_error("thinking.type", R"(must be "enabled", "adaptive" or "disabled")", "thinking");
  }
  return std::nullopt;
}

json response_format_for(const json& format) {
  if (!format.is_object()) return nullptr;
  const json* type = present(format, "type");
  const json* schema = present(format, "schema");
  if (type == nullptr || *type != "json_schema" || schema == nullptr || !schema->is_object()) return nullptr;
  json spec = json::object();
  spec["name"] = "structured_output";
  spec["schema"] = *schema;
  spec["strict"] = true;
  json rf = json::object();
  rf["type"] = "json_schema";
  rf["json_schema"] = std::move(spec);
  return rf;
}

std::optional<std::string> effort_from_config(const json& effort) {
  if (!effort.is_string()) return std::nullopt;
  const std::string& e = effort.get_ref<const std::string&>();
  if (e == "low" || e == "medium" || e == "high") return e;
  if (e == "max" || e == "xhigh") return "high";
  return std::nullopt;
}

maybe_error map_reasoning_and_format(json& body) {
  std::optional<std::string> decided;
  std::optional<std::string> fallback;
  if (auto e = read_thinking(body, decided, fallback)) return e;
  std::optional<std::string> configured;
  json response_format;
  for (std::string_view key : {std::string_view("output_format"), std::string_view("output_config")}) {
    const json* v = present(body, key);
    if (v == nullptr) continue;
    if (!v->is_object()) return field_error(key, "must be an object", key);
    if (key == "output_format") {
      response_format = response_format_for(*v);
    } else {
      if (auto f = v->find("format"); f != v->end()) response_format = response_format_for(*f);
      if (auto e = v->find("effort"); e != v->end()) configured = effort_from_config(*e);
    }
  }
  body.erase("thinking");
  body.erase("output_format");
  body.erase("output_config");
  if (!response_format.is_null() && present(body, "response_format") == nullptr) {
    body["response_format"] = std::move(response_format);
  }
  std::optional<std::string> effort = decided ? decided : configured ? configured : fallback;
  if (effort && present(body, "reasoning_effort") == nullptr) body["reasoning_effort"] = *effort;
  return std::nullopt;
}

// ---- top-level fields ---------------------------------------------------------------------

maybe_error check_scalars(json& body, anthropic_route route, anthropic_request& req) {
  const json* max_tokens = present(body, "max_tokens");
  if (max_tokens == nullptr) {
    if (route == anthropic_route::messages) return field_error("max_tokens", "is required", "max_tokens");
  } else {
    auto n = integral(*max_tokens);
    if (!n || *n < 1) return field_error("max_tokens", "must be a positive integer", "max_tokens");
    req.max_tokens = *n;
    body["max_tokens"] = *n;
  }
  for (std::string_view key : {std::string_view("temperature"), std::string_view("top_p")}) {
    if (const json* v = present(body, key); v != nullptr && !v->is_number()) {
      return field_error(key, "must be a number", key);
    }
  }
  if (const json* v = present(body, "top_k"); v != nullptr && !integral(*v)) {
    return field_error("top_k", "must be an integer", "top_k");
  }
  if (const json* v = present(body, "stream")) {
    if (!v->is_boolean()) return field_error("stream", "must be a boolean", "stream");
    req.chat.stream = v->get<bool>() && route == anthropic_route::messages;
  }
  return read_retry_controls(body, req.chat.timeout_s, req.chat.num_retries);
}

maybe_error map_stop_and_metadata(json& body, anthropic_request& req) {
  if (const json* stops = present(body, "stop_sequences")) {
    if (!stops->is_array()) return field_error("stop_sequences", "must be an array of strings", "stop_sequences");
    for (const json& s : *stops) {
      if (!s.is_string()) return field_error("stop_sequences", "must be an array of strings", "stop_sequences");
    }
    if (!stops->empty()) body["stop"] = *stops;
  }
  body.erase("stop_sequences");
  if (const json* metadata = present(body, "metadata")) {
    if (!metadata->is_object()) return field_error("metadata", "must be an object", "metadata");
    if (const json* user = present(*metadata, "user_id")) {
      if (!user->is_string()) return field_error("metadata.user_id", "must be a string", "metadata");
      req.chat.user = user->get<std::string>();
    }
  }
  body.erase("metadata");
  if (!req.chat.user.empty()) body["user"] = req.chat.user;
  return std::nullopt;
}

void finish_body(json& body, const anthropic_request& req) {
  for (std::string_view key : anthropic_only_keys) body.erase(key);
  body.erase("model");
  if (req.chat.stream) {
    body["stream"] = true;
    json options = json::object();
    options["include_usage"] = true;
    body["stream_options"] = std::move(options);
  } else {
    if (body.contains("stream")) body["stream"] = false;
    body.erase("stream_options");
  }
}

}  // namespace

std::variant<anthropic_request, api_error> translate_anthropic_request(json body, anthropic_route route) {
  if (auto e = check_request_object(body)) return *std::move(e);
  anthropic_request req;
  // count_tokens words a missing model as LiteLLM does.
  if (route == anthropic_route::count_tokens && present(body, "model") == nullptr) {
    return core::bad_request("model parameter is required", "model");
  }
  if (auto e = read_model(body, req.chat.model)) return *std::move(e);

  if (auto e = map_messages(body, route)) return *std::move(e);
  if (auto e = check_scalars(body, route, req)) return *std::move(e);
  if (auto e = map_stop_and_metadata(body, req)) return *std::move(e);
  if (auto e = map_tools(body)) return *std::move(e);
  if (auto e = map_reasoning_and_format(body)) return *std::move(e);
  finish_body(body, req);
  req.chat.body = std::move(body);
  return req;
}

std::variant<anthropic_request, api_error> parse_anthropic_request(std::string_view body, anthropic_route route) {
  auto parsed = parse_request_json(body);
  if (auto* e = std::get_if<api_error>(&parsed)) return *std::move(e);
  return translate_anthropic_request(std::get<json>(std::move(parsed)), route);
}

}  // namespace meshgate::translate
