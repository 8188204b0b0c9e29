#include "meshgate/spend/sqlite_sink.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <thread>
#include <variant>

namespace meshgate::spend {

namespace {

constexpr const char* table_sql = R"sql(
CREATE TABLE IF NOT EXISTS "LiteLLM_SpendLogs" (
  "request_id" TEXT NOT NULL PRIMARY KEY,
  "call_type" TEXT NOT NULL DEFAULT '',
  "api_key" TEXT NOT NULL DEFAULT '',
  "spend" REAL NOT NULL DEFAULT 0,
  "total_tokens" INTEGER NOT NULL DEFAULT 0,
  "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
  "completion_tokens" INTEGER NOT NULL DEFAULT 0,
  "startTime" TEXT NOT NULL,
  "endTime" TEXT NOT NULL,
  "completionStartTime" TEXT,
  "request_duration_ms" INTEGER,
  "model" TEXT NOT NULL DEFAULT '',
  "model_id" TEXT DEFAULT '',
  "model_group" TEXT DEFAULT '',
  "api_base" TEXT DEFAULT '',
  "user" TEXT DEFAULT '',
  "status" TEXT,
  "custom_llm_provider" TEXT DEFAULT ''
);
)sql";

constexpr const char* index_sql = R"sql(
CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime");
CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_api_key_idx" ON "LiteLLM_SpendLogs" ("api_key", "startTime");
)sql";

// The columns meshgate writes and reads, in the order of the INSERT's parameters, the SELECT
// below and row_json().
constexpr const char* column_names[] = {
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens",
    "startTime", "endTime", "completionStartTime", "request_duration_ms", "model", "model_id", "model_group",
    "api_base", "user", "status", "custom_llm_provider"};
constexpr int columns = static_cast<int>(std::size(column_names));

// Rows per statement for full groups of a batch. One statement for ten rows spends SQLite's
// per-statement work (reset, program start, transaction and schema checks) once, not ten
// times: 33.4 k instructions a row alone, 24.3 k in groups of ten, 23.7 k in groups of 25.
constexpr int rows_per_insert = 10;

// A batch of 500 rows is a few milliseconds of CPU. On a core shared with a worker, the
// scheduler (EEVDF) lets the writer run on while the worker, woken by I/O, waits: sched_yield
// does not hand the CPU over when the writer is the task it is owed to. A real sleep does: the
// writer leaves the run queue and the worker runs. So every 100 rows the writer sleeps for the
// shortest time (timer slack makes it some tens of microseconds), inside the transaction, so a
// batch still commits once. At c=1 this halved meshgate's p99 (2.2 to 1.2 ms) with no cost
// measurable at c=64; a pause every 30 rows did no better at c=1 and cost at c=64.
constexpr int groups_between_pauses = 10;

// `"request_id", "call_type", …`: column_names quoted, for the INSERT and the SELECT.
std::string quoted_columns() {
  std::string list;
  for (int c = 0; c < columns; ++c) {
    list += c == 0 ? "\"" : ", \"";
    list += column_names[c];
    list += '"';
  }
  return list;
}

// INSERT OR IGNORE of `rows` rows: "(...) VALUES (?1, …, ?18), (?19, …, ?36), …".
std::string insert_sql(int rows) {
  std::string sql = R"(INSERT OR IGNORE INTO "LiteLLM_SpendLogs" ()" + quoted_columns() + ") VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 1; c <= columns; ++c) {
      sql += '?';
      sql += std::to_string(r * columns + c);
      sql += c < columns ? ", " : ")";
    }
  }
  return sql;
}

// Every column of column_names, in its order (row_json reads them by position).
std::string select_sql() { return "SELECT " + quoted_columns() + R"( FROM "LiteLLM_SpendLogs")"; }

std::string errmsg(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

// sqlite3_close_v2 also finalises lazily, so a failed open never leaks its handle.
void close_db(sqlite3*& db) {
  if (db) sqlite3_close_v2(db);
  db = nullptr;
}

// Without this, SQLite reads a double-quoted name that matches no column as a string literal,
// so a SELECT against a table missing a column would quietly return the column's name.
void strict_identifiers(sqlite3* db) {
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, static_cast<int*>(nullptr));
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, static_cast<int*>(nullptr));
}

bool exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

int bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  return sqlite3_bind_text64(st, i, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// Binds every parameter of one row, the row's first being ?(offset + 1) (so no
// sqlite3_clear_bindings is needed between rows). Text is bound SQLITE_STATIC, without a copy:
// `r` and `times` must outlive the statement's step; the three timestamps are formatted into
// `times` for that reason.
int bind_row(sqlite3_stmt* st, int offset, const spend_row& r, std::array<std::string, 3>& times) {
  int rc = SQLITE_OK;
  auto text = [&](int i, const std::string& s) {
    if (rc == SQLITE_OK) rc = sqlite3_bind_text64(st, i, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
  };
  auto integer = [&](int i, std::int64_t v) {
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, i, v);
  };
  text(offset + 1, r.request_id);
  text(offset + 2, r.call_type);
  text(offset + 3, r.api_key);
  // SQLite stores NaN as NULL, which the NOT NULL column would turn into a skipped row.
  if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, offset + 4, std::isfinite(r.spend) ? r.spend : 0.0);
  integer(offset + 5, r.total_tokens);
  integer(offset + 6, r.prompt_tokens);
  integer(offset + 7, r.completion_tokens);
  times[0] = iso8601_ms(r.start_time_ms);
  times[1] = iso8601_ms(r.end_time_ms);
  text(offset + 8, times[0]);
  text(offset + 9, times[1]);
  if (r.completion_start_time_ms) {
    times[2] = iso8601_ms(*r.completion_start_time_ms);
    text(offset + 10, times[2]);
  } else if (rc == SQLITE_OK)
    rc = sqlite3_bind_null(st, offset + 10);
  integer(offset + 11, r.end_time_ms - r.start_time_ms);
  text(offset + 12, r.model);
  text(offset + 13, r.model_id);
  text(offset + 14, r.model_group);
  text(offset + 15, r.api_base);
  text(offset + 16, r.user);
  text(offset + 17, r.status);
  text(offset + 18, r.custom_llm_provider);
  return rc;
}

core::json column_json(sqlite3_stmt* st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(st, i);
    case SQLITE_FLOAT: return sqlite3_column_double(st, i);
    case SQLITE_NULL: return nullptr;
    default: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
    }
  }
}

core::json row_json(sqlite3_stmt* st) {
  core::json j = core::json::object();
  for (int i = 0; i < columns; ++i) j[column_names[i]] = column_json(st, i);
  // A pre-existing table whose spend column lacks REAL affinity hands whole numbers back as integers.
  if (j["spend"].is_number_integer()) j["spend"] = j["spend"].get<double>();
  return j;
}

struct statement {
  sqlite3_stmt* st = nullptr;
  ~statement() { sqlite3_finalize(st); }
};

// Process-wide settings, which SQLite takes only before its first use: no memory statistics
// (a global mutex and counters around every allocation SQLite makes) and the multi-thread
// mode (no mutex per connection: each connection here is opened NOMUTEX and guarded by the
// sink's own mutexes anyway). Together about a tenth of a spend row's ~36 k instructions.
// Should SQLite already be in use, the calls fail harmlessly and its defaults stay.
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    return true;
  }();
  (void)configured;
}

}  // namespace

