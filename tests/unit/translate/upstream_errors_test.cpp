#include "meshgate/translate/upstream_errors.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "meshgate/core/json.hpp"

using meshgate::translate::invalid_upstream_response;
using meshgate::translate::map_connection_error;
using meshgate::translate::map_timeout;
using meshgate::translate::map_upstream_status;
using meshgate::translate::upstream_context;

namespace {

const upstream_context ctx_tm{"Tensormesh", "", "tm-secret-KEY-123"};
const upstream_context ctx_group{"Tensormesh", "tensormesh-chat", "tm-secret-KEY-123"};

}  // namespace

TEST_CASE("upstream statuses map to LiteLLM classes, statuses and types", "[upstream_errors]") {
  struct row {
    int status;
    std::string body;
    int want_status;
    std::string want_message;
    std::string want_type;
  };
  const std::vector<row> rows = {
      {400, R"({"error":{"message":"bad temperature"}})", 400,
       "litellm.BadRequestError: TensormeshException - bad temperature", "invalid_request_error"},
      {422, R"({"detail":"field required"})", 400, "litellm.BadRequestError: TensormeshException - field required",
       "invalid_request_error"},
      {401, R"({"error":{"message":"invalid api key"}})", 401,
       "litellm.AuthenticationError: AuthenticationError: TensormeshException - invalid api key",
       "authentication_error"},
      {403, R"({"message":"forbidden"})", 403,
       "litellm.PermissionDeniedError: PermissionDeniedError: TensormeshException - forbidden", "permission_error"},
      {404, R"({"error":{"message":"The model `x` does not exist."}})", 404,
       "litellm.NotFoundError: NotFoundError: TensormeshException - The model `x` does not exist.", "not_found_error"},
      {408, "request timeout", 408, "litellm.Timeout: Timeout Error: TensormeshException - request timeout", "timeout"},
      {504, "gateway timeout", 408, "litellm.Timeout: Timeout Error: TensormeshException - gateway timeout", "timeout"},
      {429, R"({"error":{"message":"Server is overloaded"}})", 429,
       "litellm.RateLimitError: RateLimitError: TensormeshException - Server is overloaded", "rate_limit_error"},
      {503, "Service Unavailable", 503,
       "litellm.ServiceUnavailableError: ServiceUnavailableError: TensormeshException - Service Unavailable",
       "api_error"},
      {500, R"({"error":"boom"})", 500, "litellm.APIError: APIError: TensormeshException - boom", "api_error"},
      {502, "<html>Bad Gateway</html>", 502, "litellm.APIError: APIError: TensormeshException - <html>Bad Gateway</html>",
       "api_error"},
      {409, "conflict", 409, "litellm.APIError: APIError: TensormeshException - conflict", "invalid_request_error"},
      {413, "too large", 413, "litellm.APIError: APIError: TensormeshException - too large", "invalid_request_error"},
      {599, "odd", 599, "litellm.APIError: APIError: TensormeshException - odd", "api_error"},
      {302, "moved", 502, "litellm.APIError: APIError: TensormeshException - moved", "api_error"},
      {204, "", 502, "litellm.APIError: APIError: TensormeshException - upstream returned HTTP 204 with an empty body",
       "api_error"},
      {0, "x", 502, "litellm.APIError: APIError: TensormeshException - x", "api_error"},
      {-1, "x", 502, "litellm.APIError: APIError: TensormeshException - x", "api_error"},
      {1000, "x", 502, "litellm.APIError: APIError: TensormeshException - x", "api_error"},
      {500, "", 500, "litellm.APIError: APIError: TensormeshException - upstream returned HTTP 500 with an empty body",
       "api_error"},
  };
  for (const auto& r : rows) {
    INFO(r.status << " " << r.body);
    const auto e = map_upstream_status(r.status, r.body, ctx_tm);
    CHECK(e.status == r.want_status);
    CHECK(e.message == r.want_message);
    CHECK(e.type == r.want_type);
  }
}

