#pragma once
// Reading and checking a client's request body: the pieces every route that accepts one
// (chat/completions, /v1/responses, /v1/messages) uses, kept in one place so that the same
// mistake gets the same words, and the same refusal, on every route.
//
// Contract: pure functions, no I/O, no shared state; never throw except std::bad_alloc. Every
// error is a 400 `invalid_request_error` `api_error` (core::bad_request).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"

namespace meshgate::translate {

// `"<name>"`, as field names appear in error messages.
std::string in_quotes(std::string_view name);

// `"<field>" <what>` with `param` = field, e.g. `"stream" must be a boolean`.
core::api_error field_error(std::string_view field, std::string_view what);
// `"<path>" <what>` for a nested field, with `param` the top-level field it sits in, e.g.
// `"messages[1].content" is required` with param `messages`.
core::api_error field_error(std::string_view path, std::string_view what, std::string_view param);

// The member `key` of `object`, or nullptr when it is absent or JSON null (every OpenAI SDK sends
// the two interchangeably; neither is a type error) or when `object` is not an object.
const core::json* present(const core::json& object, std::string_view key);

// A whole number as clients send one: a JSON integer within int64, or a float without a
// fraction (Python clients serialise 12 as 12.0; vLLM accepts that, so the gateway does too)
// below 9e18 in magnitude. nullopt for anything else, including strings and booleans.
std::optional<std::int64_t> integral(const core::json& v);

// A positive, finite number of seconds: a JSON number, or a string that is a number and
// nothing else ("30", "2.5"; LiteLLM accepts both). nullopt otherwise, including 0.
std::optional<double> seconds(const core::json& v);

// True when `v` is a string holding a character other than ASCII white space
// (space, \t, \n, \r, \f, \v). False for every non-string.
bool has_visible_text(const core::json& v);

// Keys that would let a client choose the upstream or its credentials (SSRF, key exfiltration):
// api_base, base_url, api_key, api_version, custom_llm_provider, litellm_params,
// azure_ad_token and every key starting with aws_, vertex_ or azure_. The gateway never reads
// them, but refusing is clearer than dropping them.
bool is_forbidden_key(std::string_view key);

// `"<shown>" is not allowed in the request body: the upstream is fixed by the gateway's config`,
// with `param`. `shown` is the key as the client wrote it (`extra_body.api_base` for a nested one).
core::api_error forbidden_key_error(std::string_view shown, std::string_view param);

// LiteLLM's own request controls and pricing overrides: tags, fallbacks, num_retries,
// mock_response, caching, timeout, cache, guardrails, drop_params, additional_drop_params,
// mock_testing_fallbacks, mock_timeout, mock_tool_calls, context_window_fallback_dict,
// content_policy_fallbacks, disable_fallbacks, max_retries, input_cost_per_token,
// output_cost_per_token, proxy_server_request, secret_fields, model_list, no-log, extra_headers
// (upstream headers come from the deployment only), and every key starting with `litellm_` or
// `user_api_key`. Meaningful to LiteLLM, noise (or a rejection) to vLLM, so never sent upstream.
// `metadata` is not in the list: the Responses API defines it; the chat route drops it itself.
bool is_gateway_only_key(std::string_view key);

// The client body parsed: 400 "Malformed JSON in request body: <where>" (depth-checked, no
// param) when it is not JSON. Any JSON value is returned; see check_request_object.
std::variant<core::json, core::api_error> parse_request_json(std::string_view body);

// The first checks of every route, in order, editing `body` in place:
// - `body` is an object: "Request body must be a JSON object, got <type>" (no param);
// - `extra_body`: JSON null is removed; an object is merged into the top level, its keys
//   winning, as the OpenAI SDK and LiteLLM do, so that every later check (routing on `model`
//   included) sees what goes upstream; anything else is `"extra_body" must be an object`; a
//   forbidden key inside it is refused as `extra_body.<key>` with param `extra_body`;
// - no forbidden key at the top level (param: the key).
// On an error `body` may be partly merged; the caller drops it.
std::optional<core::api_error> check_request_object(core::json& body);

// `model`: required (`"model" is required`) and a non-empty string (`"model" must be a
// non-empty string`); stored in `model` when valid.
std::optional<core::api_error> read_model(const core::json& body, std::string& model);

// LiteLLM's per-request controls, both optional: `timeout` must pass seconds()
// (`"timeout" must be a positive number of seconds`), `num_retries` an integral() in
// [0, INT_MAX] (`"num_retries" must be a non-negative integer`). Stored when valid; timeout is
// checked first.
std::optional<core::api_error> read_retry_controls(const core::json& body, std::optional<double>& timeout_s,
                                                   std::optional<int>& num_retries);

}  // namespace meshgate::translate
