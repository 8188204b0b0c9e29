// Transcripts: upstream chat SSE in tests/fixtures/anthropic/<name>.chat.sse must become exactly
// the Anthropic events of <name>.anthropic.sse (compared event by event, JSON structurally).
// Every successful transcript must also assemble (as an Anthropic SDK would) to the same message
// as the non-streamed translation of the same upstream output.
#include "meshgate/translate/anthropic_stream.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "meshgate/translate/anthropic_response.hpp"

using meshgate::core::json;
using meshgate::sse::event;
using meshgate::translate::anthropic_stream;
using step = meshgate::translate::anthropic_stream::step;

namespace {

std::filesystem::path fixtures_dir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "fixtures";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot open fixture " << path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string fixture(const std::string& name) { return read_file(fixtures_dir() / "anthropic" / name); }

std::vector<event> events_of(std::string_view text) {
  meshgate::sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed(text, out) == meshgate::sse::feed_status::ok);
  REQUIRE_FALSE(p.has_partial());
  return out;
}

struct run_result {
  std::string out;
  std::vector<step> steps;
  meshgate::usage::token_usage usage;
};

run_result run(std::string_view upstream, anthropic_stream s = anthropic_stream("claude-alias", "msg_test")) {
  run_result r;
  for (const event& ev : events_of(upstream)) r.steps.push_back(s.on_event(ev, r.out));
  r.usage = s.usage();
  return r;
}

event chunk_event(const std::string& choices_json, const std::string& extra = {}) {
  event ev;
  ev.data = R"({"id":"chatcmpl-x","object":"chat.completion.chunk","model":"m","choices":)" + choices_json +
            (extra.empty() ? std::string() : "," + extra) + "}";
  return ev;
}

event delta_event(const std::string& delta_json, const std::string& finish = "null") {
  return chunk_event(R"([{"index":0,"delta":)" + delta_json + R"(,"finish_reason":)" + finish + "}]");
}

event done_event() {
  event ev;
  ev.data = "[DONE]";
  return ev;
}

void require_same_events(const std::string& got, const std::string& want) {
  const auto g = events_of(got);
  const auto w = events_of(want);
  for (std::size_t i = 0; i < g.size() && i < w.size(); ++i) {
    INFO("event " << i << "\n got: " << g[i].type << " " << g[i].data << "\nwant: " << w[i].type << " " << w[i].data);
    CHECK(g[i].type == w[i].type);
    const json gj = json::parse(g[i].data);
    CHECK(gj == json::parse(w[i].data));
    CHECK(gj.value("type", "") == g[i].type);
  }
  REQUIRE(g.size() == w.size());
}

// What an Anthropic SDK builds from the events, checking the grammar on the way: one
// message_start first, blocks started in index order, deltas only to the open block, message_stop
// last. `usage` is message_delta's (the final one).
json assemble_anthropic(const std::string& out) {
  json message;
  std::map<std::size_t, std::string> partial;
  std::optional<std::size_t> open;
  bool stopped = false;
  for (const event& ev : events_of(out)) {
    REQUIRE_FALSE(stopped);
    const json j = json::parse(ev.data);
    const std::string type = j.at("type");
    if (type == "message_start") {
      REQUIRE(message.is_null());
      message = j.at("message");
      continue;
    }
    REQUIRE(message.is_object());
    if (type == "content_block_start") {
      REQUIRE_FALSE(open.has_value());
      const std::size_t index = j.at("index");
      REQUIRE(index == message["content"].size());
      message["content"].push_back(j.at("content_block"));
      open = index;
    } else if (type == "content_block_delta") {
      const std::size_t index = j.at("index");
      REQUIRE(open == index);
      const json& d = j.at("delta");
      json& block = message["content"][index];
      const std::string dt = d.at("type");
      if (dt == "text_delta") {
        REQUIRE(block["type"] == "text");
        block["text"] = block["text"].get<std::string>() + d.at("text").get<std::string>();
      } else if (dt == "thinking_delta") {
        REQUIRE(block["type"] == "thinking");
        block["thinking"] = block["thinking"].get<std::string>() + d.at("thinking").get<std::string>();
      } else {
        REQUIRE(dt == "input_json_delta");
        REQUIRE(block["type"] == "tool_use");
        const std::string frag = d.at("partial_json");
        REQUIRE_FALSE(frag.empty());
        partial[index] += frag;
      }
    } else if (type == "content_block_stop") {
      const std::size_t index = j.at("index");
      REQUIRE(open == index);
      json& block = message["content"][index];
      if (block["type"] == "tool_use" && !partial[index].empty()) block["input"] = json::parse(partial[index]);
      open.reset();
    } else if (type == "message_delta") {
      REQUIRE_FALSE(open.has_value());
      message["stop_reason"] = j.at("delta").at("stop_reason");
      message["stop_sequence"] = j.at("delta").at("stop_sequence");
      message["usage"] = j.at("usage");
    } else {
      REQUIRE(type == "message_stop");
      stopped = true;
    }
  }
  REQUIRE(stopped);
  return message;
}

