#pragma once
// Anthropic Messages request (POST /v1/messages, /v1/messages/count_tokens) → the OpenAI chat
// completions body sent to Tensormesh (litellm-reference.md §8.1, §8.2; product.md §5).
//
// The result is an `openai_request` so the gateway reuses the chat route's last step:
// `build_upstream_body(r.chat, deployment)` sets `model` to the deployment's upstream model,
// consumes LiteLLM-only keys (`timeout`, `num_retries`, `litellm_*`, …) and keeps
// `stream_options.include_usage` on when streaming. `chat.body` has no `model` key until then.
//
// Validation — every failure is a 400 `invalid_request_error` whose message names the field
// (nested fields by their path, e.g. `"messages[1].content[0].tool_use_id" is required`) and
// whose `param` is the top-level field concerned. JSON null counts as absent. In order:
// - valid JSON object, depth-checked ("Malformed JSON in request body: …", "Request body must
//   be a JSON object, got <type>");
// - `extra_body` (an object) is merged into the top level, its keys winning (SDK habit);
// - `api_base`, `base_url`, `api_key`, `api_version`, `custom_llm_provider`, `litellm_params`,
//   `azure_ad_token`, `aws_*`, `vertex_*`, `azure_*` (top level or in `extra_body`) →
//   `"<key>" is not allowed in the request body: the upstream is fixed by the gateway's config`;
// - `model` non-empty string; `messages` non-empty array of objects, each with `role` "user" or
//   "assistant" and `content` a string or an array of objects. count_tokens words the two
//   "required" errors as LiteLLM does: "model parameter is required", "messages parameter is
//   required";
// - `max_tokens` a positive integer (12.0 accepted), REQUIRED on /v1/messages, optional on
//   count_tokens;
// - `stream` boolean; `system` string or array; `temperature`, `top_p` numbers; `top_k` an
//   integer; `stop_sequences` an array of strings; `metadata` an object whose `user_id` is a
//   string; `tools` an array of objects; `tool_choice` an object whose `type` is auto, any, none
//   or tool (tool: with a string `name`); `thinking` an object whose `type` is enabled, adaptive
//   or disabled, `budget_tokens` an integer; `timeout` a positive number of seconds (numeric
//   strings accepted); `num_retries` a non-negative integer.
//
// Mapping (anything not listed is copied through unchanged):
// - `system`: string → first message {"role":"system","content":s} (omitted when empty); list →
//   system message whose content is the list of its text blocks as {"type":"text","text"}
//   parts (other blocks dropped; omitted when no text block).
// - user message: string → {"role":"user","content":s}. Blocks: `text` → text part; `image`
//   (source base64 → "data:<media_type>;base64,<data>", url → the url) → {"type":"image_url",
//   "image_url":{"url"}}; `document` base64/url → image_url part likewise (media_type default
//   application/pdf), text source → text part, content source → its text blocks as text parts;
//   any other source type → 400. `tool_result` → a {"role":"tool","tool_call_id":<tool_use_id>,
//   "content":…} message emitted BEFORE the user message of that turn; content: missing → "",
//   string → itself, one text/image item → its text / image URL string, several → list of
//   text/image_url parts; `is_error` cannot be expressed in chat, so the result is forwarded as
//   the plain text it carries. The user message itself is emitted only if parts remain (an
//   empty block list gives content ""). Other block types (thinking, server-tool results, …)
//   are dropped.
// - assistant message: string → as is. Blocks: text blocks concatenated into `content` (null
//   when there is none but there are tool calls, "" when there is neither); `tool_use` →
//   tool_calls [{"id","type":"function","function":{"name","arguments":<compact JSON of input,
//   "{}" when absent>}}]; thinking/redacted_thinking and other blocks dropped (meaningless to
//   Tensormesh).
// - `tools[]` {name, description, input_schema} → {"type":"function","function":{"name",
//   "description","parameters":input_schema}}. Tensormesh rejects function tools without a
//   description, so a missing or blank description becomes the tool's name. A missing
//   input_schema becomes {"type":"object","properties":{}}. Keys other than name/description/
//   input_schema (cache_control, strict, …) are dropped, not merged into the schema. Anthropic
//   hosted tools (a `type` other than "custom", e.g. web_search_20250305, bash_20250124) cannot
//   run on Tensormesh and are dropped; when no tool remains, `tools` and `tool_choice` are
//   omitted.
// - `tool_choice` auto/any/none/tool → "auto" / "required" / "none" /
//   {"type":"function","function":{"name"}}; `disable_parallel_tool_use: true` →
//   `parallel_tool_calls: false`.
// - `stop_sequences` → `stop`; `metadata.user_id` → `user` (and `chat.user`); other metadata
//   dropped. `max_tokens`, `temperature`, `top_p`, `top_k` kept.
// - `thinking` {type: enabled, budget_tokens: B} → `reasoning_effort`. Tensormesh/vLLM accept
//   only low|medium|high, so LiteLLM's table is folded onto those: B < 2048 (including ≤ 0 and
//   the sub-1024 "minimal" bucket) → "low", 2048–4095 → "medium", ≥ 4096 (LiteLLM's high,
//   xhigh and max) → "high"; without budget_tokens, and for `adaptive` → "medium"; `disabled`
//   → nothing. A `reasoning_effort` the client set itself wins.
// - `output_config` / `output_format`: a {type: json_schema, schema} format → `response_format`
//   {"type":"json_schema","json_schema":{"name":"structured_output","schema","strict":true}}
//   (schema as sent); `output_config.effort` low/medium/high (max, xhigh → high) →
//   `reasoning_effort` unless already set. Both keys are then removed.
// - `stream: true` → `stream: true` + `stream_options: {"include_usage": true}`; otherwise any
//   `stream_options` is removed.
// - Dropped because they would confuse vLLM: `anthropic_version`, `container`, `mcp_servers`,
//   `service_tier`, `context_management` (sent by Claude Code; Anthropic-side context editing
//   that nothing upstream can honour). `cache_control` markers disappear everywhere (blocks and
//   tools are rebuilt).
//
// Contract: pure, no I/O, never throws except std::bad_alloc. Thread-safe (no shared state).
#include <cstdint>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/translate/chat_passthrough.hpp"

namespace meshgate::translate {

enum class anthropic_route { messages, count_tokens };

struct anthropic_request {
  // body: the chat body (no "model"); model: the alias; stream; user: metadata.user_id;
  // timeout_s, num_retries: LiteLLM's per-request controls. client_wants_usage stays false
  // (usage always reaches an Anthropic client through message_delta).
  openai_request chat;
  std::int64_t max_tokens = 0;  // 0 when absent (count_tokens only)
};

std::variant<anthropic_request, core::api_error> parse_anthropic_request(
    std::string_view body, anthropic_route route = anthropic_route::messages);

// Same, for a body already parsed (consumed).
std::variant<anthropic_request, core::api_error> translate_anthropic_request(core::json body,
                                                                             anthropic_route route);

}  // namespace meshgate::translate
