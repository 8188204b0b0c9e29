#include "meshgate/translate/anthropic_count_tokens.hpp"

#include <limits>

#include "meshgate/translate/anthropic_request.hpp"

namespace meshgate::translate {

namespace {

using core::json;

constexpr std::int64_t per_message = 3;
constexpr std::int64_t reply_priming = 3;
constexpr std::int64_t per_tool = 10;
constexpr std::int64_t per_image = 1600;

struct tally {
  std::uint64_t text_bytes = 0;
  std::int64_t fixed = 0;
};

void add_string(const json& v, tally& t) {
  if (v.is_string()) t.text_bytes += v.get_ref<const std::string&>().size();
}

const json& member(const json& object, std::string_view key) {
  static const json null_json;
  if (!object.is_object()) return null_json;
  auto it = object.find(key);
  return it == object.end() ? null_json : *it;
}

void add_source(const json& block, tally& t) {
  const json& source = member(block, "source");
  const json& type = member(source, "type");
  if (type == "text") {
    add_string(member(source, "data"), t);
  } else if (type == "base64" && member(block, "type") == "document") {
    const json& data = member(source, "data");
    if (data.is_string()) t.text_bytes += data.get_ref<const std::string&>().size() * 3 / 4;
  } else if (type == "content") {
    const json& content = member(source, "content");
    if (content.is_string()) add_string(content, t);
    if (content.is_array()) {
      for (const json& item : content) add_string(member(item, "text"), t);
    }
  } else {
    t.fixed += per_image;
  }
}

void add_content(const json& content, tally& t) {
  if (content.is_string()) {
    add_string(content, t);
    return;
  }
  if (!content.is_array()) return;
  for (const json& block : content) {
    const json& type = member(block, "type");
    if (type == "text") {
      add_string(member(block, "text"), t);
    } else if (type == "image" || type == "document") {
      add_source(block, t);
    } else if (type == "tool_use") {
      add_string(member(block, "name"), t);
      if (const json& input = member(block, "input"); !input.is_null()) t.text_bytes += core::dump_json(input).size();
    } else if (type == "tool_result") {
      add_content(member(block, "content"), t);
    }
  }
}

}  // namespace

std::int64_t estimate_input_tokens(const json& body) {
  if (!body.is_object()) return 0;
  tally t;
  t.fixed = reply_priming;
  add_content(member(body, "system"), t);
  if (const json& messages = member(body, "messages"); messages.is_array()) {
    for (const json& m : messages) {
      t.fixed += per_message;
      add_content(member(m, "content"), t);
    }
  }
  if (const json& tools = member(body, "tools"); tools.is_array()) {
    for (const json& tool : tools) {
      t.fixed += per_tool;
      add_string(member(tool, "name"), t);
      add_string(member(tool, "description"), t);
      if (const json& schema = member(tool, "input_schema"); !schema.is_null()) {
        t.text_bytes += core::dump_json(schema).size();
      }
    }
  }
  return static_cast<std::int64_t>((t.text_bytes + 3) / 4) + t.fixed;
}

std::variant<count_tokens_request, core::api_error> parse_count_tokens_request(std::string_view body) {
  auto parsed = core::parse_json(body);
  if (auto* err = std::get_if<core::json_parse_error>(&parsed)) {
    return core::bad_request("Malformed JSON in request body: " + err->message);
  }
  json& j = std::get<json>(parsed);
  const std::int64_t estimate = estimate_input_tokens(j);
  auto translated = translate_anthropic_request(std::move(j), anthropic_route::count_tokens);
  if (auto* e = std::get_if<core::api_error>(&translated)) return *std::move(e);
  auto& req = std::get<anthropic_request>(translated);
  count_tokens_request out;
  out.model = std::move(req.chat.model);
  out.estimate = estimate;
  json& chat = req.chat.body;
  out.messages = std::move(chat["messages"]);
  if (auto tools = chat.find("tools"); tools != chat.end()) out.tools = std::move(*tools);
  return out;
}

std::string build_tokenize_body(const count_tokens_request& req, std::string_view upstream_model) {
  json body = json::object();
  body["model"] = std::string(upstream_model);
  body["messages"] = req.messages;
  if (!req.tools.is_null()) body["tools"] = req.tools;
  return core::dump_json(body);
}

std::optional<std::int64_t> read_tokenize_count(std::string_view response_body) {
  auto parsed = core::parse_json(response_body);
  const json* j = std::get_if<json>(&parsed);
  if (j == nullptr || !j->is_object()) return std::nullopt;
  auto count = j->find("count");
  if (count == j->end() || !count->is_number_integer()) return std::nullopt;
  if (count->is_number_unsigned()) {
    auto u = count->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  const auto n = count->get<std::int64_t>();
  if (n < 0) return std::nullopt;
  return n;
}

std::string count_tokens_response(std::int64_t input_tokens) {
  json body = json::object();
  body["input_tokens"] = input_tokens;
  return core::dump_json(body);
}

}  // namespace meshgate::translate
