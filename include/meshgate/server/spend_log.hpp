#pragma once
// The spend log as the gateway uses it: one row per proxied request (success or failure),
// handed to a bounded background writer so that the request path never waits on storage, and
// read back by GET /spend/logs (product.md §7).
//
// Thread-safety: record() and query() may be called from any worker.
#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "meshgate/config/config.hpp"
#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/server/request_context.hpp"
#include "meshgate/spend/store.hpp"
#include "meshgate/spend/writer.hpp"

namespace meshgate::server {

class spend_log {
 public:
  // The store: PostgreSQL when general_settings.database_url (already defaulted to the
  // DATABASE_URL environment variable by the config loader) is a postgresql:// or postgres://
  // URL, else the SQLite file general_settings.spend_logs_path. nullptr with `error` set when the
  // store cannot be opened (a bad URL or SQLite path, an incompatible existing table); an
  // unreachable PostgreSQL server is one logged warning (password redacted), not an error.
  // nullptr with `error` empty when general_settings.disable_spend_logs is true.
  static std::unique_ptr<spend_log> open(const config::config& cfg, std::string& error,
                                         spend::writer_options options = {});

  // Queues the row for `ctx` (never blocks; dropped and counted when the queue is full).
  void record(const request_context& ctx);

  // GET /spend/logs: filters from the query string (api_key, request_id, start_date, end_date).
  std::variant<core::json, core::api_error> query(std::string_view target) const;

  bool flush_and_stop(std::chrono::milliseconds timeout) { return writer_->flush_and_stop(timeout); }
  spend::writer_stats stats() const { return writer_->stats(); }

 private:
  std::shared_ptr<spend::store> sink_;
  std::unique_ptr<spend::spend_writer> writer_;
};

}  // namespace meshgate::server
