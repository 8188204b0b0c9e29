#include "meshgate/usage/usage.hpp"

#include <catch2/catch.hpp>

using meshgate::usage::from_json;
using nlohmann::json;

TEST_CASE("chat usage with both details objects is read in full", "[usage]") {
  auto u = from_json(json::parse(R"({"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,
      "prompt_tokens_details":{"cached_tokens":200},"completion_tokens_details":{"reasoning_tokens":120}})"));
  CHECK(u.prompt_tokens == 1000);
  CHECK(u.completion_tokens == 500);
  CHECK(u.cached_tokens == 200);
  CHECK(u.reasoning_tokens == 120);
  CHECK(u.known());
  CHECK(u.total() == 1500);
}

TEST_CASE("tensormesh usage with null cached_tokens leaves cached unset", "[usage]") {
  auto u = from_json(json::parse(R"({"prompt_tokens":12,"completion_tokens":7,
      "prompt_tokens_details":{"cached_tokens":null},"completion_tokens_details":null})"));
  CHECK(u.prompt_tokens == 12);
  CHECK(u.completion_tokens == 7);
  CHECK_FALSE(u.cached_tokens.has_value());
  CHECK_FALSE(u.reasoning_tokens.has_value());
}

TEST_CASE("null or missing details objects leave the detail counts unset", "[usage]") {
  auto with_nulls = from_json(json::parse(R"({"prompt_tokens":3,"completion_tokens":4,
      "prompt_tokens_details":null,"completion_tokens_details":null})"));
  CHECK_FALSE(with_nulls.cached_tokens.has_value());
  CHECK_FALSE(with_nulls.reasoning_tokens.has_value());
  auto without = from_json(json::parse(R"({"prompt_tokens":3,"completion_tokens":4})"));
  CHECK_FALSE(without.cached_tokens.has_value());
  CHECK_FALSE(without.reasoning_tokens.has_value());
  auto wrong_type = from_json(json::parse(R"({"prompt_tokens":3,"prompt_tokens_details":[1,2]})"));
  CHECK_FALSE(wrong_type.cached_tokens.has_value());
}

TEST_CASE("responses usage names map onto prompt and completion", "[usage]") {
  auto u = from_json(json::parse(R"({"input_tokens":40,"output_tokens":60,"total_tokens":100,
      "input_tokens_details":{"cached_tokens":8},"output_tokens_details":{"reasoning_tokens":25}})"));
  CHECK(u.prompt_tokens == 40);
  CHECK(u.completion_tokens == 60);
  CHECK(u.cached_tokens == 8);
  CHECK(u.reasoning_tokens == 25);
}

TEST_CASE("chat usage names win over responses names when both are present", "[usage]") {
  auto u = from_json(json::parse(R"({"prompt_tokens":1,"input_tokens":2,"completion_tokens":3,"output_tokens":4,
      "prompt_tokens_details":{"cached_tokens":5},"input_tokens_details":{"cached_tokens":6}})"));
  CHECK(u.prompt_tokens == 1);
  CHECK(u.completion_tokens == 3);
  CHECK(u.cached_tokens == 5);
}

TEST_CASE("a null chat usage count falls back to the responses name", "[usage]") {
  auto u = from_json(json::parse(R"({"prompt_tokens":null,"input_tokens":9,
      "prompt_tokens_details":{"cached_tokens":null},"input_tokens_details":{"cached_tokens":2}})"));
  CHECK(u.prompt_tokens == 9);
  CHECK(u.cached_tokens == 2);
}

TEST_CASE("float usage token counts are truncated", "[usage]") {
  auto u = from_json(json::parse(R"({"prompt_tokens":12.0,"completion_tokens":7.9,
      "prompt_tokens_details":{"cached_tokens":1.5}})"));
  CHECK(u.prompt_tokens == 12);
  CHECK(u.completion_tokens == 7);
  CHECK(u.cached_tokens == 1);
}

