#include "meshgate/translate/responses_bridge.hpp"

#include <optional>

#include "meshgate/translate/request_fields.hpp"

namespace meshgate::translate {

namespace {

using core::json;

std::string string_or(const json& object, std::string_view key) {
  const json* v = present(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

bool type_is(const json& object, std::string_view type) {
  const json* t = present(object, "type");
  return t != nullptr && t->is_string() && t->get_ref<const std::string&>() == type;
}

core::api_error input_error(std::size_t i, std::string_view what) {
  return core::bad_request("input[" + std::to_string(i) + "]: " + std::string(what), "input");
}

// Content parts → chat content: one string when every part is text (most chat templates want
// that), else chat parts. nullopt with `error` set for a part chat cannot carry.
std::optional<json> chat_content(const json& content, std::string_view joiner, std::string& error) {
  if (content.is_string()) return content;
  if (content.is_null()) return json("");
  if (!content.is_array()) {
    error = "content must be a string or an array";
    return std::nullopt;
  }
  json parts = json::array();
  bool all_text = true;
  std::string joined;
  for (std::size_t k = 0; k < content.size(); ++k) {
    const json& part = content[k];
    std::string kind = string_or(part, "type");
    json chat_part = json::object();
    if (kind == "input_text" || kind == "output_text" || kind == "text" || kind == "refusal") {
      std::string text = string_or(part, kind == "refusal" ? "refusal" : "text");
      if (k > 0) joined += joiner;
      joined += text;
      chat_part["type"] = "text";
      chat_part["text"] = std::move(text);
    } else if (kind == "input_image" && present(part, "image_url") != nullptr && part["image_url"].is_string()) {
      all_text = false;
      json image = json::object();
      image["url"] = part["image_url"];
      if (const json* detail = present(part, "detail")) image["detail"] = *detail;
      chat_part["type"] = "image_url";
      chat_part["image_url"] = std::move(image);
    } else {
      error = "content[" + std::to_string(k) + "] of type \"" + kind +
              "\" is not supported by the chat completions bridge";
      return std::nullopt;
    }
    parts.push_back(std::move(chat_part));
  }
  if (all_text) return json(std::move(joined));
  return parts;
}

// Builds chat messages from Responses input items, merging consecutive assistant material.
class input_mapper {
 public:
  std::optional<core::api_error> add(const json& item, std::size_t i) {
    if (type_is(item, "message") || (present(item, "type") == nullptr && present(item, "role") != nullptr)) {
      return add_message(item, i);
    }
    if (type_is(item, "function_call")) return add_function_call(item, i);
    if (type_is(item, "function_call_output")) return add_function_output(item, i);
    if (type_is(item, "reasoning")) {
      add_reasoning(item);
      return std::nullopt;
    }
    return input_error(i, "item type \"" + string_or(item, "type") + "\" is not supported by the chat completions bridge");
  }

  json take() { return std::move(messages_); }

 private:
  std::optional<core::api_error> add_message(const json& item, std::size_t i) {
    std::string role = string_or(item, "role");
    if (role == "developer") role = "system";
    if (role != "user" && role != "assistant" && role != "system") {
      return input_error(i, "role must be one of user, assistant, system, developer");
    }
    std::string error;
    const json* content = present(item, "content");
    auto mapped = chat_content(content != nullptr ? *content : json(""), role == "assistant" ? "" : "\n", error);
    if (!mapped) return input_error(i, error);
    if (role != "assistant") {
      json m = json::object();
      m["role"] = role;
      m["content"] = std::move(*mapped);
      messages_.push_back(std::move(m));
      return std::nullopt;
    }
    json& m = assistant();
    if (mapped->is_string()) {
      json& c = m["content"];
      c = c.is_string() ? json(c.get<std::string>() + mapped->get<std::string>()) : std::move(*mapped);
    } else {
      m["content"] = std::move(*mapped);
    }
    return std::nullopt;
  }

  std::optional<core::api_error> add_function_call(const json& item, std::size_t i) {
    const json* call_id = present(item, "call_id");
    const json* name = present(item, "name");
    if (call_id == nullptr || !call_id->is_string()) return input_error(i, "function_call needs a string call_id");
    if (name == nullptr || !name->is_string()) return input_error(i, "function_call needs a string name");
    json function = json::object();
    function["name"] = *name;
    const json* args = present(item, "arguments");
    function["arguments"] = args == nullptr ? json("{}") : args->is_string() ? *args : json(core::dump_json(*args));
    json call = json::object();
    call["id"] = *call_id;
    call["type"] = "function";
    call["function"] = std::move(function);
    json& m = assistant();
    if (!m.contains("tool_calls")) m["tool_calls"] = json::array();
    m["tool_calls"].push_back(std::move(call));
    return std::nullopt;
  }

  std::optional<core::api_error> add_function_output(const json& item, std::size_t i) {
    const json* call_id = present(item, "call_id");
    if (call_id == nullptr || !call_id->is_string()) return input_error(i, "function_call_output needs a string call_id");
    const json* output = present(item, "output");
    json content;
    if (output == nullptr) {
      content = "";
    } else if (output->is_string() || output->is_array()) {
      std::string error;
      auto mapped = chat_content(*output, "\n", error);
      if (!mapped) return input_error(i, error);
      content = std::move(*mapped);
    } else {
      content = core::dump_json(*output);
    }
    json m = json::object();
    m["role"] = "tool";
    m["tool_call_id"] = *call_id;
    m["content"] = std::move(content);
    messages_.push_back(std::move(m));
    return std::nullopt;
  }

  void add_reasoning(const json& item) {
    std::string text;
    for (const char* key : {"content", "summary"}) {
      const json* parts = present(item, key);
      if (parts == nullptr || !parts->is_array()) continue;
      for (const json& p : *parts) {
        std::string t = string_or(p, "text");
        if (t.empty()) continue;
        if (!text.empty()) text += "\n";
        text += t;
      }
      if (!text.empty()) break;
    }
    if (text.empty()) return;
    if (!pending_reasoning_.empty()) pending_reasoning_ += "\n";
    pending_reasoning_ += text;
  }

  // The assistant message to add to: the last message when it is one, else a new one.
  json& assistant() {
    if (messages_.empty() || string_or(messages_.back(), "role") != "assistant") {
      json m = json::object();
      m["role"] = "assistant";
      m["content"] = nullptr;
      messages_.push_back(std::move(m));
    }
    json& m = messages_.back();
    if (!pending_reasoning_.empty()) {
      std::string prior = string_or(m, "reasoning_content");
      m["reasoning_content"] = prior.empty() ? pending_reasoning_ : prior + "\n" + pending_reasoning_;
      pending_reasoning_.clear();
    }
    return m;
  }

  json messages_ = json::array();
  std::string pending_reasoning_;
};

}  // namespace

std::variant<core::json, core::api_error> chat_messages_from_input(const core::json& input) {
  json messages = json::array();
  if (input.is_string()) {
    json m = json::object();
    m["role"] = "user";
    m["content"] = input;
    messages.push_back(std::move(m));
    return messages;
  }
  if (!input.is_array()) return messages;
  input_mapper mapper;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (auto e = mapper.add(input[i], i)) return *std::move(e);
  }
  return mapper.take();
}

}  // namespace meshgate::translate
