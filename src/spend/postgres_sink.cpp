#include "meshgate/spend/postgres_sink.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "meshgate/obs/log.hpp"
#include "meshgate/spend/database_url.hpp"
#include "meshgate/spend/libpq_api.hpp"

namespace meshgate::spend {

namespace {

// libpq's functions; open() loads the library before anything below can run.
const libpq_api& pq() {
  std::string unused;
  return *load_libpq(unused);
}

// LiteLLM's Prisma schema for the columns meshgate writes (Prisma's DateTime is TIMESTAMP(3),
// Float is DOUBLE PRECISION, Int is INTEGER).
constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS "LiteLLM_SpendLogs" (
  "request_id" TEXT NOT NULL,
  "call_type" TEXT NOT NULL,
  "api_key" TEXT NOT NULL DEFAULT '',
  "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
  "total_tokens" INTEGER NOT NULL DEFAULT 0,
  "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
  "completion_tokens" INTEGER NOT NULL DEFAULT 0,
  "startTime" TIMESTAMP(3) NOT NULL,
  "endTime" TIMESTAMP(3) NOT NULL,
  "request_duration_ms" INTEGER,
  "completionStartTime" TIMESTAMP(3),
  "model" TEXT NOT NULL DEFAULT '',
  "model_id" TEXT DEFAULT '',
  "model_group" TEXT DEFAULT '',
  "custom_llm_provider" TEXT DEFAULT '',
  "api_base" TEXT DEFAULT '',
  "user" TEXT DEFAULT '',
  "status" TEXT,
  CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
);
CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime");
CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_api_key_idx" ON "LiteLLM_SpendLogs" ("api_key", "startTime");
)sql";

constexpr const char* insert_name = "meshgate_spend_insert";
constexpr int insert_params = 18;
constexpr const char* insert_sql =
    R"sql(INSERT INTO "LiteLLM_SpendLogs" ("request_id", "call_type", "api_key", "spend", "total_tokens",
  "prompt_tokens", "completion_tokens", "startTime", "endTime", "completionStartTime", "request_duration_ms",
  "model", "model_id", "model_group", "api_base", "user", "status", "custom_llm_provider")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
  ON CONFLICT ("request_id") DO NOTHING)sql";

// Times come back as epoch milliseconds, so the JSON is built by to_json(spend_row) exactly as
// for the SQLite store. A TIMESTAMP without time zone holds UTC; EXTRACT reads it as such.
constexpr const char* select_sql =
    R"sql(SELECT "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens",
  "completion_tokens", round(extract(epoch FROM "startTime") * 1000)::int8,
  round(extract(epoch FROM "endTime") * 1000)::int8, round(extract(epoch FROM "completionStartTime") * 1000)::int8,
  "model", "model_id", "model_group", "api_base", "user", "status", "custom_llm_provider"
  FROM "LiteLLM_SpendLogs")sql";

// Rows per pipeline: their replies (about 20 bytes each) must fit the socket buffers while
// libpq, in blocking mode, is still sending, or both sides would wait on each other.
constexpr std::size_t pipeline_rows = 200;

// Unless the URL says otherwise: a dead or silent server costs a bounded wait, not a hung writer.
constexpr std::array<const char*, 8> default_keys = {"connect_timeout",  "keepalives",      "keepalives_idle",
                                                     "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                                     "application_name", "client_encoding"};
constexpr std::array<const char*, 8> default_values = {"5", "1", "30", "10", "3", "30000", "meshgate", "UTF8"};

struct result {
  PGresult* r = nullptr;
  explicit result(PGresult* p) : r(p) {}
  ~result() { pq().PQclear(r); }
  result(const result&) = delete;
  result& operator=(const result&) = delete;
  ExecStatusType status() const { return r ? pq().PQresultStatus(r) : PGRES_FATAL_ERROR; }
  std::string sqlstate() const {
    const char* s = r ? pq().PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    return s ? s : "";
  }
};

void ignore_notice(void*, const char*) {}  // "relation already exists, skipping" and the like

// libpq messages end in a newline and may span lines; the log wants one line.
std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::string out;
  bool line_start = false;
  for (char c : s) {
    if (c == '\n') {
      out += "; ";
      line_start = true;
    } else if (!(line_start && (c == ' ' || c == '\t'))) {
      out += c;
      line_start = false;
    }
  }
  return out.empty() ? "unknown error" : out;
}

