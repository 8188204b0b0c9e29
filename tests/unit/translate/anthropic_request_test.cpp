#include "meshgate/translate/anthropic_request.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::anthropic_request;
using meshgate::translate::anthropic_route;
using meshgate::translate::parse_anthropic_request;

namespace {

anthropic_request parse_ok(std::string_view body, anthropic_route route = anthropic_route::messages) {
  auto r = parse_anthropic_request(body, route);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected 400: " << e->message);
  return std::get<anthropic_request>(std::move(r));
}

api_error parse_fails(std::string_view body, anthropic_route route = anthropic_route::messages) {
  auto r = parse_anthropic_request(body, route);
  REQUIRE(std::holds_alternative<api_error>(r));
  auto e = std::get<api_error>(std::move(r));
  CHECK(e.status == 400);
  CHECK(e.type == "invalid_request_error");
  return e;
}

// A valid body with `extra` appended to its top level.
std::string body_with(const std::string& extra, const std::string& messages = R"([{"role":"user","content":"hi"}])") {
  return R"({"model":"claude-alias","max_tokens":64,"messages":)" + messages + (extra.empty() ? "" : "," + extra) + "}";
}

json chat_of(const std::string& extra, const std::string& messages = R"([{"role":"user","content":"hi"}])") {
  return parse_ok(body_with(extra, messages)).chat.body;
}

json messages_of(const std::string& messages, const std::string& extra = {}) {
  return chat_of(extra, messages).at("messages");
}

meshgate::config::deployment tensormesh() {
  meshgate::config::deployment d;
  d.model_name = "claude-alias";
  d.model = "tensormesh/openai/gpt-oss-120b";
  d.provider = "tensormesh";
  d.upstream_model = "openai/gpt-oss-120b";
  d.api_base = "https://serverless.tensormesh.ai/v1";
  return d;
}

}  // namespace

TEST_CASE("anthropic: minimal request becomes a chat body without model", "[anthropic][request]") {
  const auto r = parse_ok(R"({"model":"claude-alias","max_tokens":12.0,"messages":[{"role":"user","content":"Say ok."}]})");
  CHECK(r.chat.model == "claude-alias");
  CHECK(r.max_tokens == 12);
  CHECK_FALSE(r.chat.stream);
  CHECK(r.chat.body == json::parse(R"({"max_tokens":12,"messages":[{"role":"user","content":"Say ok."}]})"));
  CHECK(r.chat.body["max_tokens"].is_number_integer());
}

TEST_CASE("anthropic: build_upstream_body finishes the translated request", "[anthropic][request]") {
  auto r = parse_ok(body_with(R"("stream":true,"timeout":"30","num_retries":2,"litellm_trace":"x")"));
  CHECK(r.chat.stream);
  CHECK(r.chat.timeout_s == 30.0);
  CHECK(r.chat.num_retries == 2);
  const json up = json::parse(meshgate::translate::build_upstream_body(r.chat, tensormesh()));
  CHECK(up == json::parse(R"({"model":"openai/gpt-oss-120b","max_tokens":64,
                              "messages":[{"role":"user","content":"hi"}],
                              "stream":true,"stream_options":{"include_usage":true}})"));
}

TEST_CASE("anthropic: stream flag and stream_options", "[anthropic][request]") {
  CHECK(chat_of(R"("stream":true)")["stream_options"] == json::parse(R"({"include_usage":true})"));
  const json off = chat_of(R"("stream":false,"stream_options":{"include_usage":true})");
  CHECK(off["stream"] == false);
  CHECK_FALSE(off.contains("stream_options"));
}

TEST_CASE("anthropic: system prompt as string and as blocks", "[anthropic][request]") {
  CHECK(messages_of(R"([{"role":"user","content":"hi"}])", R"("system":"Be brief.")") ==
        json::parse(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}])"));
  CHECK(messages_of(R"([{"role":"user","content":"hi"}])",
                    R"("system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},
                                 {"type":"image","source":{"type":"url","url":"http://x"}},
                                 {"type":"text","text":"B"}])") ==
        json::parse(R"([{"role":"system","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]},
                        {"role":"user","content":"hi"}])"));
  CHECK(messages_of(R"([{"role":"user","content":"hi"}])", R"("system":"")").size() == 1);
  CHECK(parse_fails(body_with(R"("system":5)")).param == "system");
}

