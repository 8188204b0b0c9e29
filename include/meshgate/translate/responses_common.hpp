#pragma once
// Pieces shared by the Responses API routes (litellm-reference §6, §9): usage normalisation,
// Responses object and item ids, the `event: <type>` framing, and the in-band error shape.
//
// Contract: pure, no I/O, never throws except std::bad_alloc; thread-safe (no shared state).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

// Turns `usage` (an object, edited in place) into a Responses usage object (§6):
// - `input_tokens` / `output_tokens` ← chat-style `prompt_tokens` / `completion_tokens` when those
//   hold a usable count (the chat spelling wins when both exist, as in usage::from_json);
// - `total_tokens` kept when it is a usable count, else the sum of the two when either is known;
// - `input_tokens_details.cached_tokens` and `output_tokens_details.reasoning_tokens` always set,
//   to the reported count or 0 when missing/null; `audio_tokens`/`text_tokens` copied from
//   `prompt_tokens_details`/`completion_tokens_details` when those carry them; other keys of the
//   existing details objects are kept;
// - the chat-style keys (`prompt_tokens`, `completion_tokens`, `*_tokens_details`) are removed;
//   any other key (e.g. `cost`) is kept.
// Returns the counts as reported (unset stays unset). A non-object is left alone (all-unset).
usage::token_usage normalise_responses_usage(core::json& usage);

// `prefix` followed by 32 random lower-case hex digits: "resp_…", "msg_…", "fc_…", "rs_…",
// "call_…". Thread-safe.
std::string new_object_id(std::string_view prefix);

// One downstream Responses SSE frame: `event: <type>\ndata: <json>\n\n`, where <type> is the
// event's `type` member (the frame has no `event:` line if it has none).
void append_responses_frame(std::string& out, const core::json& event);

// The OpenAI `error.code` string for an HTTP status, as `response.failed` carries it:
// 429 rate_limit_exceeded, 400-499 invalid_request_error, anything else server_error.
std::string_view responses_error_code(int status);

// An upstream event that reports an error instead of a stream item: `{"error":…}` without
// `choices`/`type`, or a Responses `{"type":"error",…}` event. nullopt for anything else,
// including data that is not JSON. `status` is the error's numeric `code` when it is 400-599
// (also as a string), else 500; `message` its message (or a generic text); `type` its `type`
// when it is a string, else api_error / invalid_request_error by status.
std::optional<core::api_error> stream_error_of(const core::json& event);

}  // namespace meshgate::translate
