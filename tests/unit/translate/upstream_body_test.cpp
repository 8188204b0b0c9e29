#include "meshgate/translate/upstream_body.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
namespace tr = meshgate::translate;

namespace {

std::string invalid_message(const std::optional<api_error>& e) {
  REQUIRE(e.has_value());
  CHECK(e->status == 502);
  CHECK(e->type == "api_error");
  return e->message;
}

}  // namespace

TEST_CASE("clip keeps short text and cuts long text on a UTF-8 boundary", "[translate][upstream_body]") {
  CHECK(tr::clip("") == "");
  CHECK(tr::clip(std::string(200, 'a')) == std::string(200, 'a'));
  CHECK(tr::clip(std::string(201, 'a')) == std::string(200, 'a') + "...");
  CHECK(tr::clip("abcdef", 3) == "abc...");
  // "é" is two bytes: cutting after the first would split it.
  CHECK(tr::clip("ab\xC3\xA9z", 3) == "ab...");
  CHECK(tr::clip("ab\xC3\xA9z", 4) == "ab\xC3\xA9...");
}

TEST_CASE("upstream_invalid is a 502 api_error", "[translate][upstream_body]") {
  api_error e = tr::upstream_invalid("missing \"id\"");
  CHECK(e.status == 502);
  CHECK(e.type == "api_error");
  CHECK(e.message == R"(upstream returned an invalid response: missing "id")");
  CHECK_FALSE(e.param);
}

TEST_CASE("parse_upstream_object wants a JSON object", "[translate][upstream_body]") {
  auto ok = tr::parse_upstream_object(R"({"id":"x"})");
  REQUIRE(std::holds_alternative<json>(ok));
  CHECK(std::get<json>(ok)["id"] == "x");

  auto not_json = tr::parse_upstream_object("{");
  REQUIRE(std::holds_alternative<api_error>(not_json));
  CHECK(std::get<api_error>(not_json).status == 502);
  CHECK(std::get<api_error>(not_json).message.starts_with("upstream returned an invalid response: "));

  auto array = tr::parse_upstream_object("[]");
  REQUIRE(std::holds_alternative<api_error>(array));
  CHECK(std::get<api_error>(array).message == "upstream returned an invalid response: expected a JSON object, got array");
}

TEST_CASE("upstream_error_message reads error.message only when it is a string", "[translate][upstream_body]") {
  json body = json::parse(R"({"error":{"message":"boom"}})");
  REQUIRE(tr::upstream_error_message(body) != nullptr);
  CHECK(*tr::upstream_error_message(body) == "boom");
  for (const char* text : {R"({})", R"({"error":"boom"})", R"({"error":{"message":3}})", R"({"error":{}})",
                           R"({"error":null})"}) {
    INFO(text);
    CHECK(tr::upstream_error_message(json::parse(text)) == nullptr);
  }
}

TEST_CASE("check_choices wants a choices array and quotes an error object", "[translate][upstream_body]") {
  CHECK_FALSE(tr::check_choices(json::parse(R"({"choices":[]})")));
  CHECK(invalid_message(tr::check_choices(json::parse(R"({"id":"x"})"))) ==
        R"(upstream returned an invalid response: missing "choices")");
  CHECK(invalid_message(tr::check_choices(json::parse(R"({"choices":{}})"))) ==
        R"(upstream returned an invalid response: "choices" is not an array)");
  CHECK(invalid_message(tr::check_choices(json::parse(R"({"error":{"message":"engine crashed"}})"))) ==
        R"(upstream returned an invalid response: an error object instead of "choices": engine crashed)");
  json long_error = json::object();
  long_error["error"]["message"] = std::string(300, 'e');
  CHECK(invalid_message(tr::check_choices(long_error)) ==
        R"(upstream returned an invalid response: an error object instead of "choices": )" + std::string(200, 'e') +
            "...");
  // With `choices` present, an error object alongside it is not the problem.
  CHECK_FALSE(tr::check_choices(json::parse(R"({"choices":[],"error":{"message":"x"}})")));
}

TEST_CASE("chat_usage_of reads usage when there is one", "[translate][upstream_body]") {
  auto none = tr::chat_usage_of(json::parse(R"({"choices":[]})"));
  CHECK_FALSE(none.known());
  auto counts = tr::chat_usage_of(json::parse(R"({"usage":{"prompt_tokens":7,"completion_tokens":3}})"));
  CHECK(counts.prompt_tokens == 7);
  CHECK(counts.completion_tokens == 3);
  CHECK_FALSE(tr::chat_usage_of(json::parse(R"({"usage":null})")).known());
}

TEST_CASE("upstream_error_text takes a string or an object's message", "[translate][upstream_body]") {
  CHECK(tr::upstream_error_text(json("overloaded")) == "overloaded");
  CHECK(tr::upstream_error_text(json::parse(R"({"message":"bad thing","code":500})")) == "bad thing");
  CHECK(tr::upstream_error_text(json::parse(R"({"message":1})")) == "upstream reported an error in the stream");
  CHECK(tr::upstream_error_text(json(nullptr)) == "upstream reported an error in the stream");
  CHECK(tr::upstream_error_text(json::array()) == "upstream reported an error in the stream");
}
