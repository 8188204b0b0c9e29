// Transcript tests: chat completions SSE in (tests/fixtures/responses/*.sse), Responses events
// out, compared structurally with *.expected.jsonl (one expected event per line):
// - every frame must carry `event: <type>` equal to its JSON `type`, and `sequence_number`
//   must count 0, 1, 2, … (checked here, then removed before the comparison);
// - "<<name:prefix>>" matches any string starting with `prefix`, and every occurrence of the
//   same name must be the same string (so ids stay consistent across events);
// - an expected object with "...": true only checks the keys it lists; other objects must have
//   exactly the expected keys.
#include "meshgate/translate/responses_bridge.hpp"
#include "meshgate/translate/responses_bridge_stream.hpp"
#include "meshgate/translate/responses_store.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::sse::event;
using meshgate::translate::bridge_request;
using meshgate::translate::bridge_stream_translator;
using meshgate::translate::build_bridge_request;
using meshgate::translate::conversation_store;
using meshgate::translate::parse_responses_request;
using meshgate::translate::responses_request;

namespace {

constexpr std::int64_t created = 1732541412;

std::string read_fixture(std::string_view name) {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "fixtures" /
                    "responses" / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot open fixture " << path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<event> events_of(std::string_view stream) {
  meshgate::sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed(stream, out) == meshgate::sse::feed_status::ok);
  REQUIRE_FALSE(p.has_partial());
  return out;
}

std::vector<json> expected_of(std::string_view name) {
  std::istringstream lines(read_fixture(name));
  std::vector<json> out;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

using bindings = std::map<std::string, std::string>;

// Empty when `got` matches `want`; else where and why not.
std::string structural_diff(const json& want, const json& got, bindings& bound, const std::string& path) {
  if (want.is_string()) {
    const auto& w = want.get_ref<const std::string&>();
    if (w.starts_with("<<") && w.ends_with(">>")) {
      auto colon = w.find(':');
      std::string name = w.substr(2, colon - 2);
      std::string prefix = w.substr(colon + 1, w.size() - colon - 3);
      if (!got.is_string() || !got.get_ref<const std::string&>().starts_with(prefix)) {
        return path + ": want a string starting with " + prefix + ", got " + got.dump();
      }
      auto [it, fresh] = bound.emplace(name, got.get<std::string>());
      if (!fresh && it->second != got.get_ref<const std::string&>()) {
        return path + ": " + name + " was " + it->second + ", now " + got.dump();
      }
      return {};
    }
  }
  if (want.is_object()) {
    if (!got.is_object()) return path + ": want an object, got " + got.dump();
    const bool partial = want.contains("...");
    for (const auto& [key, value] : want.items()) {
      if (key == "...") continue;
      if (!got.contains(key)) return path + ": missing key " + key;
      if (auto m = structural_diff(value, got[key], bound, path + "." + key); !m.empty()) return m;
    }
    if (!partial) {
      for (const auto& [key, value] : got.items()) {
        if (!want.contains(key)) return path + ": unexpected key " + key;
      }
    }
    return {};
  }
  if (want.is_array()) {
    if (!got.is_array() || got.size() != want.size()) return path + ": want " + want.dump() + ", got " + got.dump();
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (auto m = structural_diff(want[i], got[i], bound, path + "[" + std::to_string(i) + "]"); !m.empty()) return m;
    }
    return {};
  }
  return want == got ? std::string() : path + ": want " + want.dump() + ", got " + got.dump();
}

// Checks the framing and numbering of a downstream Responses stream; returns its events' JSON
// without sequence_number.
std::vector<json> frames_of(const std::string& downstream) {
  std::vector<json> out;
  auto evs = events_of(downstream);
  for (std::size_t i = 0; i < evs.size(); ++i) {
    json j = json::parse(evs[i].data);
    INFO("event " << i << ": " << evs[i].data);
    REQUIRE(j.is_object());
    CHECK(evs[i].type == j.value("type", std::string()));
    CHECK(j["sequence_number"] == i);
    j.erase("sequence_number");
    out.push_back(std::move(j));
  }
  return out;
}

