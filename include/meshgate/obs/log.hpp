#pragma once
// Logging: spdlog to stderr, plain text or one JSON object per line
// (litellm_settings.json_logs). One access line per request; nothing on the hot path beyond it.
//
// Redaction rule: no function here is ever given a credential. Callers log key *hashes*
// (auth::authenticator::hash_for_logs, first 12 hex chars) and never headers wholesale.
#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::obs {

void init_logging(bool json, bool debug);

// General messages. In JSON mode each becomes {"time","level","message"}; use these rather than
// spdlog directly so that every line stays valid JSON.
void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);
bool debug_enabled();

struct access_record {
  std::string_view call_id;
  std::string_view method;
  std::string_view route;  // the request path without the query string
  std::string_view model;  // alias, may be empty
  int status = 0;
  double duration_ms = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  double cost = 0;
  bool stream = false;
  std::string_view error;  // short reason for failures, empty on success
};

void log_access(const access_record& r);

}  // namespace meshgate::obs
