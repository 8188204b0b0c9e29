#pragma once
// GET /spend/logs query parameters → a validated filter (litellm-reference §12).
//
// Contract: pure, never throws except std::bad_alloc.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"

namespace meshgate::spend {

inline constexpr std::size_t default_query_limit = 1000;

struct spend_filter {
  std::string api_key;                   // exact match on the stored SHA-256 hex; empty = any
  std::string request_id;                // exact match; empty = any
  std::optional<std::int64_t> from_ms;   // startTime >= this (00:00:00.000 UTC of start_date)
  std::optional<std::int64_t> until_ms;  // startTime < this (00:00 UTC of the day after end_date)
  std::size_t limit = default_query_limit;  // newest rows first, at most this many
};

// Epoch milliseconds of 00:00:00 UTC on `date`, written exactly "YYYY-MM-DD" (years 1970-9999,
// a real calendar day: 2024-02-29 yes, 2023-02-29 no). nullopt otherwise.
std::optional<std::int64_t> parse_day(std::string_view date);

// The URL query values (already percent-decoded; an empty value counts as absent). start_date
// and end_date are inclusive UTC days, either may be given alone; a start after the end simply
// matches nothing. A malformed date is a 400 invalid_request_error with `param` start_date or
// end_date: "start_date must be a date written YYYY-MM-DD (UTC)". The api_key value is a key
// hash as stored (auth::authenticator::hash_for_logs); it is ASCII-lower-cased, then compared
// exactly.
std::variant<spend_filter, core::api_error> make_filter(std::string_view api_key, std::string_view request_id,
                                                        std::string_view start_date, std::string_view end_date);

}  // namespace meshgate::spend
