#include "meshgate/translate/request_fields.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
namespace tr = meshgate::translate;

namespace {

api_error error_of(std::optional<api_error> e) {
  REQUIRE(e.has_value());
  CHECK(e->status == 400);
  CHECK(e->type == "invalid_request_error");
  return *std::move(e);
}

}  // namespace

TEST_CASE("field errors quote the field and name the param", "[translate][request_fields]") {
  api_error e = tr::field_error("stream", "must be a boolean");
  CHECK(e.status == 400);
  CHECK(e.message == R"("stream" must be a boolean)");
  CHECK(e.param == "stream");

  e = tr::field_error("messages[1].content", "is required", "messages");
  CHECK(e.message == R"("messages[1].content" is required)");
  CHECK(e.param == "messages");

  CHECK(tr::in_quotes("") == R"("")");
}

TEST_CASE("present treats absent and null alike", "[translate][request_fields]") {
  json body = json::parse(R"({"a":1,"n":null,"o":{}})");
  REQUIRE(tr::present(body, "a") != nullptr);
  CHECK(*tr::present(body, "a") == 1);
  CHECK(tr::present(body, "o") != nullptr);
  CHECK(tr::present(body, "n") == nullptr);
  CHECK(tr::present(body, "missing") == nullptr);
  CHECK(tr::present(json::array({1}), "a") == nullptr);
  CHECK(tr::present(json("a"), "a") == nullptr);
}

TEST_CASE("integral accepts integers and whole floats within int64", "[translate][request_fields]") {
  CHECK(tr::integral(json(12)) == 12);
  CHECK(tr::integral(json(-3)) == -3);
  CHECK(tr::integral(json(12.0)) == 12);
  CHECK(tr::integral(json(std::numeric_limits<std::int64_t>::max())) == std::numeric_limits<std::int64_t>::max());
  CHECK_FALSE(tr::integral(json(static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1)));
  CHECK_FALSE(tr::integral(json(12.5)));
  CHECK_FALSE(tr::integral(json(9.0e18)));
  CHECK_FALSE(tr::integral(json(std::numeric_limits<double>::infinity())));
  CHECK_FALSE(tr::integral(json("12")));
  CHECK_FALSE(tr::integral(json(true)));
  CHECK_FALSE(tr::integral(json(nullptr)));
}

TEST_CASE("seconds accepts positive numbers and numeric strings", "[translate][request_fields]") {
  CHECK(tr::seconds(json(30)) == 30.0);
  CHECK(tr::seconds(json(2.5)) == 2.5);
  CHECK(tr::seconds(json("2.5")) == 2.5);
  CHECK_FALSE(tr::seconds(json(0)));
  CHECK_FALSE(tr::seconds(json(-1)));
  CHECK_FALSE(tr::seconds(json("")));
  CHECK_FALSE(tr::seconds(json("30s")));
  CHECK_FALSE(tr::seconds(json(" 30")));
  CHECK_FALSE(tr::seconds(json("inf")));
  CHECK_FALSE(tr::seconds(json(false)));
}

TEST_CASE("has_visible_text needs a non-blank string", "[translate][request_fields]") {
  CHECK(tr::has_visible_text(json("x")));
  CHECK(tr::has_visible_text(json(" \t x\n")));
  CHECK_FALSE(tr::has_visible_text(json(" \t\n\r\f\v")));
  CHECK_FALSE(tr::has_visible_text(json("")));
  CHECK_FALSE(tr::has_visible_text(json(1)));
  CHECK_FALSE(tr::has_visible_text(json(nullptr)));
}

TEST_CASE("forbidden keys: the exact list and the provider prefixes", "[translate][request_fields]") {
  for (const char* key : {"api_base", "base_url", "api_key", "api_version", "custom_llm_provider", "litellm_params",
                          "azure_ad_token", "aws_region_name", "vertex_project", "azure_deployment"}) {
    INFO(key);
    CHECK(tr::is_forbidden_key(key));
  }
  for (const char* key : {"model", "api", "apikey", "base", "aws", "litellm_metadata", "user"}) {
    INFO(key);
    CHECK_FALSE(tr::is_forbidden_key(key));
  }
  api_error e = tr::forbidden_key_error("extra_body.api_key", "extra_body");
  CHECK(e.status == 400);
  CHECK(e.message ==
        R"("extra_body.api_key" is not allowed in the request body: the upstream is fixed by the gateway's config)");
  CHECK(e.param == "extra_body");
}

TEST_CASE("gateway-only keys are LiteLLM's controls, not metadata", "[translate][request_fields]") {
  for (const char* key : {"tags", "fallbacks", "num_retries", "timeout", "mock_response", "extra_headers", "no-log",
                          "input_cost_per_token", "litellm_session_id", "user_api_key_alias"}) {
    INFO(key);
    CHECK(tr::is_gateway_only_key(key));
  }
  for (const char* key : {"metadata", "model", "user", "top_k", "chat_template_kwargs", "litellm"}) {
    INFO(key);
    CHECK_FALSE(tr::is_gateway_only_key(key));
  }
}

