// POST /v1/messages through the gateway: Anthropic in, plain OpenAI chat upstream, Anthropic out.
#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {
const char* tool_reply = R"({"id":"chatcmpl-7","object":"chat.completion","created":1,"model":"openai/gpt-oss-120b",
"choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","reasoning_content":"need weather",
"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,
"prompt_tokens_details":{"cached_tokens":200}}})";

header_list anthropic_headers(const std::string& key) {
  return {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}, {"content-type", "application/json"}};
}
}  // namespace

TEST_CASE("messages: a tool-using answer is translated both ways and priced", "[messages]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, tool_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  const std::string body = R"({"model":"test-model","max_tokens":256,"system":"be brief",
    "tools":[{"name":"get_weather","description":"Weather by city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
    "messages":[{"role":"user","content":"Weather in Paris?"}]})";
  auto res = c.request("POST", "/v1/messages", anthropic_headers(master_key), body);
  REQUIRE(res.status == 200);
  auto m = json::parse(res.body);
  CHECK(m["type"] == "message");
  CHECK(m["model"] == "test-model");
  CHECK(m["stop_reason"] == "tool_use");
  REQUIRE(m["content"].size() == 3);
  CHECK(m["content"][0]["type"] == "thinking");
  CHECK(m["content"][1] == json{{"type", "text"}, {"text", "Let me check."}});
  CHECK(m["content"][2]["type"] == "tool_use");
  CHECK(m["content"][2]["name"] == "get_weather");
  CHECK(m["content"][2]["input"] == json{{"city", "Paris"}});
  CHECK(m["usage"]["input_tokens"] == 800);
  CHECK(m["usage"]["output_tokens"] == 500);
  CHECK(m["usage"]["cache_read_input_tokens"] == 200);
  // gpt-oss-120b: 800 × 0.15/M + 500 × 0.60/M
  CHECK(res.header("x-litellm-response-cost") == "0.00042");

  REQUIRE(up.request_count() == 1);
  auto got = up.requests()[0];
  CHECK(got.target == "/v1/chat/completions");
  auto sent = json::parse(got.body);
  CHECK(sent["model"] == "openai/gpt-oss-120b");
  CHECK(sent["max_tokens"] == 256);
  CHECK(sent["messages"][0] == json{{"role", "system"}, {"content", "be brief"}});
  CHECK(sent["tools"][0]["function"]["parameters"]["properties"].contains("city"));
  CHECK(got.header("authorization") == std::string("Bearer ") + upstream_key);
  CHECK(got.header("x-api-key").empty());
}

TEST_CASE("messages: errors use the Anthropic envelope", "[messages]") {
  fake_upstream up([](const recorded_request&) { return reply::json(429, R"({"error":{"message":"Server is overloaded"}})"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto unauth = c.request("POST", "/v1/messages", anthropic_headers("sk-wrong"),
                          R"({"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})");
  CHECK(unauth.status == 401);
  CHECK(json::parse(unauth.body)["type"] == "error");
  CHECK(json::parse(unauth.body)["error"]["type"] == "authentication_error");

  auto no_max = c.request("POST", "/v1/messages", anthropic_headers(master_key),
                          R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})");
  CHECK(no_max.status == 400);
  CHECK(json::parse(no_max.body)["error"]["type"] == "invalid_request_error");
  CHECK(std::string(json::parse(no_max.body)["error"]["message"]).find("max_tokens") != std::string::npos);
  CHECK(up.request_count() == 0);

  auto limited = c.request("POST", "/v1/messages", anthropic_headers(master_key),
                           R"({"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})");
  CHECK(limited.status == 429);
  CHECK(json::parse(limited.body)["error"]["type"] == "rate_limit_error");
}

TEST_CASE("messages: a stream follows Anthropic's event grammar", "[messages][stream]") {
  fake_upstream up([](const recorded_request&) {
    auto chunk = [](const std::string& delta, const std::string& finish = "null") {
      return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":" +
             delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    };
    return reply::sse({step::send(chunk(R"({"role":"assistant"})")), step::send(chunk(R"({"content":"Hel"})")),
                       step::send(chunk(R"({"content":"lo"})", "\"stop\"")),
                       step::send("data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}\n\n"),
                       step::send("data: [DONE]\n\n")});
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto head = c.open_stream("/v1/messages", R"({"model":"test-model","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
                            master_key);
  REQUIRE(head.status == 200);
  auto events = c.read_all_events();
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type);
  CHECK(types == std::vector<std::string>{"message_start", "content_block_start", "content_block_delta", "content_block_delta",
                                          "content_block_stop", "message_delta", "message_stop"});
  auto delta = json::parse(events[5].data);
  CHECK(delta["delta"]["stop_reason"] == "end_turn");
  CHECK(delta["usage"]["output_tokens"] == 2);
  CHECK(json::parse(events[0].data)["message"]["model"] == "test-model");
  CHECK(c.trailers()["x-litellm-response-cost"] == "2.7e-06");  // 10 × 0.15/M + 2 × 0.6/M
}

TEST_CASE("messages: count_tokens answers with an estimate without calling upstream", "[messages]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.request("POST", "/v1/messages/count_tokens", anthropic_headers(master_key),
                       R"({"model":"test-model","messages":[{"role":"user","content":"Hello there, how are you today?"}]})");
  REQUIRE(res.status == 200);
  CHECK(json::parse(res.body)["input_tokens"].get<int>() > 0);
  CHECK(up.request_count() == 0);
}
