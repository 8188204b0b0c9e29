#include "meshgate/usage/usage.hpp"

#include <cmath>
#include <initializer_list>
#include <limits>

namespace meshgate::usage {

namespace {

using json = nlohmann::json;

// A token count from an upstream we do not control: integers as-is, floats truncated (some
// servers emit 12.0), anything else — strings, booleans, negatives, out-of-range — unset rather
// than guessed.
std::optional<std::int64_t> count_of(const json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return i;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    // 2^63 is exactly representable; anything at or above it would overflow the cast (UB).
    if (!std::isfinite(d) || d < 0 || d >= 9223372036854775808.0) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<std::int64_t> field(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  return count_of(*it);
}

// First of the given keys that holds a usable count: chat names before Responses names.
std::optional<std::int64_t> first_field(const json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (auto v = field(object, key)) return v;
  }
  return std::nullopt;
}

std::optional<std::int64_t> detail_field(const json& usage, std::initializer_list<const char*> detail_keys,
                                         const char* key) {
  for (const char* detail_key : detail_keys) {
    auto it = usage.find(detail_key);
    if (it == usage.end()) continue;
    if (auto v = field(*it, key)) return v;
  }
  return std::nullopt;
}

}  // namespace

token_usage from_json(const nlohmann::json& usage_object) {
  token_usage u;
  if (!usage_object.is_object()) return u;
  u.prompt_tokens = first_field(usage_object, {"prompt_tokens", "input_tokens"});
  u.completion_tokens = first_field(usage_object, {"completion_tokens", "output_tokens"});
  u.cached_tokens = detail_field(usage_object, {"prompt_tokens_details", "input_tokens_details"}, "cached_tokens");
  u.reasoning_tokens =
      detail_field(usage_object, {"completion_tokens_details", "output_tokens_details"}, "reasoning_tokens");
  return u;
}

}  // namespace meshgate::usage
