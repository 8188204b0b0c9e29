#include "meshgate/translate/anthropic_stream.hpp"

#include <algorithm>

#include "meshgate/core/ids.hpp"
#include "meshgate/translate/chat_stream.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;
using ojson = nlohmann::ordered_json;

void emit(std::string& out, std::string_view type, const ojson& payload) {
  out += sse::format_event(payload.dump(-1, ' ', false, ojson::error_handler_t::replace), type);
}

const std::string* non_empty_string(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return nullptr;
  return &it->get_ref<const std::string&>();
}

int error_status(const json& err) {
  if (!err.is_object()) return 500;
  auto c = err.find("code");
  if (c == err.end()) return 500;
  int code = 0;
  if (c->is_number_integer()) {
    code = c->get<int>();
  } else if (c->is_string()) {
    const auto& s = c->get_ref<const std::string&>();
    if (!s.empty() && s.size() <= 3 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      code = std::stoi(s);
    }
  }
  return code >= 400 && code <= 599 ? code : 500;
}

// Whether a tool call's arguments are finished: cheap test first, since it runs per fragment
// while another tool call waits.
bool complete_json(std::string_view s) {
  auto last = s.find_last_not_of(" \t\r\n");
  if (last == std::string_view::npos || (s[last] != '}' && s[last] != ']')) return false;
  return json::accept(s);
}

std::int64_t upstream_index(const json& call, std::size_t position) {
  if (auto it = call.find("index"); it != call.end() && it->is_number_integer()) return it->get<std::int64_t>();
  return static_cast<std::int64_t>(position);
}

}  // namespace

anthropic_stream::anthropic_stream(std::string alias, std::string message_id)
    : alias_(std::move(alias)), message_id_(std::move(message_id)) {
  if (message_id_.empty()) {
    std::string uuid = core::new_uuid();
    uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
    message_id_ = "msg_" + uuid;
  }
}

std::optional<core::api_error> anthropic_stream::first_event_error(const sse::event& ev,
                                                                   std::string_view provider_label) {
  return chat_stream_relay::first_event_error(ev, provider_label);
}

std::string anthropic_stream::ping_frame() { return sse::format_event(R"({"type":"ping"})", "ping"); }

anthropic_stream::step anthropic_stream::on_event(const sse::event& ev, std::string& out) {
  if (result_ != step::more) return result_;
  if (ev.data == "[DONE]") {
    finish_message(out);
    return result_;
  }
  auto parsed = core::parse_json(ev.data);
  auto* chunk = std::get_if<json>(&parsed);
  if (chunk == nullptr || !chunk->is_object()) return fail("upstream sent an invalid stream event", 502, out);
  auto choices = chunk->find("choices");
  if (auto err = chunk->find("error"); err != chunk->end() && choices == chunk->end()) {
    return fail(upstream_error_text(*err), error_status(*err), out);
  }
  if (!started_) start(*chunk, out);

  bool has_usage = false;
  if (auto u = chunk->find("usage"); u != chunk->end() && u->is_object()) {
    usage::token_usage read = usage::from_json(*u);
    if (read.known()) {
      usage_ = read;
      has_usage = true;
    }
  }
  const bool no_choices = choices == chunk->end() || (choices->is_array() && choices->empty());
  if (!no_choices && choices->is_array() && !finish_seen_) {
    for (const json& choice : *choices) {
      if (!choice.is_object()) continue;
      auto idx = choice.find("index");
      if (idx != choice.end() && !(idx->is_number_integer() && idx->get<std::int64_t>() == 0)) continue;
      on_choice(choice, out);
      break;
    }
  }
  // The usage-only chunk follows finish_reason: the held message_delta can carry real usage now.
  if (no_choices && has_usage && finish_seen_) finish_message(out);
  return result_;
}

void anthropic_stream::on_abnormal_end(std::string_view what, int status, std::string& out) {
  fail(what, status, out);
}

