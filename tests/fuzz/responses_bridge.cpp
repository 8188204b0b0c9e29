// Responses → chat bridge (src/translate/responses_bridge*.cpp, responses_request.cpp).
//
// Mode (byte 0, see fuzz_support.hpp): 0 a client body through parse_responses_request and
// build_bridge_request; 1 a non-streaming chat body through bridge_response; 2 an upstream chat
// SSE stream through bridge_stream_translator, whose output must be a well-formed Responses
// event sequence; 3 a JSON `input` through chat_messages_from_input.
#include "fuzz_support.hpp"
#include "meshgate/translate/responses_bridge.hpp"
#include "meshgate/translate/responses_bridge_stream.hpp"
#include "meshgate/translate/responses_request.hpp"

using meshgate::core::api_error;
using meshgate::core::json;
namespace tr = meshgate::translate;
using namespace meshgate_fuzz;

namespace {

constexpr std::string_view alias = "responses-fuzz";
constexpr std::string_view response_id = "resp_fuzz";

const json& response_template() {
  static const json t = [] {
    auto parsed = tr::parse_responses_request(R"({"model":"m","input":"hi","tools":[{"type":"function",
        "name":"f","description":"d","parameters":{"type":"object"}}]})");
    auto built = tr::build_bridge_request(std::get<tr::responses_request>(parsed), "up", json::array());
    return std::get<tr::bridge_request>(built).response_template;
  }();
  return t;
}

void check_chat_messages(const json& messages) {
  FUZZ_CHECK(messages.is_array());
  for (const json& m : messages) {
    FUZZ_CHECK(m.is_object());
    const auto& role = m.value("role", json());
    FUZZ_CHECK(role == "system" || role == "user" || role == "assistant" || role == "tool");
  }
}

void request(std::string_view body) {
  auto parsed = tr::parse_responses_request(body);
  if (auto* e = std::get_if<api_error>(&parsed)) {
    check_api_error(*e, 400);
    return;
  }
  auto& req = std::get<tr::responses_request>(parsed);
  FUZZ_CHECK(!req.model.empty());
  // Prior turns as conversation_store would hand them over.
  const json prior = json::array({json{{"role", "user"}, {"content", "before"}}});
  auto built = tr::build_bridge_request(req, "up-model", prior);
  if (auto* e = std::get_if<api_error>(&built)) {
    check_api_error(*e, 400);
    return;
  }
  const auto& b = std::get<tr::bridge_request>(built);
  const json chat = check_upstream_body(b.chat_body, "up-model", req.stream);
  for (const char* k : {"input", "instructions", "previous_response_id", "store", "include", "max_output_tokens",
                        "metadata", "text", "reasoning", "truncation"})
    FUZZ_CHECK(!chat.contains(k));
  check_chat_messages(chat["messages"]);
  check_chat_messages(b.turn_messages);
  if (!chat.contains("tools")) FUZZ_CHECK(!chat.contains("tool_choice"));
  FUZZ_CHECK(b.response_template.is_object());
  FUZZ_CHECK(b.response_template.value("object", json()) == "response");
}

void check_response(const json& r, bool final) {
  FUZZ_CHECK(r.is_object());
  FUZZ_CHECK(r.value("id", json()) == response_id);
  FUZZ_CHECK(r.value("model", json()) == alias);
  FUZZ_CHECK(r["output"].is_array());
  if (final) {
    const auto& status = r["status"];
    FUZZ_CHECK(status == "completed" || status == "incomplete");
    FUZZ_CHECK(!r["output"].empty());
  }
}

void response(std::string_view body) {
  meshgate::usage::token_usage usage;
  auto r = tr::bridge_response(body, response_template(), response_id, alias, usage);
  if (auto* e = std::get_if<api_error>(&r)) {
    check_api_error(*e, 502);
    return;
  }
  const auto& result = std::get<tr::bridge_result>(r);
  check_response(must_parse(result.body), true);
  FUZZ_CHECK(result.assistant_message.is_object());
  FUZZ_CHECK(result.assistant_message.value("role", json()) == "assistant");
}

void stream(std::string_view upstream) {
  const auto events = sse_events(upstream);
  tr::bridge_stream_translator t{std::string(response_id), std::string(alias), response_template(), 1700000000};
  std::string out;
  for (const auto& ev : events) {
    const auto s = t.on_event(ev, out);
    FUZZ_CHECK((s == tr::bridge_stream_translator::step::more) == !t.finished());
  }
  if (!t.finished()) t.on_abnormal_end("upstream closed the stream", 502, out);
  FUZZ_CHECK(t.finished());
  if (t.completed()) FUZZ_CHECK(t.assistant_message().is_object());

  const auto frames = check_client_stream(out, true);
  FUZZ_CHECK(frames.size() >= 1);
  std::int64_t seq = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const json& f = frames[i];
    FUZZ_CHECK(f.value("sequence_number", json()) == seq++);
    const std::string type = f["type"].get<std::string>();
    if (i == 0 && type != "response.failed") FUZZ_CHECK(type == "response.created");
    if (type == "response.completed" || type == "response.failed") FUZZ_CHECK(i + 1 == frames.size());
    if (type == "response.completed") {
      FUZZ_CHECK(t.completed());
      check_response(f["response"], true);
    }
    if (type == "response.failed") {
      FUZZ_CHECK(!t.completed());
      FUZZ_CHECK(f["response"]["status"] == "failed");
      FUZZ_CHECK(f["response"]["error"]["message"].is_string());
    }
  }
  const std::string last = frames.back()["type"].get<std::string>();
  FUZZ_CHECK(last == "response.completed" || last == "response.failed");
}

void input(std::string_view text) {
  auto parsed = meshgate::core::parse_json(text);
  auto* j = std::get_if<json>(&parsed);
  if (j == nullptr) return;
  auto r = tr::chat_messages_from_input(*j);
  if (auto* e = std::get_if<api_error>(&r)) {
    check_api_error(*e, 400);
    return;
  }
  check_chat_messages(std::get<json>(r));
  FUZZ_CHECK(must_parse(meshgate::core::dump_json(std::get<json>(r))).is_array());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = split_mode(data, size, 4);
  switch (in.mode) {
    case 0: request(in.rest); break;
    case 1: response(in.rest); break;
    case 2: stream(in.rest); break;
    default: input(in.rest); break;
  }
  return 0;
}
