#pragma once
// The PostgreSQL spend-log store: table "LiteLLM_SpendLogs" with the column names and types of
// LiteLLM's Prisma schema, so an existing LiteLLM database keeps working (product.md §7).
//
// Schema (created if missing; LiteLLM's extra columns, if present, keep their defaults):
//   "request_id" TEXT PRIMARY KEY, "call_type", "api_key" TEXT, "spend" DOUBLE PRECISION,
//   "total_tokens", "prompt_tokens", "completion_tokens" INTEGER, "startTime", "endTime"
//   TIMESTAMP(3) (UTC), "request_duration_ms" INTEGER, "completionStartTime" TIMESTAMP(3) NULL,
//   "model", "model_id", "model_group", "custom_llm_provider", "api_base", "user", "status" TEXT.
//   Indexes: LiteLLM_SpendLogs_startTime_idx, LiteLLM_SpendLogs_api_key_idx (api_key, startTime).
// Every statement is fixed SQL text with bound parameters.
// A batch is one transaction: the rows are sent pipelined (one round trip per 200 rows) to a
// prepared INSERT … ON CONFLICT ("request_id") DO NOTHING, so a row already stored is skipped.
// Token counts beyond the INTEGER range are stored as its maximum.
//
// Availability: the database may be down at start or go away later. open() tries once and
// reports a failure as a warning, not an error; every later batch reconnects if needed. A batch
// whose connection turns out to be dead is retried once on a fresh connection (nothing of it was
// committed, and the INSERT skips duplicates). A batch that still fails is returned as failed (the
// writer counts its rows); the first failure of an outage is logged as one warning, and the
// recovery as one info line. Connections use connect_timeout=5 and TCP keepalives unless the URL
// sets its own. The password never appears in a log line or in last_error().
//
// Thread-safety: write_batch and query may be called concurrently from any threads; they use
// two connections, each behind its own mutex.
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "meshgate/spend/store.hpp"

struct pg_conn;  // libpq's PGconn

namespace meshgate::spend {

class postgres_sink final : public store {
 public:
  struct opened {
    std::shared_ptr<postgres_sink> sink;
    std::string warning;  // set when the database could not be reached or set up yet
  };

  // `url` is a libpq connection URI (postgresql://user:pass@host:port/db?param=…). Errors (with
  // the URL's password redacted): libpq cannot parse it; the database answered but the existing
  // table does not fit or cannot be created (wrong columns, no permission). An unreachable
  // server is only a warning. Never throws except std::bad_alloc.
  static std::variant<opened, std::string> open(const std::string& url);

  ~postgres_sink() override;
  postgres_sink(const postgres_sink&) = delete;
  postgres_sink& operator=(const postgres_sink&) = delete;

  bool write_batch(const std::vector<spend_row>& rows) override;
  // A missing table (nothing written yet) is an empty result, not an error.
  std::variant<core::json, core::api_error> query(const spend_filter& f) const override;
  std::string last_error() const override;

  // The URL as it may be logged (password replaced by ***).
  const std::string& display_url() const { return display_url_; }

 private:
  postgres_sink() = default;
  struct failure;
  failure connect_writer();
  bool insert(const std::vector<spend_row>& rows, std::string& error);
  void note_error(std::string message) const;
  std::string scrub(std::string message) const;

  std::string url_;
  std::string display_url_;
  std::string password_;

  ::pg_conn* write_conn_ = nullptr;  // connected, table set up, INSERT prepared
  std::mutex write_mu_;
  bool outage_logged_ = false;  // under write_mu_

  mutable ::pg_conn* read_conn_ = nullptr;
  mutable std::mutex read_mu_;

  mutable std::mutex error_mu_;
  mutable std::string last_error_;
};

}  // namespace meshgate::spend
