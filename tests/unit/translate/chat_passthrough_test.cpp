#include "meshgate/translate/chat_passthrough.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::build_upstream_body;
using meshgate::translate::openai_request;
using meshgate::translate::openai_route;
using meshgate::translate::parse_openai_request;
using meshgate::translate::restamp_response;

namespace {

meshgate::config::deployment gpt_oss() {
  meshgate::config::deployment d;
  d.model_name = "tensormesh-chat";
  d.model = "tensormesh/openai/gpt-oss-120b";
  d.provider = "tensormesh";
  d.upstream_model = "openai/gpt-oss-120b";
  d.api_base = "https://serverless.tensormesh.ai/v1";
  return d;
}

openai_request parse_ok(std::string_view body, openai_route route = openai_route::chat,
                        std::string_view path_model = {}) {
  auto r = parse_openai_request(std::string(body), route, path_model);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected 400: " << e->message);
  return std::get<openai_request>(std::move(r));
}

api_error parse_fails(std::string_view body, openai_route route = openai_route::chat) {
  auto r = parse_openai_request(std::string(body), route);
  REQUIRE(std::holds_alternative<api_error>(r));
  auto e = std::get<api_error>(std::move(r));
  CHECK(e.status == 400);
  CHECK(e.type == "invalid_request_error");
  return e;
}

json upstream_of(std::string_view body, openai_route route = openai_route::chat) {
  auto req = parse_ok(body, route);
  return json::parse(build_upstream_body(req, gpt_oss()));
}

std::string chat_with(const std::string& extra) {
  return R"({"model":"tensormesh-chat","messages":[{"role":"user","content":"hi"}])" +
         (extra.empty() ? std::string() : "," + extra) + "}";
}

api_error restamp_fails(std::string_view upstream) {
  meshgate::usage::token_usage u;
  auto r = restamp_response(upstream, "tensormesh-chat", u);
  REQUIRE(std::holds_alternative<api_error>(r));
  auto e = std::get<api_error>(std::move(r));
  CHECK(e.status == 502);
  CHECK(e.type == "api_error");
  CHECK_FALSE(e.param.has_value());
  return e;
}

}  // namespace

// ---- what the gateway learns from the body --------------------------------------------------

TEST_CASE("a minimal chat body yields its alias and no stream", "[translate][chat]") {
  auto req = parse_ok(chat_with(""));
  CHECK(req.model == "tensormesh-chat");
  CHECK_FALSE(req.stream);
  CHECK_FALSE(req.client_wants_usage);
  CHECK_FALSE(req.timeout_s.has_value());
  CHECK_FALSE(req.num_retries.has_value());
  CHECK(req.user.empty());
  CHECK(req.raw != nullptr);  // a plain body takes the spliced form
}

TEST_CASE("user, timeout and num_retries are read from a chat body", "[translate][chat]") {
  auto req = parse_ok(chat_with(R"("user":"alice","timeout":12.5,"num_retries":3)"));
  CHECK(req.user == "alice");
  REQUIRE(req.timeout_s.has_value());
  CHECK(*req.timeout_s == Approx(12.5));
  CHECK(req.num_retries == 3);

  auto as_string = parse_ok(chat_with(R"("timeout":"30")"));
  REQUIRE(as_string.timeout_s.has_value());
  CHECK(*as_string.timeout_s == Approx(30.0));

  auto non_string_user = parse_ok(chat_with(R"("user":42)"));
  CHECK(non_string_user.user.empty());
}

TEST_CASE("path model from /engines takes precedence over the body model", "[translate][chat]") {
  auto req = parse_ok(chat_with(""), openai_route::chat, "from-path");
  CHECK(req.model == "from-path");

  auto without_body_model = parse_ok(R"({"messages":[{"role":"user","content":"hi"}]})", openai_route::chat,
                                     "from-path");
  CHECK(without_body_model.model == "from-path");

  auto wrong_body_model = parse_ok(R"({"model":7,"messages":[{"role":"user","content":"hi"}]})",
                                   openai_route::chat, "from-path");
  CHECK(wrong_body_model.model == "from-path");
}

TEST_CASE("stream true and include_usage true are detected", "[translate][chat]") {
  auto req = parse_ok(chat_with(R"("stream":true,"stream_options":{"include_usage":true})"));
  CHECK(req.stream);
  CHECK(req.client_wants_usage);
}

TEST_CASE("include_usage false or absent means the client did not ask for usage", "[translate][chat]") {
  CHECK_FALSE(parse_ok(chat_with(R"("stream":true,"stream_options":{"include_usage":false})")).client_wants_usage);
  CHECK_FALSE(parse_ok(chat_with(R"("stream":true,"stream_options":{})")).client_wants_usage);
  CHECK_FALSE(parse_ok(chat_with(R"("stream":true)")).client_wants_usage);
}