TEST_CASE("anthropic: user content blocks become chat parts", "[anthropic][request]") {
  const json m = messages_of(R"([{"role":"user","content":[
      {"type":"text","text":"look","cache_control":{"type":"ephemeral"}},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
      {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
      {"type":"document","source":{"type":"base64","data":"JVBERi0x"}},
      {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain doc"}},
      {"type":"document","source":{"type":"content","content":[{"type":"text","text":"c1"},{"type":"image"}]}},
      {"type":"search_result","source":"s","title":"t","content":[]}]}])");
  CHECK(m == json::parse(R"([{"role":"user","content":[
      {"type":"text","text":"look"},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},
      {"type":"image_url","image_url":{"url":"data:application/pdf;base64,JVBERi0x"}},
      {"type":"text","text":"plain doc"},
      {"type":"text","text":"c1"}]}])"));
}

TEST_CASE("anthropic: tool_use and tool_result round trip", "[anthropic][request]") {
  const json m = messages_of(R"([
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":[
        {"type":"thinking","thinking":"hmm","signature":"sig"},
        {"type":"text","text":"Checking "},{"type":"text","text":"now."},
        {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"東京","days":2}},
        {"type":"tool_use","id":"toolu_2","name":"get_time"}]},
      {"role":"user","content":[
        {"type":"text","text":"and also"},
        {"type":"tool_result","tool_use_id":"toolu_1","content":"sunny","cache_control":{"type":"ephemeral"}},
        {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":[{"type":"text","text":"timeout"}]}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_3","name":"f","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_3"}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_4","name":"f","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_4","content":[
          {"type":"text","text":"a"},
          {"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_5","name":"f","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_5","content":[
          {"type":"image","source":{"type":"url","url":"https://x/z.png"}}]}]}])");
  CHECK(m == json::parse(R"([
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":"Checking now.","tool_calls":[
        {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"東京\",\"days\":2}"}},
        {"id":"toolu_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"toolu_1","content":"sunny"},
      {"role":"tool","tool_call_id":"toolu_2","content":"timeout"},
      {"role":"user","content":[{"type":"text","text":"and also"}]},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"toolu_3","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"toolu_3","content":""},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"toolu_4","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"toolu_4","content":[
        {"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"toolu_5","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"toolu_5","content":"https://x/z.png"}])"));
}

TEST_CASE("anthropic: assistant string and empty contents", "[anthropic][request]") {
  CHECK(messages_of(R"([{"role":"user","content":"a"},{"role":"assistant","content":"b"},
                        {"role":"assistant","content":[{"type":"thinking","thinking":"x"}]},
                        {"role":"user","content":[]}])") ==
        json::parse(R"([{"role":"user","content":"a"},{"role":"assistant","content":"b"},
                        {"role":"assistant","content":""},{"role":"user","content":""}])"));
}

TEST_CASE("anthropic: tools and tool_choice", "[anthropic][request]") {
  const json c = chat_of(R"("tools":[
      {"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}},
       "cache_control":{"type":"ephemeral"}},
      {"name":"no_desc","input_schema":{"type":"object"}},
      {"name":"blank_desc","description":"  ","type":"custom"},
      {"type":"web_search_20250305","name":"web_search","max_uses":5},
      {"type":"bash_20250124","name":"bash"}],
    "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true})");
  CHECK(c["tools"] == json::parse(R"([
      {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
      {"type":"function","function":{"name":"no_desc","description":"no_desc","parameters":{"type":"object"}}},
      {"type":"function","function":{"name":"blank_desc","description":"blank_desc",
        "parameters":{"type":"object","properties":{}}}}])"));
  CHECK(c["tool_choice"] == json::parse(R"({"type":"function","function":{"name":"get_weather"}})"));
  CHECK(c["parallel_tool_calls"] == false);

  const std::string tool = R"("tools":[{"name":"t","description":"d","input_schema":{"type":"object"}}])";
  CHECK(chat_of(tool + R"(,"tool_choice":{"type":"auto"})")["tool_choice"] == "auto");
  CHECK(chat_of(tool + R"(,"tool_choice":{"type":"any"})")["tool_choice"] == "required");
  CHECK(chat_of(tool + R"(,"tool_choice":{"type":"none"})")["tool_choice"] == "none");
  CHECK_FALSE(chat_of(tool + R"(,"tool_choice":{"type":"auto","disable_parallel_tool_use":false})")
                  .contains("parallel_tool_calls"));

  // Only hosted tools: nothing usable is left, so no tools and no tool_choice go upstream.
  const json hosted = chat_of(R"("tools":[{"type":"web_search_20250305","name":"web_search"}],"tool_choice":{"type":"any"})");
  CHECK_FALSE(hosted.contains("tools"));
  CHECK_FALSE(hosted.contains("tool_choice"));
}

