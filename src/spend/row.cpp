#include "meshgate/spend/row.hpp"

#include <array>
#include <cmath>

namespace meshgate::spend {

namespace {

constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::int64_t max_epoch_ms = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

struct civil {
  std::int64_t year;
  unsigned month, day;
};

// Howard Hinnant's civil_from_days: proleptic Gregorian, exact for any day count.
civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

void put(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string iso8601_ms(std::int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms > max_epoch_ms) ms = max_epoch_ms;
  const civil c = civil_from_days(ms / ms_per_day);
  const std::int64_t in_day = ms % ms_per_day;
  std::array<char, 24> b{};
  put(&b[0], c.year, 4);
  b[4] = '-';
  put(&b[5], c.month, 2);
  b[7] = '-';
  put(&b[8], c.day, 2);
  b[10] = 'T';
  put(&b[11], in_day / 3'600'000, 2);
  b[13] = ':';
  put(&b[14], in_day / 60'000 % 60, 2);
  b[16] = ':';
  put(&b[17], in_day / 1000 % 60, 2);
  b[19] = '.';
  put(&b[20], in_day % 1000, 3);
  b[23] = 'Z';
  return std::string(b.data(), b.size());
}

core::json to_json(const spend_row& r) {
  core::json j = core::json::object();
  j["request_id"] = r.request_id;
  j["call_type"] = r.call_type;
  j["api_key"] = r.api_key;
  j["spend"] = std::isfinite(r.spend) ? r.spend : 0.0;
  j["total_tokens"] = r.total_tokens;
  j["prompt_tokens"] = r.prompt_tokens;
  j["completion_tokens"] = r.completion_tokens;
  j["startTime"] = iso8601_ms(r.start_time_ms);
  j["endTime"] = iso8601_ms(r.end_time_ms);
  j["completionStartTime"] =
      r.completion_start_time_ms ? core::json(iso8601_ms(*r.completion_start_time_ms)) : core::json(nullptr);
  j["request_duration_ms"] = r.end_time_ms - r.start_time_ms;
  j["model"] = r.model;
  j["model_id"] = r.model_id;
  j["model_group"] = r.model_group;
  j["api_base"] = r.api_base;
  j["user"] = r.user;
  j["status"] = r.status;
  j["custom_llm_provider"] = r.custom_llm_provider;
  return j;
}

}  // namespace meshgate::spend
