#pragma once
// Upstream failures → the statuses and messages LiteLLM gives for its OpenAI-compatible
// providers (litellm-reference.md §5.2), e.g. upstream 429 →
//   429 "litellm.RateLimitError: RateLimitError: TensormeshException - Server is overloaded"
// The upstream's own error text is extracted from its JSON (`error.message`, `message`,
// `detail`, or an `error` string; a non-string value there is re-serialised as JSON; a JSON body
// with none of them is re-serialised whole), else the raw body. Upstream credentials never
// appear: any occurrence of `secret` (the deployment key) in the text is replaced by
// "[redacted]". Then control characters (C0, DEL, C1) are removed — tab/CR/LF become one
// space — invalid UTF-8 becomes U+FFFD, and the text is cut to 2 KB on a character boundary
// with "..." appended. An empty text reads "upstream returned HTTP <status> with an empty body".
//
// Status mapping (<L> = provider_label + "Exception", default label "Tensormesh"):
//   400, 422 → 400 "litellm.BadRequestError: <L> - <text>"
//   400 whose text says the context is too long →
//            400 "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: <L> - <text>"
//   400 whose text is a content-policy rejection →
//            400 "litellm.BadRequestError: litellm.ContentPolicyViolationError: ContentPolicyViolationError: <L> - <text>"
//   401 → 401 "litellm.AuthenticationError: AuthenticationError: <L> - <text>"
//   403 → 403 "litellm.PermissionDeniedError: PermissionDeniedError: <L> - <text>"
//   404 → 404 "litellm.NotFoundError: NotFoundError: <L> - <text>"
//   408, 504 → 408 "litellm.Timeout: Timeout Error: <L> - <text>"
//   429 → 429 "litellm.RateLimitError: RateLimitError: <L> - <text>"
//   503 → 503 "litellm.ServiceUnavailableError: ServiceUnavailableError: <L> - <text>"
//   other 4xx/5xx → same status "litellm.APIError: APIError: <L> - <text>"
//   anything outside 400–599 (a 1xx/2xx/3xx handed here, or garbage) → 502 APIError, because a
//   client must never receive a redirect or a body-less status as an error.
// ". Received Model Group=<model_group>" is appended when model_group is non-empty.
//
// `type`: the upstream's `error.type` (or top-level `type` of vLLM's flat
// `{"object":"error","type":…}` body) when it is a string, else by status: 400/422/other 4xx
// invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
// 408 timeout, 429 rate_limit_error, 5xx api_error. `param`: the upstream's string
// `error.param`/`param`, else none.
//
// Contract: pure, never throws except std::bad_alloc.
#include <optional>
#include <string>
#include <string_view>

#include "meshgate/core/error.hpp"

namespace meshgate::translate {

struct upstream_context {
  std::string_view provider_label;  // "Tensormesh" (provider name capitalised)
  std::string_view model_group;     // the alias, appended as ". Received Model Group=<alias>"
  std::string_view secret;          // the deployment api key, to redact
};

// An HTTP error status from upstream (any non-2xx). `retry_after` is the upstream's
// Retry-After header value, copied into the error for 429/503 when it looks like one:
// delta-seconds or an HTTP-date (letters, digits, " ,:.-"), at most 64 bytes once surrounding
// whitespace is trimmed, and not containing the secret. Anything else is dropped.
core::api_error map_upstream_status(int status, std::string_view body, const upstream_context& ctx,
                                    std::optional<std::string_view> retry_after = std::nullopt);

// No HTTP status: refused, DNS failure, TLS failure, reset → 500
// "litellm.APIConnectionError: APIConnectionError: <L> - <what>", type api_error.
// `what` is cleaned and redacted like upstream text.
core::api_error map_connection_error(std::string_view what, const upstream_context& ctx);

// Nothing within the deadline → 408 "litellm.Timeout: APITimeoutError - Request timed out.
// Error_str: <what>" (without " Error_str: …" when `what` is empty), type timeout.
core::api_error map_timeout(std::string_view what, const upstream_context& ctx);

// A 2xx body that is not what its route needs → 502
// "litellm.APIError: APIError: invalid response from upstream: <what>", type api_error.
core::api_error invalid_upstream_response(std::string_view what);

}  // namespace meshgate::translate