std::string conn_error(PGconn* c) { return one_line(c ? pq().PQerrorMessage(c) : "out of memory"); }

void close_conn(PGconn*& c) {
  if (c) pq().PQfinish(c);
  c = nullptr;
}

bool connected(PGconn* c) { return c && pq().PQstatus(c) == CONNECTION_OK; }

PGconn* connect_to(const std::string& url, std::string& error) {
  std::array<const char*, default_keys.size() + 2> keys{};
  std::array<const char*, default_keys.size() + 2> values{};
  std::copy(default_keys.begin(), default_keys.end(), keys.begin());
  std::copy(default_values.begin(), default_values.end(), values.begin());
  // Last, so that whatever the URL sets overrides the defaults above.
  keys[default_keys.size()] = "dbname";
  values[default_keys.size()] = url.c_str();
  PGconn* c = pq().PQconnectdbParams(keys.data(), values.data(), 1);
  if (!connected(c)) {
    error = conn_error(c);
    close_conn(c);
    return nullptr;
  }
  pq().PQsetNoticeProcessor(c, ignore_notice, nullptr);
  return c;
}

std::string clamp_int(std::int64_t v) {
  constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  return std::to_string(std::clamp(v, lo, hi));
}

std::string number_text(double v) {
  if (!std::isfinite(v)) v = 0;
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : std::string("0");
}

// The 18 INSERT parameters of `r`, in insert_sql's order; completionStartTime may be NULL.
struct row_params {
  std::array<std::string, insert_params> text;
  std::array<const char*, insert_params> values{};

  explicit row_params(const spend_row& r) {
    text = {r.request_id,
            r.call_type,
            r.api_key,
            number_text(r.spend),
            clamp_int(r.total_tokens),
            clamp_int(r.prompt_tokens),
            clamp_int(r.completion_tokens),
            iso8601_ms(r.start_time_ms),
            iso8601_ms(r.end_time_ms),
            r.completion_start_time_ms ? iso8601_ms(*r.completion_start_time_ms) : std::string(),
            clamp_int(r.end_time_ms - r.start_time_ms),
            r.model,
            r.model_id,
            r.model_group,
            r.api_base,
            r.user,
            r.status,
            r.custom_llm_provider};
    for (std::size_t i = 0; i < text.size(); ++i) values[i] = text[i].c_str();
    if (!r.completion_start_time_ms) values[9] = nullptr;
  }
};

std::string text_at(PGresult* r, int row, int col) {
  if (pq().PQgetisnull(r, row, col)) return {};
  return std::string(pq().PQgetvalue(r, row, col), static_cast<std::size_t>(pq().PQgetlength(r, row, col)));
}

std::int64_t int_at(PGresult* r, int row, int col) { return std::strtoll(pq().PQgetvalue(r, row, col), nullptr, 10); }

spend_row row_at(PGresult* r, int i) {
  spend_row row;
  row.request_id = text_at(r, i, 0);
  row.call_type = text_at(r, i, 1);
  row.api_key = text_at(r, i, 2);
  row.spend = std::strtod(pq().PQgetvalue(r, i, 3), nullptr);
  row.total_tokens = int_at(r, i, 4);
  row.prompt_tokens = int_at(r, i, 5);
  row.completion_tokens = int_at(r, i, 6);
  row.start_time_ms = int_at(r, i, 7);
  row.end_time_ms = int_at(r, i, 8);
  if (!pq().PQgetisnull(r, i, 9)) row.completion_start_time_ms = int_at(r, i, 9);
  row.model = text_at(r, i, 10);
  row.model_id = text_at(r, i, 11);
  row.model_group = text_at(r, i, 12);
  row.api_base = text_at(r, i, 13);
  row.user = text_at(r, i, 14);
  row.status = text_at(r, i, 15);
  row.custom_llm_provider = text_at(r, i, 16);
  return row;
}

}  // namespace

// Why connecting the writer failed; `fatal` when the server answered and the table is the
// problem (it will not fix itself).
struct postgres_sink::failure {
  std::string message;
  bool fatal = false;
  bool ok() const { return message.empty(); }
};

