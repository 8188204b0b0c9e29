#pragma once
// OpenAI chat completion (Tensormesh) → Anthropic Messages response (litellm-reference.md §8.3),
// plus the small mappings the streaming translator (anthropic_stream.hpp) shares with it, so a
// streamed answer assembles to exactly the non-streamed one.
//
// Response shape, field order as Anthropic sends it:
//   {"id":<chat id, else "msg_<32 hex>">,"type":"message","role":"assistant","model":<alias>,
//    "content":[…],"stop_reason":…,"stop_sequence":…,"usage":{…}}
// `content` of choices[0] (other choices are not representable and are ignored), in order:
// - {"type":"thinking","thinking":<reasoning_content, else reasoning>,"signature":""} when that
//   text is non-empty. The signature is "" rather than LiteLLM's null: Anthropic's schema types
//   it as a string, and the stream's content_block_start carries "" too;
// - {"type":"text","text":<content>} when content is a non-empty string;
// - one {"type":"tool_use","id","name","input"} per tool call: id via anthropic_tool_id, name as
//   sent ("" if missing), input via anthropic_tool_input.
//
// Contract: pure, no I/O, never throws except std::bad_alloc. Thread-safe (no shared state).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

// stop_reason/stop_sequence for a choice's `finish_reason` and vLLM's `stop_reason` field:
//   "stop" with a string vLLM stop_reason (the stop string that matched, i.e. one of the
//   client's stop_sequences) → "stop_sequence" + that string (what Anthropic itself answers;
//   LiteLLM reports end_turn and null here);
//   "stop" otherwise → "end_turn"; "length" → "max_tokens"; "tool_calls"/"function_call" →
//   "tool_use"; "content_filter" → "refusal" (Anthropic's reason for a response stopped by a
//   safety filter); anything else, missing or null → "end_turn".
struct anthropic_stop {
  std::string reason;
  std::optional<std::string> sequence;  // null on the wire when unset
};
anthropic_stop anthropic_stop_for(const core::json& finish_reason, const core::json& vllm_stop_reason);

// Anthropic tool ids must match ^[a-zA-Z0-9_-]+$: every other byte becomes '_'. An empty id
// becomes a fresh "toolu_<32 hex>".
std::string anthropic_tool_id(std::string_view chat_tool_call_id);

// Tool-call `arguments` → the tool_use `input` object, key order kept. Empty or blank → {}.
// Text that is not a JSON object (invalid, truncated, or another JSON type) is kept rather than
// failing the whole response: {"_raw_arguments": "<arguments as received>"}.
nlohmann::ordered_json anthropic_tool_input(std::string_view arguments);

// Anthropic usage from upstream usage: input_tokens = max(prompt − cached, 0), output_tokens =
// completion (unknown counts are 0), cache_read_input_tokens = cached, present only when > 0
// (cache creation is never reported by vLLM).
nlohmann::json anthropic_usage(const usage::token_usage& u);

// A successful non-streaming upstream body → the Anthropic response body, `model` set to
// `alias`. Resets `usage_out`, then fills it from the upstream `usage` (for pricing and logs).
// A body that is not a JSON object, lacks a `choices` array, has no choices, or whose first
// choice is not an object is an upstream failure: 502 `api_error` "upstream returned an invalid
// response: <short reason>" (an upstream `error.message` under the 2xx is quoted, clipped to 200
// bytes).
std::variant<std::string, core::api_error> chat_to_anthropic_response(std::string_view upstream_body,
                                                                      std::string_view alias,
                                                                      usage::token_usage& usage_out);

}  // namespace meshgate::translate