TEST_CASE("context-length 400s become ContextWindowExceededError", "[upstream_errors]") {
  const std::vector<std::string> bodies = {
      R"({"object":"error","message":"This model's maximum context length is 131072 tokens. However, you requested 200000 tokens.","type":"BadRequestError","param":null,"code":400})",
      R"({"error":{"message":"The input (300000 tokens) is longer than the model's context length (262144 tokens).","type":"invalid_request_error"}})",
      R"({"error":{"message":"the request exceeds the available context size, try increasing it"}})",
      R"({"error":{"message":"The decoder prompt (length 9000) is longer than the maximum model length of 8192."}})",
      R"({"error":{"code":"context_length_exceeded","message":"too long"}})",
  };
  for (const auto& body : bodies) {
    INFO(body);
    const auto e = map_upstream_status(400, body, ctx_tm);
    CHECK(e.status == 400);
    CHECK_THAT(e.message, Catch::StartsWith("litellm.ContextWindowExceededError: litellm.BadRequestError: "
                                            "ContextWindowExceededError: TensormeshException - "));
  }
  const auto vllm = map_upstream_status(400, bodies[0], ctx_tm);
  CHECK(vllm.message ==
        "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: TensormeshException - "
        "This model's maximum context length is 131072 tokens. However, you requested 200000 tokens.");
  CHECK(vllm.type == "BadRequestError");
  // Only a 400 is reclassified.
  CHECK_THAT(map_upstream_status(500, bodies[0], ctx_tm).message, Catch::StartsWith("litellm.APIError: "));
}

TEST_CASE("content-policy 400s become ContentPolicyViolationError", "[upstream_errors]") {
  const auto e = map_upstream_status(
      400, R"({"error":{"code":"content_policy_violation","message":"rejected","type":"invalid_request_error"}})", ctx_tm);
  CHECK(e.status == 400);
  CHECK(e.message ==
        "litellm.BadRequestError: litellm.ContentPolicyViolationError: ContentPolicyViolationError: "
        "TensormeshException - rejected");
  CHECK(e.type == "invalid_request_error");
}

TEST_CASE("upstream error text is taken from the usual JSON fields", "[upstream_errors]") {
  struct row {
    std::string body;
    std::string text;
  };
  const std::vector<row> rows = {
      {R"({"error":{"message":"from error.message","type":"x"}})", "from error.message"},
      {R"({"message":"from message"})", "from message"},
      {R"({"detail":"from detail"})", "from detail"},
      {R"({"error":"from error string"})", "from error string"},
      {R"({"error":{"message":"wins"},"message":"loses","detail":"loses"})", "wins"},
      {R"({"message":"wins","detail":"loses"})", "wins"},
      {R"({"detail":[{"loc":["body","model"],"msg":"field required","type":"missing"}]})",
       R"([{"loc":["body","model"],"msg":"field required","type":"missing"}])"},
      {R"({"error":{"message":{"nested":1}}})", R"({"nested":1})"},
      {R"({"unexpected":"shape"})", R"({"unexpected":"shape"})"},
      {R"("just a string")", "just a string"},
      {"[1,2]", "[1,2]"},
      {"plain text error", "plain text error"},
      {"{not json", "{not json"},
      {R"({"error":{"message":null},"detail":"fallback"})", "fallback"},
      {R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", "Overloaded"},
  };
  for (const auto& r : rows) {
    INFO(r.body);
    CHECK(map_upstream_status(400, r.body, ctx_tm).message == "litellm.BadRequestError: TensormeshException - " + r.text);
  }
}

TEST_CASE("upstream type and param are kept when the body has them", "[upstream_errors]") {
  auto e = map_upstream_status(400, R"({"error":{"message":"m","type":"invalid_value","param":"temperature"}})", ctx_tm);
  CHECK(e.type == "invalid_value");
  CHECK(e.param == std::optional<std::string>("temperature"));

  e = map_upstream_status(404, R"({"object":"error","message":"m","type":"NotFoundError","param":null,"code":404})", ctx_tm);
  CHECK(e.type == "NotFoundError");
  CHECK_FALSE(e.param.has_value());

  e = map_upstream_status(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"m"}})", ctx_tm);
  CHECK(e.type == "rate_limit_error");

  e = map_upstream_status(500, R"({"type":"error","message":"m"})", ctx_tm);
  CHECK(e.type == "api_error");  // a top-level "error" marker is not a type

  e = map_upstream_status(401, R"({"error":{"message":"m","type":42}})", ctx_tm);
  CHECK(e.type == "authentication_error");
}