void anthropic_stream::start(const json& chunk, std::string& out) {
  started_ = true;
  usage::token_usage first;
  if (chunk.is_object()) {
    if (auto u = chunk.find("usage"); u != chunk.end()) first = usage::from_json(*u);
  }
  const std::int64_t cached = first.cached_tokens.value_or(0);
  ojson usage;
  usage["input_tokens"] = std::max<std::int64_t>(first.prompt_tokens.value_or(0) - cached, 0);
  usage["output_tokens"] = 0;
  usage["cache_creation_input_tokens"] = 0;
  usage["cache_read_input_tokens"] = cached;
  ojson message;
  message["id"] = message_id_;
  message["type"] = "message";
  message["role"] = "assistant";
  message["content"] = ojson::array();
  message["model"] = alias_;
  message["stop_reason"] = nullptr;
  message["stop_sequence"] = nullptr;
  message["usage"] = std::move(usage);
  ojson ev;
  ev["type"] = "message_start";
  ev["message"] = std::move(message);
  emit(out, "message_start", ev);
}

void anthropic_stream::on_choice(const json& choice, std::string& out) {
  if (auto d = choice.find("delta"); d != choice.end() && d->is_object()) {
    const json& delta = *d;
    const std::string* reasoning = non_empty_string(delta, "reasoning_content");
    if (reasoning == nullptr) reasoning = non_empty_string(delta, "reasoning");
    if (reasoning != nullptr) on_payload(block::thinking, *reasoning, out);
    if (const std::string* text = non_empty_string(delta, "content")) on_payload(block::text, *text, out);
    if (auto calls = delta.find("tool_calls"); calls != delta.end() && calls->is_array()) {
      for (std::size_t p = 0; p < calls->size(); ++p) {
        if ((*calls)[p].is_object()) on_tool_delta((*calls)[p], p, out);
      }
    }
  }
  auto fr = choice.find("finish_reason");
  if (fr == choice.end() || !fr->is_string()) return;
  close_all(out);
  finish_seen_ = true;
  auto sr = choice.find("stop_reason");
  stop_ = anthropic_stop_for(*fr, sr != choice.end() ? *sr : json());
}

void anthropic_stream::on_payload(block kind, const std::string& text, std::string& out) {
  if (open_ != kind) {
    close_all(out);
    open_block(kind, out);
  }
  ojson delta;
  if (kind == block::text) {
    delta["type"] = "text_delta";
    delta["text"] = text;
  } else {
    delta["type"] = "thinking_delta";
    delta["thinking"] = text;
  }
  ojson ev;
  ev["type"] = "content_block_delta";
  ev["index"] = open_index_;
  ev["delta"] = std::move(delta);
  emit(out, "content_block_delta", ev);
}

void anthropic_stream::on_tool_delta(const json& call, std::size_t position, std::string& out) {
  const std::int64_t index = upstream_index(call, position);
  auto found = std::find_if(tools_.begin(), tools_.end(), [&](const tool_call& t) { return t.upstream_index == index; });
  if (found == tools_.end()) {
    tools_.push_back(tool_call{});
    tools_.back().upstream_index = index;
    found = tools_.end() - 1;
  }
  tool_call& t = *found;
  if (t.state == tool_state::closed) return;
  if (const std::string* id = non_empty_string(call, "id"); id != nullptr && t.id.empty()) t.id = *id;
  if (auto fn = call.find("function"); fn != call.end() && fn->is_object()) {
    if (const std::string* name = non_empty_string(*fn, "name"); name != nullptr && t.name.empty()) t.name = *name;
    if (const std::string* args = non_empty_string(*fn, "arguments")) t.arguments += *args;
  }
  if (t.state == tool_state::open) send_tool_arguments(t, out);
  advance_tools(out);
}