TEST_CASE("null optional fields in a chat body are treated as absent", "[translate][chat]") {
  auto req = parse_ok(chat_with(
      R"("stream":null,"stream_options":null,"max_tokens":null,"tools":null,"timeout":null,"num_retries":null)"));
  CHECK_FALSE(req.stream);
  CHECK_FALSE(req.timeout_s.has_value());
  CHECK_FALSE(req.num_retries.has_value());
}

// ---- 400s ------------------------------------------------------------------------------------

TEST_CASE("malformed JSON in a chat body is a 400 that says where", "[translate][chat]") {
  auto e = parse_fails(R"({"model":"m",,})");  // the second comma is byte 14
  CHECK(e.message == "Malformed JSON in request body: invalid JSON at byte 14");
  CHECK_FALSE(e.param.has_value());
}

TEST_CASE("an empty chat body is a 400", "[translate][chat]") {
  CHECK(parse_fails("").message == "Malformed JSON in request body: body is empty");
  CHECK(parse_fails("  \n").message == "Malformed JSON in request body: body is empty");
}

TEST_CASE("a chat body that is not a JSON object is a 400", "[translate][chat]") {
  CHECK(parse_fails(R"([{"model":"m"}])").message == "Request body must be a JSON object, got array");
  CHECK(parse_fails(R"("hello")").message == "Request body must be a JSON object, got string");
  CHECK(parse_fails("null").message == "Request body must be a JSON object, got null");
  CHECK(parse_fails("42").message == "Request body must be a JSON object, got number");
}

TEST_CASE("a chat body nested 100000 deep is a 400, not a crash", "[translate][chat]") {
  auto e = parse_fails(std::string(100000, '['));
  CHECK(e.message == "Malformed JSON in request body: JSON nested deeper than 512 levels");

  std::string deep_content = R"({"model":"m","messages":[{"role":"user","content":)" + std::string(100000, '[') +
                             std::string(100000, ']') + "}]}";
  CHECK(parse_fails(deep_content).message == "Malformed JSON in request body: JSON nested deeper than 512 levels");

  std::string deep_objects;
  for (int i = 0; i < 100000; ++i) deep_objects += R"({"a":)";
  CHECK(parse_fails(deep_objects).message.starts_with("Malformed JSON in request body:"));
}

TEST_CASE("invalid UTF-8 inside a chat body string is a 400", "[translate][chat]") {
  std::string body = R"({"model":"m","messages":[{"role":"user","content":"bad )";
  body += "\xC3\x28";  // a lead byte followed by a non-continuation byte
  body += R"("}]})";
  auto e = parse_fails(body);
  CHECK(e.message.starts_with("Malformed JSON in request body: invalid JSON at byte "));

  std::string lone_continuation = R"({"model":"m)" + std::string("\x80") + R"(","messages":[{"role":"user"}]})";
  CHECK(parse_fails(lone_continuation).message.starts_with("Malformed JSON in request body:"));
}

TEST_CASE("chat body without model is a 400 naming model", "[translate][chat]") {
  auto e = parse_fails(R"({"messages":[{"role":"user","content":"hi"}]})");
  CHECK(e.message == R"("model" is required)");
  CHECK(e.param == "model");
  CHECK(parse_fails(R"({"model":null,"messages":[{"role":"user","content":"hi"}]})").message ==
        R"("model" is required)");
}

TEST_CASE("chat body model that is not a non-empty string is a 400 naming model", "[translate][chat]") {
  for (const char* model : {"42", "\"\"", "[\"m\"]", "{}", "true"}) {
    auto e = parse_fails(std::string(R"({"model":)") + model + R"(,"messages":[{"role":"user","content":"hi"}]})");
    CHECK(e.message == R"("model" must be a non-empty string)");
    CHECK(e.param == "model");
  }
}

TEST_CASE("chat body without messages is a 400 naming messages", "[translate][chat]") {
  auto e = parse_fails(R"({"model":"m"})");
  CHECK(e.message == R"("messages" is required)");
  CHECK(e.param == "messages");
}

TEST_CASE("messages that are empty or not an array are a 400", "[translate][chat]") {
  for (const char* messages : {"[]", "{}", "\"hi\"", "3"}) {
    auto e = parse_fails(std::string(R"({"model":"m","messages":)") + messages + "}");
    CHECK(e.message == R"("messages" must be a non-empty array)");
    CHECK(e.param == "messages");
  }
}

