#include "meshgate/spend/query.hpp"

#include "meshgate/core/ascii.hpp"

namespace meshgate::spend {

namespace {

// Howard Hinnant's days_from_civil.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t from, std::size_t n, unsigned& out) {
  out = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

unsigned days_in_month(unsigned y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

core::api_error bad_date(const char* param) {
  return core::bad_request(std::string(param) + " must be a date written YYYY-MM-DD (UTC)", param);
}

}  // namespace

std::optional<std::int64_t> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  unsigned y = 0, m = 0, d = 0;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return std::nullopt;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, m, d) * 86'400'000;
}

std::variant<spend_filter, core::api_error> make_filter(std::string_view api_key, std::string_view request_id,
                                                        std::string_view start_date, std::string_view end_date) {
  spend_filter f;
  f.api_key = core::ascii_lower(api_key);
  f.request_id.assign(request_id);
  if (!start_date.empty()) {
    f.from_ms = parse_day(start_date);
    if (!f.from_ms) return bad_date("start_date");
  }
  if (!end_date.empty()) {
    auto end = parse_day(end_date);
    if (!end) return bad_date("end_date");
    f.until_ms = *end + 86'400'000;  // inclusive day → exclusive bound
  }
  return f;
}

}  // namespace meshgate::spend
