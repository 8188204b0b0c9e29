// Spend logs in PostgreSQL (a real server, started by ctest's postgres_server fixture) and a spend
// store that is down: requests are unaffected, memory stays bounded, lost rows are counted.
//
// The [.postgres] tests are hidden from a plain run of the binary; ctest runs them with the
// fixture. Without a server they fail (support/postgres.hpp), they never skip.
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <catch2/catch.hpp>

#include "meshgate/core/ids.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/spend/postgres_sink.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/postgres.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {

const char* chat_reply = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"x",
"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":200}}})";

std::string chat_body(const std::string& user) {
  return R"({"model":"test-model","user":")" + user + R"(","messages":[{"role":"user","content":"hi"}]})";
}

header_list auth_headers() { return {{"Authorization", std::string("Bearer ") + master_key}}; }

test_response chat(test_client& c, const std::string& user, const std::string& call_id) {
  header_list h = auth_headers();
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back("x-litellm-call-id", call_id);
  return c.request("POST", "/v1/chat/completions", h, chat_body(user));
}

json spend_logs(test_client& c, const std::string& query, int expect_status = 200) {
  auto res = c.request("GET", "/spend/logs" + query, auth_headers());
  REQUIRE(res.status == expect_status);
  return json::parse(res.body);
}

// The value of an unlabelled sample `name` in Prometheus text; -1 if absent.
double metric(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const auto pos = text.find(key);
  if (pos == std::string::npos) return -1;
  return std::stod(text.substr(pos + key.size(), text.find('\n', pos + 1) - pos - key.size()));
}

std::string metrics_text(test_client& c) {
  auto res = c.request("GET", "/metrics", auth_headers());
  REQUIRE(res.status == 200);
  return "\n" + res.body;
}

spend::spend_row row(const std::string& id, std::int64_t start_ms) {
  spend::spend_row r;
  r.request_id = id;
  r.call_type = "acompletion";
  r.api_key = core::sha256_hex("sk-row-key");
  r.spend = 0.00042;
  r.prompt_tokens = 1000;
  r.completion_tokens = 500;
  r.total_tokens = 1500;
  r.start_time_ms = start_ms;
  r.end_time_ms = start_ms + 250;
  r.completion_start_time_ms = start_ms + 100;
  r.model = "openai/gpt-oss-120b";
  r.model_id = "dep-1";
  r.model_group = "test-model";
  r.api_base = "http://upstream/v1";
  r.user = "alice";
  r.custom_llm_provider = "tensormesh";
  return r;
}

// A URL for `db` on the test server with a password in it (trust auth ignores it), to check it
// never shows.
constexpr const char* secret = "pg-Secret-4711";
std::string with_password(const std::string& url) {
  const auto at = url.find('@');
  return url.substr(0, at) + ":" + secret + url.substr(at);
}

