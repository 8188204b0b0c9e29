// Client mistakes are 400/413 before any upstream call, with a message naming the problem.
#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {
struct bad_case {
  const char* name;
  std::string body;
  const char* expected_fragment;
};
}  // namespace

TEST_CASE("invalid chat requests are 400 naming the problem and never reach upstream", "[validation]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  const std::vector<bad_case> cases = {
      {"malformed json", R"({"model":"test-model","messages":[)", "JSON"},
      {"missing model", R"({"messages":[{"role":"user","content":"hi"}]})", "model"},
      {"unknown model", R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})", "Invalid model name passed in model=nope"},
      {"tool without description",
       R"({"model":"test-model","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{}}}]})",
       "get_weather"},
      {"api_base in body", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}],"api_base":"http://169.254.169.254"})",
       "api_base"},
      {"base_url in body", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}],"base_url":"http://evil"})", "base_url"},
      {"api_key in body", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}],"api_key":"x"})", "api_key"},
      {"deep nesting", std::string(100000, '[') + std::string(100000, ']'), "deep"},
      {"invalid utf-8", "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\"}]}", "JSON"},
      {"empty body", "", ""},
  };
  for (const auto& bc : cases) {
    SECTION(bc.name) {
      auto res = c.post_json("/v1/chat/completions", bc.body, master_key);
      CHECK(res.status == 400);
      auto parsed = json::parse(res.body, nullptr, false);
      REQUIRE(parsed.is_object());
      CHECK(parsed["error"]["code"] == "400");
      const std::string msg = parsed["error"]["message"];
      CHECK(msg.find(bc.expected_fragment) != std::string::npos);
      CHECK(up.request_count() == 0);
    }
  }
}

TEST_CASE("a body over max_request_size_mb is a 413 without reading it", "[limits]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url(), "  max_request_size_mb: 1\n"));
  test_client c(gw.port());
  const std::string big(2u << 20, 'x');
  auto res = c.post_json("/v1/chat/completions", big, master_key);
  CHECK(res.status == 413);
  CHECK(up.request_count() == 0);
}

TEST_CASE("a declared length over the limit is refused before the body is sent", "[limits]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url(), "  max_request_size_mb: 1\n"));
  test_client c(gw.port());
  // 40 MB announced, nothing sent: the answer must come anyway.
  auto res = c.raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(master_key) +
                   "\r\nContent-Type: application/json\r\nContent-Length: 41943040\r\n\r\n");
  CHECK(res.status == 413);
}

TEST_CASE("unknown routes are 404 and wrong methods 405 in the OpenAI envelope", "[routes]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto nf = c.request("GET", "/v1/nothing-here", {{"Authorization", std::string("Bearer ") + master_key}});
  CHECK(nf.status == 404);
  CHECK(json::parse(nf.body)["error"]["code"] == "404");
  auto na = c.request("GET", "/v1/chat/completions", {{"Authorization", std::string("Bearer ") + master_key}});
  CHECK(na.status == 405);
}

TEST_CASE("garbage instead of HTTP gets a 400 and the connection is closed", "[limits]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(res.status == 400);
  CHECK(c.wait_closed());
}
