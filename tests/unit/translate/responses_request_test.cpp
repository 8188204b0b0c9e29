#include "meshgate/translate/responses_request.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::build_native_body;
using meshgate::translate::parse_responses_request;
using meshgate::translate::responses_request;

namespace {

responses_request parse_ok(std::string_view body) {
  auto r = parse_responses_request(body);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("unexpected 400: " << e->message);
  return std::get<responses_request>(std::move(r));
}

api_error parse_fails(std::string_view body) {
  auto r = parse_responses_request(body);
  REQUIRE(std::holds_alternative<api_error>(r));
  auto e = std::get<api_error>(std::move(r));
  CHECK(e.status == 400);
  CHECK(e.type == "invalid_request_error");
  return e;
}

std::string with(const std::string& extra) {
  return R"({"model":"tensormesh-chat","input":"hi")" + (extra.empty() ? std::string() : "," + extra) + "}";
}

}  // namespace

TEST_CASE("responses request: a minimal body yields its alias and defaults", "[translate][responses]") {
  auto req = parse_ok(with(""));
  CHECK(req.model == "tensormesh-chat");
  CHECK_FALSE(req.stream);
  CHECK(req.store);
  CHECK_FALSE(req.previous_response_id.has_value());
  CHECK_FALSE(req.timeout_s.has_value());
  CHECK_FALSE(req.num_retries.has_value());
  CHECK(req.user.empty());
}

TEST_CASE("responses request: stream, store, previous_response_id and controls are read", "[translate][responses]") {
  auto req = parse_ok(with(
      R"("stream":true,"store":false,"previous_response_id":"resp_abc","timeout":"7.5","num_retries":2.0,"user":"u1")"));
  CHECK(req.stream);
  CHECK_FALSE(req.store);
  REQUIRE(req.previous_response_id.has_value());
  CHECK(*req.previous_response_id == "resp_abc");
  REQUIRE(req.timeout_s.has_value());
  CHECK(*req.timeout_s == 7.5);
  CHECK(req.num_retries == 2);
  CHECK(req.user == "u1");
}

TEST_CASE("responses request: input may be a string or an array of item objects", "[translate][responses]") {
  parse_ok(R"({"model":"m","input":[{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"c","output":"x"}]})");
  parse_ok(R"({"model":"m","input":[]})");
  CHECK(parse_fails(R"({"model":"m"})").message == R"("input" is required)");
  CHECK(parse_fails(R"({"model":"m","input":null})").message == R"("input" is required)");
  auto e = parse_fails(R"({"model":"m","input":42})");
  CHECK(e.message == R"("input" must be a string or an array)");
  CHECK(e.param == "input");
  auto item = parse_fails(R"({"model":"m","input":[{"role":"user","content":"a"},"bare"]})");
  CHECK(item.message == "input[1] must be an object");
  CHECK(item.param == "input");
}

TEST_CASE("responses request: malformed bodies and a missing model are 400s naming the problem", "[translate][responses]") {
  CHECK(parse_fails("{\"model\":").message.starts_with("Malformed JSON in request body: "));
  CHECK(parse_fails("[1,2]").message == "Request body must be a JSON object, got array");
  auto missing = parse_fails(R"({"input":"hi"})");
  CHECK(missing.message == R"("model" is required)");
  CHECK(missing.param == "model");
  CHECK(parse_fails(R"({"model":"","input":"hi"})").message == R"("model" must be a non-empty string)");
  CHECK(parse_fails(R"({"model":7,"input":"hi"})").message == R"("model" must be a non-empty string)");
}