std::variant<std::shared_ptr<sqlite_sink>, std::string> sqlite_sink::open(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0)
    return path + ": the spend log store must be a file path";
  configure_sqlite_once();
  std::shared_ptr<sqlite_sink> s(new sqlite_sink());
  auto fail = [&](sqlite3* db, const char* what) { return path + ": " + what + ": " + errmsg(db); };

  if (sqlite3_open_v2(path.c_str(), &s->write_db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return fail(s->write_db_, "cannot open");
  strict_identifiers(s->write_db_);
  sqlite3_busy_timeout(s->write_db_, 5000);
  // journal_mode answers with a row; a file system without WAL support keeps its default mode.
  if (!exec(s->write_db_, "PRAGMA journal_mode=WAL") || !exec(s->write_db_, "PRAGMA synchronous=NORMAL"))
    return fail(s->write_db_, "cannot use it as a database");
  if (!exec(s->write_db_, table_sql)) return fail(s->write_db_, "cannot create the LiteLLM_SpendLogs table");
  // Preparing now turns an incompatible existing table into a start-up error, not lost rows.
  if (sqlite3_prepare_v3(s->write_db_, insert_sql(1).c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s->insert_, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v3(s->write_db_, insert_sql(rows_per_insert).c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                         &s->insert_group_, nullptr) != SQLITE_OK)
    return fail(s->write_db_, "the existing LiteLLM_SpendLogs table does not fit");
  if (!exec(s->write_db_, index_sql)) return fail(s->write_db_, "cannot create the LiteLLM_SpendLogs indexes");

  if (sqlite3_open_v2(path.c_str(), &s->read_db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    return fail(s->read_db_, "cannot open for reading");
  strict_identifiers(s->read_db_);
  sqlite3_busy_timeout(s->read_db_, 5000);
  if (!exec(s->read_db_, "PRAGMA query_only=1")) return fail(s->read_db_, "cannot open for reading");
  statement probe;
  if (sqlite3_prepare_v2(s->read_db_, select_sql().c_str(), -1, &probe.st, nullptr) != SQLITE_OK)
    return fail(s->read_db_, "the existing LiteLLM_SpendLogs table does not fit");
  return s;
}

sqlite_sink::~sqlite_sink() {
  sqlite3_finalize(insert_);
  sqlite3_finalize(insert_group_);
  close_db(write_db_);
  close_db(read_db_);
}

void sqlite_sink::note_error(std::string message) const {
  std::lock_guard lk(error_mu_);
  last_error_ = std::move(message);
}

std::string sqlite_sink::last_error() const {
  std::lock_guard lk(error_mu_);
  return last_error_;
}

bool sqlite_sink::write_batch(const std::vector<spend_row>& rows) {
  if (rows.empty()) return true;
  std::lock_guard lk(write_mu_);
  if (!exec(write_db_, "BEGIN IMMEDIATE")) {
    note_error("spend log write: " + errmsg(write_db_));
    return false;
  }
  auto fail = [&] {
    note_error("spend log write: " + errmsg(write_db_));
    sqlite3_reset(insert_group_);
    sqlite3_reset(insert_);
    exec(write_db_, "ROLLBACK");
    return false;
  };
  std::array<std::array<std::string, 3>, rows_per_insert> times;
  std::size_t i = 0;
  for (; rows.size() - i >= rows_per_insert; i += rows_per_insert) {
    sqlite3_reset(insert_group_);
    int rc = SQLITE_OK;
    for (int k = 0; k < rows_per_insert && rc == SQLITE_OK; ++k)
      rc = bind_row(insert_group_, k * columns, rows[i + k], times[k]);
    if (rc != SQLITE_OK || sqlite3_step(insert_group_) != SQLITE_DONE) return fail();
    const bool full_group_follows = rows.size() - i >= 2 * rows_per_insert;
    if ((i / rows_per_insert) % groups_between_pauses == groups_between_pauses - 1 && full_group_follows)
      std::this_thread::sleep_for(std::chrono::microseconds(1));  // none just before COMMIT
  }
  for (; i < rows.size(); ++i) {
    sqlite3_reset(insert_);
    if (bind_row(insert_, 0, rows[i], times[0]) != SQLITE_OK || sqlite3_step(insert_) != SQLITE_DONE) return fail();
  }
  sqlite3_reset(insert_group_);
  sqlite3_reset(insert_);
  if (!exec(write_db_, "COMMIT")) return fail();
  return true;
}

std::variant<core::json, core::api_error> sqlite_sink::query(const spend_filter& f) const {
  // Only constant fragments go into the text; every value is a bound parameter. Leaving absent
  // filters out of the text (rather than `?1 IS NULL OR …`) lets SQLite pick the index.
  std::string sql = select_sql();
  std::vector<std::variant<std::string, std::int64_t>> params;
  const char* glue = " WHERE ";
  auto where = [&](const char* condition, std::variant<std::string, std::int64_t> value) {
    sql += glue;
    sql += condition;
    glue = " AND ";
    params.push_back(std::move(value));
  };
  if (!f.api_key.empty()) where(R"("api_key" = ?)", f.api_key);
  if (!f.request_id.empty()) where(R"("request_id" = ?)", f.request_id);
  if (f.from_ms) where(R"("startTime" >= ?)", iso8601_ms(*f.from_ms));
  if (f.until_ms) where(R"("startTime" < ?)", iso8601_ms(*f.until_ms));
  sql += R"( ORDER BY "startTime" DESC, "request_id" DESC LIMIT ?)";
  params.emplace_back(static_cast<std::int64_t>(std::min<std::size_t>(f.limit, INT64_MAX)));

  std::lock_guard lk(read_mu_);
  statement q;
  auto failed = [&] {
    note_error("spend log query: " + errmsg(read_db_));
    return core::internal_error("could not read the spend logs");
  };
  if (sqlite3_prepare_v2(read_db_, sql.c_str(), -1, &q.st, nullptr) != SQLITE_OK) return failed();
  for (std::size_t i = 0; i < params.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    int rc = std::holds_alternative<std::string>(params[i])
                 ? bind_text(q.st, index, std::get<std::string>(params[i]))
                 : sqlite3_bind_int64(q.st, index, std::get<std::int64_t>(params[i]));
    if (rc != SQLITE_OK) return failed();
  }
  core::json out = core::json::array();
  for (;;) {
    int rc = sqlite3_step(q.st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return failed();
    out.push_back(row_json(q.st));
  }
  return out;
}

}  // namespace meshgate::spend