void compare_transcript(const std::vector<json>& got, std::string_view expected_name) {
  auto want = expected_of(expected_name);
  bindings bound;
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    INFO(expected_name << " event " << i << "\n got: " << got[i].dump() << "\nwant: " << want[i].dump());
    CHECK(structural_diff(want[i], got[i], bound, "$") == "");
  }
  CHECK(got.size() == want.size());
}

responses_request parsed(std::string_view body) {
  auto r = parse_responses_request(body);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected 400: " << e->message);
  return std::get<responses_request>(std::move(r));
}

bridge_request bridged(std::string_view body, const json& prior = json::array()) {
  auto r = build_bridge_request(parsed(body), "Qwen/Qwen3-Coder-30B-A3B-Instruct", prior);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected 400: " << e->message);
  return std::get<bridge_request>(std::move(r));
}

struct run_result {
  std::string downstream;
  std::vector<bridge_stream_translator::step> steps;
};

run_result run(bridge_stream_translator& t, std::string_view upstream) {
  run_result r;
  for (const auto& ev : events_of(upstream)) r.steps.push_back(t.on_event(ev, r.downstream));
  return r;
}

// Feeds a fixture through a translator and compares with its expected transcript.
bridge_stream_translator transcript(std::string_view fixture, std::string_view expected, std::string response_id,
                                    const json& response_template) {
  bridge_stream_translator t(std::move(response_id), "tensormesh-chat", response_template, created);
  auto r = run(t, read_fixture(fixture));
  REQUIRE_FALSE(r.steps.empty());
  CHECK(r.steps.back() == bridge_stream_translator::step::done);
  for (std::size_t i = 0; i + 1 < r.steps.size(); ++i) CHECK(r.steps[i] == bridge_stream_translator::step::more);
  CHECK(t.completed());
  compare_transcript(frames_of(r.downstream), expected);
  return t;
}

event data_event(std::string data) {
  event e;
  e.data = std::move(data);
  return e;
}

std::string chunk(const std::string& delta, const std::string& finish = "null") {
  return R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":)" + delta +
         R"(,"finish_reason":)" + finish + "}]}";
}

}  // namespace

TEST_CASE("responses bridge stream: the matcher itself catches differences", "[translate][responses]") {
  bindings b;
  CHECK(structural_diff(json::parse(R"({"a":"<<x:msg_>>","b":"<<x:msg_>>"})"), json::parse(R"({"a":"msg_1","b":"msg_1"})"), b, "$").empty());
  b.clear();
  CHECK_FALSE(structural_diff(json::parse(R"({"a":"<<x:msg_>>","b":"<<x:msg_>>"})"), json::parse(R"({"a":"msg_1","b":"msg_2"})"), b, "$").empty());
  b.clear();
  CHECK_FALSE(structural_diff(json::parse(R"({"a":"<<x:msg_>>"})"), json::parse(R"({"a":"fc_1"})"), b, "$").empty());
  CHECK_FALSE(structural_diff(json::parse(R"({"a":1})"), json::parse(R"({"a":1,"b":2})"), b, "$").empty());
  CHECK(structural_diff(json::parse(R"({"...":true,"a":1})"), json::parse(R"({"a":1,"b":2})"), b, "$").empty());
  CHECK_FALSE(structural_diff(json::parse(R"([1,2])"), json::parse(R"([1])"), b, "$").empty());
}

TEST_CASE("responses bridge stream: text transcript", "[translate][responses]") {
  auto t = transcript("chat_text.sse", "chat_text.expected.jsonl", "resp_text",
                      bridged(R"({"model":"tensormesh-chat","input":"Say hello","stream":true})").response_template);
  CHECK(t.assistant_message() == json::parse(R"({"role":"assistant","content":"Hello, world! 👋"})"));
  CHECK(t.usage().prompt_tokens == 12);
  CHECK(t.usage().completion_tokens == 5);
  CHECK(t.usage().cached_tokens == 8);
}

TEST_CASE("responses bridge stream: reasoning transcript", "[translate][responses]") {
  auto t = transcript("chat_reasoning.sse", "chat_reasoning.expected.jsonl", "resp_reason",
                      bridged(R"({"model":"tensormesh-chat","input":"2+2?","stream":true,"reasoning":{"effort":"low"}})")
                          .response_template);
  CHECK(t.assistant_message() ==
        json::parse(R"({"role":"assistant","content":"4","reasoning_content":"The user wants 2+2. That is 4."})"));
  CHECK(t.usage().reasoning_tokens == 9);
}

