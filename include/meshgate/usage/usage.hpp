#pragma once
// Token usage as reported by an upstream, with "was it reported" kept distinct from zero.
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace meshgate::usage {

struct token_usage {
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
  std::optional<std::int64_t> cached_tokens;     // prompt_tokens_details.cached_tokens (null → unset)
  std::optional<std::int64_t> reasoning_tokens;  // completion_tokens_details.reasoning_tokens

  bool known() const { return prompt_tokens.has_value() || completion_tokens.has_value(); }
  std::int64_t total() const { return prompt_tokens.value_or(0) + completion_tokens.value_or(0); }
};

// Reads an OpenAI chat/completions `usage` object (or a Responses one: input_tokens,
// output_tokens, input_tokens_details, output_tokens_details); where both spellings carry a
// usable count the chat one wins. Floats are truncated (12.9 → 12); missing, null, non-numeric,
// negative or out-of-range fields stay unset, as do details objects that are null or missing.
// A `usage_object` that is not an object yields all-unset. Never throws except std::bad_alloc.
token_usage from_json(const nlohmann::json& usage_object);

// The same reading of a `usage` value given as JSON text that core::scan_json has already
// validated (any value, not only objects), without building a tree: the hot chat routes read
// usage from every response and from the last stream chunk. Equal to
// from_json(nlohmann::json::parse(text)) on every validated text (unit-tested side by side).
token_usage from_json_text(std::string_view validated_value);

}  // namespace meshgate::usage
