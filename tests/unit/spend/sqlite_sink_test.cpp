// spend: the SQLite store — schema, round trip, filters, failures; and the writer feeding it.
#include "meshgate/spend/sqlite_sink.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "meshgate/core/ids.hpp"
#include "meshgate/spend/writer.hpp"

using namespace meshgate::spend;
using meshgate::core::json;

namespace {

// A database path in the temp directory, removed with its -wal/-shm files at scope end.
struct temp_db {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("meshgate-spend-test-" + meshgate::core::new_uuid() + ".db");
  ~temp_db() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path.string() + suffix, ec);
  }
};

spend_row row(std::string id, std::int64_t start_ms, std::string api_key = std::string(64, 'a')) {
  spend_row r;
  r.request_id = std::move(id);
  r.call_type = "acompletion";
  r.api_key = std::move(api_key);
  r.spend = 0.00042;
  r.prompt_tokens = 1000;
  r.completion_tokens = 500;
  r.total_tokens = 1500;
  r.start_time_ms = start_ms;
  r.end_time_ms = start_ms + 1500;
  r.completion_start_time_ms = start_ms + 250;
  r.model = "openai/gpt-oss-120b";
  r.model_id = "tm-gptoss-1";
  r.model_group = "tensormesh-chat";
  r.api_base = "https://serverless.tensormesh.ai/v1";
  r.user = "alice";
  r.custom_llm_provider = "tensormesh";
  return r;
}

std::shared_ptr<sqlite_sink> open_ok(const std::filesystem::path& p) {
  auto r = sqlite_sink::open(p.string());
  if (auto* e = std::get_if<std::string>(&r)) FAIL("open failed: " << *e);
  return std::get<std::shared_ptr<sqlite_sink>>(r);
}

json query_ok(const sqlite_sink& s, std::string_view api_key = "", std::string_view request_id = "",
              std::string_view start = "", std::string_view end = "") {
  auto f = make_filter(api_key, request_id, start, end);
  REQUIRE(std::holds_alternative<spend_filter>(f));
  auto r = s.query(std::get<spend_filter>(f));
  if (auto* e = std::get_if<meshgate::core::api_error>(&r)) FAIL("query failed: " << e->message << " / " << s.last_error());
  return std::get<json>(r);
}

std::vector<std::string> ids(const json& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.at("request_id").get<std::string>());
  return out;
}

// One-off SQL through an independent connection, as an operator with the sqlite3 CLI would.
std::string scalar(const std::filesystem::path& p, const char* sql) {
  sqlite3* db = nullptr;
  std::string out = "(error)";
  if (sqlite3_open_v2(p.string().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "NULL";
      } else if (rc == SQLITE_DONE) {
        out = "(none)";
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close_v2(db);
  return out;
}

constexpr std::int64_t may1 = 1714521600000;  // 2024-05-01T00:00:00.000Z
constexpr std::int64_t day = 86'400'000;

}  // namespace

TEST_CASE("spend: sqlite round trip returns exactly the rows written, as LiteLLM fields") {
  temp_db db;
  auto s = open_ok(db.path);
  auto a = row("chatcmpl-a", may1 + 1000);
  auto b = row("chatcmpl-b", may1 + 2000);
  b.completion_start_time_ms.reset();
  b.status = "failure";
  b.spend = 0;
  b.user = "";
  b.request_id = "it's \"quoted\"; DROP TABLE x; --";
  REQUIRE(s->write_batch({a, b}));
  auto rows = query_ok(*s);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == to_json(b));  // newest first
  CHECK(rows[1] == to_json(a));
  CHECK(rows[1]["startTime"] == "2024-05-01T00:00:01.000Z");
  CHECK(rows[1]["completionStartTime"] == "2024-05-01T00:00:01.250Z");
  CHECK(rows[0]["completionStartTime"].is_null());
  CHECK(rows[0]["spend"].is_number_float());
  CHECK(rows[1]["spend"] == 0.00042);
  CHECK(s->last_error().empty());
}

TEST_CASE("spend: sqlite store is created in WAL mode with its table and indexes, and reopens") {
  temp_db db;
  {
    auto s = open_ok(db.path);
    REQUIRE(s->write_batch({row("r1", may1)}));
    CHECK(scalar(db.path, "PRAGMA journal_mode") == "wal");
    CHECK(scalar(db.path, "SELECT name FROM sqlite_master WHERE type='table'") == "LiteLLM_SpendLogs");
    CHECK(scalar(db.path, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN "
                          "('LiteLLM_SpendLogs_startTime_idx','LiteLLM_SpendLogs_api_key_idx')") == "2");
    CHECK(scalar(db.path, R"(SELECT "startTime" || ' ' || "request_duration_ms" FROM "LiteLLM_SpendLogs")") ==
          "2024-05-01T00:00:00.000Z 1500");
  }
  auto again = open_ok(db.path);
  REQUIRE(again->write_batch({row("r2", may1 + 5)}));
  CHECK(ids(query_ok(*again)) == std::vector<std::string>{"r2", "r1"});
}

