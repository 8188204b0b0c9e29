#pragma once
// Errors that reach a client. Every failure meshgate reports — its own validation, auth, an
// upstream status, a timeout — becomes one `api_error`, created once where the failure is
// understood and rendered once, in the client's dialect, by the session.
//
// Contract: pure, no I/O, never throws except std::bad_alloc.
#include <optional>
#include <string>
#include <string_view>

namespace meshgate::core {

// Which API shape the client speaks; decides the error envelope.
enum class dialect { openai, anthropic };

struct api_error {
  int status = 500;
  std::string message;                // human-readable; never contains a secret or raw exception text
  std::string type;                   // OpenAI `error.type`; empty renders as "None" (LiteLLM parity)
  std::optional<std::string> param;   // OpenAI `error.param`; nullopt renders as null
  std::optional<std::string> retry_after;  // value for a `Retry-After` header (seconds), if any
};

// Constructors for meshgate's own errors (OpenAI types as LiteLLM's proxy uses them).
api_error bad_request(std::string message, std::optional<std::string> param = std::nullopt);  // 400 invalid_request_error
api_error auth_failed(std::string message);        // 401 auth_error
api_error not_found(std::string message);          // 404 not_found_error
api_error payload_too_large(std::string message);  // 413 invalid_request_error
api_error internal_error(std::string message);     // 500 internal_server_error
api_error service_unavailable(std::string message);  // 503 service_unavailable

// `{"error":{"message","type","param","code":"<status>"}}`.
std::string render_openai(const api_error& e);
// `{"type":"error","error":{"type":<by status>,"message"}}` (litellm-reference §8.5).
std::string render_anthropic(const api_error& e);
std::string render(const api_error& e, dialect d);

// Anthropic error type for an HTTP status: 400 invalid_request_error, 401 authentication_error,
// 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
// 529 overloaded_error, anything else api_error.
std::string_view anthropic_error_type(int status);

}  // namespace meshgate::core
