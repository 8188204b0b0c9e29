#include "meshgate/translate/responses_bridge.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::bridge_request;
using meshgate::translate::bridge_response;
using meshgate::translate::bridge_result;
using meshgate::translate::build_bridge_request;
using meshgate::translate::parse_responses_request;
using meshgate::translate::responses_request;

namespace {

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

json chat_of(std::string_view body, const json& prior = json::array()) { return json::parse(bridged(body, prior).chat_body); }

api_error bridge_fails(std::string_view body) {
  auto r = build_bridge_request(parsed(body), "m", json::array());
  REQUIRE(std::holds_alternative<api_error>(r));
  auto e = std::get<api_error>(std::move(r));
  CHECK(e.status == 400);
  CHECK(e.param == "input");
  return e;
}

json msgs(std::string_view text) { return json::parse(text); }

bridge_result answer(std::string_view chat_body, const json& tmpl, meshgate::usage::token_usage& usage) {
  auto r = bridge_response(chat_body, tmpl, "resp_fixed", "tensormesh-chat", usage);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected error: " << e->message);
  return std::get<bridge_result>(std::move(r));
}

}  // namespace

// ---- request mapping (§9.2) --------------------------------------------------------------------

TEST_CASE("responses bridge: instructions and a string input become system and user messages", "[translate][responses]") {
  auto b = bridged(R"({"model":"tensormesh-chat","input":"What is 2+2?","instructions":"Be terse."})");
  json chat = json::parse(b.chat_body);
  CHECK(chat["model"] == "Qwen/Qwen3-Coder-30B-A3B-Instruct");
  CHECK(chat["messages"] == msgs(R"([{"role":"system","content":"Be terse."},{"role":"user","content":"What is 2+2?"}])"));
  CHECK(b.turn_messages == msgs(R"([{"role":"user","content":"What is 2+2?"}])"));
  for (const char* gone : {"input", "instructions", "stream_options", "max_tokens", "tools", "tool_choice"}) {
    CHECK_FALSE(chat.contains(gone));
  }
}

TEST_CASE("responses bridge: message items map roles and content parts", "[translate][responses]") {
  json chat = chat_of(R"({"model":"m","input":[
      {"type":"message","role":"developer","content":[{"type":"input_text","text":"rules"}]},
      {"role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_text","text":"here"}]},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"see"},
        {"type":"input_image","image_url":"https://x/y.png","detail":"low"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok "},{"type":"output_text","text":"then"}]}]})");
  CHECK(chat["messages"] == msgs(R"([
      {"role":"system","content":"rules"},
      {"role":"user","content":"look\nhere"},
      {"role":"user","content":[{"type":"text","text":"see"},{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}}]},
      {"role":"assistant","content":"ok then"}])"));
}

TEST_CASE("responses bridge: function calls and outputs become one assistant message and tool messages",
          "[translate][responses]") {
  json chat = chat_of(R"({"model":"m","input":[
      {"role":"user","content":"weather in Paris and Tokyo?"},
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"two lookups"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
      {"type":"function_call","id":"fc_1","call_id":"call_a","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
      {"type":"function_call","id":"fc_2","call_id":"call_b","name":"get_weather","arguments":{"city":"Tokyo"}},
      {"type":"function_call_output","call_id":"call_a","output":"18C"},
      {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"22C"}]}]})");
  CHECK(chat["messages"] == msgs(R"([
      {"role":"user","content":"weather in Paris and Tokyo?"},
      {"role":"assistant","content":"Checking.","reasoning_content":"two lookups","tool_calls":[
        {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
        {"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\"}"}}]},
      {"role":"tool","tool_call_id":"call_a","content":"18C"},
      {"role":"tool","tool_call_id":"call_b","content":"22C"}])"));
}

TEST_CASE("responses bridge: a function call without text gets null content; reasoning content beats summary",
          "[translate][responses]") {
  json chat = chat_of(R"({"model":"m","input":[
      {"type":"reasoning","summary":[{"type":"summary_text","text":"short"}],"content":[{"type":"reasoning_text","text":"long form"}]},
      {"type":"function_call","call_id":"c1","name":"f"}]})");
  CHECK(chat["messages"] == msgs(R"([{"role":"assistant","content":null,"reasoning_content":"long form",
      "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}])"));
}

