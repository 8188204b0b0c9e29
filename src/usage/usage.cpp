#include "meshgate/usage/usage.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <vector>

#include "meshgate/core/json_scan.hpp"

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

// count_of on a number's text, following nlohmann's reading of it: an integer literal is an
// unsigned (no sign) or signed (leading '-') integer while it fits 64 bits, and a double
// otherwise, as is anything with a fraction or an exponent.
std::optional<std::int64_t> count_of_number(std::string_view text) {
  const char* first = text.data();
  const char* last = first + text.size();
  const bool integer_literal = text.find_first_of(".eE") == std::string_view::npos;
  if (integer_literal && text.front() != '-') {
    std::uint64_t u = 0;
    auto [end, ec] = std::from_chars(first, last, u);
    if (ec == std::errc() && end == last) {
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
      return static_cast<std::int64_t>(u);
    }
  } else if (integer_literal) {
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(first, last, i);
    if (ec == std::errc() && end == last) return i < 0 ? std::nullopt : std::optional<std::int64_t>(i);
  }
  double d = 0;
  auto [end, ec] = std::from_chars(first, last, d);
  if (ec != std::errc() || end != last) return std::nullopt;
  if (!std::isfinite(d) || d < 0 || d >= 9223372036854775808.0) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// The last member named `key` (JSON's "later wins", as nlohmann does), or nullptr.
const core::json_member* last_named(const std::vector<core::json_member>& members, std::string_view key) {
  const core::json_member* found = nullptr;
  for (const auto& m : members)
    if (m.key == key) found = &m;
  return found;
}

std::optional<std::int64_t> count_member(const std::vector<core::json_member>& members, std::string_view key) {
  const core::json_member* m = last_named(members, key);
  if (m == nullptr || m->kind != core::json_kind::number) return std::nullopt;
  return count_of_number(m->value);
}

bool any_escaped(const std::vector<core::json_member>& members) {
  for (const auto& m : members)
    if (m.key_escaped) return true;
  return false;
}

}  // namespace

token_usage from_json_text(std::string_view v) {
  if (v.empty() || v.front() != '{') return {};
  std::vector<core::json_member> members;
  core::object_members(v, members);
  // An escaped key means the same as its decoded spelling; the parsed path decodes it.
  auto parsed = [v] { return from_json(json::parse(v, nullptr, false)); };
  if (any_escaped(members)) return parsed();

  token_usage u;
  auto first_count = [&](std::string_view chat_key, std::string_view responses_key) {
    if (auto c = count_member(members, chat_key)) return c;
    return count_member(members, responses_key);
  };
  u.prompt_tokens = first_count("prompt_tokens", "input_tokens");
  u.completion_tokens = first_count("completion_tokens", "output_tokens");

  std::vector<core::json_member> details;
  bool escaped_detail = false;
  auto detail_count = [&](std::string_view chat_key, std::string_view responses_key,
                          std::string_view key) -> std::optional<std::int64_t> {
    for (std::string_view detail_key : {chat_key, responses_key}) {
      const core::json_member* d = last_named(members, detail_key);
      if (d == nullptr || d->kind != core::json_kind::object) continue;
      core::object_members(d->value, details);
      if (any_escaped(details)) escaped_detail = true;
      if (auto c = count_member(details, key)) return c;
    }
    return std::nullopt;
  };
  u.cached_tokens = detail_count("prompt_tokens_details", "input_tokens_details", "cached_tokens");
  u.reasoning_tokens = detail_count("completion_tokens_details", "output_tokens_details", "reasoning_tokens");
  if (escaped_detail) return parsed();
  return u;
}

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