TEST_CASE("responses bridge stream: parallel tool calls transcript", "[translate][responses]") {
  auto t = transcript("chat_parallel_tools.sse", "chat_parallel_tools.expected.jsonl", "resp_tools",
                      bridged(R"({"model":"tensormesh-chat","input":"Weather in Paris and Tokyo?","stream":true,
                          "tools":[{"type":"function","name":"get_weather","description":"Current weather",
                                    "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]})")
                          .response_template);
  CHECK(t.assistant_message() == json::parse(R"({"role":"assistant","content":"Checking both cities.","tool_calls":[
      {"id":"call_paris","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
      {"id":"call_tokyo","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"東京\"}"}}]})"));
}

TEST_CASE("responses bridge stream: multi-turn conversation through previous_response_id", "[translate][responses]") {
  conversation_store store;
  const std::string caller = "hash-of-caller";

  // Turn 1: the model asks for a tool.
  auto turn1 = bridged(R"({"model":"tensormesh-chat","stream":true,"instructions":"You are a weather bot.",
      "input":[{"role":"user","content":"Weather in Oslo?"}],
      "tools":[{"type":"function","name":"get_weather","description":"Current weather"}]})");
  CHECK(json::parse(turn1.chat_body)["messages"] == json::parse(R"([{"role":"system","content":"You are a weather bot."},
      {"role":"user","content":"Weather in Oslo?"}])"));
  auto t1 = transcript("chat_turn1_tool_call.sse", "chat_turn1_tool_call.expected.jsonl", "resp_turn1",
                       turn1.response_template);
  REQUIRE(t1.completed());
  json stored1 = turn1.turn_messages;
  stored1.push_back(t1.assistant_message());
  store.put(t1.response_id(), caller, nullptr, stored1);

  // Turn 2, straight after: the tool result, chained to turn 1.
  auto found = store.find("resp_turn1", caller);
  REQUIRE(std::holds_alternative<conversation_store::history>(found));
  auto history = std::get<conversation_store::history>(found);
  auto turn2 = bridged(R"({"model":"tensormesh-chat","stream":true,"previous_response_id":"resp_turn1",
      "instructions":"You are a weather bot.","input":[{"type":"function_call_output","call_id":"call_w1","output":"3 °C"}]})",
                       conversation_store::messages_of(history));
  CHECK(json::parse(turn2.chat_body)["messages"] == json::parse(R"([
      {"role":"system","content":"You are a weather bot."},
      {"role":"user","content":"Weather in Oslo?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"call_w1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
      {"role":"tool","tool_call_id":"call_w1","content":"3 °C"}])"));
  auto t2 = transcript("chat_turn2_answer.sse", "chat_turn2_answer.expected.jsonl", "resp_turn2", turn2.response_template);
  json stored2 = turn2.turn_messages;
  stored2.push_back(t2.assistant_message());
  store.put(t2.response_id(), caller, history, stored2);

  // Turn 3 sees the whole conversation; turn 1 is still a valid branch point.
  auto h2 = store.find("resp_turn2", caller);
  REQUIRE(std::holds_alternative<conversation_store::history>(h2));
  json all = conversation_store::messages_of(std::get<conversation_store::history>(h2));
  REQUIRE(all.size() == 4);
  CHECK(all[3] == json::parse(R"({"role":"assistant","content":"It is 3 °C in Oslo."})"));
  CHECK(conversation_store::messages_of(std::get<conversation_store::history>(store.find("resp_turn1", caller))).size() == 2);

  // Another key cannot continue it; an unknown id names itself.
  auto foreign = store.find("resp_turn2", "hash-of-someone-else");
  REQUIRE(std::holds_alternative<api_error>(foreign));
  CHECK(std::get<api_error>(foreign).message == "Previous response with id 'resp_turn2' not found.");
  CHECK(std::get<api_error>(foreign).status == 400);
}

