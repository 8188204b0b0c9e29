#include "meshgate/core/error.hpp"

#include <catch2/catch.hpp>

#include <vector>

#include "meshgate/core/json.hpp"

using meshgate::core::api_error;
using meshgate::core::json;

namespace {

json rendered_openai(const api_error& e) { return json::parse(meshgate::core::render_openai(e)); }
json rendered_anthropic(const api_error& e) { return json::parse(meshgate::core::render_anthropic(e)); }

}  // namespace

TEST_CASE("error constructors set LiteLLM's statuses, types and params", "[core][error]") {
  struct row {
    api_error e;
    int status;
    const char* type;
    std::optional<std::string> param;
  };
  const std::vector<row> rows = {
      {meshgate::core::bad_request("m"), 400, "invalid_request_error", std::nullopt},
      {meshgate::core::bad_request("m", "tools"), 400, "invalid_request_error", "tools"},
      {meshgate::core::auth_failed("m"), 401, "auth_error", "None"},
      {meshgate::core::not_found("m"), 404, "not_found_error", std::nullopt},
      {meshgate::core::payload_too_large("m"), 413, "invalid_request_error", std::nullopt},
      {meshgate::core::internal_error("m"), 500, "internal_server_error", std::nullopt},
      {meshgate::core::service_unavailable("m"), 503, "service_unavailable", std::nullopt},
  };
  for (const auto& r : rows) {
    INFO(r.status << " " << r.type);
    CHECK(r.e.status == r.status);
    CHECK(r.e.type == r.type);
    CHECK(r.e.param == r.param);
    CHECK(r.e.message == "m");
    CHECK_FALSE(r.e.retry_after.has_value());
  }
}

TEST_CASE("openai envelope carries message, type, param and the status as a string code", "[core][error]") {
  CHECK(rendered_openai(meshgate::core::auth_failed("Authentication Error, No api key passed in.")) ==
        json::parse(R"({"error":{"message":"Authentication Error, No api key passed in.","type":"auth_error",
                        "param":"None","code":"401"}})"));
  CHECK(rendered_openai(meshgate::core::bad_request("tool f has no description", "tools")) ==
        json::parse(R"({"error":{"message":"tool f has no description","type":"invalid_request_error",
                        "param":"tools","code":"400"}})"));
  const auto nf = rendered_openai(meshgate::core::not_found("no such model"));
  CHECK(nf["error"]["param"].is_null());
  CHECK(nf["error"]["code"] == "404");
}

TEST_CASE("empty error type renders as the string None", "[core][error]") {
  api_error e;
  e.status = 502;
  e.message = "x";
  const auto j = rendered_openai(e);
  CHECK(j["error"]["type"] == "None");
  CHECK(j["error"]["code"] == "502");
}

TEST_CASE("anthropic error type follows the status", "[core][error]") {
  struct row {
    int status;
    const char* type;
  };
  const std::vector<row> rows = {
      {400, "invalid_request_error"}, {401, "authentication_error"}, {403, "permission_error"},
      {404, "not_found_error"},       {413, "request_too_large"},    {429, "rate_limit_error"},
      {529, "overloaded_error"},      {500, "api_error"},            {502, "api_error"},
      {503, "api_error"},             {408, "api_error"},            {422, "api_error"},
      {0, "api_error"},
  };
  for (const auto& r : rows) {
    INFO(r.status);
    CHECK(meshgate::core::anthropic_error_type(r.status) == r.type);
  }
}

TEST_CASE("anthropic envelope has type error and no param or code", "[core][error]") {
  const auto j = rendered_anthropic(meshgate::core::auth_failed("nope"));
  CHECK(j == json::parse(R"({"type":"error","error":{"type":"authentication_error","message":"nope"}})"));
}

TEST_CASE("render picks the envelope by dialect", "[core][error]") {
  const auto e = meshgate::core::not_found("gone");
  CHECK(meshgate::core::render(e, meshgate::core::dialect::openai) == meshgate::core::render_openai(e));
  CHECK(meshgate::core::render(e, meshgate::core::dialect::anthropic) == meshgate::core::render_anthropic(e));
}

TEST_CASE("error messages with quotes, control bytes and invalid utf-8 still render as valid json", "[core][error]") {
  const char raw[] = "q\"uote \\ back\n nul\0 bad\xFF\xFE end";
  const std::string nasty(raw, sizeof(raw) - 1);
  const auto e = meshgate::core::bad_request(nasty, std::string("p\xC3"));
  const auto o = rendered_openai(e);
  const auto a = rendered_anthropic(e);
  CHECK(o["error"]["message"].get<std::string>().find("q\"uote \\ back\n nul") == 0);
  CHECK(o["error"]["message"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(a["error"]["message"] == o["error"]["message"]);
}