TEST_CASE("anthropic: thinking budget maps to reasoning_effort", "[anthropic][request]") {
  auto effort = [](const std::string& thinking) {
    const json c = chat_of(R"("thinking":)" + thinking);
    CHECK_FALSE(c.contains("thinking"));
    return c.contains("reasoning_effort") ? c["reasoning_effort"].get<std::string>() : std::string("<none>");
  };
  CHECK(effort(R"({"type":"enabled","budget_tokens":0})") == "low");
  CHECK(effort(R"({"type":"enabled","budget_tokens":-5})") == "low");
  CHECK(effort(R"({"type":"enabled","budget_tokens":1023})") == "low");
  CHECK(effort(R"({"type":"enabled","budget_tokens":1024})") == "low");
  CHECK(effort(R"({"type":"enabled","budget_tokens":2047})") == "low");
  CHECK(effort(R"({"type":"enabled","budget_tokens":2048})") == "medium");
  CHECK(effort(R"({"type":"enabled","budget_tokens":4095})") == "medium");
  CHECK(effort(R"({"type":"enabled","budget_tokens":4096})") == "high");
  CHECK(effort(R"({"type":"enabled","budget_tokens":8192})") == "high");
  CHECK(effort(R"({"type":"enabled","budget_tokens":32000})") == "high");
  CHECK(effort(R"({"type":"enabled"})") == "medium");
  CHECK(effort(R"({"type":"adaptive"})") == "medium");
  CHECK(effort(R"({"type":"disabled"})") == "<none>");
  // The client's own reasoning_effort wins.
  CHECK(chat_of(R"("thinking":{"type":"enabled","budget_tokens":9000},"reasoning_effort":"low")")["reasoning_effort"] ==
        "low");
  // adaptive takes output_config.effort; an explicit budget beats it.
  CHECK(chat_of(R"("thinking":{"type":"adaptive"},"output_config":{"effort":"max"})")["reasoning_effort"] == "high");
  CHECK(chat_of(R"("thinking":{"type":"enabled","budget_tokens":1500},"output_config":{"effort":"high"})")
            ["reasoning_effort"] == "low");
}

TEST_CASE("anthropic: structured output format", "[anthropic][request]") {
  const json c = chat_of(R"("output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}})");
  CHECK(c["response_format"] ==
        json::parse(R"({"type":"json_schema","json_schema":{"name":"structured_output","schema":{"type":"object"},"strict":true}})"));
  CHECK_FALSE(c.contains("output_config"));
  CHECK(chat_of(R"("output_format":{"type":"json_schema","schema":{"type":"object"}})")["response_format"]["type"] ==
        "json_schema");
}