TEST_CASE("responses bridge stream: an empty answer still completes with a message", "[translate][responses]") {
  bridge_stream_translator t("resp_e", "a", bridged(R"({"model":"m","input":"x"})").response_template, created);
  std::string out;
  t.on_event(data_event(chunk(R"({"role":"assistant","content":""})")), out);
  t.on_event(data_event(chunk("{}", R"("length")")), out);
  CHECK(t.on_event(data_event("[DONE]"), out) == bridge_stream_translator::step::done);
  auto frames = frames_of(out);
  std::vector<std::string> types;
  for (const auto& f : frames) types.push_back(f["type"]);
  CHECK(types == std::vector<std::string>{"response.created", "response.in_progress", "response.output_item.added",
                                          "response.content_part.added", "response.output_text.done",
                                          "response.content_part.done", "response.output_item.done",
                                          "response.completed"});
  const json& done = frames.back()["response"];
  CHECK(done["status"] == "incomplete");
  CHECK(done["incomplete_details"] == json::parse(R"({"reason":"max_output_tokens"})"));
  REQUIRE(done["output"].size() == 1);
  CHECK(done["output"][0]["type"] == "message");
  CHECK(done["usage"].is_null());
  CHECK(t.assistant_message() == json::parse(R"({"role":"assistant","content":""})"));
}