TEST_CASE("responses bridge: unsupported input items are 400s naming the item", "[translate][responses]") {
  CHECK(bridge_fails(R"({"model":"m","input":[{"role":"user","content":"a"},{"type":"item_reference","id":"msg_1"}]})").message ==
        R"(input[1]: item type "item_reference" is not supported by the chat completions bridge)");
  CHECK(bridge_fails(R"({"model":"m","input":[{"type":"function_call","name":"f"}]})").message ==
        "input[0]: function_call needs a string call_id");
  CHECK(bridge_fails(R"({"model":"m","input":[{"type":"function_call","call_id":"c"}]})").message ==
        "input[0]: function_call needs a string name");
  CHECK(bridge_fails(R"({"model":"m","input":[{"type":"function_call_output"}]})").message ==
        "input[0]: function_call_output needs a string call_id");
  CHECK(bridge_fails(R"({"model":"m","input":[{"role":"tool","content":"x"}]})").message ==
        "input[0]: role must be one of user, assistant, system, developer");
  CHECK(bridge_fails(R"({"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})").message ==
        R"(input[0]: content[0] of type "input_file" is not supported by the chat completions bridge)");
}

TEST_CASE("responses bridge: tools, tool_choice and parameters are mapped", "[translate][responses]") {
  json chat = chat_of(R"({"model":"m","input":"hi","stream":true,"max_output_tokens":256,"temperature":0.2,"top_p":0.9,
      "user":"u","parallel_tool_calls":false,"store":true,"metadata":{"a":"b"},"include":["reasoning.encrypted_content"],
      "truncation":"auto","reasoning":{"effort":"high","summary":"auto"},"chat_template_kwargs":{"enable_thinking":true},
      "tags":["x"],"tools":[
        {"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object"},"strict":true},
        {"type":"web_search_preview","search_context_size":"low"},
        {"type":"custom","name":"apply_patch"}],
      "tool_choice":{"type":"function","name":"get_weather"}})");
  CHECK(chat["tools"] == msgs(R"([{"type":"function","function":{"name":"get_weather","description":"Weather",
      "parameters":{"type":"object"},"strict":true}}])"));
  CHECK(chat["web_search_options"] == msgs(R"({"search_context_size":"low"})"));
  CHECK(chat["tool_choice"] == msgs(R"({"type":"function","function":{"name":"get_weather"}})"));
  CHECK(chat["max_tokens"] == 256);
  CHECK(chat["reasoning_effort"] == "high");
  CHECK(chat["stream"] == true);
  CHECK(chat["stream_options"] == msgs(R"({"include_usage":true})"));
  CHECK(chat["temperature"] == 0.2);
  CHECK(chat["top_p"] == 0.9);
  CHECK(chat["user"] == "u");
  CHECK(chat["parallel_tool_calls"] == false);
  CHECK(chat["chat_template_kwargs"] == msgs(R"({"enable_thinking":true})"));
  for (const char* gone : {"max_output_tokens", "store", "metadata", "include", "truncation", "reasoning", "tags", "input"}) {
    CHECK_FALSE(chat.contains(gone));
  }
}

TEST_CASE("responses bridge: tool_choice shapes", "[translate][responses]") {
  auto choice_for = [](const std::string& tc) {
    json chat = chat_of(R"({"model":"m","input":"hi","tools":[{"type":"function","name":"f","description":"d"}],"tool_choice":)" +
                        tc + "}");
    return chat.contains("tool_choice") ? chat["tool_choice"] : json("<absent>");
  };
  CHECK(choice_for(R"("required")") == "required");
  CHECK(choice_for(R"({"type":"auto"})") == "auto");
  CHECK(choice_for(R"({"type":"none"})") == "none");
  CHECK(choice_for(R"({"type":"any"})") == "required");
  CHECK(choice_for(R"({"type":"tool","name":"f"})") == "required");
  CHECK(choice_for(R"({"type":"function","function":{"name":"f"}})") == msgs(R"({"type":"function","function":{"name":"f"}})"));
  CHECK(choice_for(R"({"type":"allowed_tools","tools":[]})") == "<absent>");
  // no chat tools left: no tool_choice either
  json chat = chat_of(R"({"model":"m","input":"hi","tools":[{"type":"file_search"}],"tool_choice":"required"})");
  CHECK_FALSE(chat.contains("tools"));
  CHECK_FALSE(chat.contains("tool_choice"));
}

