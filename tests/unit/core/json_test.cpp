#include "meshgate/core/json.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using meshgate::core::json;
using meshgate::core::json_depth_within;
using meshgate::core::json_parse_error;
using meshgate::core::parse_json;

namespace {

std::string parse_failure(std::string_view text) {
  auto r = parse_json(text);
  const auto* e = std::get_if<json_parse_error>(&r);
  return e ? e->message : std::string("<parsed>");
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("depth scan counts arrays and objects outside strings", "[core][json]") {
  CHECK(json_depth_within("", 0));
  CHECK(json_depth_within("1", 0));
  CHECK_FALSE(json_depth_within("[]", 0));
  CHECK(json_depth_within("[]", 1));
  CHECK(json_depth_within("[[],[],{}]", 2));
  CHECK_FALSE(json_depth_within("[[{}]]", 2));
  CHECK(json_depth_within(R"(["[[[[[", "{{{{"])", 1));
  CHECK(json_depth_within(R"(["\"[[[["])", 1));        // escaped quote keeps the string open
  CHECK_FALSE(json_depth_within(R"(["\\",[[]])", 2));  // escaped backslash closes it
  CHECK(json_depth_within("]]]][", 1));                // stray closers cannot go below zero
  CHECK(json_depth_within(nested(512), 512));
  CHECK_FALSE(json_depth_within(nested(513), 512));
}

TEST_CASE("parse accepts ordinary bodies and the maximum depth", "[core][json]") {
  auto r = parse_json(R"({"model":"m","messages":[{"role":"user","content":"h\u00e9"}],"stream":true})");
  REQUIRE(std::holds_alternative<json>(r));
  CHECK(std::get<json>(r)["messages"][0]["content"] == "h\xC3\xA9");
  CHECK(std::holds_alternative<json>(parse_json(nested(meshgate::core::max_json_depth))));
  CHECK(std::holds_alternative<json>(parse_json("\xEF\xBB\xBF{}")));  // a UTF-8 BOM is tolerated
}

TEST_CASE("parse failures are client-safe messages", "[core][json]") {
  struct row {
    std::string text;
    std::string message;
  };
  const std::vector<row> rows = {
      {"", "body is empty"},
      {" \r\n\t", "body is empty"},
      {R"({"a":1,})", "invalid JSON at byte 8"},
      {"[1] x", "invalid JSON at byte 5"},
      {"nul", "invalid JSON at byte 4"},
      {"\"\xFF\"", "invalid JSON at byte 2"},                    // invalid UTF-8 inside a string
      {R"("\ud800")", "invalid JSON at byte 8"},                // lone surrogate escape
      {nested(513), "JSON nested deeper than 512 levels"},
      {std::string(100000, '['), "JSON nested deeper than 512 levels"},
      {std::string(100000, '{'), "JSON nested deeper than 512 levels"},
      {"1e999", "invalid JSON"},
  };
  for (const auto& r : rows) {
    INFO(r.text.substr(0, 40));
    CHECK(parse_failure(r.text) == r.message);
  }
}

TEST_CASE("parse failure never echoes the input", "[core][json]") {
  const std::string secretish = R"({"api_key":"sk-do-not-echo", oops})";
  const auto msg = parse_failure(secretish);
  CHECK(msg.find("sk-do-not-echo") == std::string::npos);
  CHECK(msg.rfind("invalid JSON", 0) == 0);
}

TEST_CASE("dump replaces invalid utf-8 instead of throwing", "[core][json]") {
  json j = {{"text", std::string("ok\xFF\xC3")}, {"n", 1}};
  std::string out;
  REQUIRE_NOTHROW(out = meshgate::core::dump_json(j));
  CHECK(out == "{\"n\":1,\"text\":\"ok\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  CHECK(meshgate::core::dump_json(json::parse(R"({"a":"é","b":[1,2.5,null,true]})")) ==
        "{\"a\":\"\xC3\xA9\",\"b\":[1,2.5,null,true]}");
}