TEST_CASE("responses bridge stream: the existing reasoning+tools fixture keeps items apart", "[translate][responses]") {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "fixtures" / "sse" /
                    "openai_chat_reasoning_tools.sse";
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::string upstream((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bridge_stream_translator t("resp_mix", "a", bridged(R"({"model":"m","input":"x","stream":true})").response_template, created);
  auto r = run(t, upstream);
  CHECK(r.steps.back() == bridge_stream_translator::step::done);
  auto frames = frames_of(r.downstream);
  // output_index of every item event matches the order items were added; nothing refers to an
  // item before it was added or after it was done
  std::vector<std::string> added_ids;
  std::vector<bool> done;
  for (const auto& f : frames) {
    std::string type = f["type"];
    if (type == "response.output_item.added") {
      CHECK(f["output_index"] == added_ids.size());
      added_ids.push_back(f["item"]["id"]);
      done.push_back(false);
    } else if (f.contains("output_index")) {
      std::size_t idx = f["output_index"];
      REQUIRE(idx < added_ids.size());
      CHECK_FALSE(done[idx]);
      if (f.contains("item_id")) CHECK(f["item_id"] == added_ids[idx]);
      if (type == "response.output_item.done") done[idx] = true;
    }
  }
  CHECK(std::all_of(done.begin(), done.end(), [](bool d) { return d; }));
  const json& completed = frames.back()["response"];
  REQUIRE(completed["output"].size() == 3);
  CHECK(completed["output"][0]["type"] == "reasoning");
  CHECK(completed["output"][0]["summary"][0]["text"] ==
        "The user greets in Chinese: 你好，世界. I should answer warmly 👋🏽 and check the weather in 東京 🇯🇵.");
  CHECK(completed["output"][1]["content"][0]["text"] ==
        "你好，世界！👋🏽 Let me check the weather in Tokyo 🇯🇵 for you.");
  CHECK(completed["output"][2]["call_id"] == "chatcmpl-tool-4b7e9d1f0c2a");
  CHECK(json::parse(completed["output"][2]["arguments"].get<std::string>()) ==
        json::parse(R"({"location":"東京","unit":"celsius"})"));
  CHECK(completed["usage"]["input_tokens"] == 87);
  CHECK(completed["id"] == frames.front()["response"]["id"]);
}

TEST_CASE("responses bridge stream: a mid-stream error becomes response.failed", "[translate][responses]") {
  bridge_stream_translator t("resp_f", "a", bridged(R"({"model":"m","input":"x"})").response_template, created);
  std::string out;
  CHECK(t.on_event(data_event(chunk(R"({"content":"partial"})")), out) == bridge_stream_translator::step::more);
  CHECK(t.on_event(data_event(R"({"error":{"message":"Server is overloaded","code":429}})"), out) ==
        bridge_stream_translator::step::failed);
  auto frames = frames_of(out);
  const json& failed = frames.back();
  CHECK(failed["type"] == "response.failed");
  CHECK(failed["response"]["id"] == "resp_f");
  CHECK(failed["response"]["status"] == "failed");
  CHECK(failed["response"]["error"] == json::parse(R"({"code":"rate_limit_exceeded","message":"Server is overloaded"})"));
  REQUIRE(failed["response"]["output"].size() == 1);
  CHECK(failed["response"]["output"][0]["status"] == "incomplete");
  CHECK(failed["response"]["output"][0]["content"][0]["text"] == "partial");
  CHECK(t.finished());
  CHECK_FALSE(t.completed());
  std::string after;
  CHECK(t.on_event(data_event("[DONE]"), after) == bridge_stream_translator::step::failed);
  t.on_abnormal_end("again", 500, after);
  CHECK(after.empty());
}

TEST_CASE("responses bridge stream: an abnormal end before any event still opens the response", "[translate][responses]") {
  bridge_stream_translator t("resp_g", "a", bridged(R"({"model":"m","input":"x"})").response_template, created);
  std::string out;
  t.on_abnormal_end("upstream stream ended before [DONE]", 502, out);
  auto frames = frames_of(out);
  REQUIRE(frames.size() == 3);
  CHECK(frames[0]["type"] == "response.created");
  CHECK(frames[1]["type"] == "response.in_progress");
  CHECK(frames[2]["type"] == "response.failed");
  CHECK(frames[2]["response"]["error"]["code"] == "server_error");
  CHECK(frames[2]["response"]["error"]["message"] == "upstream stream ended before [DONE]");
  CHECK(frames[2]["response"]["output"] == json::array());
}

TEST_CASE("responses bridge stream: invalid JSON from upstream fails the stream", "[translate][responses]") {
  bridge_stream_translator t("resp_h", "a", bridged(R"({"model":"m","input":"x"})").response_template, created);
  std::string out;
  CHECK(t.on_event(data_event("{oops"), out) == bridge_stream_translator::step::failed);
  auto frames = frames_of(out);
  CHECK(frames.back()["response"]["error"]["message"] == "upstream sent an invalid stream event");
}

TEST_CASE("responses bridge stream: tool calls without index or id are tolerated", "[translate][responses]") {
  bridge_stream_translator t("resp_i", "a", bridged(R"({"model":"m","input":"x"})").response_template, created);
  std::string out;
  t.on_event(data_event(chunk(R"({"tool_calls":[{"id":"call_x","function":{"name":"f","arguments":"{\"a\""}}]})")), out);
  t.on_event(data_event(chunk(R"({"tool_calls":[{"function":{"arguments":":1}"}}]})")), out);
  t.on_event(data_event(chunk(R"({"tool_calls":[{"id":"call_y","function":{"name":"g"}}]})")), out);
  t.on_event(data_event(chunk(R"({"tool_calls":[{"id":"call_x","function":{"arguments":""}}]})")), out);
  t.on_event(data_event(chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})", R"("tool_calls")")), out);
  t.on_event(data_event("[DONE]"), out);
  const json output = frames_of(out).back()["response"]["output"];
  REQUIRE(output.size() == 2);
  CHECK(output[0]["call_id"] == "call_x");
  CHECK(output[0]["arguments"] == "{\"a\":1}");
  CHECK(output[1]["call_id"] == "call_y");
  CHECK(output[1]["name"] == "g");
  CHECK(output[1]["arguments"] == "{}");
}

TEST_CASE("responses bridge stream: other choices, keep-alive chunks and the usage decorator", "[translate][responses]") {
  bridge_stream_translator t("resp_j", "a", bridged(R"({"model":"m","input":"x"})").response_template, created);
  t.set_usage_decorator([](json& u) { u["cost"] = 1.5e-06; });
  std::string out;
  t.on_event(data_event(R"({"choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"mine"}}]})"), out);
  t.on_event(data_event(R"({"choices":[]})"), out);
  t.on_event(data_event(R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}})"), out);
  t.on_event(data_event("[DONE]"), out);
  const json done = frames_of(out).back()["response"];
  CHECK(done["output"][0]["content"][0]["text"] == "mine");
  CHECK(done["usage"]["cost"] == 1.5e-06);
  CHECK(done["usage"]["total_tokens"] == 4);
}