// The non-streamed chat completion the same upstream output would have been.
json assemble_chat(std::string_view upstream) {
  json msg = json::object();
  msg["role"] = "assistant";
  std::string content, reasoning;
  std::map<std::int64_t, json> calls;
  json choice = json::object();
  json completion = json::object();
  for (const event& ev : events_of(upstream)) {
    if (ev.data == "[DONE]") break;
    const json j = json::parse(ev.data);
    completion["id"] = j.at("id");
    if (j.contains("usage") && j["usage"].is_object()) completion["usage"] = j["usage"];
    for (const json& c : j.at("choices")) {
      const json& d = c.at("delta");
      if (d.contains("content") && d["content"].is_string()) content += d["content"].get<std::string>();
      for (const char* key : {"reasoning_content", "reasoning"}) {
        if (d.contains(key) && d[key].is_string()) reasoning += d[key].get<std::string>();
      }
      if (d.contains("tool_calls")) {
        for (const json& tc : d["tool_calls"]) {
          json& call = calls[tc.at("index").get<std::int64_t>()];
          if (call.is_null()) call = json::parse(R"({"type":"function","function":{"name":"","arguments":""}})");
          if (tc.contains("id")) call["id"] = tc["id"];
          if (tc.contains("function")) {
            const json& f = tc["function"];
            if (f.contains("name")) call["function"]["name"] = f["name"];
            if (f.contains("arguments")) {
              call["function"]["arguments"] =
                  call["function"]["arguments"].get<std::string>() + f["arguments"].get<std::string>();
            }
          }
        }
      }
      if (c.contains("finish_reason") && !c["finish_reason"].is_null()) {
        choice["finish_reason"] = c["finish_reason"];
        choice["stop_reason"] = c.value("stop_reason", json());
      }
    }
  }
  msg["content"] = content.empty() && !calls.empty() ? json() : json(content);
  if (!reasoning.empty()) msg["reasoning_content"] = reasoning;
  if (!calls.empty()) {
    msg["tool_calls"] = json::array();
    for (auto& [index, call] : calls) msg["tool_calls"].push_back(call);
  }
  choice["index"] = 0;
  choice["message"] = msg;
  completion["object"] = "chat.completion";
  completion["model"] = "openai/gpt-oss-120b";
  completion["choices"] = json::array({choice});
  return completion;
}

json nonstreamed(std::string_view upstream) {
  meshgate::usage::token_usage u;
  auto r = meshgate::translate::chat_to_anthropic_response(meshgate::core::dump_json(assemble_chat(upstream)),
                                                           "claude-alias", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  return json::parse(std::get<std::string>(r));
}

}  // namespace

TEST_CASE("anthropic: stream transcripts match their expected Anthropic events", "[anthropic][stream]") {
  const std::string name = GENERATE(as<std::string>{}, "plain_text", "reasoning_then_text", "text_then_tool",
                                    "parallel_tools_interleaved", "content_with_finish", "continuous_usage",
                                    "no_usage", "error_mid_stream");
  INFO("transcript " << name);
  const run_result r = run(fixture(name + ".chat.sse"));
  require_same_events(r.out, fixture(name + ".anthropic.sse"));

  const step last = name == "error_mid_stream" ? step::failed : step::done;
  REQUIRE_FALSE(r.steps.empty());
  CHECK(r.steps.back() == last);
  // `more` until the terminal step, which then sticks.
  const auto first_end = std::find(r.steps.begin(), r.steps.end(), last);
  CHECK(std::all_of(r.steps.begin(), first_end, [](step s) { return s == step::more; }));
  CHECK(std::all_of(first_end, r.steps.end(), [&](step s) { return s == last; }));
}