TEST_CASE("a message that is not an object is a 400 naming its index", "[translate][chat]") {
  auto e = parse_fails(R"({"model":"m","messages":[{"role":"user","content":"hi"},"oops"]})");
  CHECK(e.message == "messages[1] must be an object");
  CHECK(e.param == "messages");
}

TEST_CASE("chat stream that is not a boolean is a 400 naming stream", "[translate][chat]") {
  for (const char* stream : {"\"true\"", "1", "{}"}) {
    auto e = parse_fails(chat_with(std::string(R"("stream":)") + stream));
    CHECK(e.message == R"("stream" must be a boolean)");
    CHECK(e.param == "stream");
  }
}

TEST_CASE("chat stream_options of the wrong shape is a 400 naming stream_options", "[translate][chat]") {
  auto not_object = parse_fails(chat_with(R"("stream":true,"stream_options":true)"));
  CHECK(not_object.message == R"("stream_options" must be an object)");
  CHECK(not_object.param == "stream_options");

  auto bad_flag = parse_fails(chat_with(R"("stream":true,"stream_options":{"include_usage":"yes"})"));
  CHECK(bad_flag.message == R"("stream_options.include_usage" must be a boolean)");
  CHECK(bad_flag.param == "stream_options");
}

TEST_CASE("chat max_tokens that is not a positive integer is a 400 naming it", "[translate][chat]") {
  for (const char* value : {"\"100\"", "1.5", "0", "-1", "true", "[]"}) {
    auto e = parse_fails(chat_with(std::string(R"("max_tokens":)") + value));
    CHECK(e.message == R"("max_tokens" must be a positive integer)");
    CHECK(e.param == "max_tokens");

    auto mct = parse_fails(chat_with(std::string(R"("max_completion_tokens":)") + value));
    CHECK(mct.message == R"("max_completion_tokens" must be a positive integer)");
    CHECK(mct.param == "max_completion_tokens");
  }
}

TEST_CASE("chat max_tokens written as an integral float is accepted", "[translate][chat]") {
  auto up = upstream_of(chat_with(R"("max_tokens":100.0)"));
  CHECK(up["max_tokens"] == 100);
}

TEST_CASE("chat timeout and num_retries of the wrong kind are 400s naming them", "[translate][chat]") {
  for (const char* value : {"0", "-5", "\"soon\"", "true", "{}"}) {
    auto e = parse_fails(chat_with(std::string(R"("timeout":)") + value));
    CHECK(e.message == R"("timeout" must be a positive number of seconds)");
    CHECK(e.param == "timeout");
  }
  for (const char* value : {"-1", "1.5", "\"2\"", "99999999999"}) {
    auto e = parse_fails(chat_with(std::string(R"("num_retries":)") + value));
    CHECK(e.message == R"("num_retries" must be a non-negative integer)");
    CHECK(e.param == "num_retries");
  }
}

