#pragma once
// Per-token prices and the cost of one call (litellm-reference §7, product.md §7).
//
// Prices are exact: an integer number of atto-dollars (1e-18 USD) per token, read from the
// decimal text ("1.5e-07" is exactly 150'000'000'000), never through a binary double. A cost is
// summed in 128-bit integers and converted to a double once, correctly rounded, so the worked
// example (gpt-oss-120b, 1000 prompt of which 200 cached, 500 completion) is exactly 0.00042
// and 1M input + 1M output tokens cost exactly the two $/1M figures added (0.15 + 0.6 = 0.75).
//
// Contract: pure, no I/O except price_table::load; never throws except std::bad_alloc. A
// price_table is immutable once built and may be shared by any number of threads.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/config/config.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::usage {

// Largest representable price: INT64_MAX atto-dollars, about 9.22 USD per token.
inline constexpr std::int64_t max_price_atto = INT64_MAX;

// A non-negative decimal number of USD per token ("6e-07", "0.00000015", "1.5E-7", "+3e-7",
// "0", "2"; digits on at least one side of an optional '.', optional exponent) → atto-dollars.
// Digits beyond the 18th decimal place are rounded half up. nullopt for anything else: empty,
// negative (including "-0"), spaces, "inf"/"nan", hex, trailing bytes, or above max_price_atto.
std::optional<std::int64_t> parse_price(std::string_view decimal);

// A price the config already holds as a double (config::deployment overrides): its shortest
// round-trip decimal text is parsed, so 1.5e-07 becomes exactly 150'000'000'000 — the value the
// YAML author wrote, as long as they wrote at most 15 significant digits. nullopt when negative,
// not finite or above max_price_atto.
std::optional<std::int64_t> price_from_double(double usd_per_token);

struct model_price {
  std::int64_t input_atto = 0;       // input_cost_per_token
  std::int64_t output_atto = 0;      // output_cost_per_token (reasoning tokens included)
  std::int64_t cache_read_atto = 0;  // cache_read_input_token_cost (0 for every Tensormesh model)
  std::optional<std::int64_t> max_input_tokens;
  std::optional<std::int64_t> max_output_tokens;

  bool operator==(const model_price&) const = default;
};

class price_table {
 public:
  struct load_error {
    std::string message;  // "<path>: <what>" from load(); "<what>" from parse()
  };

  price_table() = default;  // empty: every lookup misses

  // LiteLLM's model_prices_and_context_window.json layout: a JSON object whose keys are model
  // names ("tensormesh/openai/gpt-oss-120b") and whose values are objects with
  // `input_cost_per_token` and `output_cost_per_token` (required), `cache_read_input_token_cost`
  // (default 0), `max_input_tokens`, `max_output_tokens` (optional positive integers). Prices may
  // be JSON numbers (read from their text) or strings ("3e-7"). Every other field is ignored,
  // whatever its type. Errors name the entry and field: wrong type, negative or unparseable
  // price, missing required price, duplicate key, an entry that is not an object, invalid JSON
  // (with its byte offset).
  static std::variant<price_table, load_error> parse(std::string_view json_text);
  // Reads (at most 64 MiB) and parses the file at `path`; config/prices.json ships the same data
  // as builtin().
  static std::variant<price_table, load_error> load(const std::string& path);

  // The ten Tensormesh entries of litellm-reference §7.1, compiled in (a unit test checks that
  // config/prices.json agrees with it). Built once, on first use.
  static const price_table& builtin();

  // Exact, case-sensitive key lookup; nullptr when absent. Valid as long as the table lives.
  const model_price* find(std::string_view key) const;

  // The price for one deployment:
  // 1. The table entry: `base_model` when set — looked up as written, then as
  //    "<provider>/<base_model>" — and otherwise "<provider>/<upstream_model>". A base_model
  //    that is in neither form finds no entry (no fallback to the upstream name).
  // 2. Each override the deployment sets (input_cost_per_token, output_cost_per_token,
  //    cache_read_input_token_cost, already merged from litellm_params and model_info by the
  //    config loader) replaces that one field of the entry; a field neither sets is 0.
  // nullopt ("no price") when there is no table entry and neither input nor output override, or
  // when an override is above max_price_atto.
  std::optional<model_price> for_deployment(const config::deployment& d) const;

  std::size_t size() const { return entries_.size(); }
  const std::map<std::string, model_price, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, model_price, std::less<>> entries_;
};

// USD cost of one call: (P − H) × input + H × cache_read + C × output, where P = prompt tokens,
// H = cached prompt tokens, C = completion tokens (reasoning tokens are inside C, never added on
// top). A missing count is 0; P − H is floored at 0 (a provider reporting more cached tokens than
// prompt tokens), the cached tokens still being billed at the cache-read rate, as LiteLLM does.
// The result is the double nearest to the exact decimal sum. nullopt when `u` reports neither
// prompt nor completion tokens.
std::optional<double> compute_cost(const model_price& p, const token_usage& u);

// Shortest decimal text that reads back as the same double (std::to_chars): 0.00042 → "0.00042",
// 3.6e-06 → "3.6e-06", 0.75 → "0.75", 0 → "0", 1 → "1", 100000 → "1e+05" (fixed notation
// wins ties). The value for `x-litellm-response-cost`.
std::string format_cost(double usd);

}  // namespace meshgate::usage