TEST_CASE("model group is appended when known", "[upstream_errors]") {
  CHECK(map_upstream_status(429, R"({"error":{"message":"Server is overloaded"}})", ctx_group).message ==
        "litellm.RateLimitError: RateLimitError: TensormeshException - Server is overloaded. Received Model "
        "Group=tensormesh-chat");
  CHECK(map_connection_error("Connection refused", ctx_group).message ==
        "litellm.APIConnectionError: APIConnectionError: TensormeshException - Connection refused. Received Model "
        "Group=tensormesh-chat");
  CHECK(map_timeout("no first byte within 600 s", ctx_group).message ==
        "litellm.Timeout: APITimeoutError - Request timed out. Error_str: no first byte within 600 s. Received Model "
        "Group=tensormesh-chat");
}

TEST_CASE("provider label names the exception and defaults to Tensormesh", "[upstream_errors]") {
  const upstream_context other{"Openai", "", ""};
  CHECK(map_upstream_status(400, "x", other).message == "litellm.BadRequestError: OpenaiException - x");
  const upstream_context unlabeled{};
  CHECK(map_upstream_status(400, "x", unlabeled).message == "litellm.BadRequestError: TensormeshException - x");
}

TEST_CASE("the deployment secret never appears in any mapped error", "[upstream_errors]") {
  const std::string secret(ctx_tm.secret);
  const std::vector<std::string> bodies = {
      R"({"error":{"message":"Incorrect API key provided: tm-secret-KEY-123"}})",
      "Authorization: Bearer tm-secret-KEY-123 rejected",
      "tm-secret-KEY-123tm-secret-KEY-123",
      R"({"unexpected":{"key":"tm-secret-KEY-123"}})",
      R"({"detail":["tm-secret-KEY-123"]})",
      "tm-secret-\x01KEY-123",         // stripped control character would reassemble it
      "tm-secret-\xC2\x85KEY-123",     // likewise a C1 control
      std::string(3000, 'a') + "tm-secret-KEY-123",  // beyond the cut
      std::string(2040, 'a') + "tm-secret-KEY-123",  // straddling the cut
  };
  for (int status : {400, 401, 403, 404, 429, 500, 503}) {
    for (const auto& body : bodies) {
      INFO(status << " " << body.substr(0, 80));
      const auto e = map_upstream_status(status, body, ctx_tm,
                                         R"({"type":"tm-secret-KEY-123"})");
      CHECK(e.message.find(secret) == std::string::npos);
      CHECK(e.message.find("tm-secret-") == std::string::npos);
      CHECK(meshgate::core::render_openai(e).find(secret) == std::string::npos);
      CHECK_FALSE(e.retry_after.has_value());
    }
  }
  const auto typed = map_upstream_status(400, R"({"error":{"message":"m","type":"tm-secret-KEY-123","param":"tm-secret-KEY-123"}})", ctx_tm);
  CHECK(typed.type == "[redacted]");
  CHECK(typed.param == std::optional<std::string>("[redacted]"));
  CHECK(map_upstream_status(401, "key tm-secret-KEY-123 invalid", ctx_tm).message ==
        "litellm.AuthenticationError: AuthenticationError: TensormeshException - key [redacted] invalid");
  CHECK(map_connection_error("connect to https://x?key=tm-secret-KEY-123 failed", ctx_tm).message.find(secret) ==
        std::string::npos);
  CHECK(map_timeout("tm-secret-KEY-123", ctx_tm).message.find(secret) == std::string::npos);
}