TEST_CASE("anthropic: a streamed answer assembles to the non-streamed response", "[anthropic][stream]") {
  const std::string path = GENERATE(as<std::string>{}, "anthropic/plain_text.chat.sse",
                                    "anthropic/reasoning_then_text.chat.sse", "anthropic/text_then_tool.chat.sse",
                                    "anthropic/parallel_tools_interleaved.chat.sse",
                                    "anthropic/content_with_finish.chat.sse", "anthropic/continuous_usage.chat.sse",
                                    "anthropic/no_usage.chat.sse", "sse/openai_chat_reasoning_tools.sse");
  INFO("transcript " << path);
  const std::string upstream = read_file(fixtures_dir() / path);
  json streamed = assemble_anthropic(run(upstream).out);
  json whole = nonstreamed(upstream);
  CHECK(streamed.at("id") == "msg_test");
  CHECK(whole.at("id").get<std::string>().starts_with("chatcmpl-"));
  streamed.erase("id");
  whole.erase("id");
  CHECK(streamed.dump() == whole.dump());
}

TEST_CASE("anthropic: plain text stream is framed byte for byte", "[anthropic][stream]") {
  const run_result r = run(fixture("plain_text.chat.sse"));
  CHECK(r.out ==
        "event: message_start\n"
        R"(data: {"type":"message_start","message":{"id":"msg_test","type":"message","role":"assistant","content":[],)"
        R"("model":"claude-alias","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0,)"
        R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0}}})"
        "\n\n"
        "event: content_block_start\n"
        R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
        "\n\n"
        "event: content_block_delta\n"
        R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})"
        "\n\n"
        "event: content_block_delta\n"
        R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", world"}})"
        "\n\n"
        "event: content_block_stop\n"
        R"(data: {"type":"content_block_stop","index":0})"
        "\n\n"
        "event: message_delta\n"
        R"(data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
        R"("usage":{"input_tokens":12,"output_tokens":3}})"
        "\n\n"
        "event: message_stop\n"
        R"(data: {"type":"message_stop"})"
        "\n\n");
  CHECK(r.usage.prompt_tokens == 12);
  CHECK(r.usage.completion_tokens == 3);
}

TEST_CASE("anthropic: message_delta is held until the usage chunk, then the stream is done", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  CHECK(s.on_event(delta_event(R"({"content":"x"})", R"("stop")"), out) == step::more);
  CHECK(out.find("message_delta") == std::string::npos);
  CHECK(out.find("content_block_stop") != std::string::npos);
  out.clear();
  CHECK(s.on_event(chunk_event("[]", R"("usage":{"prompt_tokens":5,"completion_tokens":1})"), out) == step::done);
  const auto evs = events_of(out);
  REQUIRE(evs.size() == 2);
  CHECK(json::parse(evs[0].data)["usage"] == json::parse(R"({"input_tokens":5,"output_tokens":1})"));
  CHECK(evs[1].type == "message_stop");
  CHECK(s.finished());
  out.clear();
  CHECK(s.on_event(done_event(), out) == step::done);
  s.on_abnormal_end("late", 502, out);
  CHECK(out.empty());
}

TEST_CASE("anthropic: [DONE] without finish_reason closes the block and ends as end_turn", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(delta_event(R"({"reasoning_content":"hm"})"), out);
  CHECK(s.on_event(done_event(), out) == step::done);
  const auto evs = events_of(out);
  REQUIRE(evs.size() == 6);
  CHECK(evs[3].type == "content_block_stop");
  CHECK(json::parse(evs[4].data)["delta"]["stop_reason"] == "end_turn");
  CHECK(evs[5].type == "message_stop");
}

TEST_CASE("anthropic: [DONE] as the only event still gives a complete empty message", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  CHECK(s.on_event(done_event(), out) == step::done);
  const auto evs = events_of(out);
  REQUIRE(evs.size() == 3);
  CHECK(evs[0].type == "message_start");
  CHECK(evs[1].type == "message_delta");
  CHECK(evs[2].type == "message_stop");
}

