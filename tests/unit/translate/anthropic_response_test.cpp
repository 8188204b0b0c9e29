#include "meshgate/translate/anthropic_response.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::anthropic_stop_for;
using meshgate::translate::anthropic_tool_id;
using meshgate::translate::anthropic_tool_input;
using meshgate::translate::chat_to_anthropic_response;
using meshgate::usage::token_usage;

namespace {

std::string completion(const std::string& message, const std::string& choice_tail = R"("finish_reason":"stop")",
                       const std::string& usage = R"({"prompt_tokens":10,"completion_tokens":4,"total_tokens":14})") {
  return R"({"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"openai/gpt-oss-120b",)"
         R"("choices":[{"index":0,"message":)" +
         message + "," + choice_tail + R"(}],"usage":)" + usage + "}";
}

json translate_ok(const std::string& upstream, token_usage* usage_out = nullptr) {
  token_usage u;
  u.prompt_tokens = 999;  // must be reset
  auto r = chat_to_anthropic_response(upstream, "claude-alias", u);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected error: " << e->message);
  if (usage_out != nullptr) *usage_out = u;
  return json::parse(std::get<std::string>(r));
}

api_error translate_fails(const std::string& upstream) {
  token_usage u;
  auto r = chat_to_anthropic_response(upstream, "claude-alias", u);
  REQUIRE(std::holds_alternative<api_error>(r));
  auto e = std::get<api_error>(std::move(r));
  CHECK(e.status == 502);
  CHECK(e.type == "api_error");
  CHECK_FALSE(u.known());
  return e;
}

}  // namespace

TEST_CASE("anthropic: plain response, fields in Anthropic's order", "[anthropic][response]") {
  token_usage u;
  auto r = chat_to_anthropic_response(completion(R"({"role":"assistant","content":"Hello!"})"), "claude-alias", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(std::get<std::string>(r) ==
        R"({"id":"chatcmpl-abc","type":"message","role":"assistant","model":"claude-alias",)"
        R"("content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,)"
        R"("usage":{"input_tokens":10,"output_tokens":4}})");
  CHECK(u.prompt_tokens == 10);
  CHECK(u.completion_tokens == 4);
}

TEST_CASE("anthropic: thinking, text and tool calls in that order", "[anthropic][response]") {
  token_usage u;
  const json j = translate_ok(
      completion(R"({"role":"assistant","content":"Let me check.","reasoning_content":"The user wants weather.",
                     "tool_calls":[
                       {"id":"chatcmpl-tool-1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"東京\",\"a\":1}"}},
                       {"id":"call.2","type":"function","function":{"name":"get_time","arguments":""}}]})",
                 R"("finish_reason":"tool_calls","stop_reason":null)",
                 R"({"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":64}})"),
      &u);
  CHECK(j["content"] == json::parse(R"([
      {"type":"thinking","thinking":"The user wants weather.","signature":""},
      {"type":"text","text":"Let me check."},
      {"type":"tool_use","id":"chatcmpl-tool-1","name":"get_weather","input":{"city":"東京","a":1}},
      {"type":"tool_use","id":"call_2","name":"get_time","input":{}}])"));
  CHECK(j["stop_reason"] == "tool_use");
  CHECK(j["usage"] == json::parse(R"({"input_tokens":36,"output_tokens":20,"cache_read_input_tokens":64})"));
  CHECK(u.cached_tokens == 64);
}

TEST_CASE("anthropic: reasoning field, null and empty content", "[anthropic][response]") {
  CHECK(translate_ok(completion(R"({"role":"assistant","content":null,"reasoning":"r"})"))["content"] ==
        json::parse(R"([{"type":"thinking","thinking":"r","signature":""}])"));
  CHECK(translate_ok(completion(R"({"role":"assistant","content":"","reasoning_content":""})"))["content"] ==
        json::array());
  CHECK(translate_ok(completion(R"({"role":"assistant","content":"x","reasoning_content":"a","reasoning":"b"})"))
            ["content"][0]["thinking"] == "a");
}

TEST_CASE("anthropic: tool arguments that are not a JSON object are kept raw", "[anthropic][response]") {
  CHECK(anthropic_tool_input("").dump() == "{}");
  CHECK(anthropic_tool_input(" \n").dump() == "{}");
  CHECK(anthropic_tool_input(R"({"z":1,"a":{"y":2,"b":3}})").dump() == R"({"z":1,"a":{"y":2,"b":3}})");
  CHECK(anthropic_tool_input(R"({"city": "Par)").dump() == R"({"_raw_arguments":"{\"city\": \"Par"})");
  CHECK(anthropic_tool_input("[1,2]").dump() == R"({"_raw_arguments":"[1,2]"})");
  CHECK(anthropic_tool_input("null").dump() == R"({"_raw_arguments":"null"})");
  const json j = translate_ok(completion(
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]})",
      R"("finish_reason":"tool_calls")"));
  CHECK(j["content"][0]["input"] == json::parse(R"({"_raw_arguments":"{oops"})"));
}