TEST_CASE("control characters are removed and invalid utf-8 replaced", "[upstream_errors]") {
  struct row {
    std::string body;
    std::string text;
  };
  const std::vector<row> rows = {
      {"line one\nline two", "line one line two"},
      {"a\r\n\r\nb", "a b"},
      {"tab\there", "tab here"},
      {"bell\x07 esc\x1b[31m red", "bell esc[31m red"},
      {std::string("nul\0byte", 8), "nulbyte"},
      {"del\x7f", "del"},
      {"c1\xC2\x9B control", "c1 control"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5"},
      {"bad \xFF byte", "bad \xEF\xBF\xBD byte"},
      {"overlong \xC0\xAF", "overlong \xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate \xED\xA0\x80", "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\n\n  padded  \n", "padded"},
      {R"({"error":{"message":"json\nnewline\u0000nul"}})", "json newlinenul"},
  };
  for (const auto& r : rows) {
    INFO(r.body);
    CHECK(map_upstream_status(500, r.body, ctx_tm).message == "litellm.APIError: APIError: TensormeshException - " + r.text);
  }
  // Whatever the bytes, the result must serialise as JSON.
  const auto e = map_upstream_status(500, "\xFF\xFE\x01\x02", ctx_tm);
  CHECK_NOTHROW(meshgate::core::json::parse(meshgate::core::render_openai(e)));
}

TEST_CASE("long upstream text is cut at 2 KB on a character boundary", "[upstream_errors]") {
  const std::string prefix = "litellm.APIError: APIError: TensormeshException - ";
  auto e = map_upstream_status(500, std::string(10000, 'x'), ctx_tm);
  CHECK(e.message == prefix + std::string(2048, 'x') + "...");

  e = map_upstream_status(500, std::string(2048, 'y'), ctx_tm);
  CHECK(e.message == prefix + std::string(2048, 'y'));

  // 2047 ASCII bytes then a 2-byte character straddling the limit: the character is dropped whole.
  e = map_upstream_status(500, std::string(2047, 'z') + "\xC3\xA9" + "tail", ctx_tm);
  CHECK(e.message == prefix + std::string(2047, 'z') + "...");

  std::string euros;
  for (int i = 0; i < 1000; ++i) euros += "\xE2\x82\xAC";
  e = map_upstream_status(500, euros, ctx_tm);
  CHECK(e.message == prefix + euros.substr(0, 2046) + "...");  // 682 whole characters

  e = map_upstream_status(500, std::string(8 * 1024 * 1024, 'q'), ctx_tm);
  CHECK(e.message.size() == prefix.size() + 2048 + 3);
}

TEST_CASE("retry-after is copied for 429 and 503 only, when sane", "[upstream_errors]") {
  CHECK(map_upstream_status(429, "x", ctx_tm, "5").retry_after == std::optional<std::string>("5"));
  CHECK(map_upstream_status(503, "x", ctx_tm, " 30 ").retry_after == std::optional<std::string>("30"));
  CHECK(map_upstream_status(429, "x", ctx_tm, "Wed, 21 Oct 2015 07:28:00 GMT").retry_after ==
        std::optional<std::string>("Wed, 21 Oct 2015 07:28:00 GMT"));
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm).retry_after.has_value());
  CHECK_FALSE(map_upstream_status(500, "x", ctx_tm, "5").retry_after.has_value());
  CHECK_FALSE(map_upstream_status(400, "x", ctx_tm, "5").retry_after.has_value());
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm, "5\r\nSet-Cookie: a=b").retry_after.has_value());
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm, "").retry_after.has_value());
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm, std::string(65, '1')).retry_after.has_value());
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm, "\xC3\xA9").retry_after.has_value());
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm, R"({"a":1})").retry_after.has_value());
  CHECK_FALSE(map_upstream_status(429, "x", ctx_tm, "tm-secret-KEY-123").retry_after.has_value());
  CHECK(map_upstream_status(429, "x", ctx_tm, "1.5").retry_after == std::optional<std::string>("1.5"));
}

