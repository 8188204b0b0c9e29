#include "meshgate/core/json_scan.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "meshgate/core/json.hpp"

namespace core = meshgate::core;
using core::json_kind;

namespace {

bool valid(std::string_view text) {
  core::json_scan_result r;
  return core::scan_json(text, r);
}

bool nlohmann_valid(std::string_view text) { return std::holds_alternative<core::json>(core::parse_json(text)); }

std::string as_json_string(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

}  // namespace

TEST_CASE("scan_json accepts and refuses what parse_json does", "[core][json_scan]") {
  const std::vector<std::string> texts = {
      "{}", "[]", "0", "-0", "-0.5e+3", "1E5", "true", "false", "null", R"("a\"b\\c\/\b\f\n\r\t")",
      R"("\u00e9\uD83D\uDE00")", "\xEF\xBB\xBF{}", " \t\r\n{\"a\" : [ 1 , 2 ] } \n", "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"",
      "1e308", "1e-400", std::string(400, '9'),
      // refused
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
      "1e400", std::string(400, '9') + "e10", "[1] 2", "\"abc", "\"\x01\"", "\"\\x\"", R"("\u12G4")", R"("\uDC00")",
      R"("\uD800")", R"("\uD800\u0041")", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xE2\x82\"",
      "\xEF\xBB{}", "NaN", "[1 2]", "{\"a\":1 \"b\":2}", std::string("\"a\0b\"", 5)};
  for (const auto& t : texts) {
    INFO(t);
    CHECK(valid(t) == nlohmann_valid(t));
  }
}

TEST_CASE("scan_json keeps to parse_json's depth limit", "[core][json_scan]") {
  const auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK(valid(nested(core::max_json_depth)));
  CHECK_FALSE(valid(nested(core::max_json_depth + 1)));
  CHECK_FALSE(valid(std::string(100000, '[')));  // refused without recursing 100,000 deep
}

TEST_CASE("scan_json hands back the top-level members as views", "[core][json_scan]") {
  const std::string body = R"( {"model" : "m1", "messages":[{"role":"user"},{"a":[1,{"b":2}]}], "n":-1.5e2,
    "stream":true, "x":null, "o":{"k":"v"}} )";
  core::json_scan_result r;
  REQUIRE(core::scan_json(body, r));
  CHECK(r.kind == json_kind::object);
  CHECK(r.plain_keys);
  REQUIRE(r.members.size() == 6);
  CHECK(r.members[0].key == "model");
  CHECK(r.members[0].value == "\"m1\"");
  CHECK(r.members[0].kind == json_kind::string);
  CHECK(r.members[0].head() == "\"model\" : ");
  CHECK(r.members[0].text() == "\"model\" : \"m1\"");
  CHECK(r.members[1].kind == json_kind::array);
  CHECK(r.members[2].value == "-1.5e2");
  CHECK(r.members[2].kind == json_kind::number);
  CHECK(r.members[3].kind == json_kind::boolean);
  CHECK(r.members[4].kind == json_kind::null);
  CHECK(r.find("o")->value == R"({"k":"v"})");
  CHECK(r.find("absent") == nullptr);

  const auto* messages = r.find("messages");
  CHECK(messages->elements == 2);
  CHECK(messages->all_objects);
  core::json_scan_result arrays;
  REQUIRE(core::scan_json(R"({"e":[],"mixed":[{}, 1],"nested":[[1,2,3]]})", arrays));
  CHECK(arrays.find("e")->elements == 0);
  CHECK(arrays.find("mixed")->elements == 2);
  CHECK_FALSE(arrays.find("mixed")->all_objects);
  CHECK(arrays.find("nested")->elements == 1);  // only the member's own elements count
  CHECK_FALSE(arrays.find("nested")->all_objects);

  std::vector<core::json_member> inner;
  core::object_members(r.find("o")->value, inner);
  REQUIRE(inner.size() == 1);
  CHECK(inner[0].key == "k");
  CHECK(inner[0].value == "\"v\"");
}

TEST_CASE("scan_json flags repeated and escaped keys", "[core][json_scan]") {
  core::json_scan_result r;
  REQUIRE(core::scan_json(R"({"a":1,"a":2})", r));
  CHECK_FALSE(r.plain_keys);
  CHECK(r.find("a")->value == "2");  // later wins, as in nlohmann
  REQUIRE(core::scan_json(R"({"\u0061":1})", r));
  CHECK_FALSE(r.plain_keys);
  CHECK(r.find("a") == nullptr);
  REQUIRE(core::scan_json("[1]", r));
  CHECK(r.kind == json_kind::array);
  CHECK(r.members.empty());
  std::string many = "{";
  for (int i = 0; i < 100; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  REQUIRE(core::scan_json(many + "\"k5\":0}", r));
  CHECK_FALSE(r.plain_keys);
  REQUIRE(core::scan_json(many + "\"k\":0}", r));
  CHECK(r.plain_keys);
}

TEST_CASE("scan_json looks for a watched key at any depth", "[core][json_scan]") {
  core::json_scan_result r;
  REQUIRE(core::scan_json(R"({"choices":[{"delta":{"reasoning":"x"}}]})", r, "reasoning"));
  CHECK(r.watch_key_seen);
  REQUIRE(core::scan_json(R"({"choices":[{"delta":{"content":"reasoning"}}]})", r, "reasoning"));
  CHECK_FALSE(r.watch_key_seen);  // a value, not a key
  REQUIRE(core::scan_json(R"({"choices":[{"delta":{"reasoning_content":"x"}}]})", r, "reasoning"));
  CHECK_FALSE(r.watch_key_seen);
  REQUIRE(core::scan_json(R"({"a":[{"b":{"reas\u006fning":1}}]})", r, "reasoning"));
  CHECK(r.watch_key_seen);  // escaped: it might decode to the key
  REQUIRE(core::scan_json(R"({"reasoning":1})", r));
  CHECK_FALSE(r.watch_key_seen);  // nothing watched
}

TEST_CASE("append_json_string quotes like dump_json", "[core][json_scan]") {
  CHECK(as_json_string("plain") == R"("plain")");
  CHECK(as_json_string("a\"b\\c\n\t\x01") == R"("a\"b\\c\n\t\u0001")");
  CHECK(as_json_string("\xC3\xA9") == "\"\xC3\xA9\"");
  CHECK(as_json_string("a\xFFz") == "\"a\xEF\xBF\xBDz\"");
  for (std::string s : {std::string("x"), std::string("\"\\/\b\f\r"), std::string("\xE2\x82\xAC ok")}) {
    CHECK(as_json_string(s) == core::dump_json(core::json(s)));
  }
}

TEST_CASE("object_writer keeps, replaces and adds members with the commas right", "[core][json_scan]") {
  const std::string text = R"({"model" : "a","keep":[1, 2],"drop":true,"usage":{"x":1}})";
  meshgate::core::json_scan_result scan;
  REQUIRE(meshgate::core::scan_json(text, scan));
  std::string out = "data: ";
  meshgate::core::object_writer w(out);
  for (const auto& m : scan.members) {
    if (m.key == "model") w.replace_with_string(m, "b\"c");
    else if (m.key == "usage") w.replace(m, R"({"x":2})");
    else if (m.key != "drop") w.keep(m);
  }
  w.add("n", "1");
  w.add_string("s", "t");
  w.close();
  CHECK(out == R"(data: {"model" : "b\"c","keep":[1, 2],"usage":{"x":2},"n":1,"s":"t"})");

  std::string empty;
  meshgate::core::object_writer e(empty);
  e.close();
  CHECK(empty == "{}");
}