TEST_CASE("non-numeric, negative and out-of-range usage counts stay unset", "[usage]") {
  auto u = from_json(json::parse(R"({"prompt_tokens":"12","completion_tokens":true,
      "prompt_tokens_details":{"cached_tokens":-3},"completion_tokens_details":{"reasoning_tokens":1e300}})"));
  CHECK_FALSE(u.prompt_tokens.has_value());
  CHECK_FALSE(u.completion_tokens.has_value());
  CHECK_FALSE(u.cached_tokens.has_value());
  CHECK_FALSE(u.reasoning_tokens.has_value());
  CHECK_FALSE(u.known());
  CHECK(u.total() == 0);

  auto huge = from_json(json::parse(R"({"prompt_tokens":18446744073709551615,"completion_tokens":-1.5})"));
  CHECK_FALSE(huge.prompt_tokens.has_value());
  CHECK_FALSE(huge.completion_tokens.has_value());
}

TEST_CASE("a usage value that is not an object yields unknown usage", "[usage]") {
  for (const char* text : {"null", "[]", "[1,2]", "\"usage\"", "42", "true"}) {
    auto u = from_json(json::parse(text));
    CHECK_FALSE(u.known());
    CHECK_FALSE(u.cached_tokens.has_value());
    CHECK_FALSE(u.reasoning_tokens.has_value());
  }
}

TEST_CASE("completion-only usage is known and totals correctly", "[usage]") {
  auto u = from_json(json::parse(R"({"completion_tokens":5})"));
  CHECK(u.known());
  CHECK_FALSE(u.prompt_tokens.has_value());
  CHECK(u.total() == 5);
}

TEST_CASE("zero usage counts are reported, not treated as missing", "[usage]") {
  auto u = from_json(
      json::parse(R"({"prompt_tokens":0,"completion_tokens":0,"prompt_tokens_details":{"cached_tokens":0}})"));
  CHECK(u.known());
  CHECK(u.prompt_tokens == 0);
  CHECK(u.cached_tokens == 0);
}

// from_json_text must read every text exactly as from_json reads its parsed tree.
TEST_CASE("usage read from text agrees with usage read from the parsed tree", "[usage]") {
  const char* texts[] = {
      R"({"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":200},"completion_tokens_details":{"reasoning_tokens":120}})",
      R"({"prompt_tokens":12,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":null},"completion_tokens_details":null})",
      R"({"input_tokens":9,"output_tokens":4,"input_tokens_details":{"cached_tokens":2},"output_tokens_details":{"reasoning_tokens":1}})",
      R"({"prompt_tokens":null,"input_tokens":5,"completion_tokens":"7","output_tokens":3})",
      R"({"prompt_tokens":12.9,"completion_tokens":1e2,"prompt_tokens_details":{"cached_tokens":-0.0}})",
      R"({"prompt_tokens":-1,"completion_tokens":-0,"input_tokens":18446744073709551615})",
      R"({"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775808})",
      R"({"prompt_tokens":-9223372036854775809,"completion_tokens":99999999999999999999999})",
      R"({"prompt_tokens":9.3e18,"completion_tokens":1E-3,"output_tokens":true})",
      R"({"prompt_tokens":1,"prompt_tokens":2,"completion_tokens":3,"completion_tokens":null})",
      R"({"prompt_tokens_details":{"cached_tokens":4,"cached_tokens":5},"prompt_tokens_details":{"cached_tokens":6}})",
      R"({"prompt_tokens_details":[],"input_tokens_details":{"cached_tokens":8}})",
      R"({"prompt\u005ftokens":3,"completion_tokens":4})",
      R"({"prompt_tokens":3,"prompt_tokens_details":{"cached_tokens":1,"cached\u005ftokens":2}})",
      R"( { "prompt_tokens" : 3 , "completion_tokens" : 4 } )",
      R"({})",
      R"([1,2])",
      R"(null)",
      R"("usage")",
      R"(17)",
  };
  for (const char* text : texts) {
    INFO(text);
    std::string_view v(text);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);  // a member value starts at its first byte
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    const auto expected = from_json(json::parse(text));
    const auto got = meshgate::usage::from_json_text(v);
    CHECK(got.prompt_tokens == expected.prompt_tokens);
    CHECK(got.completion_tokens == expected.completion_tokens);
    CHECK(got.cached_tokens == expected.cached_tokens);
    CHECK(got.reasoning_tokens == expected.reasoning_tokens);
  }
}
