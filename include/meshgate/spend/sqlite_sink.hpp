#pragma once
// The embedded spend-log store: table `LiteLLM_SpendLogs` in a SQLite file (product.md §7).
//
// Schema (created if missing; an existing table must have at least these columns):
//   request_id TEXT PRIMARY KEY, call_type, api_key, spend REAL, total_tokens, prompt_tokens,
//   completion_tokens INTEGER, startTime, endTime TEXT (row.hpp's iso8601_ms), completionStartTime
//   TEXT NULL, request_duration_ms INTEGER, model, model_id, model_group, api_base, user, status,
//   custom_llm_provider TEXT.
//   Indexes: LiteLLM_SpendLogs_startTime_idx (startTime), LiteLLM_SpendLogs_api_key_idx
//   (api_key, startTime).
// WAL journal, synchronous=NORMAL (a power cut may lose the last batches, never corrupt the
// file), 5 s busy timeout. Every statement is fixed SQL text with bound parameters.
// A row whose request_id is already stored is skipped (LiteLLM's skip_duplicates); the rest of
// its batch is stored.
//
// Thread-safety: write_batch and query may be called concurrently from any threads. They use two
// connections, so a query never waits for a batch being written (WAL readers do not block the
// writer) and vice versa.
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/spend/query.hpp"
#include "meshgate/spend/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace meshgate::spend {

class sqlite_sink final : public store {
 public:
  // Opens (creating the file, table and indexes if needed) the database at `path`. Errors, as
  // "<path>: <what>": the file cannot be opened or created, it is not a database, the existing
  // table lacks a column, "", ":memory:" or a "file:" URI (the store must be a file two
  // connections can share).
  // Never throws except std::bad_alloc.
  static std::variant<std::shared_ptr<sqlite_sink>, std::string> open(const std::string& path);

  ~sqlite_sink() override;
  sqlite_sink(const sqlite_sink&) = delete;
  sqlite_sink& operator=(const sqlite_sink&) = delete;

  // One transaction (BEGIN IMMEDIATE … COMMIT); on any error it is rolled back, last_error() says
  // why and false is returned. An empty batch is a success.
  bool write_batch(const std::vector<spend_row>& rows) override;

  // The rows matching `f`, newest startTime first, at most f.limit, each shaped as
  // to_json(spend_row). A database failure is a 500 api_error "could not read the spend logs"
  // (details in last_error()).
  std::variant<core::json, core::api_error> query(const spend_filter& f) const override;

  // The most recent failure's SQLite message, for the log; empty if none yet.
  std::string last_error() const override;

 private:
  sqlite_sink() = default;
  void note_error(std::string message) const;

  sqlite3* write_db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;        // one row
  sqlite3_stmt* insert_group_ = nullptr;  // rows_per_insert rows (sqlite_sink.cpp)
  sqlite3* read_db_ = nullptr;
  std::mutex write_mu_;
  mutable std::mutex read_mu_;
  mutable std::mutex error_mu_;
  mutable std::string last_error_;
};

}  // namespace meshgate::spend
