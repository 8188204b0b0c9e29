#include "meshgate/translate/anthropic_response.hpp"

#include <algorithm>

#include "meshgate/core/ids.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;
using ojson = nlohmann::ordered_json;

std::string uuid_hex() {
  std::string id = core::new_uuid();
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  return id;
}

const std::string* string_at(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// vLLM reports reasoning as `reasoning` in newer versions and `reasoning_content` in older ones.
std::string reasoning_of(const json& message) {
  for (std::string_view key : {std::string_view("reasoning_content"), std::string_view("reasoning")}) {
    if (const std::string* s = string_at(message, key); s != nullptr && !s->empty()) return *s;
  }
  return {};
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

anthropic_stop anthropic_stop_for(const json& finish_reason, const json& vllm_stop_reason) {
  anthropic_stop s;
  const std::string_view f = finish_reason.is_string() ? std::string_view(finish_reason.get_ref<const std::string&>())
                                                       : std::string_view();
  if (f == "stop" && vllm_stop_reason.is_string()) {
    s.reason = "stop_sequence";
    s.sequence = vllm_stop_reason.get<std::string>();
  } else if (f == "length") {
    s.reason = "max_tokens";
  } else if (f == "tool_calls" || f == "function_call") {
    s.reason = "tool_use";
  } else if (f == "content_filter") {
    s.reason = "refusal";
  } else {
    s.reason = "end_turn";
  }
  return s;
}

std::string anthropic_tool_id(std::string_view chat_tool_call_id) {
  if (chat_tool_call_id.empty()) return "toolu_" + uuid_hex();
  std::string id(chat_tool_call_id);
  for (char& c : id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!safe) c = '_';
  }
  return id;
}

ojson anthropic_tool_input(std::string_view arguments) {
  if (blank(arguments)) return ojson::object();
  if (core::json_depth_within(arguments)) {
    // ordered_json keeps the model's key order, which clients show to users.
    ojson parsed = ojson::parse(arguments, nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  ojson raw = ojson::object();
  raw["_raw_arguments"] = std::string(arguments);
  return raw;
}

json anthropic_usage(const usage::token_usage& u) {
  const std::int64_t cached = u.cached_tokens.value_or(0);
  json out = json::object();
  out["input_tokens"] = std::max<std::int64_t>(u.prompt_tokens.value_or(0) - cached, 0);
  out["output_tokens"] = u.completion_tokens.value_or(0);
  if (cached > 0) out["cache_read_input_tokens"] = cached;
  return out;
}

std::variant<std::string, core::api_error> chat_to_anthropic_response(std::string_view upstream_body,
                                                                      std::string_view alias,
                                                                      usage::token_usage& usage_out) {
  usage_out = usage::token_usage{};
  auto parsed = parse_upstream_object(upstream_body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  const json& j = std::get<json>(parsed);
  if (auto e = check_choices(j)) return *std::move(e);
  auto choices = j.find("choices");
  if (choices->empty()) return upstream_invalid("\"choices\" is empty");
  const json& choice = choices->front();
  if (!choice.is_object()) return upstream_invalid("\"choices[0]\" is not an object");

  usage_out = chat_usage_of(j);

  static const json null_json;
  auto m = choice.find("message");
  const json& message = m != choice.end() ? *m : null_json;

  ojson content = ojson::array();
  if (std::string thinking = reasoning_of(message); !thinking.empty()) {
    ojson block;
    block["type"] = "thinking";
    block["thinking"] = std::move(thinking);
    block["signature"] = "";
    content.push_back(std::move(block));
  }
  if (const std::string* text = string_at(message, "content"); text != nullptr && !text->empty()) {
    ojson block;
    block["type"] = "text";
    block["text"] = *text;
    content.push_back(std::move(block));
  }
  if (message.is_object()) {
    if (auto calls = message.find("tool_calls"); calls != message.end() && calls->is_array()) {
      for (const json& call : *calls) {
        if (!call.is_object()) continue;
        const std::string* id = string_at(call, "id");
        auto fn = call.find("function");
        const json& function = fn != call.end() ? *fn : null_json;
        const std::string* name = string_at(function, "name");
        const std::string* args = string_at(function, "arguments");
        ojson block;
        block["type"] = "tool_use";
        block["id"] = anthropic_tool_id(id != nullptr ? std::string_view(*id) : std::string_view());
        block["name"] = name != nullptr ? *name : std::string();
        block["input"] = anthropic_tool_input(args != nullptr ? std::string_view(*args) : std::string_view());
        content.push_back(std::move(block));
      }
    }
  }

  auto fr = choice.find("finish_reason");
  auto sr = choice.find("stop_reason");
  anthropic_stop stop = anthropic_stop_for(fr != choice.end() ? *fr : null_json, sr != choice.end() ? *sr : null_json);

  ojson out;
  const std::string* chat_id = string_at(j, "id");
  out["id"] = chat_id != nullptr && !chat_id->empty() ? *chat_id : "msg_" + uuid_hex();
  out["type"] = "message";
  out["role"] = "assistant";
  out["model"] = std::string(alias);
  out["content"] = std::move(content);
  out["stop_reason"] = std::move(stop.reason);
  out["stop_sequence"] = stop.sequence ? ojson(*stop.sequence) : ojson(nullptr);
  out["usage"] = ojson(anthropic_usage(usage_out));
  return out.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace meshgate::translate