TEST_CASE("anthropic: stop reason mapping", "[anthropic][response]") {
  auto reason = [](const json& finish, const json& stop = json()) { return anthropic_stop_for(finish, stop); };
  CHECK(reason("stop").reason == "end_turn");
  CHECK_FALSE(reason("stop").sequence.has_value());
  CHECK(reason("stop", "</answer>").reason == "stop_sequence");
  CHECK(reason("stop", "</answer>").sequence == "</answer>");
  CHECK(reason("stop", 151645).reason == "end_turn");
  CHECK(reason("length").reason == "max_tokens");
  CHECK(reason("length", "x").reason == "max_tokens");
  CHECK(reason("tool_calls").reason == "tool_use");
  CHECK(reason("function_call").reason == "tool_use");
  CHECK(reason("content_filter").reason == "refusal");
  CHECK(reason("abort").reason == "end_turn");
  CHECK(reason(json()).reason == "end_turn");

  const json j = translate_ok(completion(R"({"role":"assistant","content":"a"})", R"("finish_reason":"stop","stop_reason":"###")"));
  CHECK(j["stop_reason"] == "stop_sequence");
  CHECK(j["stop_sequence"] == "###");
  CHECK(translate_ok(completion(R"({"role":"assistant","content":"a"})", R"("finish_reason":"length")"))["stop_reason"] ==
        "max_tokens");
}

TEST_CASE("anthropic: tool ids are made Anthropic-safe", "[anthropic][response]") {
  CHECK(anthropic_tool_id("toolu_01-AbZ") == "toolu_01-AbZ");
  CHECK(anthropic_tool_id("call:1.2/x y") == "call_1_2_x_y");
  CHECK(anthropic_tool_id("\xE6\x9D\xB1") == "___");
  const std::string generated = anthropic_tool_id("");
  CHECK(generated.starts_with("toolu_"));
  CHECK(generated.size() == 38);
  CHECK(generated != anthropic_tool_id(""));
}

TEST_CASE("anthropic: usage edge cases", "[anthropic][response]") {
  token_usage u;
  CHECK(translate_ok(completion(R"({"role":"assistant","content":"a"})", R"("finish_reason":"stop")", "null"), &u)["usage"] ==
        json::parse(R"({"input_tokens":0,"output_tokens":0})"));
  CHECK_FALSE(u.known());
  // More cached than prompt (never from a sane upstream) must not go negative.
  CHECK(translate_ok(completion(R"({"role":"assistant","content":"a"})", R"("finish_reason":"stop")",
                                R"({"prompt_tokens":5,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":9}})"))
            ["usage"] == json::parse(R"({"input_tokens":0,"output_tokens":1,"cache_read_input_tokens":9})"));
}

TEST_CASE("anthropic: missing chat id gets a msg_ id", "[anthropic][response]") {
  const json j = translate_ok(R"({"choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"stop"}]})");
  const std::string id = j["id"];
  CHECK(id.starts_with("msg_"));
  CHECK(id.size() == 36);
  CHECK(j["model"] == "claude-alias");
}

TEST_CASE("anthropic: invalid upstream bodies are 502s", "[anthropic][response]") {
  CHECK(translate_fails("not json").message.starts_with("upstream returned an invalid response: invalid JSON at byte"));
  CHECK(translate_fails("[]").message == "upstream returned an invalid response: expected a JSON object, got array");
  CHECK(translate_fails(R"({"id":"x"})").message == R"(upstream returned an invalid response: missing "choices")");
  CHECK(translate_fails(R"({"choices":{}})").message == R"(upstream returned an invalid response: "choices" is not an array)");
  CHECK(translate_fails(R"({"choices":[]})").message == R"(upstream returned an invalid response: "choices" is empty)");
  CHECK(translate_fails(R"({"choices":[3]})").message == R"(upstream returned an invalid response: "choices[0]" is not an object)");
  const std::string long_text(300, 'e');
  CHECK(translate_fails(R"({"error":{"message":")" + long_text + R"("}})").message ==
        R"(upstream returned an invalid response: an error object instead of "choices": )" + std::string(200, 'e') +
            "...");
}
