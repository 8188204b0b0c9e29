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
