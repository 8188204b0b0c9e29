#include "meshgate/translate/responses_common.hpp"

#include <algorithm>

#include "meshgate/core/ids.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;

bool is_count(const json& v) {
  if (v.is_number_unsigned()) return true;
  if (v.is_number_integer()) return v.get<std::int64_t>() >= 0;
  return false;
}

// Details objects may arrive as null (vLLM does that for zero cached tokens); start afresh then.
json& details_object(json& usage, const char* key) {
  json& d = usage[key];
  if (!d.is_object()) d = json::object();
  return d;
}

void copy_detail(json& to, const json& usage, const char* from_key, const char* field) {
  auto from = usage.find(from_key);
  if (from == usage.end() || !from->is_object()) return;
  auto v = from->find(field);
  if (v == from->end() || v->is_null() || to.contains(field)) return;
  to[field] = *v;
}

int error_status_of(const json& err) {
  if (!err.is_object()) return 500;
  auto c = err.find("code");
  if (c == err.end()) return 500;
  int code = 0;
  if (c->is_number_integer()) {
    auto v = c->get<std::int64_t>();
    if (v >= 400 && v <= 599) code = static_cast<int>(v);
  } else if (c->is_string()) {
    const auto& s = c->get_ref<const std::string&>();
    if (s.size() == 3 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      code = std::stoi(s);
    }
  }
  return code >= 400 && code <= 599 ? code : 500;
}

}  // namespace

usage::token_usage normalise_responses_usage(core::json& u) {
  if (!u.is_object()) return {};
  usage::token_usage counts = usage::from_json(u);
  if (counts.prompt_tokens) u["input_tokens"] = *counts.prompt_tokens;
  if (counts.completion_tokens) u["output_tokens"] = *counts.completion_tokens;
  auto total = u.find("total_tokens");
  if ((total == u.end() || !is_count(*total)) && counts.known()) u["total_tokens"] = counts.total();

  json& in = details_object(u, "input_tokens_details");
  in["cached_tokens"] = counts.cached_tokens.value_or(0);
  copy_detail(in, u, "prompt_tokens_details", "audio_tokens");
  copy_detail(in, u, "prompt_tokens_details", "text_tokens");
  json& out = details_object(u, "output_tokens_details");
  out["reasoning_tokens"] = counts.reasoning_tokens.value_or(0);
  copy_detail(out, u, "completion_tokens_details", "text_tokens");

  for (const char* key : {"prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"}) {
    u.erase(key);
  }
  return counts;
}

std::string new_object_id(std::string_view prefix) {
  std::string uuid = core::new_uuid();
  std::string id(prefix);
  id.reserve(prefix.size() + 32);
  for (char c : uuid) {
    if (c != '-') id.push_back(c);
  }
  return id;
}

void append_responses_frame(std::string& out, const core::json& event) {
  std::string_view type;
  if (auto t = event.find("type"); t != event.end() && t->is_string()) type = t->get_ref<const std::string&>();
  out += sse::format_event(core::dump_json(event), type);
}

std::string_view responses_error_code(int status) {
  if (status == 429) return "rate_limit_exceeded";
  if (status >= 400 && status <= 499) return "invalid_request_error";
  return "server_error";
}

std::optional<core::api_error> stream_error_of(const core::json& event) {
  if (!event.is_object()) return std::nullopt;
  const json* err = nullptr;
  auto type = event.find("type");
  if (type != event.end() && type->is_string() && type->get_ref<const std::string&>() == "error") {
    // The Responses `error` event carries code/message at the top level, or under `error`.
    auto nested = event.find("error");
    err = nested != event.end() && nested->is_object() ? &*nested : &event;
  } else if (type == event.end() && !event.contains("choices")) {
    auto e = event.find("error");
    if (e == event.end() || e->is_null()) return std::nullopt;
    err = &*e;
  } else {
    return std::nullopt;
  }
  core::api_error e;
  e.status = error_status_of(*err);
  e.message = upstream_error_text(*err);
  if (err->is_object()) {
    if (auto t = err->find("type"); t != err->end() && t->is_string() && t->get_ref<const std::string&>() != "error") {
      e.type = t->get<std::string>();
    }
  }
  if (e.type.empty()) e.type = e.status >= 500 ? "api_error" : "invalid_request_error";
  return e;
}

}  // namespace meshgate::translate
