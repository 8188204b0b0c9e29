#pragma once
// A spend-log store as the gateway holds it: a sink the writer thread fills, plus the query
// behind GET /spend/logs. Implemented by sqlite_sink (the default, a local file) and
// postgres_sink (general_settings.database_url / DATABASE_URL).
#include <string>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/spend/query.hpp"
#include "meshgate/spend/sink.hpp"

namespace meshgate::spend {

class store : public sink {
 public:
  // The rows matching `f`, newest startTime first, at most f.limit, each shaped as
  // to_json(spend_row). A storage failure is a 500 api_error "could not read the spend logs"
  // (details in last_error()). Safe to call from any thread, concurrently with write_batch.
  virtual std::variant<core::json, core::api_error> query(const spend_filter& f) const = 0;

  // The most recent failure's message, for the log; empty if none yet. Never holds a password.
  virtual std::string last_error() const = 0;
};

}  // namespace meshgate::spend