TEST_CASE("anthropic: sampling, stop, metadata and pass-through fields", "[anthropic][request]") {
  const auto r = parse_ok(body_with(R"("temperature":0.2,"top_p":0.9,"top_k":40,"stop_sequences":["###","END"],
      "metadata":{"user_id":"user-42","other":"x"},"chat_template_kwargs":{"enable_thinking":false},
      "anthropic_version":"2023-06-01","container":"c","mcp_servers":[],"service_tier":"auto",
      "context_management":{"edits":[{"type":"clear_thinking_20251015"}]})"));
  CHECK(r.chat.user == "user-42");
  CHECK(r.chat.body == json::parse(R"({"max_tokens":64,"messages":[{"role":"user","content":"hi"}],
      "temperature":0.2,"top_p":0.9,"top_k":40,"stop":["###","END"],"user":"user-42",
      "chat_template_kwargs":{"enable_thinking":false}})"));
}

TEST_CASE("anthropic: extra_body is merged into the top level", "[anthropic][request]") {
  CHECK(chat_of(R"("extra_body":{"top_k":5,"repetition_penalty":1.1})") ==
        json::parse(R"({"max_tokens":64,"messages":[{"role":"user","content":"hi"}],"top_k":5,"repetition_penalty":1.1})"));
  const auto e = parse_fails(body_with(R"("extra_body":{"api_key":"sk-x"})"));
  CHECK(e.message == R"("extra_body.api_key" is not allowed in the request body: the upstream is fixed by the gateway's config)");
}

TEST_CASE("anthropic: request validation errors name the field", "[anthropic][request]") {
  struct error_case {
    std::string body;
    std::string message;
    std::optional<std::string> param;
  };
  const std::string user = R"([{"role":"user","content":"hi"}])";
  const std::vector<error_case> cases = {
      {"[1]", "Request body must be a JSON object, got array", std::nullopt},
      {R"({"max_tokens":5,"messages":[{"role":"user","content":"hi"}]})", R"("model" is required)", "model"},
      {R"({"model":"","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})", R"("model" must be a non-empty string)", "model"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}]})", R"("max_tokens" is required)", "max_tokens"},
      {R"({"model":"m","max_tokens":null,"messages":[{"role":"user","content":"hi"}]})", R"("max_tokens" is required)", "max_tokens"},
      {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})", R"("max_tokens" must be a positive integer)", "max_tokens"},
      {R"({"model":"m","max_tokens":12.5,"messages":[{"role":"user","content":"hi"}]})", R"("max_tokens" must be a positive integer)", "max_tokens"},
      {R"({"model":"m","max_tokens":"12","messages":[{"role":"user","content":"hi"}]})", R"("max_tokens" must be a positive integer)", "max_tokens"},
      {R"({"model":"m","max_tokens":5})", R"("messages" is required)", "messages"},
      {R"({"model":"m","max_tokens":5,"messages":[]})", R"("messages" must be a non-empty array)", "messages"},
      {R"({"model":"m","max_tokens":5,"messages":"hi"})", R"("messages" must be a non-empty array)", "messages"},
      {body_with("", "[3]"), R"("messages[0]" must be an object)", "messages"},
      {body_with("", R"([{"role":"system","content":"x"}])"), R"("messages[0].role" must be "user" or "assistant")", "messages"},
      {body_with("", R"([{"role":"user"}])"), R"("messages[0].content" is required)", "messages"},
      {body_with("", R"([{"role":"user","content":7}])"), R"("messages[0].content" must be a string or an array of content blocks)", "messages"},
      {body_with("", R"([{"role":"user","content":[{"text":"x"}]}])"), R"("messages[0].content[0].type" must be a string)", "messages"},
      {body_with("", R"([{"role":"user","content":[{"type":"text"}]}])"), R"("messages[0].content[0].text" is required)", "messages"},
      {body_with("", R"([{"role":"user","content":[{"type":"tool_result","content":"x"}]}])"),
       R"("messages[0].content[0].tool_use_id" is required)", "messages"},
      {body_with("", R"([{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":4}]}])"),
       R"("messages[0].content[0].content" must be a string or an array)", "messages"},
      {body_with("", R"([{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}])"),
       R"("messages[0].content[0].source.type" must be "base64" or "url")", "messages"},
      {body_with("", R"([{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"x"}}]}])"),
       R"("messages[0].content[0].source.media_type" must be a non-empty string)", "messages"},
      {body_with("", R"([{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":[1]}]}])"),
       R"("messages[0].content[0].input" must be an object)", "messages"},
      {body_with("", R"([{"role":"assistant","content":[{"type":"tool_use","id":"t"}]}])"),
       R"("messages[0].content[0].name" is required)", "messages"},
      {body_with(R"("stream":"yes")"), R"("stream" must be a boolean)", "stream"},
      {body_with(R"("temperature":"hot")"), R"("temperature" must be a number)", "temperature"},
      {body_with(R"("top_p":[1])"), R"("top_p" must be a number)", "top_p"},
      {body_with(R"("top_k":1.5)"), R"("top_k" must be an integer)", "top_k"},
      {body_with(R"("stop_sequences":"###")"), R"("stop_sequences" must be an array of strings)", "stop_sequences"},
      {body_with(R"("stop_sequences":["a",1])"), R"("stop_sequences" must be an array of strings)", "stop_sequences"},
      {body_with(R"("metadata":"x")"), R"("metadata" must be an object)", "metadata"},
      {body_with(R"("metadata":{"user_id":5})"), R"("metadata.user_id" must be a string)", "metadata"},
      {body_with(R"("tools":{})"), R"("tools" must be an array)", "tools"},
      {body_with(R"("tools":[{"description":"d"}])"), R"("tools[0].name" is required)", "tools"},
      {body_with(R"("tools":[{"name":""}])"), R"("tools[0].name" must be a non-empty string)", "tools"},
      {body_with(R"("tools":[{"name":"t","input_schema":"x"}])"), R"("tools[0].input_schema" must be an object)", "tools"},
      {body_with(R"("tools":[{"name":"t","description":3}])"), R"("tools[0].description" must be a string)", "tools"},
      {body_with(R"("tool_choice":"auto")"), R"("tool_choice" must be an object)", "tool_choice"},
      {body_with(R"("tool_choice":{"type":"sometimes"})"), R"("tool_choice.type" must be "auto", "any", "none" or "tool")", "tool_choice"},
      {body_with(R"("tool_choice":{"type":"tool"})"), R"("tool_choice.name" is required)", "tool_choice"},
      {body_with(R"("thinking":true)"), R"("thinking" must be an object)", "thinking"},
      {body_with(R"("thinking":{"type":"on"})"), R"("thinking.type" must be "enabled", "adaptive" or "disabled")", "thinking"},
      {body_with(R"("thinking":{"type":"enabled","budget_tokens":"lots"})"), R"("thinking.budget_tokens" must be an integer)", "thinking"},
      {body_with(R"("output_config":[])"), R"("output_config" must be an object)", "output_config"},
      {body_with(R"("timeout":-1)"), R"("timeout" must be a positive number of seconds)", "timeout"},
      {body_with(R"("num_retries":-1)"), R"("num_retries" must be a non-negative integer)", "num_retries"},
      {body_with(R"("extra_body":3)"), R"("extra_body" must be an object)", "extra_body"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const auto e = parse_fails(c.body);
    CHECK(e.message == c.message);
    CHECK(e.param == c.param);
  }
}

TEST_CASE("anthropic: malformed JSON and forbidden upstream keys are 400s", "[anthropic][request]") {
  CHECK(parse_fails("{\"model\":").message.starts_with("Malformed JSON in request body: "));
  CHECK(parse_fails("").message == "Malformed JSON in request body: body is empty");
  for (const std::string key : {"api_base", "base_url", "api_key", "aws_region_name", "vertex_project", "azure_deployment"}) {
    const auto e = parse_fails(body_with("\"" + key + "\":\"http://169.254.169.254\""));
    CHECK(e.message == "\"" + key + "\" is not allowed in the request body: the upstream is fixed by the gateway's config");
    CHECK(e.param == key);
  }
}

TEST_CASE("anthropic: count_tokens route wording and optional max_tokens", "[anthropic][request]") {
  const auto r = parse_ok(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})",
                          anthropic_route::count_tokens);
  CHECK(r.max_tokens == 0);
  CHECK_FALSE(r.chat.stream);
  CHECK(parse_fails(R"({"messages":[{"role":"user","content":"hi"}]})", anthropic_route::count_tokens).message ==
        "model parameter is required");
  CHECK(parse_fails(R"({"model":"m"})", anthropic_route::count_tokens).message == "messages parameter is required");
  CHECK(parse_fails(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})",
                    anthropic_route::count_tokens)
            .param == "max_tokens");
}