TEST_CASE("responses bridge: text.format becomes response_format", "[translate][responses]") {
  CHECK(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"answer","strict":true,
      "schema":{"type":"object","properties":{"n":{"type":"integer"}}}}}})")["response_format"] ==
        msgs(R"({"type":"json_schema","json_schema":{"name":"answer","strict":true,
            "schema":{"type":"object","properties":{"n":{"type":"integer"}}}}})"));
  CHECK(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"json_schema","schema":{}}}})")["response_format"]
            ["json_schema"]["name"] == "response");
  CHECK(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"json_object"}}})")["response_format"] ==
        msgs(R"({"type":"json_object"})"));
  CHECK_FALSE(chat_of(R"({"model":"m","input":"hi","text":{"format":{"type":"text"},"verbosity":"low"}})").contains("response_format"));
}

TEST_CASE("responses bridge: prior messages sit between the new instructions and the new input", "[translate][responses]") {
  json prior = msgs(R"([{"role":"user","content":"first"},{"role":"assistant","content":"one"}])");
  auto b = bridged(R"({"model":"m","input":"second","instructions":"new rules","previous_response_id":"resp_1"})", prior);
  CHECK(json::parse(b.chat_body)["messages"] == msgs(R"([{"role":"system","content":"new rules"},
      {"role":"user","content":"first"},{"role":"assistant","content":"one"},{"role":"user","content":"second"}])"));
  CHECK(b.turn_messages == msgs(R"([{"role":"user","content":"second"}])"));
  CHECK_FALSE(json::parse(b.chat_body).contains("previous_response_id"));
}

TEST_CASE("responses bridge: the response template echoes the request with defaults", "[translate][responses]") {
  CHECK(bridged(R"({"model":"m","input":"hi"})").response_template == msgs(R"({
      "object":"response","instructions":null,"max_output_tokens":null,"metadata":{},"parallel_tool_calls":true,
      "previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":null,
      "text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":null,"truncation":"disabled",
      "user":null,"error":null,"incomplete_details":null,"output":[],"usage":null})"));
  json t = bridged(R"({"model":"m","input":"hi","instructions":"i","max_output_tokens":5,"metadata":{"k":"v"},
      "parallel_tool_calls":false,"previous_response_id":"resp_p","reasoning":{"effort":"low"},"store":false,
      "temperature":0.5,"top_p":0.7,"tool_choice":"none","user":"u",
      "tools":[{"type":"function","name":"f","description":"d"}]})").response_template;
  CHECK(t["instructions"] == "i");
  CHECK(t["max_output_tokens"] == 5);
  CHECK(t["metadata"] == msgs(R"({"k":"v"})"));
  CHECK(t["parallel_tool_calls"] == false);
  CHECK(t["previous_response_id"] == "resp_p");
  CHECK(t["reasoning"] == msgs(R"({"effort":"low"})"));
  CHECK(t["store"] == false);
  CHECK(t["temperature"] == 0.5);
  CHECK(t["top_p"] == 0.7);
  CHECK(t["tool_choice"] == "none");
  CHECK(t["user"] == "u");
  CHECK(t["tools"] == msgs(R"([{"type":"function","name":"f","description":"d"}])"));
}

// ---- non-streaming response mapping ------------------------------------------------------------

TEST_CASE("responses bridge: a chat answer with reasoning and tool calls becomes output items", "[translate][responses]") {
  json tmpl = bridged(R"({"model":"m","input":"hi"})").response_template;
  meshgate::usage::token_usage usage;
  auto r = answer(R"({"id":"chatcmpl-1","object":"chat.completion","created":1732541412,"model":"Qwen/x",
      "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"Let me check.",
        "reasoning_content":"need weather","tool_calls":[
          {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
          {"type":"function","function":{"name":"get_time","arguments":"{}"}}]}}],
      "usage":{"prompt_tokens":50,"completion_tokens":20,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":32},
        "completion_tokens_details":{"reasoning_tokens":5}}})",
                  tmpl, usage);
  json j = json::parse(r.body);
  CHECK(j["id"] == "resp_fixed");
  CHECK(j["object"] == "response");
  CHECK(j["model"] == "tensormesh-chat");
  CHECK(j["created_at"] == 1732541412);
  CHECK(j["status"] == "completed");
  CHECK(j["incomplete_details"].is_null());
  CHECK(j["error"].is_null());
  const json& out = j["output"];
  REQUIRE(out.size() == 4);
  CHECK(out[0]["type"] == "reasoning");
  CHECK(out[0]["id"].get<std::string>().starts_with("rs_"));
  CHECK(out[0]["summary"] == msgs(R"([{"type":"summary_text","text":"need weather"}])"));
  CHECK(out[1]["type"] == "message");
  CHECK(out[1]["id"].get<std::string>().starts_with("msg_"));
  CHECK(out[1]["status"] == "completed");
  CHECK(out[1]["role"] == "assistant");
  CHECK(out[1]["content"] == msgs(R"([{"type":"output_text","text":"Let me check.","annotations":[]}])"));
  CHECK(out[2]["type"] == "function_call");
  CHECK(out[2]["id"].get<std::string>().starts_with("fc_"));
  CHECK(out[2]["call_id"] == "call_1");
  CHECK(out[2]["name"] == "get_weather");
  CHECK(out[2]["arguments"] == "{\"city\":\"Oslo\"}");
  CHECK(out[2]["status"] == "completed");
  CHECK(out[3]["call_id"].get<std::string>().starts_with("call_"));  // missing upstream id: one is made up
  CHECK(out[3]["id"] != out[2]["id"]);
  CHECK(j["usage"] == msgs(R"({"input_tokens":50,"output_tokens":20,"total_tokens":70,
      "input_tokens_details":{"cached_tokens":32},"output_tokens_details":{"reasoning_tokens":5}})"));
  CHECK(usage.prompt_tokens == 50);
  CHECK(usage.cached_tokens == 32);
  CHECK(r.assistant_message == msgs(R"({"role":"assistant","content":"Let me check.","reasoning_content":"need weather",
      "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
        {"id":)" + out[3]["call_id"].dump() + R"(,"type":"function","function":{"name":"get_time","arguments":"{}"}}]})"));
}

