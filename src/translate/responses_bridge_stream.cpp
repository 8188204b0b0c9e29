#include "meshgate/translate/responses_bridge_stream.hpp"

#include <ctime>
#include <limits>

#include "meshgate/translate/responses_bridge.hpp"
#include "meshgate/translate/responses_common.hpp"

namespace meshgate::translate {

namespace {

using core::json;

std::string string_at(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json output_text_part(std::string_view text) {
  json part = json::object();
  part["type"] = "output_text";
  part["text"] = std::string(text);
  part["annotations"] = json::array();
  return part;
}

json summary_part(std::string_view text) {
  json part = json::object();
  part["type"] = "summary_text";
  part["text"] = std::string(text);
  return part;
}

}  // namespace

bridge_stream_translator::bridge_stream_translator(std::string response_id, std::string alias,
                                                   core::json response_template,
                                                   std::optional<std::int64_t> created_at)
    : response_id_(std::move(response_id)),
      alias_(std::move(alias)),
      template_(std::move(response_template)),
      created_at_(created_at.value_or(static_cast<std::int64_t>(std::time(nullptr)))) {}

void bridge_stream_translator::emit(core::json event, std::string& out) {
  event["sequence_number"] = sequence_++;
  append_responses_frame(out, event);
}

core::json bridge_stream_translator::response_object(std::string_view status) const {
  return bridge_response_object(template_, response_id_, alias_, created_at_, status);
}

// The fields every item-level event shares.
core::json bridge_stream_translator::item_event(std::string_view type, std::size_t index) const {
  json e = json::object();
  e["type"] = std::string(type);
  e["item_id"] = items_[index].id;
  e["output_index"] = index;
  return e;
}

core::json bridge_stream_translator::done_form(const item& it) const {
  std::string_view status = it.open ? "incomplete" : "completed";
  switch (it.type) {
    case kind::reasoning: return reasoning_item(it.id, it.text);
    case kind::message: return message_item(it.id, it.text, status);
    case kind::function_call: return function_call_item(it.id, it.call_id, it.name, it.text, status);
  }
  return json::object();
}

void bridge_stream_translator::start(std::string& out) {
  started_ = true;
  for (const char* type : {"response.created", "response.in_progress"}) {
    json e = json::object();
    e["type"] = type;
    e["response"] = response_object("in_progress");
    emit(std::move(e), out);
  }
}

bridge_stream_translator::step bridge_stream_translator::on_event(const sse::event& ev, std::string& out) {
  if (finished_) return completed_ ? step::done : step::failed;
  if (!started_) start(out);
  if (ev.data == "[DONE]") {
    complete(out);
    return step::done;
  }
  auto parsed = core::parse_json(ev.data);
  auto* chunk = std::get_if<json>(&parsed);
  if (chunk == nullptr || !chunk->is_object()) {
    fail("upstream sent an invalid stream event", 502, out);
    return step::failed;
  }
  if (auto err = stream_error_of(*chunk)) {
    fail(err->message, err->status, out);
    return step::failed;
  }
  if (auto u = chunk->find("usage"); u != chunk->end() && u->is_object()) {
    usage_json_ = *u;
    usage_ = usage::from_json(*u);
  }
  auto choices = chunk->find("choices");
  if (choices == chunk->end() || !choices->is_array()) return step::more;
  for (const json& choice : *choices) {
    if (!choice.is_object()) continue;
    if (auto idx = choice.find("index"); idx != choice.end() && !(idx->is_number_integer() && idx->get<std::int64_t>() == 0)) {
      continue;  // n > 1: only the first choice becomes the response
    }
    if (auto d = choice.find("delta"); d != choice.end() && d->is_object()) {
      std::string reasoning = string_at(*d, "reasoning_content");
      if (reasoning.empty()) reasoning = string_at(*d, "reasoning");
      if (!reasoning.empty()) on_reasoning(reasoning, out);
      if (std::string text = string_at(*d, "content"); !text.empty()) on_text(text, out);
      if (auto calls = d->find("tool_calls"); calls != d->end() && calls->is_array()) {
        for (const json& call : *calls) {
          if (call.is_object()) on_tool_call(call, out);
        }
      }
    }
    if (std::string reason = string_at(choice, "finish_reason"); !reason.empty()) finish_reason_ = reason;
  }
  return step::more;
}

void bridge_stream_translator::on_reasoning(std::string_view text, std::string& out) {
  std::size_t index = items_.size();
  if (!items_.empty() && items_.back().open && items_.back().type == kind::reasoning) {
    index = items_.size() - 1;
  } else {
    close_open(kind::message, out);
    items_.push_back(item{kind::reasoning, new_object_id("rs_"), {}, {}, {}, true});
    json added = json::object();
    added["type"] = "response.output_item.added";
    added["output_index"] = index;
    added["item"] = reasoning_item(items_[index].id, "");
    emit(std::move(added), out);
    json part = item_event("response.reasoning_summary_part.added", index);
    part["summary_index"] = 0;
    part["part"] = summary_part("");
    emit(std::move(part), out);
  }
  items_[index].text += text;
  json delta = item_event("response.reasoning_summary_text.delta", index);
  delta["summary_index"] = 0;
  delta["delta"] = std::string(text);
  emit(std::move(delta), out);
}

std::size_t bridge_stream_translator::open_message(std::string& out) {
  close_open(kind::reasoning, out);
  std::size_t index = items_.size();
  if (!items_.empty() && items_.back().open && items_.back().type == kind::message) {
    index = items_.size() - 1;
  } else {
    items_.push_back(item{kind::message, new_object_id("msg_"), {}, {}, {}, true});
    json added = json::object();
    added["type"] = "response.output_item.added";
    added["output_index"] = index;
    added["item"] = empty_message_item(items_[index].id);
    emit(std::move(added), out);
    json part = item_event("response.content_part.added", index);
    part["content_index"] = 0;
    part["part"] = output_text_part("");
    emit(std::move(part), out);
  }
  return index;
}

void bridge_stream_translator::on_text(std::string_view text, std::string& out) {
  std::size_t index = open_message(out);
  items_[index].text += text;
  json delta = item_event("response.output_text.delta", index);
  delta["content_index"] = 0;
  delta["delta"] = std::string(text);
  delta["logprobs"] = json::array();
  emit(std::move(delta), out);
}

void bridge_stream_translator::on_tool_call(const core::json& call, std::string& out) {
  close_open(kind::reasoning, out);
  close_open(kind::message, out);
  std::string id = string_at(call, "id");
  // Keyed by the chat `index`; servers that omit it are matched by id, else by the last call.
  std::int64_t key = last_tool_key_ < 0 ? 0 : last_tool_key_;
  if (auto idx = call.find("index"); idx != call.end() && idx->is_number_integer()) {
    key = idx->get<std::int64_t>();
  } else if (!id.empty()) {
    const std::int64_t last = tools_.empty() ? -1 : tools_.rbegin()->first;
    key = last == std::numeric_limits<std::int64_t>::max() ? last : last + 1;
    for (const auto& [k, pos] : tools_) {
      if (items_[pos].call_id == id) key = k;
    }
  }
  last_tool_key_ = key;
  const json empty = json::object();
  auto f = call.find("function");
  const json& function = f != call.end() && f->is_object() ? *f : empty;

  std::size_t index = 0;
  if (auto it = tools_.find(key); it != tools_.end()) {
    index = it->second;
    if (items_[index].name.empty()) items_[index].name = string_at(function, "name");
  } else {
    index = items_.size();
    tools_.emplace(key, index);
    items_.push_back(item{kind::function_call, new_object_id("fc_"), {}, id.empty() ? new_object_id("call_") : id,
                          string_at(function, "name"), true});
    const item& call_item = items_[index];
    json added = json::object();
    added["type"] = "response.output_item.added";
    added["output_index"] = index;
    added["item"] = function_call_item(call_item.id, call_item.call_id, call_item.name, "", "in_progress");
    emit(std::move(added), out);
  }
  std::string args;
  if (auto a = function.find("arguments"); a != function.end()) {
    args = a->is_string() ? a->get<std::string>() : a->is_null() ? std::string() : core::dump_json(*a);
  }
  if (args.empty()) return;
  items_[index].text += args;
  json delta = item_event("response.function_call_arguments.delta", index);
  delta["delta"] = std::move(args);
  emit(std::move(delta), out);
}

void bridge_stream_translator::close(std::size_t index, std::string& out) {
  item& it = items_[index];
  if (!it.open) return;
  switch (it.type) {
    case kind::reasoning: {
      json done = item_event("response.reasoning_summary_text.done", index);
      done["summary_index"] = 0;
      done["text"] = it.text;
      emit(std::move(done), out);
      json part = item_event("response.reasoning_summary_part.done", index);
      part["summary_index"] = 0;
      part["part"] = summary_part(it.text);
      emit(std::move(part), out);
      break;
    }
    case kind::message: {
      json done = item_event("response.output_text.done", index);
      done["content_index"] = 0;
      done["text"] = it.text;
      done["logprobs"] = json::array();
      emit(std::move(done), out);
      json part = item_event("response.content_part.done", index);
      part["content_index"] = 0;
      part["part"] = output_text_part(it.text);
      emit(std::move(part), out);
      break;
    }
    case kind::function_call: {
      json done = item_event("response.function_call_arguments.done", index);
      done["name"] = it.name;
      done["arguments"] = it.text;
      emit(std::move(done), out);
      break;
    }
  }
  it.open = false;
  json item_done = json::object();
  item_done["type"] = "response.output_item.done";
  item_done["output_index"] = index;
  item_done["item"] = done_form(it);
  emit(std::move(item_done), out);
}

void bridge_stream_translator::close_open(kind k, std::string& out) {
  // Only the newest item of a non-call kind can be open: opening one closes the other.
  if (!items_.empty() && items_.back().open && items_.back().type == k) close(items_.size() - 1, out);
}

void bridge_stream_translator::complete(std::string& out) {
  for (std::size_t i = 0; i < items_.size(); ++i) close(i, out);
  bool answered = false;
  for (const item& it : items_) answered = answered || it.type != kind::reasoning;
  if (!answered) close(open_message(out), out);

  json response = response_object("completed");
  apply_finish_reason(response, finish_reason_);
  json output = json::array();
  std::string text;
  std::string reasoning;
  json calls = json::array();
  for (const item& it : items_) {
    output.push_back(done_form(it));
    if (it.type == kind::message) text += it.text;
    if (it.type == kind::reasoning) reasoning += it.text;
    if (it.type == kind::function_call) {
      json fn = json::object();
      fn["name"] = it.name;
      fn["arguments"] = it.text;
      json call = json::object();
      call["id"] = it.call_id;
      call["type"] = "function";
      call["function"] = std::move(fn);
      calls.push_back(std::move(call));
    }
  }
  response["output"] = std::move(output);
  if (usage_json_.is_object()) {
    json usage = usage_json_;
    normalise_responses_usage(usage);
    if (decorate_usage_) decorate_usage_(usage);
    response["usage"] = std::move(usage);
  }
  assistant_message_ = assistant_chat_message(text, reasoning, calls);
  json e = json::object();
  e["type"] = "response.completed";
  e["response"] = std::move(response);
  emit(std::move(e), out);
  finished_ = true;
  completed_ = true;
}

void bridge_stream_translator::on_abnormal_end(std::string_view what, int status, std::string& out) {
  if (finished_) return;
  fail(what, status, out);
}

void bridge_stream_translator::fail(std::string_view message, int status, std::string& out) {
  if (!started_) start(out);
  json response = response_object("failed");
  json output = json::array();
  for (const item& it : items_) output.push_back(done_form(it));
  response["output"] = std::move(output);
  json error = json::object();
  error["code"] = std::string(responses_error_code(status));
  error["message"] = std::string(message);
  response["error"] = std::move(error);
  if (usage_json_.is_object()) {
    json usage = usage_json_;
    normalise_responses_usage(usage);
    response["usage"] = std::move(usage);
  }
  json e = json::object();
  e["type"] = "response.failed";
  e["response"] = std::move(response);
  emit(std::move(e), out);
  finished_ = true;
}

}  // namespace meshgate::translate