TEST_CASE("spend: a duplicate request_id is skipped, the rest of its batch kept") {
  temp_db db;
  auto s = open_ok(db.path);
  REQUIRE(s->write_batch({row("dup", may1)}));
  auto second = row("dup", may1 + 10);
  second.user = "mallory";
  REQUIRE(s->write_batch({second, row("fresh", may1 + 20)}));
  auto rows = query_ok(*s);
  CHECK(ids(rows) == std::vector<std::string>{"fresh", "dup"});
  CHECK(rows[1]["user"] == "alice");
  CHECK(s->write_batch({}));
}

TEST_CASE("spend: a batch spanning several multi-row inserts stores each row with its own values") {
  temp_db db;
  auto s = open_ok(db.path);
  // 23 rows: two full groups of ten and three single rows; every field differs between rows,
  // so a parameter bound at the wrong offset shows up as a wrong value.
  std::vector<spend_row> batch;
  for (int i = 0; i < 23; ++i) {
    auto r = row("g" + std::to_string(i), may1 + i * 1000, std::string(64, static_cast<char>('a' + i % 6)));
    r.user = "user-" + std::to_string(i);
    r.spend = 0.001 * (i + 1);
    r.prompt_tokens = 100 + i;
    r.completion_tokens = 200 + i;
    r.total_tokens = 300 + 2 * i;
    r.end_time_ms = r.start_time_ms + 10 * i;
    if (i % 4 == 0) r.completion_start_time_ms.reset();
    else r.completion_start_time_ms = r.start_time_ms + i;
    r.status = i % 3 == 0 ? "failure" : "success";
    r.model = "m" + std::to_string(i);
    r.model_id = "id" + std::to_string(i);
    r.model_group = "group" + std::to_string(i);
    r.api_base = "https://host" + std::to_string(i) + "/v1";
    r.call_type = i % 2 == 0 ? "acompletion" : "aresponses";
    r.custom_llm_provider = "p" + std::to_string(i);
    batch.push_back(r);
  }
  // A repeat inside the first group and one of an earlier row in the second: both skipped.
  batch[7].request_id = "g3";
  batch[15].request_id = "g1";
  REQUIRE(s->write_batch(batch));
  auto rows = query_ok(*s);
  REQUIRE(rows.size() == 21);
  std::size_t at = 0;
  for (int i = 22; i >= 0; --i) {  // newest first
    if (i == 7 || i == 15) continue;
    INFO("row " << i);
    CHECK(rows[at++] == to_json(batch[static_cast<std::size_t>(i)]));
  }
}

TEST_CASE("spend: filters by api_key, request_id and inclusive UTC days") {
  temp_db db;
  auto s = open_ok(db.path);
  const std::string k1(64, '1'), k2(64, '2');
  REQUIRE(s->write_batch({
      row("apr30-last", may1 - 1, k1),
      row("may1-first", may1, k1),
      row("may1-last", may1 + day - 1, k2),
      row("may2-first", may1 + day, k1),
      row("may3", may1 + 2 * day + 5, k2),
  }));
  CHECK(ids(query_ok(*s)).size() == 5);
  CHECK(ids(query_ok(*s, k1)) == std::vector<std::string>{"may2-first", "may1-first", "apr30-last"});
  CHECK(ids(query_ok(*s, "", "may1-last")) == std::vector<std::string>{"may1-last"});
  CHECK(ids(query_ok(*s, "", "' OR '1'='1")).empty());
  CHECK(ids(query_ok(*s, "", "", "2024-05-01", "2024-05-01")) == std::vector<std::string>{"may1-last", "may1-first"});
  CHECK(ids(query_ok(*s, "", "", "2024-05-02")) == std::vector<std::string>{"may3", "may2-first"});
  CHECK(ids(query_ok(*s, "", "", "", "2024-04-30")) == std::vector<std::string>{"apr30-last"});
  CHECK(ids(query_ok(*s, k2, "", "2024-05-01", "2024-05-02")) == std::vector<std::string>{"may1-last"});
  CHECK(ids(query_ok(*s, k1, "may3")).empty());
  CHECK(ids(query_ok(*s, "", "", "2024-05-03", "2024-05-01")).empty());
  // Upper-case hex finds the lower-case hash.
  auto hex = std::string(63, 'a') + "b";
  REQUIRE(s->write_batch({row("hex", may1, hex)}));
  CHECK(ids(query_ok(*s, std::string(63, 'A') + "B")) == std::vector<std::string>{"hex"});
}