// A PostgreSQL "server" that accepts connections and never answers (the first one it closes at
// once, so the gateway's start-up check fails fast): a store that hangs.
class silent_server {
 public:
  silent_server() : acceptor_(ctx_, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { ctx_.run(); });
  }
  ~silent_server() {
    ctx_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::size_t accepted() const { return accepted_.load(); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, net::ip::tcp::socket s) {
      if (ec) return;
      if (accepted_.fetch_add(1) > 0) held_.push_back(std::move(s));  // the first is closed here
      accept();
    });
  }
  net::io_context ctx_;
  net::ip::tcp::acceptor acceptor_;
  std::vector<net::ip::tcp::socket> held_;
  std::atomic<std::size_t> accepted_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("postgres: spend rows written through requests are read back through /spend/logs", "[.postgres]") {
  temp_database db;
  fake_upstream up([](const recorded_request& r) {
    // carol's requests fail upstream: a failure row.
    if (r.body.find("carol") != std::string::npos) return reply::json(500, R"({"error":{"message":"boom"}})");
    return reply::json(200, chat_reply);
  });
  // database_url through os.environ/, as deployments write it.
  const std::string general = "  database_url: os.environ/TEST_DATABASE_URL\n";
  const std::map<std::string, std::string> env{{"TEST_DATABASE_URL", with_password(db.url())}};
  {
    gateway_fixture gw(basic_config(up.base_url(), general), env);
    test_client c(gw.port());
    auto first = chat(c, "alice", "call-a1");
    REQUIRE(first.status == 200);
    CHECK(first.header("x-litellm-response-cost") == "0.00042");
    REQUIRE(chat(c, "bob", "call-b1").status == 200);
    REQUIRE(chat(c, "carol", "call-c1").status >= 500);
    REQUIRE(chat(c, "alice", "call-a1").status == 200);  // the same request id again: stored once
    gw.gw().begin_drain();
    gw.gw().wait_drained(std::chrono::seconds(5));
    gw.gw().stop();  // flushes the queue
    const auto s = gw.gw().state().spend->stats();
    CHECK(s.submitted == 4);
    CHECK(s.written == 4);
    CHECK(s.failed_rows == 0);
  }

  // A second gateway on the same database reads what the first wrote.
  gateway_fixture again(basic_config(up.base_url(), general), env);
  test_client c(again.port());
  auto rows = spend_logs(c, "");
  REQUIRE(rows.size() == 3);
  // Newest first.
  CHECK(rows[0]["request_id"] == "call-c1");
  CHECK(rows[1]["request_id"] == "call-b1");
  CHECK(rows[2]["request_id"] == "call-a1");
  const json& a = rows[2];
  CHECK(a["spend"] == Approx(0.00042));
  CHECK(a["spend"].is_number_float());
  CHECK(a["prompt_tokens"] == 1000);
  CHECK(a["completion_tokens"] == 500);
  CHECK(a["total_tokens"] == 1500);
  CHECK(a["model_group"] == "test-model");
  CHECK(a["model"] == "openai/gpt-oss-120b");
  CHECK(a["model_id"] == "dep-1");
  CHECK(a["custom_llm_provider"] == "tensormesh");
  CHECK(a["user"] == "alice");
  CHECK(a["status"] == "success");
  CHECK(a["call_type"] == "acompletion");
  CHECK(a["api_key"] == core::sha256_hex(master_key));
  CHECK(a["completionStartTime"].is_null());
  // Same text form as the SQLite store: fixed-width UTC with milliseconds.
  const std::string start = a["startTime"];
  REQUIRE(start.size() == 24);
  CHECK(start[10] == 'T');
  CHECK(start.back() == 'Z');
  CHECK(a["endTime"].get<std::string>() >= start);
  CHECK(a["request_duration_ms"].get<std::int64_t>() >= 0);
  CHECK(rows[0]["status"] == "failure");
  CHECK(rows[0]["user"] == "carol");

  // Filters.
  CHECK(spend_logs(c, "?request_id=call-b1").size() == 1);
  CHECK(spend_logs(c, "?request_id=nope").empty());
  CHECK(spend_logs(c, std::string("?api_key=") + master_key).size() == 3);
  CHECK(spend_logs(c, "?api_key=" + core::sha256_hex(master_key)).size() == 3);
  CHECK(spend_logs(c, "?api_key=sk-someone-else").empty());
  const std::string today = start.substr(0, 10);
  CHECK(spend_logs(c, "?start_date=" + today + "&end_date=9999-12-31").size() == 3);
  CHECK(spend_logs(c, "?start_date=2000-01-01&end_date=2000-12-31").empty());
  CHECK(spend_logs(c, "?start_date=9999-12-31").empty());
  CHECK(spend_logs(c, "?end_date=2000-01-01").empty());
  CHECK(spend_logs(c, "?request_id=call-a1&api_key=sk-someone-else").empty());
  auto bad = c.request("GET", "/spend/logs?end_date=2024-13-01", auth_headers());
  CHECK(bad.status == 400);
  CHECK(bad.body.find("end_date") != std::string::npos);
  // A filter value is data, never SQL.
  CHECK(spend_logs(c, "?request_id=x%27%20OR%20%271%27%3D%271").empty());
  CHECK(spend_logs(c, "").size() == 3);
}