TEST_CASE("responses bridge: an empty answer still has a message; length means incomplete", "[translate][responses]") {
  json tmpl = bridged(R"({"model":"m","input":"hi","max_output_tokens":3})").response_template;
  meshgate::usage::token_usage usage;
  auto r = answer(R"({"choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":null}}]})", tmpl, usage);
  json j = json::parse(r.body);
  CHECK(j["status"] == "incomplete");
  CHECK(j["incomplete_details"] == msgs(R"({"reason":"max_output_tokens"})"));
  CHECK(j["max_output_tokens"] == 3);
  REQUIRE(j["output"].size() == 1);
  CHECK(j["output"][0]["content"][0]["text"] == "");
  CHECK(j["usage"].is_null());
  CHECK_FALSE(usage.known());
  CHECK(r.assistant_message == msgs(R"({"role":"assistant","content":""})"));
  CHECK(j["created_at"].is_number_integer());
}

TEST_CASE("responses bridge: upstream bodies that are not chat completions are 502s", "[translate][responses]") {
  json tmpl = bridged(R"({"model":"m","input":"hi"})").response_template;
  meshgate::usage::token_usage usage;
  auto fails = [&](std::string_view body) {
    auto r = bridge_response(body, tmpl, "resp_x", "a", usage);
    REQUIRE(std::holds_alternative<api_error>(r));
    CHECK(std::get<api_error>(r).status == 502);
    return std::get<api_error>(r).message;
  };
  CHECK(fails("") == "upstream returned an invalid response: body is empty");
  CHECK(fails(R"({"object":"chat.completion"})") == R"(upstream returned an invalid response: missing "choices")");
  CHECK(fails(R"({"choices":{}})") == R"(upstream returned an invalid response: "choices" is not an array)");
  CHECK(fails(R"({"error":{"message":"boom"}})") ==
        R"(upstream returned an invalid response: an error object instead of "choices": boom)");
}

TEST_CASE("responses bridge: chat_messages_from_input on its own", "[translate][responses]") {
  using meshgate::translate::chat_messages_from_input;
  auto s = chat_messages_from_input(json("hi"));
  REQUIRE(std::holds_alternative<json>(s));
  CHECK(std::get<json>(s) == msgs(R"([{"role":"user","content":"hi"}])"));
  auto none = chat_messages_from_input(json(42));
  REQUIRE(std::holds_alternative<json>(none));
  CHECK(std::get<json>(none) == json::array());
  auto bad = chat_messages_from_input(msgs(R"([{"role":"user","content":[1]}])"));
  REQUIRE(std::holds_alternative<api_error>(bad));
  CHECK(std::get<api_error>(bad).message ==
        R"(input[0]: content[0] of type "" is not supported by the chat completions bridge)");
  // a trailing reasoning item with nothing after it is dropped, not invented into a message
  auto trailing = chat_messages_from_input(msgs(R"([{"role":"user","content":"q"},
      {"type":"reasoning","summary":[{"type":"summary_text","text":"t"}]}])"));
  CHECK(std::get<json>(trailing) == msgs(R"([{"role":"user","content":"q"}])"));
}
