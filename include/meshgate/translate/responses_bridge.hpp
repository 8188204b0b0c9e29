#pragma once
// The Responses → chat completions bridge, for upstreams without /responses
// (litellm-reference §9.2): the request mapped to a chat body, a non-streaming chat answer mapped
// back to a Responses object, and the item builders the streaming translator
// (responses_bridge_stream.hpp) shares.
//
// Contract: pure functions, no I/O; never throw except std::bad_alloc; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/translate/responses_request.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

struct bridge_request {
  std::string chat_body;         // the body for `{api_base}/chat/completions`
  core::json turn_messages;      // chat messages made from this request's `input` (array): what
                                 // the turn adds to a conversation, before the answer
  core::json response_template;  // the Responses fields echoed from the request (see below)
};

// Responses `input` → chat messages:
//   - a string → one user message;
//   - `message` items (or items with a `role` and no `type`): role user/assistant/system, and
//     developer → system; content a string or parts: input_text/output_text/text → text,
//     refusal → its text, input_image (with `image_url`) → image_url part; all-text content
//     becomes one string (parts joined with "\n", assistant parts with "");
//   - `function_call` → an assistant `tool_calls` entry `{id: call_id, type: function,
//     function: {name, arguments}}` (an object `arguments` is serialised, missing → "{}");
//   - `function_call_output` → `{role: tool, tool_call_id: call_id, content: output}` (parts
//     as for messages, other JSON serialised);
//   - `reasoning` → its `content` texts (else its `summary` texts) as `reasoning_content` of the
//     next assistant message;
//   - consecutive assistant material (message, function_call, reasoning) becomes ONE assistant
//     message, so a tool-calling turn is always assistant(tool_calls) → tool messages;
//   - anything else (item_reference, input_file, unknown types, missing call_id/name) → 400
//     naming `input[i]` (param `input`).
// Anything but a string or an array gives no messages.
std::variant<core::json, core::api_error> chat_messages_from_input(const core::json& input);

// Maps a parsed Responses request (parse_responses_request) to a chat completions body:
// - messages = [system: `instructions`] (when a non-empty string) + `prior_messages` (the
//   conversation of `previous_response_id`, conversation_store::messages_of; an array, anything
//   else counts as empty) + chat_messages_from_input(`input`);
// - `tools`: flat function tools → `{"type":"function","function":{name, description,
//   parameters, strict}}` (chat-shaped ones kept), `web_search*` → `web_search_options`
//   (search_context_size, user_location kept), other tool types dropped (chat cannot express
//   them); no tools left → no `tools` and no `tool_choice`;
// - `tool_choice`: strings kept; {"type":"auto"|"none"} → the string; {"type":"required"|"any"|
//   "tool"} → "required"; {"type":"function","name":X} → {"type":"function","function":{"name":X}};
//   a chat-shaped choice kept; others dropped;
// - `max_output_tokens` → `max_tokens`; `text.format` json_schema → `response_format`
//   {"type":"json_schema","json_schema":{name (default "response"), schema, strict,
//   description}}, json_object → {"type":"json_object"}, text → nothing; `reasoning.effort` (a
//   string) → `reasoning_effort` (`summary` has no chat equivalent and is dropped);
// - streaming → `stream_options: {"include_usage": true}`;
// - dropped: Responses-only keys (input, instructions, previous_response_id, store, include,
//   truncation, background, service_tier, prompt, prompt_cache_key, safety_identifier,
//   conversation, max_tool_calls, top_logprobs, stream_options, metadata) and the gateway-only
//   keys; everything else (temperature, top_p, user, parallel_tool_calls, vLLM extras such as
//   chat_template_kwargs) passes through; `model` ← `upstream_model`.
// `response_template`: {object: "response", instructions, max_output_tokens, metadata ({}),
// parallel_tool_calls (true), previous_response_id, reasoning ({effort: null, summary: null}),
// store, temperature, text ({format: {type: text}}), tool_choice ("auto"), tools ([]), top_p,
// truncation ("disabled"), user, error: null, incomplete_details: null, output: [],
// usage: null} — request values where given (null when absent unless a default is shown).
std::variant<bridge_request, core::api_error> build_bridge_request(const responses_request& req,
                                                                   std::string_view upstream_model,
                                                                   const core::json& prior_messages);

// A copy of `response_template` with `id`, `model` = alias, `created_at` and `status` set.
core::json bridge_response_object(const core::json& response_template, std::string_view response_id,
                                  std::string_view alias, std::int64_t created_at, std::string_view status);

// Output items as the bridge emits them (ids are the caller's: "rs_…", "msg_…", "fc_…").
core::json reasoning_item(std::string_view id, std::string_view text);  // summary: [summary_text] ([] for "")
core::json message_item(std::string_view id, std::string_view text, std::string_view status);  // one output_text part
core::json empty_message_item(std::string_view id);  // status in_progress, content []
core::json function_call_item(std::string_view id, std::string_view call_id, std::string_view name,
                              std::string_view arguments, std::string_view status);

// Sets `status` and `incomplete_details` of a finished response from the chat finish_reason:
// "length" → incomplete / {reason: max_output_tokens}, "content_filter" → incomplete /
// {reason: content_filter}, anything else (stop, tool_calls, none) → completed / null.
void apply_finish_reason(core::json& response, std::string_view finish_reason);

// The chat assistant message an answer adds to a conversation: content (null when empty and
// there are tool calls), `reasoning_content` when non-empty, `tool_calls` (a chat-shaped array)
// when non-empty.
core::json assistant_chat_message(std::string_view text, std::string_view reasoning, const core::json& tool_calls);

struct bridge_result {
  std::string body;              // the Responses object for the client
  core::json assistant_message;  // assistant_chat_message of the answer, for conversation_store
};

// A successful non-streaming chat completions body → the Responses object (§9.2): `id` =
// response_id, `model` = alias, `created_at` = the chat `created` (or now), output items in
// order: reasoning (when the message has reasoning_content/reasoning), message (when it has text,
// or when there is nothing else, so `output` is never empty), one function_call per tool call
// (`call_id` = the tool call id, or a new "call_…" id when missing); status per
// apply_finish_reason; `usage` = the chat usage normalised (normalise_responses_usage), null when
// absent. Only choice 0 is used. Resets `usage_out`, then fills it. A body that is not a JSON
// object with a `choices` array is a 502 `api_error` "upstream returned an invalid response: …".
std::variant<bridge_result, core::api_error> bridge_response(std::string_view chat_body,
                                                             const core::json& response_template,
                                                             std::string_view response_id, std::string_view alias,
                                                             usage::token_usage& usage_out);

}  // namespace meshgate::translate
