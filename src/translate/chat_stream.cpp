#include "meshgate/translate/chat_stream.hpp"

#include "meshgate/core/json.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;

void append_data(std::string& out, std::string_view data) {
  out.append("data: ");
  out.append(data);
  out.append("\n\n");
}

int error_status(const json& err) {
  if (err.is_object()) {
    if (auto c = err.find("code"); c != err.end()) {
      int code = 0;
      if (c->is_number_integer()) code = c->get<int>();
      else if (c->is_string()) {
        const auto& s = c->get_ref<const std::string&>();
        if (!s.empty() && s.size() <= 3 && std::all_of(s.begin(), s.end(), [](unsigned char ch) { return ch >= '0' && ch <= '9'; })) code = std::stoi(s);
      }
      if (code >= 400 && code <= 599) return code;
    }
  }
  return 500;
}

// vLLM reports reasoning as `reasoning` in newer versions and `reasoning_content` in older
// ones; clients of LiteLLM read `reasoning_content`.
void surface_reasoning(json& delta) {
  if (!delta.is_object()) return;
  auto r = delta.find("reasoning");
  if (r == delta.end()) return;
  if (!delta.contains("reasoning_content")) delta["reasoning_content"] = std::move(*r);
  delta.erase("reasoning");
}

}  // namespace

chat_stream_relay::chat_stream_relay(std::string alias, bool client_wants_usage)
    : alias_(std::move(alias)), client_wants_usage_(client_wants_usage) {}

std::optional<core::api_error> chat_stream_relay::first_event_error(const sse::event& ev,
                                                                    std::string_view provider_label) {
  if (ev.data.find("\"error\"") == std::string::npos) return std::nullopt;
  auto parsed = core::parse_json(ev.data);
  auto* j = std::get_if<json>(&parsed);
  if (!j || !j->is_object() || !j->contains("error") || j->contains("choices")) return std::nullopt;
  const json& err = (*j)["error"];
  core::api_error e;
  e.status = error_status(err);
  e.message = std::string(provider_label) + "Exception - " + upstream_error_text(err);
  if (err.is_object())
    if (auto t = err.find("type"); t != err.end() && t->is_string()) e.type = t->get<std::string>();
  if (e.type.empty()) e.type = e.status >= 500 ? "api_error" : "invalid_request_error";
  return e;
}

chat_stream_relay::step chat_stream_relay::on_event(const sse::event& ev, std::string& out) {
  if (finished_) return step::done;
  if (ev.data == "[DONE]") {
    finished_ = true;
    append_data(out, "[DONE]");
    return step::done;
  }
  step spliced = step::more;
  if (splice_event(ev.data, out, spliced)) return spliced;
  auto parsed = core::parse_json(ev.data);
  auto* chunk = std::get_if<json>(&parsed);
  if (!chunk || !chunk->is_object()) {
    on_abnormal_end("upstream sent an invalid stream event", 502, out);
    return step::failed;
  }
  if (auto err = chunk->find("error"); err != chunk->end() && !chunk->contains("choices")) {
    on_abnormal_end(upstream_error_text(*err), error_status(*err), out);
    return step::failed;
  }
  if (auto m = chunk->find("model"); m != chunk->end()) *m = alias_;

  bool usage_only = false;
  if (auto u = chunk->find("usage"); u != chunk->end() && u->is_object()) {
    usage_ = usage::from_json(*u);
    auto c = chunk->find("choices");
    usage_only = c == chunk->end() || (c->is_array() && c->empty());
    if (decorate_usage_) decorate_usage_(*u);
    if (!client_wants_usage_) {
      if (usage_only) return step::more;
      chunk->erase("usage");  // the client did not ask for usage: keep chunks as it expects them
    }
  } else if (u != chunk->end() && u->is_null() && !client_wants_usage_) {
    chunk->erase(u);
  }
  if (auto c = chunk->find("choices"); c != chunk->end() && c->is_array()) {
    for (auto& choice : *c) {
      if (!choice.is_object()) continue;
      if (auto d = choice.find("delta"); d != choice.end()) surface_reasoning(*d);
    }
  }
  append_data(out, core::dump_json(*chunk));
  return step::more;
}

bool chat_stream_relay::splice_event(std::string_view data, std::string& out, step& result) {
  // A `reasoning` key anywhere (it needs renaming) sends the event down the parsed path.
  if (!core::scan_json(data, scan_, "reasoning") || scan_.kind != core::json_kind::object || !scan_.plain_keys ||
      scan_.watch_key_seen)
    return false;
  if (scan_.find("error") != nullptr) return false;

  const core::json_member* u = scan_.find("usage");
  std::string usage_text;
  bool drop_usage = false;
  if (u != nullptr && u->kind == core::json_kind::object) {
    usage_ = usage::from_json_text(u->value);
    const core::json_member* c = scan_.find("choices");
    const bool usage_only =
        c == nullptr || (c->kind == core::json_kind::array && c->elements == 0);
    if (!client_wants_usage_) {
      if (usage_only) {
        result = step::more;
        return true;
      }
      drop_usage = true;  // the client did not ask for usage: keep chunks as it expects them
    } else if (decorate_usage_) {
      json parsed_usage = json::parse(u->value, nullptr, false);
      decorate_usage_(parsed_usage);
      usage_text = core::dump_json(parsed_usage);
    }
  } else if (u != nullptr && u->kind == core::json_kind::null && !client_wants_usage_) {
    drop_usage = true;
  }

  out.append("data: ");
  core::object_writer w(out);
  for (const auto& m : scan_.members) {
    if (drop_usage && &m == u) continue;
    if (m.key == "model") w.replace_with_string(m, alias_);
    else if (&m == u && !usage_text.empty()) w.replace(m, usage_text);
    else w.keep(m);
  }
  w.close();
  out.append("\n\n");
  result = step::more;
  return true;
}

void chat_stream_relay::on_abnormal_end(std::string_view what, int status, std::string& out) {
  if (finished_) return;
  finished_ = true;
  json err = {{"error",
               {{"message", std::string(what)},
                {"type", status >= 500 ? "api_error" : "invalid_request_error"},
                {"param", nullptr},
                {"code", std::to_string(status)}}}};
  append_data(out, core::dump_json(err));
  append_data(out, "[DONE]");
}

}  // namespace meshgate::translate
