#pragma once
// The OpenAI chat and text-completion routes: the client's body goes upstream with surgical
// edits (product.md §3), and the upstream response comes back with `model` restamped.
//
// Contract: pure functions, no I/O; never throw except std::bad_alloc. Every client mistake is
// a 400 `api_error` naming the field, produced before anything is sent upstream.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "meshgate/config/config.hpp"
#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/core/json_scan.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

enum class openai_route { chat, completions };

// What the gateway learns from a client body, plus the body itself in one of two forms:
// - spliced (the common case: a plain JSON object without `extra_body`, repeated or escaped
//   keys): `raw` holds the client's text and `members` views its top-level members; `body`
//   stays null and build_upstream_body copies the text through, patching only the members it
//   edits. `raw` is heap-held so that the views survive moves of the request.
// - parsed: `body` holds the whole object (also how translators hand a body over), `raw` is null.
struct openai_request {
  core::json body;                          // parsed form (edited in place by build_upstream_body)
  std::shared_ptr<const std::string> raw;   // spliced form: the client's text ...
  std::vector<core::json_member> members;   // ... and its top-level members
  std::string model;             // the alias as the client sent it
  bool stream = false;
  bool client_wants_usage = false;          // stream_options.include_usage was true
  std::optional<double> timeout_s;          // per-request `timeout` (consumed)
  std::optional<int> num_retries;           // per-request `num_retries` (consumed)
  std::string user;                         // `user`, if a string
};

// Parses and validates a client body. Every failure is a 400 `invalid_request_error` whose
// `param` is the top-level field concerned (none for unparseable bodies); JSON null counts as
// absent for every optional field. In order:
// - valid JSON object, depth-checked: "Malformed JSON in request body: <where>",
//   "Request body must be a JSON object, got <type>";
// - `extra_body` (an object) is merged into the top level, its keys winning, as the OpenAI SDK
//   and LiteLLM do; everything below sees the merged body;
// - `api_base`, `base_url`, `api_key`, `api_version`, `custom_llm_provider`, `litellm_params`,
//   `azure_ad_token`, `aws_*`, `vertex_*`, `azure_*` at top level or in `extra_body` → 400
//   `"<key>" is not allowed in the request body: the upstream is fixed by the gateway's config`
//   (clients never choose the upstream or its credentials);
// - `model`: non-empty string (`"model" is required` / `must be a non-empty string`), unless
//   `path_model` (from /engines/{model}/...) is given, which then takes precedence;
// - chat: `messages` a non-empty array of objects; completions: `prompt` a string or an array;
// - `stream` boolean; `stream_options` object with a boolean `include_usage`;
// - `max_tokens`, `max_completion_tokens`: positive integers (12.0 accepted);
// - `tools[*]` of type function (or without a type) must have a `function` object with a
//   non-blank `description` → `tools[i] ("name"): function.description is required by
//   Tensormesh and must be non-empty`;
// - `timeout` a positive number of seconds (numeric strings accepted), `num_retries` a
//   non-negative integer.
// The body is taken by value: the spliced form keeps it (pass an rvalue to avoid a copy).
std::variant<openai_request, core::api_error> parse_openai_request(std::string body, openai_route route,
                                                                   std::string_view path_model = {});

// Applies the upstream edits and serialises the result (the parsed form is edited in place; the
// spliced form keeps the client's member order and bytes for every member it does not edit):
// - `model` ← deployment.upstream_model;
// - `max_completion_tokens` → `max_tokens` (an existing non-null `max_tokens` wins; the other is dropped);
// - LiteLLM-only keys consumed: metadata, tags, fallbacks, num_retries, mock_response, caching,
//   timeout, cache, guardrails, drop_params, additional_drop_params, mock_testing_fallbacks,
//   mock_timeout, mock_tool_calls, context_window_fallback_dict, content_policy_fallbacks,
//   disable_fallbacks, max_retries, input_cost_per_token, output_cost_per_token,
//   proxy_server_request, secret_fields, model_list, no-log, extra_headers (headers come from
//   the deployment only), and every key starting with `litellm_` or `user_api_key`;
// - streaming: `stream_options.include_usage` forced true (the client's other stream_options
//   kept); not streaming: `stream_options` dropped (vLLM rejects it without `stream: true`).
// Everything else (chat_template_kwargs, top_k, ...) passes through untouched.
std::string build_upstream_body(openai_request& req, const config::deployment& d);

// A successful non-streaming upstream body → the body for the client: `model` set to `alias`
// (added if absent), everything else kept byte for byte (a body with repeated or escaped
// top-level keys is re-serialised instead). Resets `usage_out`, then fills it from `usage` if
// present. A body that is not a JSON object, or lacks a `choices` array, is an upstream failure:
// 502 `api_error` "upstream returned an invalid response: <short reason>" (an upstream
// `error.message` under the 2xx is quoted, clipped to 200 bytes).
std::variant<std::string, core::api_error> restamp_response(std::string_view upstream_body, std::string_view alias,
                                                            usage::token_usage& usage_out);

}  // namespace meshgate::translate