TEST_CASE("parse_request_json reports malformed JSON, keeps any value", "[translate][request_fields]") {
  auto bad = tr::parse_request_json("{");
  REQUIRE(std::holds_alternative<api_error>(bad));
  CHECK(std::get<api_error>(bad).status == 400);
  CHECK(std::get<api_error>(bad).message.starts_with("Malformed JSON in request body: "));
  CHECK_FALSE(std::get<api_error>(bad).param);

  auto array = tr::parse_request_json("[1]");
  REQUIRE(std::holds_alternative<json>(array));
  CHECK(std::get<json>(array) == json::array({1}));
}

TEST_CASE("check_request_object: object, extra_body merge, forbidden keys", "[translate][request_fields]") {
  SECTION("not an object") {
    json body = json::array();
    api_error e = error_of(tr::check_request_object(body));
    CHECK(e.message == "Request body must be a JSON object, got array");
    CHECK_FALSE(e.param);
  }
  SECTION("extra_body merged, its keys winning") {
    json body = json::parse(R"({"model":"a","top_k":1,"extra_body":{"model":"b","seed":7}})");
    CHECK_FALSE(tr::check_request_object(body));
    CHECK(body == json::parse(R"({"model":"b","top_k":1,"seed":7})"));
  }
  SECTION("null extra_body dropped") {
    json body = json::parse(R"({"model":"a","extra_body":null})");
    CHECK_FALSE(tr::check_request_object(body));
    CHECK(body == json::parse(R"({"model":"a"})"));
  }
  SECTION("extra_body of another type") {
    json body = json::parse(R"({"extra_body":[]})");
    api_error e = error_of(tr::check_request_object(body));
    CHECK(e.message == R"("extra_body" must be an object)");
    CHECK(e.param == "extra_body");
  }
  SECTION("forbidden key inside extra_body") {
    json body = json::parse(R"({"extra_body":{"aws_secret_access_key":"x"}})");
    api_error e = error_of(tr::check_request_object(body));
    CHECK(e.message.starts_with(R"("extra_body.aws_secret_access_key" is not allowed in the request body)"));
    CHECK(e.param == "extra_body");
  }
  SECTION("forbidden key at the top level") {
    json body = json::parse(R"({"model":"a","api_base":"http://169.254.169.254"})");
    api_error e = error_of(tr::check_request_object(body));
    CHECK(e.message.starts_with(R"("api_base" is not allowed in the request body)"));
    CHECK(e.param == "api_base");
  }
}

TEST_CASE("read_model wants a non-empty string", "[translate][request_fields]") {
  std::string model = "unchanged";
  api_error e = error_of(tr::read_model(json::object(), model));
  CHECK(e.message == R"("model" is required)");
  CHECK(e.param == "model");
  e = error_of(tr::read_model(json::parse(R"({"model":null})"), model));
  CHECK(e.message == R"("model" is required)");
  for (const char* body : {R"({"model":""})", R"({"model":3})"}) {
    e = error_of(tr::read_model(json::parse(body), model));
    CHECK(e.message == R"("model" must be a non-empty string)");
  }
  CHECK(model == "unchanged");
  CHECK_FALSE(tr::read_model(json::parse(R"({"model":"m"})"), model));
  CHECK(model == "m");
}

TEST_CASE("read_retry_controls reads timeout and num_retries", "[translate][request_fields]") {
  std::optional<double> timeout;
  std::optional<int> retries;
  CHECK_FALSE(tr::read_retry_controls(json::object(), timeout, retries));
  CHECK_FALSE(timeout);
  CHECK_FALSE(retries);

  CHECK_FALSE(tr::read_retry_controls(json::parse(R"({"timeout":"1.5","num_retries":2.0})"), timeout, retries));
  CHECK(timeout == 1.5);
  CHECK(retries == 2);

  api_error e = error_of(tr::read_retry_controls(json::parse(R"({"timeout":0})"), timeout, retries));
  CHECK(e.message == R"("timeout" must be a positive number of seconds)");
  CHECK(e.param == "timeout");

  for (const char* body : {R"({"num_retries":-1})", R"({"num_retries":2147483648})", R"({"num_retries":"2"})"}) {
    INFO(body);
    e = error_of(tr::read_retry_controls(json::parse(body), timeout, retries));
    CHECK(e.message == R"("num_retries" must be a non-negative integer)");
    CHECK(e.param == "num_retries");
  }

  // timeout is checked first.
  e = error_of(tr::read_retry_controls(json::parse(R"({"timeout":-1,"num_retries":-1})"), timeout, retries));
  CHECK(e.param == "timeout");
}
