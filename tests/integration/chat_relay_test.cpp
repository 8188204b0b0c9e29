// Non-streaming chat and text completions through the real gateway to the fake upstream.
#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {
const char* chat_reply = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"openai/gpt-oss-120b",
"choices":[{"index":0,"message":{"role":"assistant","content":"hello there"},"finish_reason":"stop"}],
"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":null}}})";

const char* completion_reply = R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"openai/gpt-oss-120b",
"choices":[{"index":0,"text":" world","finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}})";
}  // namespace

TEST_CASE("chat completion is relayed with the upstream's model, key and max_tokens", "[chat]") {
  fake_upstream up([](const recorded_request&) {
    reply r = reply::json(200, chat_reply);
    r.headers.emplace_back("x-ratelimit-remaining-requests", "99");
    r.headers.emplace_back("x-request-id", "up-123");
    return r;
  });
  gateway_fixture gw(basic_config(up.base_url(), {}, {}, "      extra_headers:\n        X-User-Id: user-42\n"));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions",
                         R"({"model":"test-model","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":12,
                             "chat_template_kwargs":{"enable_thinking":true},"metadata":{"tag":"x"},"top_k":5})",
                         master_key);
  REQUIRE(res.status == 200);
  auto body = json::parse(res.body);
  CHECK(body["model"] == "test-model");
  CHECK(body["choices"][0]["message"]["content"] == "hello there");

  REQUIRE(up.request_count() == 1);
  auto got = up.requests()[0];
  CHECK(got.method == "POST");
  CHECK(got.target == "/v1/chat/completions");
  CHECK(got.header("authorization") == std::string("Bearer ") + upstream_key);
  CHECK(got.header("x-user-id") == "user-42");
  auto sent = json::parse(got.body);
  CHECK(sent["model"] == "openai/gpt-oss-120b");
  CHECK(sent["max_tokens"] == 12);
  CHECK_FALSE(sent.contains("max_completion_tokens"));
  CHECK_FALSE(sent.contains("metadata"));
  CHECK(sent["top_k"] == 5);
  CHECK(sent["chat_template_kwargs"]["enable_thinking"] == true);

  // The master key never goes upstream; the upstream key never comes back.
  for (const auto& [k, v] : got.headers) CHECK(v.find(master_key) == std::string::npos);
  CHECK(got.body.find(master_key) == std::string::npos);
  CHECK(res.all_headers_text().find(upstream_key) == std::string::npos);
  CHECK(res.body.find(upstream_key) == std::string::npos);

  // Gateway headers.
  CHECK(res.has_header("x-litellm-call-id"));
  CHECK(res.header("x-litellm-model-id") == "dep-1");
  CHECK(res.header("x-litellm-model-api-base") == up.base_url());
  CHECK(res.has_header("x-litellm-version"));
  CHECK(res.has_header("x-litellm-response-duration-ms"));
  CHECK(res.has_header("x-litellm-overhead-duration-ms"));
  CHECK(res.header("x-litellm-attempted-retries") == "0");
  CHECK(res.header("x-ratelimit-remaining-requests") == "99");
  CHECK(res.header("llm_provider-x-request-id") == "up-123");
  CHECK(res.header("x-litellm-response-cost") == "3.6e-06");  // 12 × 0.15/M + 3 × 0.60/M
}

TEST_CASE("client call id is echoed, otherwise a time-ordered uuid is made", "[chat]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.request("POST", "/v1/chat/completions",
                       {{"Authorization", std::string("Bearer ") + master_key}, {"x-litellm-call-id", "my-call-7"}},
                       R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})");
  CHECK(res.header("x-litellm-call-id") == "my-call-7");
  auto res2 = c.post_json("/chat/completions", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})",
                          master_key);
  CHECK(res2.status == 200);
  const std::string made = res2.header("x-litellm-call-id");
  REQUIRE(made.size() == 36);
  CHECK(made[14] == '7');  // version 7: it keys the spend table, so it grows in time order
}

TEST_CASE("text completions are relayed to /completions", "[completions]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, completion_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.post_json("/v1/completions", R"({"model":"test-model","prompt":"hello","max_tokens":3})", master_key);
  REQUIRE(res.status == 200);
  CHECK(json::parse(res.body)["model"] == "test-model");
  CHECK(json::parse(res.body)["choices"][0]["text"] == " world");
  REQUIRE(up.request_count() == 1);
  CHECK(up.requests()[0].target == "/v1/completions");
  CHECK(json::parse(up.requests()[0].body)["model"] == "openai/gpt-oss-120b");
}

TEST_CASE("keep-alive connections are reused on both sides", "[chat]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  for (int i = 0; i < 5; ++i) {
    auto res = c.post_json("/v1/chat/completions", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})",
                           master_key);
    REQUIRE(res.status == 200);
  }
  CHECK(up.request_count() == 5);
  // One downstream connection on one worker: its upstream connection is pooled and reused.
  CHECK(up.connections_accepted() == 1);
}

TEST_CASE("upstream 2xx with a body that is not a chat completion is a 502", "[chat]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "<html>oops</html>"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})",
                         master_key);
  CHECK(res.status == 502);
  CHECK(json::parse(res.body)["error"]["code"] == "502");
}

TEST_CASE("a prompt larger than the socket buffers reaches the upstream whole", "[relay]") {
  // 24 MiB is more than loopback's socket buffers take in one go: the upstream request is
  // written in several parts while the upstream reads it.
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  const std::string content(24u << 20, 'a');
  const std::string body = R"({"model":"test-model","messages":[{"role":"user","content":")" + content + R"("}]})";
  test_client c(gw.port());
  const auto res = c.post_json("/v1/chat/completions", body, master_key);
  CHECK(res.status == 200);
  const auto seen = up.requests();
  REQUIRE(seen.size() == 1);
  const json sent = json::parse(seen[0].body);
  CHECK(sent["messages"][0]["content"].get_ref<const std::string&>() == content);
  CHECK(sent["model"] == "openai/gpt-oss-120b");
}
