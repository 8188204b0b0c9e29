// Anthropic Messages translators (src/translate/anthropic_*.cpp).
//
// Mode (byte 0, see fuzz_support.hpp): 0 /v1/messages request, 1 count_tokens request — a
// client body through parse_anthropic_request and build_upstream_body; 2 a non-streaming chat
// body through chat_to_anthropic_response; 3 an upstream chat SSE stream through
// anthropic_stream, whose output must follow Anthropic's event grammar.
#include <algorithm>

#include "fuzz_support.hpp"
#include "meshgate/translate/anthropic_request.hpp"
#include "meshgate/translate/anthropic_response.hpp"
#include "meshgate/translate/anthropic_stream.hpp"

using meshgate::core::api_error;
using meshgate::core::json;
namespace tr = meshgate::translate;
using namespace meshgate_fuzz;

namespace {

constexpr std::string_view alias = "claude-fuzz";

bool valid_tool_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

void request(std::string_view body, tr::anthropic_route route) {
  auto parsed = tr::parse_anthropic_request(body, route);
  if (auto* e = std::get_if<api_error>(&parsed)) {
    check_api_error(*e, 400);
    return;
  }
  auto& req = std::get<tr::anthropic_request>(parsed);
  FUZZ_CHECK(!req.chat.model.empty());
  if (route == tr::anthropic_route::messages) FUZZ_CHECK(req.max_tokens > 0);
  meshgate::config::deployment d;
  d.model_name = std::string(alias);
  d.upstream_model = "openai/gpt-oss-120b";
  const bool stream = req.chat.stream;
  const json up = check_upstream_body(tr::build_upstream_body(req.chat, d), "openai/gpt-oss-120b", stream);
  for (const char* k : {"anthropic_version", "container", "mcp_servers",
                        "system", "stop_sequences", "thinking", "output_config", "output_format"})
    FUZZ_CHECK(!up.contains(k));
  FUZZ_CHECK(up.contains("messages") && up["messages"].is_array());
  for (const json& m : up["messages"]) {
    FUZZ_CHECK(m.is_object() && m.contains("role"));
    const auto& role = m["role"];
    FUZZ_CHECK(role == "system" || role == "user" || role == "assistant" || role == "tool");
  }
  if (up.contains("tools")) {
    FUZZ_CHECK(up["tools"].is_array() && !up["tools"].empty());
    for (const json& t : up["tools"]) {
      FUZZ_CHECK(t.value("type", json()) == "function");
      // Tensormesh rejects function tools without a description.
      const json& desc = t["function"]["description"];
      FUZZ_CHECK(desc.is_string() && !desc.get<std::string>().empty());
    }
  } else {
    FUZZ_CHECK(!up.contains("tool_choice"));
  }
}

void response(std::string_view body) {
  meshgate::usage::token_usage usage;
  auto r = tr::chat_to_anthropic_response(body, alias, usage);
  if (auto* e = std::get_if<api_error>(&r)) {
    check_api_error(*e, 502);
    return;
  }
  const json j = must_parse(std::get<std::string>(r));
  FUZZ_CHECK(j.value("type", json()) == "message");
  FUZZ_CHECK(j.value("model", json()) == alias);
  FUZZ_CHECK(j["stop_reason"].is_string());
  FUZZ_CHECK(j["content"].is_array());
  for (const json& block : j["content"]) {
    const auto& type = block["type"];
    FUZZ_CHECK(type == "thinking" || type == "text" || type == "tool_use");
    if (type == "tool_use") {
      FUZZ_CHECK(valid_tool_id(block["id"].get<std::string>()));
      FUZZ_CHECK(block["input"].is_object());
    }
  }
}

// Anthropic's stream grammar: message_start, then blocks opened, filled and closed one at a time
// with increasing indices, message_delta, message_stop; or an error event that ends everything.
void check_grammar(const std::vector<json>& events) {
  FUZZ_CHECK(!events.empty());
  long open = -1;
  long next = 0;
  bool delta_seen = false;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json& ev = events[i];
    const std::string type = ev["type"].get<std::string>();
    const bool last = i + 1 == events.size();
    if (type == "error") {
      FUZZ_CHECK(last);
      FUZZ_CHECK(ev["error"]["message"].is_string());
      continue;
    }
    if (i == 0) {
      FUZZ_CHECK(type == "message_start");
      FUZZ_CHECK(ev["message"]["model"] == alias);
      continue;
    }
    FUZZ_CHECK(type != "message_start");
    FUZZ_CHECK(!delta_seen || type == "message_stop");
    if (type == "content_block_start") {
      FUZZ_CHECK(open == -1 && ev["index"] == next);
      open = next++;
      const json& block = ev["content_block"];
      if (block["type"] == "tool_use") FUZZ_CHECK(valid_tool_id(block["id"].get<std::string>()));
    } else if (type == "content_block_delta") {
      FUZZ_CHECK(open != -1 && ev["index"] == open);
    } else if (type == "content_block_stop") {
      FUZZ_CHECK(open != -1 && ev["index"] == open);
      open = -1;
    } else if (type == "message_delta") {
      FUZZ_CHECK(open == -1);
      FUZZ_CHECK(ev["delta"]["stop_reason"].is_string());
      delta_seen = true;
    } else if (type == "message_stop") {
      FUZZ_CHECK(delta_seen && last);
    } else {
      FUZZ_CHECK(type == "ping");
    }
  }
}

void stream(std::string_view upstream) {
  const auto events = sse_events(upstream);
  if (events.empty()) return;
  if (auto e = tr::anthropic_stream::first_event_error(events.front(), "Tensormesh")) {
    check_api_error(*e);
    return;
  }
  tr::anthropic_stream s{std::string(alias), "msg_fuzz"};
  std::string out;
  for (const auto& ev : events) {
    const auto step = s.on_event(ev, out);
    FUZZ_CHECK((step == tr::anthropic_stream::step::more) == !s.finished());
  }
  if (!s.finished()) s.on_abnormal_end("upstream closed the stream", 502, out);
  FUZZ_CHECK(s.finished());
  check_grammar(check_client_stream(out, true));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = split_mode(data, size, 4);
  switch (in.mode) {
    case 0: request(in.rest, tr::anthropic_route::messages); break;
    case 1: request(in.rest, tr::anthropic_route::count_tokens); break;
    case 2: response(in.rest); break;
    default: stream(in.rest); break;
  }
  return 0;
}
