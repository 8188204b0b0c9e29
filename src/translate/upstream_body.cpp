#include "meshgate/translate/upstream_body.hpp"

#include <utility>

namespace meshgate::translate {

using core::json;

std::string clip(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

core::api_error upstream_invalid(std::string reason) {
  core::api_error e;
  e.status = 502;
  e.type = "api_error";
  e.message = "upstream returned an invalid response: " + std::move(reason);
  return e;
}

std::variant<json, core::api_error> parse_upstream_object(std::string_view body) {
  auto parsed = core::parse_json(body);
  if (auto* err = std::get_if<core::json_parse_error>(&parsed)) return upstream_invalid(err->message);
  json& j = std::get<json>(parsed);
  if (!j.is_object()) return upstream_invalid(std::string("expected a JSON object, got ") + j.type_name());
  return std::move(j);
}

const std::string* upstream_error_message(const json& body) {
  auto error = body.find("error");
  if (error == body.end() || !error->is_object()) return nullptr;
  auto message = error->find("message");
  if (message == error->end() || !message->is_string()) return nullptr;
  return &message->get_ref<const std::string&>();
}

std::optional<core::api_error> check_choices(const json& body) {
  auto choices = body.find("choices");
  if (choices == body.end()) {
    if (const std::string* message = upstream_error_message(body)) {
      return upstream_invalid("an error object instead of \"choices\": " + clip(*message));
    }
    return upstream_invalid("missing \"choices\"");
  }
  if (!choices->is_array()) return upstream_invalid("\"choices\" is not an array");
  return std::nullopt;
}

usage::token_usage chat_usage_of(const json& body) {
  auto u = body.find("usage");
  return u != body.end() ? usage::from_json(*u) : usage::token_usage{};
}

std::string upstream_error_text(const json& error) {
  if (error.is_string()) return error.get<std::string>();
  if (error.is_object()) {
    if (auto m = error.find("message"); m != error.end() && m->is_string()) return m->get<std::string>();
  }
  return "upstream reported an error in the stream";
}

}  // namespace meshgate::translate
