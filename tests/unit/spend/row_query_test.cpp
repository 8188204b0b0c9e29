// spend: row JSON, timestamps, and GET /spend/logs parameter validation (pure parts).
#include "meshgate/spend/query.hpp"
#include "meshgate/spend/row.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace meshgate::spend;

TEST_CASE("spend: iso8601_ms is fixed-width UTC with milliseconds") {
  CHECK(iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(iso8601_ms(1714567890123) == "2024-05-01T12:51:30.123Z");
  CHECK(iso8601_ms(1709164800000 + 86'399'999) == "2024-02-29T23:59:59.999Z");
  CHECK(iso8601_ms(951868800000 - 1) == "2000-02-29T23:59:59.999Z");
  CHECK(iso8601_ms(253402300799999) == "9999-12-31T23:59:59.999Z");
  // Out of range values are clamped, so the text always sorts like the time.
  CHECK(iso8601_ms(-5) == "1970-01-01T00:00:00.000Z");
  CHECK(iso8601_ms(std::numeric_limits<std::int64_t>::max()) == "9999-12-31T23:59:59.999Z");
  CHECK(epoch_ms(std::chrono::system_clock::time_point(std::chrono::milliseconds(1714567890123))) == 1714567890123);
}

TEST_CASE("spend: to_json uses LiteLLM's field names and ISO times") {
  spend_row r;
  r.request_id = "chatcmpl-1";
  r.call_type = "acompletion";
  r.api_key = "ab12";
  r.spend = 0.00042;
  r.total_tokens = 1500;
  r.prompt_tokens = 1000;
  r.completion_tokens = 500;
  r.start_time_ms = 1714567890123;
  r.end_time_ms = 1714567891623;
  r.model = "openai/gpt-oss-120b";
  r.model_id = "tm-1";
  r.model_group = "chat";
  r.api_base = "https://serverless.tensormesh.ai/v1";
  r.user = "u";
  r.status = "failure";
  r.custom_llm_provider = "tensormesh";
  auto j = to_json(r);
  CHECK(j == meshgate::core::json::parse(R"({
    "request_id": "chatcmpl-1", "call_type": "acompletion", "api_key": "ab12", "spend": 0.00042,
    "total_tokens": 1500, "prompt_tokens": 1000, "completion_tokens": 500,
    "startTime": "2024-05-01T12:51:30.123Z", "endTime": "2024-05-01T12:51:31.623Z",
    "completionStartTime": null, "request_duration_ms": 1500, "model": "openai/gpt-oss-120b",
    "model_id": "tm-1", "model_group": "chat", "api_base": "https://serverless.tensormesh.ai/v1",
    "user": "u", "status": "failure", "custom_llm_provider": "tensormesh"})"));
  r.completion_start_time_ms = 1714567890500;
  r.spend = std::numeric_limits<double>::quiet_NaN();
  j = to_json(r);
  CHECK(j["completionStartTime"] == "2024-05-01T12:51:30.500Z");
  CHECK(j["spend"] == 0.0);
}

TEST_CASE("spend: parse_day accepts real calendar days written YYYY-MM-DD") {
  CHECK(parse_day("1970-01-01") == 0);
  CHECK(parse_day("2024-05-01") == 1714521600000);
  CHECK(parse_day("2024-02-29") == 1709164800000);
  CHECK(parse_day("2000-03-01") == 951868800000);
  CHECK(parse_day("9999-12-31") == 253402214400000);
  for (const char* bad : {"", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
                          "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01T00:00:00Z", " 2024-01-01",
                          "1969-12-31", "20a4-01-01", "+024-01-01"}) {
    INFO(bad);
    CHECK_FALSE(parse_day(bad).has_value());
  }
}

TEST_CASE("spend: make_filter turns inclusive UTC days into a half-open range") {
  auto r = make_filter("ABCdef", "chatcmpl-9", "2024-05-01", "2024-05-02");
  REQUIRE(std::holds_alternative<spend_filter>(r));
  const auto& f = std::get<spend_filter>(r);
  CHECK(f.api_key == "abcdef");
  CHECK(f.request_id == "chatcmpl-9");
  CHECK(f.from_ms == 1714521600000);
  CHECK(f.until_ms == 1714521600000 + 2 * 86'400'000);
  CHECK(f.limit == default_query_limit);

  auto none = make_filter("", "", "", "");
  REQUIRE(std::holds_alternative<spend_filter>(none));
  const auto& all = std::get<spend_filter>(none);
  CHECK(all.api_key.empty());
  CHECK(all.request_id.empty());
  CHECK_FALSE(all.from_ms.has_value());
  CHECK_FALSE(all.until_ms.has_value());
}

TEST_CASE("spend: a malformed date is a 400 naming the parameter") {
  auto bad_start = make_filter("", "", "2024-13-01", "2024-05-01");
  REQUIRE(std::holds_alternative<meshgate::core::api_error>(bad_start));
  const auto& e = std::get<meshgate::core::api_error>(bad_start);
  CHECK(e.status == 400);
  CHECK(e.type == "invalid_request_error");
  CHECK(e.param == "start_date");
  CHECK(e.message == "start_date must be a date written YYYY-MM-DD (UTC)");

  auto bad_end = make_filter("", "", "2024-05-01", "May 2nd");
  REQUIRE(std::holds_alternative<meshgate::core::api_error>(bad_end));
  CHECK(std::get<meshgate::core::api_error>(bad_end).param == "end_date");
  CHECK(std::get<meshgate::core::api_error>(bad_end).message == "end_date must be a date written YYYY-MM-DD (UTC)");
}