TEST_CASE("spend: query returns at most limit rows, newest first") {
  temp_db db;
  auto s = open_ok(db.path);
  std::vector<spend_row> rows;
  for (int i = 0; i < 30; ++i) rows.push_back(row("r" + std::to_string(100 + i), may1 + i));
  REQUIRE(s->write_batch(rows));
  spend_filter f;
  f.limit = 7;
  auto r = s->query(f);
  REQUIRE(std::holds_alternative<json>(r));
  const auto& got = std::get<json>(r);
  REQUIRE(got.size() == 7);
  CHECK(got[0]["request_id"] == "r129");
  CHECK(got[6]["request_id"] == "r123");
}

TEST_CASE("spend: open refuses what cannot be a spend store, naming the path") {
  auto in_missing_dir = sqlite_sink::open("/nonexistent-meshgate-dir/x.db");
  REQUIRE(std::holds_alternative<std::string>(in_missing_dir));
  CHECK(std::get<std::string>(in_missing_dir).rfind("/nonexistent-meshgate-dir/x.db: cannot open", 0) == 0);
  for (const char* p : {"", ":memory:", "file::memory:?cache=shared"}) {
    INFO(p);
    auto r = sqlite_sink::open(p);
    REQUIRE(std::holds_alternative<std::string>(r));
    CHECK(std::get<std::string>(r) == std::string(p) + ": the spend log store must be a file path");
  }
  temp_db garbage;
  { std::ofstream(garbage.path) << "this is not a database, just some text that is long enough to matter......"; }
  auto r = sqlite_sink::open(garbage.path.string());
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(std::get<std::string>(r).rfind(garbage.path.string() + ": cannot use it as a database", 0) == 0);
}

TEST_CASE("spend: an existing LiteLLM_SpendLogs table without our columns is a start-up error") {
  temp_db db;
  CHECK(scalar(db.path, R"(CREATE TABLE "LiteLLM_SpendLogs" ("request_id" TEXT PRIMARY KEY, "spend" REAL))") ==
        "(none)");
  auto r = sqlite_sink::open(db.path.string());
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(std::get<std::string>(r).rfind(db.path.string() + ": the existing LiteLLM_SpendLogs table does not fit", 0) == 0);
}

TEST_CASE("spend: a failing write returns false with a reason and leaves nothing half-written") {
  temp_db db;
  auto s = open_ok(db.path);
  REQUIRE(s->write_batch({row("kept", may1)}));
  // Someone replaces the table under us with an incompatible one: the whole batch fails.
  CHECK(scalar(db.path, R"(ALTER TABLE "LiteLLM_SpendLogs" RENAME TO "old_logs")") == "(none)");
  CHECK(scalar(db.path, R"(CREATE TABLE "LiteLLM_SpendLogs" ("request_id" TEXT))") == "(none)");
  CHECK_FALSE(s->write_batch({row("lost-1", may1 + 1), row("lost-2", may1 + 2)}));
  CHECK(s->last_error().rfind("spend log write: ", 0) == 0);
  CHECK(scalar(db.path, R"(SELECT count(*) FROM "LiteLLM_SpendLogs")") == "0");
  CHECK(scalar(db.path, R"(SELECT group_concat("request_id") FROM "old_logs")") == "kept");
  // Reading fails the same way, as a 500 without SQLite's text.
  auto q = s->query(spend_filter{});
  REQUIRE(std::holds_alternative<meshgate::core::api_error>(q));
  CHECK(std::get<meshgate::core::api_error>(q).status == 500);
  CHECK(std::get<meshgate::core::api_error>(q).message == "could not read the spend logs");
  CHECK(s->last_error().rfind("spend log query: ", 0) == 0);
}

TEST_CASE("spend: rows submitted from many threads all reach SQLite through the writer") {
  temp_db db;
  auto s = open_ok(db.path);
  writer_options o;
  o.max_queued_rows = 100000;
  o.batch_rows = 64;
  o.flush_interval = std::chrono::milliseconds(5);
  spend_writer w(s, o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&w, t] {
      for (int i = 0; i < 250; ++i) w.submit(row("t" + std::to_string(t) + "-" + std::to_string(i), may1 + i));
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(w.flush_and_stop(std::chrono::seconds(10)));
  auto st = w.stats();
  CHECK(st.submitted == 1000);
  CHECK(st.written == 1000);
  CHECK(st.dropped == 0);
  CHECK(st.failed_batches == 0);
  CHECK(st.queued == 0);
  CHECK(scalar(db.path, R"(SELECT count(*) FROM "LiteLLM_SpendLogs")") == "1000");
  spend_filter f;
  f.request_id = "t3-249";
  auto r = s->query(f);
  REQUIRE(std::holds_alternative<json>(r));
  CHECK(std::get<json>(r).size() == 1);
}