TEST_CASE("client-chosen upstream or credential keys in a chat body are refused", "[translate][chat]") {
  for (const char* key : {"api_base", "base_url", "api_key", "api_version", "custom_llm_provider", "litellm_params",
                          "aws_access_key_id", "aws_region_name", "vertex_project", "vertex_credentials",
                          "azure_ad_token"}) {
    auto e = parse_fails(chat_with(std::string("\"") + key + R"(":"http://169.254.169.254")"));
    std::string expected = std::string(1, '"') + key;
    expected += "\" is not allowed in the request body: the upstream is fixed by the gateway's config";
    CHECK(e.message == expected);
    CHECK(e.param == key);
  }
  auto e = parse_fails(chat_with(R"("api_base":"https://evil.example/v1")"));
  CHECK(e.message ==
        R"("api_base" is not allowed in the request body: the upstream is fixed by the gateway's config)");
}

TEST_CASE("a refused key is refused even on the completions route and with a path model", "[translate][chat]") {
  auto r = parse_openai_request(R"({"prompt":"hi","base_url":"http://x"})", openai_route::completions, "m");
  REQUIRE(std::holds_alternative<api_error>(r));
  CHECK(std::get<api_error>(r).param == "base_url");
}

TEST_CASE("refused keys smuggled in a chat extra_body are refused", "[translate][chat]") {
  auto e = parse_fails(chat_with(R"("extra_body":{"top_k":5,"api_key":"sk-stolen"})"));
  CHECK(e.message ==
        R"("extra_body.api_key" is not allowed in the request body: the upstream is fixed by the gateway's config)");
  CHECK(e.param == "extra_body");
}

TEST_CASE("chat extra_body that is not an object is a 400", "[translate][chat]") {
  auto e = parse_fails(chat_with(R"("extra_body":[1])"));
  CHECK(e.message == R"("extra_body" must be an object)");
  CHECK(e.param == "extra_body");
}

// ---- tools -----------------------------------------------------------------------------------

namespace {
std::string with_tools(const std::string& tools) { return chat_with(R"("tools":)" + tools); }
const char* weather_tool =
    R"({"type":"function","function":{"name":"get_weather","description":"Current weather",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}})";
}  // namespace

TEST_CASE("chat tools with descriptions pass through unchanged", "[translate][chat][tools]") {
  auto up = upstream_of(with_tools(std::string("[") + weather_tool + "]"));
  CHECK(up["tools"] == json::parse(std::string("[") + weather_tool + "]"));
}

TEST_CASE("a function tool without description is a 400 naming the tool", "[translate][chat][tools]") {
  auto e = parse_fails(with_tools(std::string("[") + weather_tool +
                                  R"(,{"type":"function","function":{"name":"get_time","parameters":{}}}])"));
  CHECK(e.message == R"(tools[1] ("get_time"): function.description is required by Tensormesh and must be non-empty)");
  CHECK(e.param == "tools");
}

TEST_CASE("a function tool with an empty or blank description is a 400", "[translate][chat][tools]") {
  for (const char* description : {"\"\"", "\"   \"", "\" \\t\\n \"", "null", "42"}) {
    std::string tool = R"([{"type":"function","function":{"name":"get_weather","description":)";
    auto e = parse_fails(with_tools(tool + description + "}}]"));
    CHECK(e.message ==
          R"(tools[0] ("get_weather"): function.description is required by Tensormesh and must be non-empty)");
    CHECK(e.param == "tools");
  }
}

TEST_CASE("an unnamed tool without description is named by index only", "[translate][chat][tools]") {
  auto e = parse_fails(with_tools(R"([{"type":"function","function":{"parameters":{}}}])"));
  CHECK(e.message == "tools[0]: function.description is required by Tensormesh and must be non-empty");
}

TEST_CASE("a tool without a type is checked as a function tool", "[translate][chat][tools]") {
  auto e = parse_fails(with_tools(R"([{"function":{"name":"f"}}])"));
  CHECK(e.message == R"(tools[0] ("f"): function.description is required by Tensormesh and must be non-empty)");
}

TEST_CASE("a function tool without a function object is a 400", "[translate][chat][tools]") {
  auto e = parse_fails(with_tools(R"([{"type":"function","name":"flat","description":"d"}])"));
  CHECK(e.message == "tools[0]: function must be an object");
  CHECK(e.param == "tools");
}

TEST_CASE("chat tools that are not an array, or hold a non-object, are 400s", "[translate][chat][tools]") {
  auto not_array = parse_fails(with_tools(R"({"type":"function"})"));
  CHECK(not_array.message == R"("tools" must be an array)");
  CHECK(not_array.param == "tools");
  auto not_object = parse_fails(with_tools(R"(["get_weather"])"));
  CHECK(not_object.message == "tools[0] must be an object");
  CHECK(not_object.param == "tools");
}

TEST_CASE("non-function chat tools are not checked for a description", "[translate][chat][tools]") {
  auto up = upstream_of(with_tools(R"([{"type":"custom","custom":{"name":"x"}}])"));
  CHECK(up["tools"][0]["type"] == "custom");
}

// ---- completions -----------------------------------------------------------------------------

TEST_CASE("completions requires prompt", "[translate][completions]") {
  auto e = parse_fails(R"({"model":"m"})", openai_route::completions);
  CHECK(e.message == R"("prompt" is required)");
  CHECK(e.param == "prompt");
  CHECK(parse_fails(R"({"model":"m","prompt":null})", openai_route::completions).message == R"("prompt" is required)");
}

TEST_CASE("completions prompt must be a string or an array", "[translate][completions]") {
  auto e = parse_fails(R"({"model":"m","prompt":5})", openai_route::completions);
  CHECK(e.message == R"("prompt" must be a string or an array)");
  CHECK(e.param == "prompt");
}

TEST_CASE("completions accepts string, string-array and token prompts without messages", "[translate][completions]") {
  for (const char* prompt : {"\"Say ok.\"", "[\"a\",\"b\"]", "[1,2,3]", "[[1,2],[3]]"}) {
    auto req = parse_ok(std::string(R"({"model":"m","prompt":)") + prompt + "}", openai_route::completions);
    CHECK(req.model == "m");
    CHECK(json::parse(build_upstream_body(req, gpt_oss()))["prompt"] == json::parse(prompt));
  }
}

TEST_CASE("completions body gets the same upstream edits", "[translate][completions]") {
  auto up = upstream_of(R"({"model":"tensormesh-chat","prompt":"hi","max_completion_tokens":9,"stream":true,
                            "metadata":{"a":1},"echo":true})",
                        openai_route::completions);
  CHECK(up["model"] == "openai/gpt-oss-120b");
  CHECK(up["max_tokens"] == 9);
  CHECK_FALSE(up.contains("max_completion_tokens"));
  CHECK_FALSE(up.contains("metadata"));
  CHECK(up["stream_options"]["include_usage"] == true);
  CHECK(up["echo"] == true);
}

// ---- upstream edits --------------------------------------------------------------------------

TEST_CASE("the chat upstream body carries the deployment's upstream model", "[translate][chat][upstream]") {
  auto up = upstream_of(chat_with(""));
  CHECK(up["model"] == "openai/gpt-oss-120b");
  CHECK(up["messages"] == json::parse(R"([{"role":"user","content":"hi"}])"));
}

TEST_CASE("the path model does not leak into the chat upstream body", "[translate][chat][upstream]") {
  auto req = parse_ok(chat_with(""), openai_route::chat, "from-path");
  auto up = json::parse(build_upstream_body(req, gpt_oss()));
  CHECK(up["model"] == "openai/gpt-oss-120b");
}

TEST_CASE("unknown and vLLM keys in a chat body pass through untouched", "[translate][chat][upstream]") {
  auto up = upstream_of(chat_with(
      R"("chat_template_kwargs":{"enable_thinking":true,"reasoning_effort":"high"},"top_k":20,
         "repetition_penalty":1.05,"min_p":0.1,"temperature":0.2,"seed":7,"user":"alice",
         "response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{}}},
         "tool_choice":"required","reasoning_effort":"low","logprobs":true,"top_logprobs":2)"));
  CHECK(up["chat_template_kwargs"] == json::parse(R"({"enable_thinking":true,"reasoning_effort":"high"})"));
  CHECK(up["top_k"] == 20);
  CHECK(up["repetition_penalty"] == Approx(1.05));
  CHECK(up["min_p"] == Approx(0.1));
  CHECK(up["temperature"] == Approx(0.2));
  CHECK(up["seed"] == 7);
  CHECK(up["user"] == "alice");
  CHECK(up["response_format"]["json_schema"]["strict"] == true);
  CHECK(up["tool_choice"] == "required");
  CHECK(up["reasoning_effort"] == "low");
  CHECK(up["logprobs"] == true);
  CHECK(up["top_logprobs"] == 2);
}

TEST_CASE("the chat upstream body equals the client body apart from the edits", "[translate][chat][upstream]") {
  std::string body = chat_with(R"("top_k":3,"n":2,"stop":["\n"],"metadata":{"x":1})");
  auto expected = json::parse(body);
  expected["model"] = "openai/gpt-oss-120b";
  expected.erase("metadata");
  CHECK(upstream_of(body) == expected);
}

TEST_CASE("max_completion_tokens is renamed to max_tokens upstream", "[translate][chat][upstream]") {
  auto up = upstream_of(chat_with(R"("max_completion_tokens":12)"));
  CHECK(up["max_tokens"] == 12);
  CHECK_FALSE(up.contains("max_completion_tokens"));
}

TEST_CASE("an existing max_tokens wins over max_completion_tokens", "[translate][chat][upstream]") {
  auto up = upstream_of(chat_with(R"("max_tokens":5,"max_completion_tokens":12)"));
  CHECK(up["max_tokens"] == 5);
  CHECK_FALSE(up.contains("max_completion_tokens"));

  auto null_max = upstream_of(chat_with(R"("max_tokens":null,"max_completion_tokens":12)"));
  CHECK(null_max["max_tokens"] == 12);
  CHECK_FALSE(null_max.contains("max_completion_tokens"));
}

TEST_CASE("litellm-only keys in a chat body are consumed and never forwarded", "[translate][chat][upstream]") {
  auto req = parse_ok(chat_with(
      R"("metadata":{"trace":"t"},"tags":["a"],"fallbacks":["other"],"num_retries":4,"mock_response":"hi",
         "caching":true,"timeout":20,"user_api_key_alias":"k","user_api_key":"x","litellm_call_id":"c",
         "litellm_trace_id":"t","litellm_session_id":"s","cache":{"no-cache":true},"drop_params":true,
         "max_retries":1,"input_cost_per_token":0,"output_cost_per_token":0,"extra_headers":{"X-A":"b"},
         "guardrails":["g"],"top_k":3)"));
  CHECK(req.num_retries == 4);
  REQUIRE(req.timeout_s.has_value());
  CHECK(*req.timeout_s == Approx(20.0));
  auto up = json::parse(build_upstream_body(req, gpt_oss()));
  for (const char* key : {"metadata", "tags", "fallbacks", "num_retries", "mock_response", "caching", "timeout",
                          "user_api_key_alias", "user_api_key", "litellm_call_id", "litellm_trace_id",
                          "litellm_session_id", "cache", "drop_params", "max_retries", "input_cost_per_token",
                          "output_cost_per_token", "extra_headers", "guardrails"}) {
    INFO(key);
    CHECK_FALSE(up.contains(key));
  }
  CHECK(up["top_k"] == 3);
}

TEST_CASE("chat extra_body keys are merged into the top level upstream", "[translate][chat][upstream]") {
  auto up = upstream_of(chat_with(
      R"("top_k":1,"extra_body":{"chat_template_kwargs":{"thinking":true},"top_k":40,"metadata":{"m":1}})"));
  CHECK_FALSE(up.contains("extra_body"));
  CHECK(up["chat_template_kwargs"]["thinking"] == true);
  CHECK(up["top_k"] == 40);
  CHECK_FALSE(up.contains("metadata"));
}

TEST_CASE("chat extra_body values are validated like top-level ones", "[translate][chat]") {
  auto e = parse_fails(chat_with(R"("extra_body":{"max_tokens":"lots"})"));
  CHECK(e.param == "max_tokens");
  auto req = parse_ok(R"({"messages":[{"role":"user","content":"hi"}],"extra_body":{"model":"via-extra"}})");
  CHECK(req.model == "via-extra");
}

TEST_CASE("streaming chat forces include_usage upstream", "[translate][chat][upstream][stream]") {
  auto req = parse_ok(chat_with(R"("stream":true)"));
  CHECK_FALSE(req.client_wants_usage);
  auto up = json::parse(build_upstream_body(req, gpt_oss()));
  CHECK(up["stream"] == true);
  CHECK(up["stream_options"] == json::parse(R"({"include_usage":true})"));
}

TEST_CASE("streaming chat keeps the client's other stream_options", "[translate][chat][upstream][stream]") {
  auto req =
      parse_ok(chat_with(R"("stream":true,"stream_options":{"include_usage":false,"continuous_usage_stats":true})"));
  CHECK_FALSE(req.client_wants_usage);
  auto up = json::parse(build_upstream_body(req, gpt_oss()));
  CHECK(up["stream_options"] == json::parse(R"({"include_usage":true,"continuous_usage_stats":true})"));
}

TEST_CASE("streaming chat replaces a null stream_options", "[translate][chat][upstream][stream]") {
  auto up = upstream_of(chat_with(R"("stream":true,"stream_options":null)"));
  CHECK(up["stream_options"] == json::parse(R"({"include_usage":true})"));
}

TEST_CASE("a non-streaming chat request sends no stream_options upstream", "[translate][chat][upstream]") {
  CHECK_FALSE(upstream_of(chat_with("")).contains("stream_options"));
  CHECK_FALSE(upstream_of(chat_with(R"("stream":false)")).contains("stream_options"));

  auto req = parse_ok(chat_with(R"("stream":false,"stream_options":{"include_usage":true})"));
  CHECK(req.client_wants_usage);
  auto up = json::parse(build_upstream_body(req, gpt_oss()));
  CHECK_FALSE(up.contains("stream_options"));
  CHECK(up["stream"] == false);
}

TEST_CASE("build_upstream_body edits a parsed body in place", "[translate][chat][upstream]") {
  auto req = parse_ok(chat_with(R"("max_completion_tokens":4,"tags":["t"],"extra_body":{"top_k":2})"));
  REQUIRE(req.raw == nullptr);  // extra_body needs merging: the parsed form
  std::string out = build_upstream_body(req, gpt_oss());
  CHECK(json::parse(out) == req.body);
  CHECK(req.body["model"] == "openai/gpt-oss-120b");
  CHECK_FALSE(req.body.contains("tags"));
}

TEST_CASE("non-ASCII chat content survives the trip upstream", "[translate][chat][upstream]") {
  auto up = upstream_of(R"({"model":"m","messages":[{"role":"user","content":"héllo 🌍 \u00e9"}]})");
  CHECK(up["messages"][0]["content"] == "héllo 🌍 é");
}

// ---- restamping upstream responses -----------------------------------------------------------

namespace {
const char* upstream_completion = R"({
  "id":"chatcmpl-abc","object":"chat.completion","created":1730000000,"model":"openai/gpt-oss-120b",
  "choices":[{"index":0,"message":{"role":"assistant","content":"ok","reasoning_content":"think",
              "tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],
  "usage":{"prompt_tokens":17,"total_tokens":29,"completion_tokens":12,
           "prompt_tokens_details":{"cached_tokens":null},"completion_tokens_details":{"reasoning_tokens":4}},
  "prompt_logprobs":null,"kv_transfer_params":null,"system_fingerprint":"fp_1","big":12345678901234567890,
  "ratio":0.1,"text":"caf\u00e9"})";
}  // namespace

TEST_CASE("restamp replaces model and keeps everything else", "[translate][restamp]") {
  meshgate::usage::token_usage u;
  auto r = restamp_response(upstream_completion, "tensormesh-chat", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  auto got = json::parse(std::get<std::string>(r));
  auto expected = json::parse(upstream_completion);
  expected["model"] = "tensormesh-chat";
  CHECK(got == expected);
}

TEST_CASE("restamp reads usage with null cached_tokens", "[translate][restamp]") {
  meshgate::usage::token_usage u;
  auto r = restamp_response(upstream_completion, "tensormesh-chat", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(u.prompt_tokens == 17);
  CHECK(u.completion_tokens == 12);
  CHECK_FALSE(u.cached_tokens.has_value());
  CHECK(u.reasoning_tokens == 4);
}

TEST_CASE("restamp adds model when upstream omitted it", "[translate][restamp]") {
  meshgate::usage::token_usage u;
  auto r = restamp_response(R"({"id":"x","choices":[]})", "alias", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(json::parse(std::get<std::string>(r)) == json::parse(R"({"id":"x","choices":[],"model":"alias"})"));
}

TEST_CASE("restamp without usage leaves usage unknown", "[translate][restamp]") {
  meshgate::usage::token_usage u;
  u.prompt_tokens = 99;
  u.cached_tokens = 5;
  auto r = restamp_response(R"({"model":"x","choices":[{"index":0,"text":"hi"}],"usage":null})", "alias", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK_FALSE(u.known());
  CHECK_FALSE(u.cached_tokens.has_value());
}

TEST_CASE("restamp handles a text completion response", "[translate][restamp]") {
  meshgate::usage::token_usage u;
  auto r = restamp_response(
      R"({"id":"cmpl-1","object":"text_completion","model":"openai/gpt-oss-120b",
          "choices":[{"index":0,"text":" ok","finish_reason":"length"}],
          "usage":{"prompt_tokens":2,"completion_tokens":3}})",
      "tensormesh-text", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  auto got = json::parse(std::get<std::string>(r));
  CHECK(got["model"] == "tensormesh-text");
  CHECK(got["choices"][0]["text"] == " ok");
  CHECK(u.total() == 5);
}

TEST_CASE("unparseable upstream chat body is a 502", "[translate][restamp]") {
  auto e = restamp_fails(R"({"choices":[)");
  CHECK(e.message.starts_with("upstream returned an invalid response: invalid JSON at byte "));
  CHECK(restamp_fails("").message == "upstream returned an invalid response: body is empty");
  CHECK(restamp_fails("<html>Bad Gateway</html>").message.starts_with("upstream returned an invalid response: "));
}

TEST_CASE("upstream chat body that is not an object is a 502", "[translate][restamp]") {
  CHECK(restamp_fails(R"([{"choices":[]}])").message ==
        "upstream returned an invalid response: expected a JSON object, got array");
}

TEST_CASE("upstream chat body without choices is a 502", "[translate][restamp]") {
  CHECK(restamp_fails(R"({"id":"x","model":"m"})").message ==
        R"(upstream returned an invalid response: missing "choices")");
  CHECK(restamp_fails(R"({"choices":{"0":{}}})").message ==
        R"(upstream returned an invalid response: "choices" is not an array)");
}

TEST_CASE("an error object under a 2xx chat response is a 502 quoting its message", "[translate][restamp]") {
  CHECK(restamp_fails(R"({"error":{"message":"engine crashed","code":500}})").message ==
        R"(upstream returned an invalid response: an error object instead of "choices": engine crashed)");

  std::string long_message(500, 'x');
  auto e = restamp_fails(R"({"error":{"message":")" + long_message + R"("}})");
  CHECK(e.message.size() < 300);
  CHECK(e.message.ends_with("..."));
}

TEST_CASE("a deeply nested upstream chat body is a 502, not a crash", "[translate][restamp]") {
  auto e = restamp_fails(std::string(100000, '['));
  CHECK(e.message == "upstream returned an invalid response: JSON nested deeper than 512 levels");
}

TEST_CASE("a spliced body keeps the client's member order and bytes", "[translate][chat][upstream]") {
  auto req = parse_ok(R"({"messages": [{"role":"user","content":"caf\u00e9 \ud83d\ude00"}], "model":"tensormesh-chat",
      "temperature": 0.70, "max_completion_tokens": 5, "metadata": {"a":1}, "stream": true})");
  REQUIRE(req.raw != nullptr);
  CHECK(build_upstream_body(req, gpt_oss()) ==
        R"({"messages": [{"role":"user","content":"caf\u00e9 \ud83d\ude00"}],"model":"openai/gpt-oss-120b",)"
        R"("temperature": 0.70,"max_tokens":5,"stream": true,"stream_options":{"include_usage":true}})");
}

TEST_CASE("the spliced and the parsed form send the same body upstream", "[translate][chat][upstream]") {
  // `"extra_body":{}` merges nothing but forces the parsed form: both must agree.
  const std::vector<std::string> extras = {
      "",
      R"("stream":true)",
      R"("stream":true,"stream_options":{"include_usage":false,"continuous_usage_stats":true})",
      R"("stream":true,"stream_options":null)",
      R"("stream":false,"stream_options":{"include_usage":true})",
      R"("max_completion_tokens":7)",
      R"("max_completion_tokens":7,"max_tokens":null)",
      R"("max_completion_tokens":7,"max_tokens":3)",
      R"("max_completion_tokens":null)",
      R"("metadata":{"k":"v"},"tags":["a"],"litellm_trace_id":"x","user_api_key_alias":"y","timeout":3,"num_retries":1)",
      R"("tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{}}}],"top_k":5)",
      R"("user":"u","chat_template_kwargs":{"enable_thinking":false},"n":null)",
  };
  for (const auto& extra : extras) {
    INFO(extra);
    const std::string body = chat_with(extra);
    auto spliced = parse_ok(body);
    CHECK(spliced.raw != nullptr);
    auto parsed = parse_ok(body.substr(0, body.size() - 1) + R"(,"extra_body":{}})");
    CHECK(parsed.raw == nullptr);
    CHECK(spliced.stream == parsed.stream);
    CHECK(spliced.client_wants_usage == parsed.client_wants_usage);
    CHECK(json::parse(build_upstream_body(spliced, gpt_oss())) == json::parse(build_upstream_body(parsed, gpt_oss())));
  }
  // No model in the body (it came from the path): added.
  auto req = parse_ok(R"({"messages":[{"role":"user","content":"x"}]})", openai_route::chat, "tensormesh-chat");
  CHECK(req.model == "tensormesh-chat");
  CHECK(json::parse(build_upstream_body(req, gpt_oss()))["model"] == "openai/gpt-oss-120b");
}

TEST_CASE("bodies the spliced form leaves to the parsed one still get their own errors", "[translate][chat]") {
  CHECK(parse_fails(R"({"model":"m","messages":[{"role":"user"}],"model":5})").message == R"("model" must be a non-empty string)");
  CHECK(parse_fails(R"({"model":"m","messages":[{"role":"user"}, 3]})").message == "messages[1] must be an object");
  CHECK(parse_fails(R"({"model":"m","messages":[]})").message == R"("messages" must be a non-empty array)");
  CHECK(parse_fails(R"({"model":"m","messages":{}})").message == R"("messages" must be a non-empty array)");
  CHECK(parse_fails(R"({"model":"m","messages":[{}],"api_key":"k"})").param == "api_key");
  auto e = parse_fails(R"({"model":"m","messages":[{}],"stream":"yes"})");
  CHECK(e.message == R"("stream" must be a boolean)");
  auto req = parse_ok(R"({"model":"m","mess\u0061ges":[{"role":"user"}],"messages":[{"role":"user"}]})");
  CHECK(req.raw == nullptr);
}

TEST_CASE("restamp_response splices the alias into the upstream's bytes", "[translate][chat]") {
  meshgate::usage::token_usage u;
  const std::string upstream =
      R"({"id":"c1","object":"chat.completion","model":"openai/gpt-oss-120b","choices":[{"index":0,"message":)"
      R"({"role":"assistant","content":"caf\u00e9"}}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})";
  auto r = restamp_response(upstream, "tensormesh-chat", u);
  REQUIRE(std::holds_alternative<std::string>(r));
  std::string expected = upstream;
  expected.replace(expected.find("openai/gpt-oss-120b"), 19, "tensormesh-chat");
  CHECK(std::get<std::string>(r) == expected);
  CHECK(u.prompt_tokens == 3);
  CHECK(u.completion_tokens == 4);
  auto no_model = restamp_response(R"({"choices":[]})", "a\"b", u);
  CHECK(json::parse(std::get<std::string>(no_model))["model"] == "a\"b");
}