std::variant<postgres_sink::opened, std::string> postgres_sink::open(const std::string& url) {
  std::string load_error;
  if (load_libpq(load_error) == nullptr) return redact_url(url) + ": " + load_error;
  std::shared_ptr<postgres_sink> s(new postgres_sink());
  s->url_ = url;
  s->display_url_ = redact_url(url);
  s->password_ = url_password(url);

  char* parse_error = nullptr;
  PQconninfoOption* options = pq().PQconninfoParse(url.c_str(), &parse_error);
  if (!options) {
    std::string why = parse_error ? one_line(parse_error) : "out of memory";
    pq().PQfreemem(parse_error);
    return s->display_url_ + ": not a valid PostgreSQL connection URL: " + s->scrub(why);
  }
  for (auto* o = options; o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val && *o->val) s->password_ = o->val;
  pq().PQconninfoFree(options);

  std::lock_guard lk(s->write_mu_);
  failure f = s->connect_writer();
  if (f.fatal) return s->display_url_ + ": " + f.message;
  opened out{s, {}};
  if (!f.ok()) {
    out.warning = f.message;
    s->note_error(f.message);
    s->outage_logged_ = true;  // the caller logs this warning; the first failed batch need not repeat it
  }
  return out;
}

postgres_sink::~postgres_sink() {
  close_conn(write_conn_);
  close_conn(read_conn_);
}

std::string postgres_sink::scrub(std::string message) const {
  // libpq does not put passwords in its messages, but some quote the connection URL it parsed.
  auto replace_all = [&](const std::string& secret, const std::string& with) {
    if (secret.empty()) return;
    for (auto pos = message.find(secret); pos != std::string::npos; pos = message.find(secret, pos + with.size()))
      message.replace(pos, secret.size(), with);
  };
  replace_all(url_, display_url_);
  // Very short passwords would mangle ordinary words; those are not worth protecting anyway.
  if (password_.size() >= 4) replace_all(password_, "***");
  const std::string written = url_password(url_);
  if (written.size() >= 4) replace_all(written, "***");
  return message;
}

void postgres_sink::note_error(std::string message) const {
  std::lock_guard lk(error_mu_);
  last_error_ = std::move(message);
}

std::string postgres_sink::last_error() const {
  std::lock_guard lk(error_mu_);
  return last_error_;
}

postgres_sink::failure postgres_sink::connect_writer() {
  if (connected(write_conn_)) return {};
  close_conn(write_conn_);
  std::string error;
  PGconn* c = connect_to(url_, error);
  if (!c) return {scrub("cannot connect: " + error), false};
  // Class 42 (undefined column, insufficient privilege, …): the server is fine, the table is not.
  auto fails = [&](const result& r, const char* what) -> failure {
    const bool fatal = r.sqlstate().rfind("42", 0) == 0;
    failure f{scrub(std::string(what) + ": " + conn_error(c)), fatal};
    close_conn(c);
    return f;
  };
  {
    result r(pq().PQexec(c, schema_sql));
    if (r.status() != PGRES_COMMAND_OK) return fails(r, "cannot create the LiteLLM_SpendLogs table");
  }
  {
    // Preparing now turns an incompatible existing table into an error here, not lost rows later.
    result r(pq().PQprepare(c, insert_name, insert_sql, insert_params, nullptr));
    if (r.status() != PGRES_COMMAND_OK) return fails(r, "the existing LiteLLM_SpendLogs table does not fit");
  }
  write_conn_ = c;
  return {};
}

bool postgres_sink::insert(const std::vector<spend_row>& rows, std::string& error) {
  PGconn* c = write_conn_;
  auto exec = [&](const char* sql) {
    result r(pq().PQexec(c, sql));
    if (r.status() == PGRES_COMMAND_OK) return true;
    error = conn_error(c);
    return false;
  };
  if (!exec("BEGIN")) return false;
  bool ok = true;
  for (std::size_t from = 0; ok && from < rows.size(); from += pipeline_rows) {
    const std::size_t to = std::min(rows.size(), from + pipeline_rows);
    if (pq().PQenterPipelineMode(c) != 1) {
      error = conn_error(c);
      ok = false;
      break;
    }
    for (std::size_t i = from; ok && i < to; ++i) {
      row_params p(rows[i]);
      if (pq().PQsendQueryPrepared(c, insert_name, insert_params, p.values.data(), nullptr, nullptr, 0) != 1) {
        error = conn_error(c);
        ok = false;
      }
    }
    if (pq().PQpipelineSync(c) != 1) {
      if (ok) error = conn_error(c);
      ok = false;
    }
    // One result (then a NULL) per query sent, then the sync. Two NULLs in a row mean nothing
    // more is coming (the connection broke).
    int nulls = 0;
    for (;;) {
      result r(pq().PQgetResult(c));
      if (!r.r) {
        if (++nulls >= 2 || !connected(c)) break;
        continue;
      }
      nulls = 0;
      const auto st = r.status();
      if (st == PGRES_PIPELINE_SYNC) break;
      if (st != PGRES_COMMAND_OK && ok) {
        error = one_line(pq().PQresultErrorMessage(r.r));
        ok = false;
      }
    }
    if (connected(c)) pq().PQexitPipelineMode(c);
  }
  if (ok && exec("COMMIT")) return true;
  if (ok) error = conn_error(c);
  if (connected(c) && pq().PQtransactionStatus(c) != PQTRANS_IDLE) exec("ROLLBACK");
  return false;
}