TEST_CASE("anthropic: abnormal end and invalid events become one error frame", "[anthropic][stream]") {
  SECTION("abnormal end: type by status, nothing afterwards") {
    anthropic_stream s("a", "msg_1");
    std::string out;
    s.on_event(delta_event(R"({"content":"par"})"), out);
    out.clear();
    s.on_abnormal_end("litellm.Timeout: stream went silent", 408, out);
    CHECK(out == "event: error\ndata: " +
                     meshgate::core::render_anthropic(meshgate::core::api_error{408, "litellm.Timeout: stream went silent"}) +
                     "\n\n");
    CHECK(json::parse(events_of(out)[0].data)["error"]["type"] == "api_error");
    CHECK(s.finished());
    std::string later;
    CHECK(s.on_event(delta_event(R"({"content":"more"})"), later) == step::failed);
    s.on_abnormal_end("again", 500, later);
    CHECK(later.empty());
  }
  SECTION("an event that is not JSON") {
    anthropic_stream s("a", "msg_1");
    std::string out;
    event bad;
    bad.data = "{not json";
    CHECK(s.on_event(bad, out) == step::failed);
    const auto evs = events_of(out);
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].type == "error");
    CHECK(json::parse(evs[0].data) ==
          json::parse(R"({"type":"error","error":{"type":"api_error","message":"upstream sent an invalid stream event"}})"));
  }
  SECTION("in-band error with a 429 code") {
    anthropic_stream s("a", "msg_1");
    std::string out;
    event err;
    err.data = R"({"error":{"message":"Server is overloaded","code":"429"}})";
    CHECK(s.on_event(err, out) == step::failed);
    CHECK(json::parse(events_of(out).back().data)["error"] ==
          json::parse(R"({"type":"rate_limit_error","message":"Server is overloaded"})"));
  }
}

TEST_CASE("anthropic: first_event_error and ping frame", "[anthropic][stream]") {
  event err;
  err.data = R"({"error":{"message":"bad prompt","type":"BadRequestError","code":400}})";
  auto e = anthropic_stream::first_event_error(err, "Tensormesh");
  REQUIRE(e.has_value());
  CHECK(e->status == 400);
  CHECK(e->message == "TensormeshException - bad prompt");
  CHECK_FALSE(anthropic_stream::first_event_error(delta_event(R"({"role":"assistant"})"), "Tensormesh").has_value());
  CHECK(anthropic_stream::ping_frame() == "event: ping\ndata: {\"type\":\"ping\"}\n\n");
}

TEST_CASE("anthropic: generated message id", "[anthropic][stream]") {
  anthropic_stream a("x");
  anthropic_stream b("x");
  CHECK(a.message_id().size() == 36);
  CHECK(a.message_id().starts_with("msg_"));
  CHECK(a.message_id().find_first_not_of("0123456789abcdef", 4) == std::string::npos);
  CHECK(a.message_id() != b.message_id());
  std::string out;
  a.on_event(delta_event(R"({"role":"assistant"})"), out);
  CHECK(json::parse(events_of(out)[0].data)["message"]["id"] == a.message_id());
}

TEST_CASE("anthropic: stop reasons in the stream", "[anthropic][stream]") {
  auto stop_of = [](const std::string& choice_tail) {
    anthropic_stream s("a", "msg_1");
    std::string out;
    s.on_event(chunk_event(R"([{"index":0,"delta":{"content":"x"},)" + choice_tail + "}]"), out);
    s.on_event(done_event(), out);
    return json::parse(events_of(out).at(4).data)["delta"];
  };
  CHECK(stop_of(R"("finish_reason":"stop","stop_reason":"###")") ==
        json::parse(R"({"stop_reason":"stop_sequence","stop_sequence":"###"})"));
  CHECK(stop_of(R"("finish_reason":"stop","stop_reason":128001)") ==
        json::parse(R"({"stop_reason":"end_turn","stop_sequence":null})"));
  CHECK(stop_of(R"("finish_reason":"content_filter")") == json::parse(R"({"stop_reason":"refusal","stop_sequence":null})"));
  CHECK(stop_of(R"("finish_reason":"abort")") == json::parse(R"({"stop_reason":"end_turn","stop_sequence":null})"));
}

TEST_CASE("anthropic: content after finish_reason and other choices are dropped", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(chunk_event(R"([{"index":1,"delta":{"content":"other choice"}},{"index":0,"delta":{"content":"mine"}}])"),
             out);
  s.on_event(delta_event(R"({})", R"("stop")"), out);
  s.on_event(delta_event(R"({"content":"late"})"), out);
  s.on_event(done_event(), out);
  const json m = assemble_anthropic(out);
  CHECK(m["content"] == json::parse(R"([{"type":"text","text":"mine"}])"));
}

TEST_CASE("anthropic: tool call whose name arrives after its first fragment", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(delta_event(R"({"content":"Let me look."})"), out);
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"id":"c1","function":{"arguments":"{\"q\":"}}]})"), out);
  // Nothing can be opened without a name: the text block stays open.
  CHECK(out.find("tool_use") == std::string::npos);
  CHECK(out.find("content_block_stop") == std::string::npos);
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"function":{"name":"search","arguments":"1}"}}]})"), out);
  s.on_event(delta_event(R"({})", R"("tool_calls")"), out);
  s.on_event(done_event(), out);
  const json m = assemble_anthropic(out);
  CHECK(m["content"] == json::parse(R"([{"type":"text","text":"Let me look."},
                                        {"type":"tool_use","id":"c1","name":"search","input":{"q":1}}])"));
  CHECK(m["stop_reason"] == "tool_use");
}