TEST_CASE("responses request: client-chosen upstreams are refused, also inside extra_body", "[translate][responses]") {
  for (const char* key : {"api_base", "base_url", "api_key", "aws_region_name", "vertex_project", "azure_endpoint"}) {
    auto e = parse_fails(with("\"" + std::string(key) + "\":\"http://169.254.169.254\""));
    CHECK(e.message == "\"" + std::string(key) +
                           "\" is not allowed in the request body: the upstream is fixed by the gateway's config");
    CHECK(e.param == key);
  }
  auto nested = parse_fails(with(R"("extra_body":{"api_base":"http://evil"})"));
  CHECK(nested.message.starts_with(R"("extra_body.api_base" is not allowed)"));
  CHECK(nested.param == "extra_body");
}

TEST_CASE("responses request: extra_body is merged into the top level, its keys winning", "[translate][responses]") {
  auto req = parse_ok(with(R"("top_k":1,"extra_body":{"top_k":5,"chat_template_kwargs":{"thinking":true}})"));
  CHECK_FALSE(req.body.contains("extra_body"));
  CHECK(req.body["top_k"] == 5);
  CHECK(req.body["chat_template_kwargs"]["thinking"] == true);
}

TEST_CASE("responses request: field types are checked", "[translate][responses]") {
  CHECK(parse_fails(with(R"("stream":"yes")")).message == R"("stream" must be a boolean)");
  CHECK(parse_fails(with(R"("store":1)")).message == R"("store" must be a boolean)");
  CHECK(parse_fails(with(R"("previous_response_id":"")")).message ==
        R"("previous_response_id" must be a non-empty string)");
  CHECK(parse_fails(with(R"("previous_response_id":5)")).param == "previous_response_id");
  CHECK(parse_fails(with(R"("instructions":["a"])")).message == R"("instructions" must be a string)");
  CHECK(parse_fails(with(R"("max_output_tokens":0)")).message == R"("max_output_tokens" must be a positive integer)");
  CHECK(parse_fails(with(R"("max_output_tokens":1.5)")).param == "max_output_tokens");
  CHECK(parse_fails(with(R"("text":"json")")).message == R"("text" must be an object)");
  CHECK(parse_fails(with(R"("reasoning":"high")")).message == R"("reasoning" must be an object)");
  CHECK(parse_fails(with(R"("metadata":[])")).message == R"("metadata" must be an object)");
  CHECK(parse_fails(with(R"("tool_choice":1)")).message == R"("tool_choice" must be a string or an object)");
  CHECK(parse_fails(with(R"("timeout":-1)")).message == R"("timeout" must be a positive number of seconds)");
  CHECK(parse_fails(with(R"("num_retries":-1)")).message == R"("num_retries" must be a non-negative integer)");
  // null is absent, and 12.0 is an integer
  auto req = parse_ok(with(R"("stream":null,"instructions":null,"max_output_tokens":12.0,"text":null)"));
  CHECK_FALSE(req.stream);
}

TEST_CASE("responses request: function tools need a name and a description", "[translate][responses]") {
  parse_ok(with(R"("tools":[{"type":"function","name":"f","description":"does f","parameters":{}},{"type":"web_search"}])"));
  auto e = parse_fails(with(R"("tools":[{"type":"function","name":"get_weather","description":"  "}])"));
  CHECK(e.message == R"(tools[0] ("get_weather"): description is required by Tensormesh and must be non-empty)");
  CHECK(e.param == "tools");
  CHECK(parse_fails(with(R"("tools":[{"type":"function","description":"x"}])")).message == "tools[0]: name is required");
  CHECK(parse_fails(with(R"("tools":{"type":"function"})")).message == R"("tools" must be an array)");
  CHECK(parse_fails(with(R"("tools":["f"])")).message == "tools[0] must be an object");
  // a chat-shaped definition is checked the same way
  auto chat_shaped = parse_fails(with(R"("tools":[{"type":"function","function":{"name":"g"}}])"));
  CHECK(chat_shaped.message == R"(tools[0] ("g"): description is required by Tensormesh and must be non-empty)");
}

TEST_CASE("responses request: the native body swaps the model and consumes LiteLLM-only keys", "[translate][responses]") {
  auto req = parse_ok(with(
      R"("stream":true,"metadata":{"k":"v"},"tags":["a"],"num_retries":1,"litellm_trace_id":"t","user_api_key_alias":"x",)"
      R"("extra_headers":{"X":"1"},"max_output_tokens":64,"top_k":3,"tools":[{"type":"function","name":"f","description":"d"}])"));
  json up = json::parse(build_native_body(req, "openai/gpt-oss-120b"));
  CHECK(up["model"] == "openai/gpt-oss-120b");
  CHECK(up["input"] == "hi");
  CHECK(up["stream"] == true);
  CHECK(up["max_output_tokens"] == 64);
  CHECK(up["top_k"] == 3);
  CHECK(up["metadata"] == json::parse(R"({"k":"v"})"));
  CHECK(up["tools"][0]["name"] == "f");
  for (const char* gone : {"tags", "num_retries", "litellm_trace_id", "user_api_key_alias", "extra_headers"}) {
    CHECK_FALSE(up.contains(gone));
  }
  // idempotent: a retry on another deployment only changes the model
  json again = json::parse(build_native_body(req, "other/model"));
  up["model"] = "other/model";
  CHECK(again == up);
}

TEST_CASE("responses request: the decoded previous_response_id replaces the client's opaque one", "[translate][responses]") {
  auto req = parse_ok(with(R"("previous_response_id":"resp_opaque")"));
  CHECK(json::parse(build_native_body(req, "m"))["previous_response_id"] == "resp_opaque");
  CHECK(json::parse(build_native_body(req, "m", "resp_upstream_1"))["previous_response_id"] == "resp_upstream_1");
  REQUIRE(req.previous_response_id.has_value());
  CHECK(*req.previous_response_id == "resp_opaque");
}
