#pragma once
// One spend-log row per request (LiteLLM's `LiteLLM_SpendLogs`, litellm-reference §12), and its
// JSON form as GET /spend/logs returns it.
//
// Times are Unix epoch milliseconds (UTC) in the struct — cheap to take on the request path —
// and ISO-8601 UTC text with milliseconds ("2024-05-01T12:51:30.123Z") in storage and JSON.
//
// Contract: pure, never throws except std::bad_alloc.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "meshgate/core/json.hpp"

namespace meshgate::spend {

struct spend_row {
  std::string request_id;   // upstream response id (chatcmpl-…), else the x-litellm-call-id
  std::string call_type;    // acompletion | atext_completion | aresponses | anthropic_messages
  std::string api_key;      // SHA-256 hex of the caller's key (auth::authenticator::hash_for_logs), never the key
  double spend = 0;         // USD; 0 when unpriced. Stored as 0 if not finite.
  std::int64_t total_tokens = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t start_time_ms = 0;                        // request received
  std::int64_t end_time_ms = 0;                          // response finished (or failed)
  std::optional<std::int64_t> completion_start_time_ms;  // first token / first response byte
  std::string model;                // the model as sent upstream ("openai/gpt-oss-120b")
  std::string model_id;             // deployment model_info.id
  std::string model_group;          // the alias the client asked for
  std::string api_base;             // upstream base URL
  std::string user;                 // the request's OpenAI `user`, else ""
  std::string status = "success";   // "success" | "failure"
  std::string custom_llm_provider;  // "tensormesh"
};

// Milliseconds since the Unix epoch.
std::int64_t epoch_ms(std::chrono::system_clock::time_point t);

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (always 24 characters, so the text sorts like the time). Values
// outside 1970-01-01 … 9999-12-31T23:59:59.999 are clamped to that range.
std::string iso8601_ms(std::int64_t epoch_ms);

// The row as GET /spend/logs returns it: request_id, call_type, api_key, spend, total_tokens,
// prompt_tokens, completion_tokens, startTime, endTime, completionStartTime (null when unset),
// request_duration_ms (end − start), model, model_id, model_group, api_base, user, status,
// custom_llm_provider. Times as iso8601_ms; spend 0 if not finite.
core::json to_json(const spend_row& row);

}  // namespace meshgate::spend