TEST_CASE("anthropic: parallel tool calls in one chunk, without ids", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"function":{"name":"a","arguments":"{\"x\":1}"}},
                                           {"index":1,"function":{"name":"b","arguments":"{\"y\":"}}]})"),
             out);
  // a's arguments were complete, so b opened at once and streams live.
  const auto evs = events_of(out);
  REQUIRE(evs.size() == 6);
  CHECK(evs[3].type == "content_block_stop");
  CHECK(evs[4].type == "content_block_start");
  CHECK(json::parse(evs[5].data)["delta"]["partial_json"] == "{\"y\":");
  s.on_event(delta_event(R"({"tool_calls":[{"index":1,"function":{"arguments":"2}"}}]})", R"("tool_calls")"), out);
  s.on_event(done_event(), out);
  const json m = assemble_anthropic(out);
  REQUIRE(m["content"].size() == 2);
  CHECK(m["content"][0]["input"] == json::parse(R"({"x":1})"));
  CHECK(m["content"][1]["input"] == json::parse(R"({"y":2})"));
  for (const json& block : m["content"]) {
    const std::string id = block["id"];
    CHECK(id.starts_with("toolu_"));
    CHECK(id.size() == 6 + 32);
  }
  CHECK(m["content"][0]["id"] != m["content"][1]["id"]);
}

TEST_CASE("anthropic: a waiting tool call is flushed whole when the open one never completes early",
          "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"id":"A","function":{"name":"f","arguments":"{\"a\":"}}]})"), out);
  s.on_event(delta_event(R"({"tool_calls":[{"index":1,"id":"B","function":{"name":"g","arguments":"{\"b\":"}}]})"), out);
  s.on_event(delta_event(R"({"tool_calls":[{"index":1,"function":{"arguments":"2}"}}]})"), out);
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"function":{"arguments":"1"}}]})"), out);
  // A is still open (its JSON is unfinished); B waits.
  CHECK(out.find("\"B\"") == std::string::npos);
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"function":{"arguments":"}"}}]})", R"("tool_calls")"), out);
  const auto evs = events_of(out);
  // start A, 3 deltas for A, stop A, start B, one delta with B's whole buffer, stop B.
  REQUIRE(evs.size() == 1 + 8);
  CHECK(json::parse(evs[7].data) ==
        json::parse(R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"b\":2}"}})"));
  s.on_event(done_event(), out);
  const json m = assemble_anthropic(out);
  CHECK(m["content"][0]["input"] == json::parse(R"({"a":1})"));
  CHECK(m["content"][1]["input"] == json::parse(R"({"b":2})"));
}

TEST_CASE("anthropic: text after a tool call closes it; later fragments for it are dropped", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"id":"A","function":{"name":"f","arguments":"{}"}}]})"), out);
  s.on_event(delta_event(R"({"content":"done"})"), out);
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"function":{"arguments":" "}}]})"), out);
  s.on_event(delta_event(R"({})", R"("stop")"), out);
  s.on_event(done_event(), out);
  const json m = assemble_anthropic(out);
  CHECK(m["content"] == json::parse(R"([{"type":"tool_use","id":"A","name":"f","input":{}},{"type":"text","text":"done"}])"));
}

TEST_CASE("anthropic: tool ids are made Anthropic-safe in the stream", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  std::string out;
  s.on_event(delta_event(R"({"tool_calls":[{"index":0,"id":"call:1/x","function":{"name":"f","arguments":"{}"}}]})"),
             out);
  CHECK(json::parse(events_of(out).at(1).data)["content_block"]["id"] == "call_1_x");
}

TEST_CASE("anthropic: usage decorator adds fields to message_delta usage", "[anthropic][stream]") {
  anthropic_stream s("a", "msg_1");
  s.set_usage_decorator([](json& u) { u["cost"] = 0.25; });
  std::string out;
  s.on_event(delta_event(R"({"content":"x"})", R"("stop")"), out);
  s.on_event(chunk_event("[]", R"("usage":{"prompt_tokens":4,"completion_tokens":2})"), out);
  const auto evs = events_of(out);
  const json usage = json::parse(evs.at(evs.size() - 2).data)["usage"];
  CHECK(usage == json::parse(R"({"input_tokens":4,"output_tokens":2,"cost":0.25})"));
}