// Opens waiting tool calls in order of appearance, as far as the open block allows.
void anthropic_stream::advance_tools(std::string& out) {
  for (;;) {
    auto next = std::find_if(tools_.begin(), tools_.end(), [](const tool_call& t) { return t.state == tool_state::waiting; });
    if (next == tools_.end() || next->name.empty()) return;
    if (open_ == block::tool && !complete_json(tools_[open_tool_].arguments)) return;
    close_block(out);
    open_tool(*next, out);
  }
}

void anthropic_stream::open_block(block kind, std::string& out) {
  ojson cb;
  if (kind == block::text) {
    cb["type"] = "text";
    cb["text"] = "";
  } else {
    cb["type"] = "thinking";
    cb["thinking"] = "";
    cb["signature"] = "";
  }
  open_ = kind;
  open_index_ = next_index_++;
  ojson ev;
  ev["type"] = "content_block_start";
  ev["index"] = open_index_;
  ev["content_block"] = std::move(cb);
  emit(out, "content_block_start", ev);
}

void anthropic_stream::open_tool(tool_call& t, std::string& out) {
  t.id = anthropic_tool_id(t.id);
  t.state = tool_state::open;
  open_ = block::tool;
  open_tool_ = static_cast<std::size_t>(&t - tools_.data());
  open_index_ = next_index_++;
  ojson cb;
  cb["type"] = "tool_use";
  cb["id"] = t.id;
  cb["name"] = t.name;
  cb["input"] = ojson::object();
  ojson ev;
  ev["type"] = "content_block_start";
  ev["index"] = open_index_;
  ev["content_block"] = std::move(cb);
  emit(out, "content_block_start", ev);
  send_tool_arguments(t, out);
}

void anthropic_stream::send_tool_arguments(tool_call& t, std::string& out) {
  if (t.sent >= t.arguments.size()) return;
  ojson delta;
  delta["type"] = "input_json_delta";
  delta["partial_json"] = t.arguments.substr(t.sent);
  t.sent = t.arguments.size();
  ojson ev;
  ev["type"] = "content_block_delta";
  ev["index"] = open_index_;
  ev["delta"] = std::move(delta);
  emit(out, "content_block_delta", ev);
}

void anthropic_stream::close_block(std::string& out) {
  if (open_ == block::none) return;
  if (open_ == block::tool) {
    tool_call& t = tools_[open_tool_];
    t.state = tool_state::closed;
    std::string().swap(t.arguments);  // only needed while the block is open
  }
  open_ = block::none;
  ojson ev;
  ev["type"] = "content_block_stop";
  ev["index"] = open_index_;
  emit(out, "content_block_stop", ev);
}

void anthropic_stream::close_all(std::string& out) {
  close_block(out);
  for (tool_call& t : tools_) {
    if (t.state != tool_state::waiting) continue;
    open_tool(t, out);
    close_block(out);
  }
}

void anthropic_stream::finish_message(std::string& out) {
  if (!started_) start(json(), out);
  if (!finish_seen_) {
    close_all(out);
    finish_seen_ = true;
    stop_ = anthropic_stop_for(json(), json());
  }
  json usage = anthropic_usage(usage_);
  if (decorate_usage_) decorate_usage_(usage);
  ojson delta;
  delta["stop_reason"] = stop_.reason;
  delta["stop_sequence"] = stop_.sequence ? ojson(*stop_.sequence) : ojson(nullptr);
  ojson ev;
  ev["type"] = "message_delta";
  ev["delta"] = std::move(delta);
  ev["usage"] = ojson(usage);
  emit(out, "message_delta", ev);
  ojson stop;
  stop["type"] = "message_stop";
  emit(out, "message_stop", stop);
  result_ = step::done;
}

anthropic_stream::step anthropic_stream::fail(std::string_view what, int status, std::string& out) {
  if (result_ != step::more) return result_;
  core::api_error e;
  e.status = status;
  e.message = std::string(what);
  out += sse::format_event(core::render_anthropic(e), "error");
  result_ = step::failed;
  return result_;
}

}  // namespace meshgate::translate