TEST_CASE("connection errors are 500 APIConnectionError", "[upstream_errors]") {
  auto e = map_connection_error("Connection refused", ctx_tm);
  CHECK(e.status == 500);
  CHECK(e.message == "litellm.APIConnectionError: APIConnectionError: TensormeshException - Connection refused");
  CHECK(e.type == "api_error");
  CHECK_FALSE(e.retry_after.has_value());

  e = map_connection_error("", ctx_tm);
  CHECK(e.message == "litellm.APIConnectionError: APIConnectionError: TensormeshException - Connection error.");
  e = map_connection_error("tls:\n certificate verify failed", ctx_tm);
  CHECK(e.message == "litellm.APIConnectionError: APIConnectionError: TensormeshException - tls: certificate verify failed");
}

TEST_CASE("timeouts are 408 APITimeoutError", "[upstream_errors]") {
  auto e = map_timeout("no response within 600 s", ctx_tm);
  CHECK(e.status == 408);
  CHECK(e.message == "litellm.Timeout: APITimeoutError - Request timed out. Error_str: no response within 600 s");
  CHECK(e.type == "timeout");
  CHECK(map_timeout("", ctx_tm).message == "litellm.Timeout: APITimeoutError - Request timed out.");
}

TEST_CASE("an unusable 2xx body is a 502", "[upstream_errors]") {
  auto e = invalid_upstream_response("body is not JSON");
  CHECK(e.status == 502);
  CHECK(e.message == "litellm.APIError: APIError: invalid response from upstream: body is not JSON");
  CHECK(e.type == "api_error");
  CHECK(invalid_upstream_response("").message ==
        "litellm.APIError: APIError: invalid response from upstream: the body is not what the route needs");
  CHECK(invalid_upstream_response(std::string(5000, 'w')).message.size() ==
        std::string("litellm.APIError: APIError: invalid response from upstream: ").size() + 2048 + 3);
}

TEST_CASE("mapped upstream errors render in both dialects", "[upstream_errors]") {
  const auto e = map_upstream_status(429, R"({"error":{"message":"Server is overloaded"}})", ctx_group, "2");
  const auto openai = meshgate::core::json::parse(meshgate::core::render_openai(e));
  CHECK(openai["error"]["code"] == "429");
  CHECK(openai["error"]["type"] == "rate_limit_error");
  CHECK(openai["error"]["param"].is_null());
  const auto anthropic = meshgate::core::json::parse(meshgate::core::render_anthropic(e));
  CHECK(anthropic["error"]["type"] == "rate_limit_error");
  CHECK(anthropic["error"]["message"] == e.message);
}

TEST_CASE("hostile upstream bodies never crash the mapper", "[upstream_errors]") {
  const std::vector<std::string> bodies = {
      std::string(100000, '['),
      std::string(100000, '{'),
      R"({"error":{"message":"\ud800"}})",
      "\"\\",
      std::string("\0\0\0", 3),
      R"({"error":[1,2,3]})",
      R"({"error":{"message":1e999}})",
      R"({"detail":{"a":{"b":{"c":[null,true,false]}}}})",
  };
  for (const auto& body : bodies) {
    for (int status : {400, 401, 422, 429, 500, 504}) {
      const auto e = map_upstream_status(status, body, ctx_group);
      CHECK_FALSE(e.message.empty());
      CHECK_NOTHROW(meshgate::core::json::parse(meshgate::core::render_openai(e)));
    }
  }
}
