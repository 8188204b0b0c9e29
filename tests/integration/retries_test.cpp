// Retry policy: only retryable failures, Retry-After honoured, attempts reported.
#include <atomic>

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
const char* ok_body = R"({"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]})";
std::string with_retries(const std::string& base, int n) {
  std::string y = basic_config(base);
  const std::string from = "router_settings:\n  num_retries: 0\n";
  y.replace(y.find(from), from.size(), "router_settings:\n  num_retries: " + std::to_string(n) + "\n");
  return y;
}
}  // namespace

TEST_CASE("a 503 is retried and the retry count is reported", "[retries]") {
  std::atomic<int> calls{0};
  fake_upstream up([&](const recorded_request&) {
    if (calls++ == 0) {
      reply r = reply::json(503, R"({"error":{"message":"busy"}})");
      r.headers.emplace_back("retry-after", "0");
      return r;
    }
    return reply::json(200, ok_body);
  });
  gateway_fixture gw(with_retries(up.base_url(), 2));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 200);
  CHECK(res.header("x-litellm-attempted-retries") == "1");
  CHECK(up.request_count() == 2);
}

TEST_CASE("429 with Retry-After as an HTTP date in the past is retried at once", "[retries]") {
  std::atomic<int> calls{0};
  fake_upstream up([&](const recorded_request&) {
    if (calls++ == 0) {
      reply r = reply::json(429, R"({"error":{"message":"Server is overloaded"}})");
      r.headers.emplace_back("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
      return r;
    }
    return reply::json(200, ok_body);
  });
  gateway_fixture gw(with_retries(up.base_url(), 1));
  test_client c(gw.port());
  CHECK(c.post_json("/v1/chat/completions", chat_body, master_key).status == 200);
  CHECK(up.request_count() == 2);
}

TEST_CASE("a 400 is never retried", "[retries]") {
  fake_upstream up([](const recorded_request&) { return reply::json(400, R"({"error":{"message":"bad"}})"); });
  gateway_fixture gw(with_retries(up.base_url(), 3));
  test_client c(gw.port());
  CHECK(c.post_json("/v1/chat/completions", chat_body, master_key).status == 400);
  CHECK(up.request_count() == 1);
}

TEST_CASE("retries stop at num_retries and the last error is returned with Retry-After", "[retries]") {
  fake_upstream up([](const recorded_request&) {
    reply r = reply::json(429, R"({"error":{"message":"slow down"}})");
    r.headers.emplace_back("retry-after", "0");
    return r;
  });
  gateway_fixture gw(with_retries(up.base_url(), 2));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 429);
  CHECK(res.header("retry-after") == "0");
  CHECK(res.header("x-litellm-attempted-retries") == "2");
  CHECK(up.request_count() == 3);
}

TEST_CASE("a Retry-After beyond the deadline is not waited for", "[retries]") {
  fake_upstream up([](const recorded_request&) {
    reply r = reply::json(429, R"({"error":{"message":"later"}})");
    r.headers.emplace_back("retry-after", "3600");
    return r;
  });
  gateway_fixture gw(with_retries(up.base_url(), 2));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 429);
  CHECK(res.header("retry-after") == "3600");
  CHECK(up.request_count() == 1);
}