bool postgres_sink::write_batch(const std::vector<spend_row>& rows) {
  if (rows.empty()) return true;
  std::lock_guard lk(write_mu_);
  std::string error;
  bool ok = false;
  // Two attempts: a connection the server closed since the last batch is only found out by
  // using it, and nothing of a batch on a dead connection was committed.
  for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
    if (failure f = connect_writer(); !f.ok()) {
      error = f.message;
      break;
    }
    ok = insert(rows, error);
    if (!ok) {
      error = scrub("cannot store spend rows: " + error);
      if (connected(write_conn_)) break;  // the statement failed, not the connection: do not retry
      close_conn(write_conn_);
    }
  }
  if (ok) {
    if (outage_logged_) obs::info("spend log: PostgreSQL at " + display_url_ + " is storing rows again");
    outage_logged_ = false;
    return true;
  }
  note_error(error);
  if (!outage_logged_)
    obs::warn("spend log: PostgreSQL at " + display_url_ + ": " + error +
              "; spend rows are dropped (and counted) until it works again");
  outage_logged_ = true;
  return false;
}

std::variant<core::json, core::api_error> postgres_sink::query(const spend_filter& f) const {
  // Only constant fragments go into the text; every value is a bound parameter.
  std::string sql = select_sql;
  std::vector<std::string> params;
  const char* glue = " WHERE ";
  auto where = [&](const char* column_and_op, std::string value) {
    params.push_back(std::move(value));
    sql += glue;
    sql += column_and_op;
    sql += " $" + std::to_string(params.size());
    glue = " AND ";
  };
  if (!f.api_key.empty()) where(R"("api_key" =)", f.api_key);
  if (!f.request_id.empty()) where(R"("request_id" =)", f.request_id);
  if (f.from_ms) where(R"("startTime" >=)", iso8601_ms(*f.from_ms));
  if (f.until_ms) where(R"("startTime" <)", iso8601_ms(*f.until_ms));
  params.push_back(std::to_string(std::min<std::size_t>(f.limit, INT64_MAX)));
  sql += R"( ORDER BY "startTime" DESC, "request_id" DESC LIMIT $)" + std::to_string(params.size());

  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());

  std::lock_guard lk(read_mu_);
  auto failed = [&](const std::string& why) {
    std::string message = scrub("spend log query: " + why);
    note_error(message);
    obs::warn("spend log: PostgreSQL at " + display_url_ + ": " + message);
    if (!connected(read_conn_)) close_conn(read_conn_);
    return core::internal_error("could not read the spend logs");
  };
  // Two attempts, as for writes: a connection the server closed is only found out by using it.
  for (int attempt = 0;; ++attempt) {
    if (!connected(read_conn_)) {
      close_conn(read_conn_);
      std::string error;
      read_conn_ = connect_to(url_, error);
      if (!read_conn_) return failed("cannot connect: " + error);
    }
    result r(pq().PQexecParams(read_conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                          nullptr, 0));
    if (r.status() == PGRES_TUPLES_OK) {
      core::json out = core::json::array();
      const int n = pq().PQntuples(r.r);
      for (int i = 0; i < n; ++i) out.push_back(to_json(row_at(r.r, i)));
      return out;
    }
    if (r.sqlstate() == "42P01") return core::json::array();  // undefined_table: nothing written yet
    if (connected(read_conn_) || attempt == 1)
      return failed(r.r ? one_line(pq().PQresultErrorMessage(r.r)) : conn_error(read_conn_));
  }
}

}  // namespace meshgate::spend
