#include "meshgate/core/ascii.hpp"

#include <catch2/catch.hpp>

using meshgate::core::ascii_iequals;
using meshgate::core::ascii_lower;

TEST_CASE("ascii_lower folds A-Z only", "[core][ascii]") {
  CHECK(ascii_lower("X-RateLimit-Remaining") == "x-ratelimit-remaining");
  CHECK(ascii_lower("already lower, 0-9 and _-") == "already lower, 0-9 and _-");
  CHECK(ascii_lower("Ärger") == "Ärger");  // UTF-8 bytes pass through unchanged
  CHECK(ascii_lower('@') == '@');
  CHECK(ascii_lower('[') == '[');
  CHECK(ascii_lower('Z') == 'z');
}

TEST_CASE("ascii_iequals compares without ASCII case", "[core][ascii]") {
  CHECK(ascii_iequals("Password", "password"));
  CHECK(ascii_iequals("", ""));
  CHECK_FALSE(ascii_iequals("password", "passwords"));
  CHECK_FALSE(ascii_iequals("Ä", "ä"));  // no folding beyond ASCII
}
