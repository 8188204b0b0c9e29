// Authentication on every route: the upstream is never contacted without the master key.
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

TEST_CASE("missing or wrong key is a 401 in the OpenAI envelope and upstream is not called", "[auth]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());

  auto none = c.post_json("/v1/chat/completions", chat_body, "");
  CHECK(none.status == 401);
  auto e = json::parse(none.body)["error"];
  CHECK(e["type"] == "auth_error");
  CHECK(e["code"] == "401");
  CHECK(e["message"] == "Authentication Error, No api key passed in.");

  auto wrong = c.post_json("/v1/chat/completions", chat_body, "sk-wrong");
  CHECK(wrong.status == 401);
  CHECK(wrong.body.find("sk-wrong") == std::string::npos);

  auto malformed = c.request("POST", "/v1/chat/completions", {{"Authorization", master_key}}, chat_body);
  CHECK(malformed.status == 401);

  CHECK(c.request("GET", "/v1/models").status == 401);
  CHECK(c.request("GET", "/health").status == 401);
  CHECK(up.request_count() == 0);
}

TEST_CASE("the key is accepted from each of the four headers", "[auth]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  CHECK(c.request("GET", "/v1/models", {{"x-litellm-api-key", master_key}}).status == 200);
  CHECK(c.request("GET", "/v1/models", {{"Authorization", std::string("Bearer ") + master_key}}).status == 200);
  CHECK(c.request("GET", "/v1/models", {{"api-key", master_key}}).status == 200);
  CHECK(c.request("GET", "/v1/models", {{"x-api-key", master_key}}).status == 200);
}

TEST_CASE("health probes of liveness and readiness are public", "[auth][health]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto live = c.request("GET", "/health/liveliness");
  CHECK(live.status == 200);
  CHECK(live.body == "\"I'm alive!\"");
  CHECK(c.request("GET", "/health/liveness").status == 200);
  auto ready = c.request("GET", "/health/readiness");
  CHECK(ready.status == 200);
  CHECK(json::parse(ready.body)["status"] == "healthy");
}

TEST_CASE("routing ignores the Host header", "[auth]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.request("GET", "/v1/models", {{"Host", "localhost:4000/health/liveliness#@evil"}});
  CHECK(res.status == 401);
}
