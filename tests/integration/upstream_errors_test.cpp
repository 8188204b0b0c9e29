// Upstream failures map to LiteLLM's statuses and messages (litellm-reference §5.2).
#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {
const std::string chat_body = R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";
}

TEST_CASE("upstream error statuses map to LiteLLM's", "[errors]") {
  struct mapping {
    int upstream;
    int expected;
    const char* fragment;
  };
  const std::vector<mapping> table = {
      {400, 400, "litellm.BadRequestError"},     {401, 401, "litellm.AuthenticationError"},
      {404, 404, "litellm.NotFoundError"},       {408, 408, "litellm.Timeout"},
      {429, 429, "litellm.RateLimitError"},      {500, 500, "litellm.APIError"},
      {503, 503, "litellm.ServiceUnavailableError"},
  };
  for (const auto& m : table) {
    DYNAMIC_SECTION("upstream " << m.upstream) {
      fake_upstream up([&](const recorded_request&) {
        reply r = reply::json(m.upstream, R"({"error":{"message":"upstream says no","type":"x","code":)" +
                                             std::to_string(m.upstream) + "}}");
        if (m.upstream == 429) r.headers.emplace_back("retry-after", "7");
        return r;
      });
      gateway_fixture gw(basic_config(up.base_url()));
      test_client c(gw.port());
      auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
      CHECK(res.status == m.expected);
      auto e = json::parse(res.body)["error"];
      const std::string msg = e["message"];
      CHECK(msg.find(m.fragment) != std::string::npos);
      CHECK(msg.find("upstream says no") != std::string::npos);
      CHECK(e["code"] == std::to_string(m.expected));
      CHECK(res.has_header("x-litellm-call-id"));
      if (m.upstream == 429) CHECK(res.header("retry-after") == "7");
      CHECK(up.request_count() == 1);  // num_retries: 0
    }
  }
}

TEST_CASE("a refused connection is a quick 500 APIConnectionError", "[errors]") {
  gateway_fixture gw(basic_config("http://127.0.0.1:" + std::to_string(closed_port()) + "/v1"));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 500);
  const std::string msg = json::parse(res.body)["error"]["message"];
  CHECK(msg.find("APIConnectionError") != std::string::npos);
}

TEST_CASE("the upstream key is redacted from upstream error text", "[errors]") {
  fake_upstream up([](const recorded_request& r) {
    return reply::json(401, R"({"error":{"message":"bad key )" + r.header("authorization") + R"("}})");
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 401);
  CHECK(res.body.find(upstream_key) == std::string::npos);
}

TEST_CASE("a deployment without a key fails naming the variable, without calling upstream", "[errors]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  std::string yaml = "model_list:\n  - model_name: test-model\n    litellm_params:\n      model: tensormesh/openai/gpt-oss-120b\n"
                     "      api_base: " + up.base_url() + "\ngeneral_settings:\n  master_key: " + master_key + "\n";
  gateway_fixture gw(yaml);
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 401);
  CHECK(res.body.find("TENSORMESH_INFERENCE_API_KEY") != std::string::npos);
  CHECK(up.request_count() == 0);
}
