#pragma once
// POST /v1/responses: what the gateway learns from the client body, and the body sent to an
// upstream that serves /responses natively (litellm-reference §9.1; product.md §3).
//
// Contract: pure functions, no I/O; never throw except std::bad_alloc. Every client mistake is
// a 400 `api_error` (invalid_request_error) naming the field, produced before anything is sent
// upstream.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"

namespace meshgate::translate {

struct responses_request {
  core::json body;                                 // the parsed object (edited by build_native_body)
  std::string model;                               // the alias as the client sent it
  bool stream = false;
  bool store = true;                               // `store` (OpenAI default true)
  std::optional<std::string> previous_response_id;  // as the client sent it (an opaque meshgate id)
  std::optional<double> timeout_s;                 // per-request `timeout` (consumed)
  std::optional<int> num_retries;                  // per-request `num_retries` (consumed)
  std::string user;                                // `user`, if a string
};

// Parses and validates a client body. Every failure is a 400 whose `param` is the top-level
// field concerned (none for unparseable bodies); JSON null counts as absent for every optional
// field. In order:
// - valid JSON object, depth-checked: "Malformed JSON in request body: <where>",
//   "Request body must be a JSON object, got <type>";
// - `extra_body` (an object) merged into the top level, its keys winning (as chat does);
// - `api_base`, `base_url`, `api_key`, `api_version`, `custom_llm_provider`, `litellm_params`,
//   `azure_ad_token`, `aws_*`, `vertex_*`, `azure_*` at top level or in `extra_body` → 400
//   `"<key>" is not allowed in the request body: the upstream is fixed by the gateway's config`;
// - `model`: non-empty string; `input`: required, a string or an array whose elements are
//   objects (`input[i] must be an object`);
// - `stream`, `store`: booleans; `previous_response_id`: non-empty string; `instructions`: string;
//   `max_output_tokens`: positive integer (12.0 accepted); `text`, `reasoning`, `metadata`: objects;
//   `tool_choice`: string or object;
// - `tools`: array of objects; a `function` tool needs a string `name` and a non-blank
//   `description` (`tools[i] ("name"): description is required by Tensormesh and must be
//   non-empty`);
// - `timeout` a positive number of seconds (numeric strings accepted), `num_retries` a
//   non-negative integer.
std::variant<responses_request, core::api_error> parse_responses_request(std::string_view body);

// The body for `{api_base}/responses`, built by editing `req.body` in place (calling it again,
// e.g. for a retry on another deployment, is fine):
// - `model` ← `upstream_model`;
// - `previous_response_id` ← `upstream_previous_response_id` when that is non-empty (the caller
//   decodes the client's opaque id first, see responses_id.hpp); otherwise left as sent;
// - LiteLLM-only keys consumed, as on the chat route (is_gateway_only_key, request_fields.hpp:
//   tags, fallbacks, num_retries, mock_response, caching, timeout, …, `litellm_*`,
//   `user_api_key*`, extra_headers), except `metadata`, which is a Responses API field and
//   passes through;
// - everything else (input, instructions, tools, text, reasoning, stream, store, vLLM extras)
//   passes through untouched.
std::string build_native_body(responses_request& req, std::string_view upstream_model,
                              std::string_view upstream_previous_response_id = {});

}  // namespace meshgate::translate