TEST_CASE("postgres: the store creates its table, reconnects, and keeps the password out", "[.postgres]") {
  temp_database db;
  // The database does not exist yet: not an error, a warning; batches fail until it does.
  const std::string later_name = db.name() + "_later";
  const std::string later_url = db.url().substr(0, db.url().rfind('/') + 1) + later_name;
  auto opened = spend::postgres_sink::open(with_password(later_url));
  REQUIRE(std::holds_alternative<spend::postgres_sink::opened>(opened));
  auto sink = std::get<spend::postgres_sink::opened>(opened).sink;
  const std::string warning = std::get<spend::postgres_sink::opened>(opened).warning;
  CHECK(warning.find(later_name) != std::string::npos);
  CHECK(warning.find(secret) == std::string::npos);
  CHECK(sink->display_url().find(secret) == std::string::npos);
  CHECK(sink->display_url().find(":***@") != std::string::npos);
  const auto now = spend::epoch_ms(std::chrono::system_clock::now());
  CHECK_FALSE(sink->write_batch({row("r1", now)}));
  CHECK(sink->last_error().find(secret) == std::string::npos);
  CHECK_FALSE(sink->last_error().empty());

  struct drop_later {
    std::string name;
    ~drop_later() {
      try {
        postgres_exec(postgres_server_url(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (...) {
      }
    }
  } cleanup{later_name};
  postgres_exec(postgres_server_url(), "CREATE DATABASE " + later_name);

  // The next batch connects, creates the table and stores; duplicates in a batch are skipped.
  std::vector<spend::spend_row> batch;
  for (int i = 0; i < 450; ++i) batch.push_back(row("r" + std::to_string(i), now + i));  // spans 3 pipelines
  batch.push_back(row("r1", now));
  REQUIRE(sink->write_batch(batch));
  spend::spend_filter all;
  auto rows = sink->query(all);
  REQUIRE(std::holds_alternative<json>(rows));
  CHECK(std::get<json>(rows).size() == 450);
  const json first = std::get<json>(rows).at(0);
  CHECK(first["request_id"] == "r449");
  CHECK(first["completionStartTime"] == spend::iso8601_ms(now + 449 + 100));
  CHECK(first["startTime"] == spend::iso8601_ms(now + 449));
  CHECK(first["request_duration_ms"] == 250);
  CHECK(first["spend"] == Approx(0.00042));

  // The server closes every connection (a restart, a failover): the next batch and query
  // reconnect, nothing is lost.
  postgres_exec(postgres_server_url(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                                           later_name + "' AND pid <> pg_backend_pid()");
  REQUIRE(sink->write_batch({row("after-restart", now + 1000)}));
  rows = sink->query(all);
  REQUIRE(std::holds_alternative<json>(rows));
  CHECK(std::get<json>(rows).size() == 451);
  spend::spend_filter one;
  one.request_id = "after-restart";
  rows = sink->query(one);
  REQUIRE(std::holds_alternative<json>(rows));
  CHECK(std::get<json>(rows).size() == 1);

  // A batch the database refuses (a value too long for a column of an existing table is one way;
  // here: the table was dropped and replaced by an incompatible one) fails as a whole.
  postgres_exec(later_url, R"(DROP TABLE "LiteLLM_SpendLogs"; CREATE TABLE "LiteLLM_SpendLogs" ("request_id" TEXT PRIMARY KEY))");
  CHECK_FALSE(sink->write_batch({row("refused", now)}));
  CHECK(sink->last_error().find(secret) == std::string::npos);

  // Opened against that incompatible table, the store refuses to start: rows would be lost.
  auto refused = spend::postgres_sink::open(with_password(later_url));
  REQUIRE(std::holds_alternative<std::string>(refused));
  // Refused when creating the indexes (a missing column) or preparing the insert.
  INFO(std::get<std::string>(refused));
  CHECK(std::get<std::string>(refused).find("LiteLLM_SpendLogs") != std::string::npos);
  CHECK(std::get<std::string>(refused).find(secret) == std::string::npos);

  // A malformed URL is an error too, with the password hidden.
  auto malformed = spend::postgres_sink::open(std::string("postgresql://u:") + secret + "@[::1/x");
  REQUIRE(std::holds_alternative<std::string>(malformed));
  CHECK(std::get<std::string>(malformed).find(secret) == std::string::npos);
}

TEST_CASE("postgres: the store writes into a table LiteLLM created", "[.postgres]") {
  temp_database db;
  // LiteLLM's Prisma migration for LiteLLM_SpendLogs (its columns meshgate does not write keep
  // their defaults).
  postgres_exec(db.url(), R"sql(CREATE TABLE "LiteLLM_SpendLogs" (
    "request_id" TEXT NOT NULL, "call_type" TEXT NOT NULL, "api_key" TEXT NOT NULL DEFAULT '',
    "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0, "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "startTime" TIMESTAMP(3) NOT NULL, "endTime" TIMESTAMP(3) NOT NULL, "request_duration_ms" INTEGER,
    "completionStartTime" TIMESTAMP(3), "model" TEXT NOT NULL DEFAULT '', "model_id" TEXT DEFAULT '',
    "model_group" TEXT DEFAULT '', "custom_llm_provider" TEXT DEFAULT '', "api_base" TEXT DEFAULT '',
    "user" TEXT DEFAULT '', "metadata" JSONB DEFAULT '{}', "cache_hit" TEXT DEFAULT '', "cache_key" TEXT DEFAULT '',
    "request_tags" JSONB DEFAULT '[]', "team_id" TEXT, "end_user" TEXT, "requester_ip_address" TEXT,
    "messages" JSONB DEFAULT '{}', "response" JSONB DEFAULT '{}', "session_id" TEXT, "status" TEXT,
    "proxy_server_request" JSONB DEFAULT '{}',
    CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id"));
    INSERT INTO "LiteLLM_SpendLogs" ("request_id", "call_type", "startTime", "endTime", "model_id")
      VALUES ('from-litellm', 'acompletion', '2024-05-01 12:51:30.123', '2024-05-01 12:51:31', NULL))sql");
  auto opened = spend::postgres_sink::open(db.url());
  REQUIRE(std::holds_alternative<spend::postgres_sink::opened>(opened));
  auto& o = std::get<spend::postgres_sink::opened>(opened);
  CHECK(o.warning.empty());
  REQUIRE(o.sink->write_batch({row("from-meshgate", 1714567890123)}));
  auto rows = o.sink->query(spend::spend_filter{});
  REQUIRE(std::holds_alternative<json>(rows));
  const json& r = std::get<json>(rows);
  REQUIRE(r.size() == 2);
  // Same startTime: request_id descending breaks the tie.
  CHECK(r[0]["request_id"] == "from-meshgate");
  CHECK(r[0]["startTime"] == "2024-05-01T12:51:30.123Z");
  CHECK(r[0]["user"] == "alice");
  CHECK(r[1]["request_id"] == "from-litellm");
  CHECK(r[1]["startTime"] == "2024-05-01T12:51:30.123Z");
  CHECK(r[1]["completionStartTime"].is_null());
}

TEST_CASE("spend store down: requests are unaffected and the lost rows are counted", "[spend]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  // Nothing listens there: the gateway starts anyway (one warning) and every batch fails fast.
  const std::string url = "postgresql://meshgate:" + std::string(secret) + "@127.0.0.1:" +
                          std::to_string(closed_port()) + "/spend";
  spend::writer_options w;
  w.flush_interval = std::chrono::milliseconds(10);
  gateway_fixture gw(basic_config(up.base_url(), "  database_url: " + url + "\n"), {}, w);
  test_client c(gw.port());
  constexpr int n = 6;
  for (int i = 0; i < n; ++i) {
    auto res = chat(c, "alice", "down-" + std::to_string(i));
    REQUIRE(res.status == 200);
    CHECK(res.header("x-litellm-response-cost") == "0.00042");
  }
  // The writer reports each failed batch; wait (bounded) until all six are accounted for.
  std::string m;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    m = metrics_text(c);
    if (metric(m, "meshgate_spend_log_rows_failed_total") == n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(metric(m, "meshgate_spend_log_rows_failed_total") == n);
  CHECK(metric(m, "meshgate_spend_log_rows_written_total") == 0);
  CHECK(metric(m, "meshgate_spend_log_rows_queued") == 0);
  CHECK(m.find(secret) == std::string::npos);
  // Reading fails cleanly, without the password.
  auto logs = c.request("GET", "/spend/logs", auth_headers());
  CHECK(logs.status == 500);
  CHECK(logs.body.find("could not read the spend logs") != std::string::npos);
  CHECK(logs.body.find(secret) == std::string::npos);
  // Still serving.
  CHECK(chat(c, "alice", "down-after").status == 200);
}

TEST_CASE("spend store hanging: requests are unaffected and the queue stays within its bound", "[spend]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  spend::writer_options w;
  w.max_queued_rows = 3;
  w.batch_rows = 1;
  w.flush_interval = std::chrono::milliseconds(10);
  w.stop_timeout = std::chrono::milliseconds(100);
  std::optional<silent_server> pg(std::in_place);
  // The writer's first batch waits on a server that never answers (for up to connect_timeout).
  // No TLS or GSS attempt: libpq would otherwise retry a closed connection without them.
  const std::string url = "postgresql://meshgate@127.0.0.1:" + std::to_string(pg->port()) + "/spend?connect_timeout=60&sslmode=disable&gssencmode=disable";
  std::optional<gateway_fixture> gw(std::in_place, basic_config(up.base_url(), "  database_url: " + url + "\n"),
                                    std::map<std::string, std::string>{}, w);
  test_client c(gw->port());
  constexpr int n = 12;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) REQUIRE(chat(c, "alice", "hang-" + std::to_string(i)).status == 200);
  // Nothing waited for the store (it would have taken a minute).
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  const std::string m = metrics_text(c);
  // At most three rows held (one stuck in the writer, two waiting), the rest dropped and counted.
  CHECK(metric(m, "meshgate_spend_log_rows_queued") == 3);
  CHECK(metric(m, "meshgate_spend_log_rows_dropped_total") == n - 3);
  CHECK(metric(m, "meshgate_spend_log_rows_written_total") == 0);
  const auto s = gw->gw().state().spend->stats();
  CHECK(s.submitted == 3);
  CHECK(s.queued <= w.max_queued_rows);
  // The silent server goes away first, so the stuck batch fails at once and shutdown is quick.
  pg.reset();
  gw.reset();
}
