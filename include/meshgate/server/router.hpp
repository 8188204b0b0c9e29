#pragma once
// (method, path) → endpoint. Only the request target's path is used (never the Host header);
// the query string (and any fragment) is split off first. Table-driven and pure; never throws
// except std::bad_alloc.
//
// Matching rules:
// - Literal segments match exactly (case-sensitive, no percent-decoding): "/v1/chat%2Fcompletions"
//   is not a route.
// - Every OpenAI/Anthropic route also answers without its "/v1" prefix (product.md §3);
//   /health*, /metrics, /spend/logs, /engines/…, /openai/deployments/… have no "/v1" form.
// - One trailing slash is tolerated ("/v1/chat/completions/"); any other empty segment is not.
// - Targets that are not origin-form ("http://host/path", "*", "", "host:443"), that carry a "."
//   or ".." segment, or that contain bytes outside visible ASCII are not_found.
// - Captured params are percent-decoded ('+' stays '+'); a param with a bad escape, a control
//   character, or a "."/".." segment after decoding makes the route not_found.
// - `{id}` of /v1/models/{id} and `{model}` of /engines/{model}/… and
//   /openai/deployments/{model}/… may span several segments ("openai/gpt-oss-120b"), like
//   LiteLLM's `{…:path}` params; `{id}` of /v1/responses/{id} is one segment.
// - Methods are case-sensitive tokens. A path that matches some route but not with this method
//   is method_not_allowed.
#include <string>
#include <string_view>

namespace meshgate::server {

enum class endpoint {
  chat_completions,     // POST /v1/chat/completions, /chat/completions,
                        //      /engines/{model}/chat/completions, /openai/deployments/{model}/chat/completions
  completions,          // POST /v1/completions, /completions, /engines/{model}/completions, ...
  responses_create,     // POST /v1/responses, /responses
  responses_get,        // GET /v1/responses/{id}
  responses_delete,     // DELETE /v1/responses/{id}
  responses_input_items,  // GET /v1/responses/{id}/input_items
  responses_cancel,     // POST /v1/responses/{id}/cancel
  messages,             // POST /v1/messages, /messages
  messages_count_tokens,  // POST /v1/messages/count_tokens, /messages/count_tokens
  models_list,          // GET /v1/models, /models
  model_get,            // GET /v1/models/{id}, /models/{id}  (id may contain '/')
  health_liveness,      // GET /health/liveliness, /health/liveness   (public)
  health_readiness,     // GET /health/readiness                       (public)
  health,               // GET /health
  metrics,              // GET /metrics
  spend_logs,           // GET /spend/logs
  not_found,            // no such path
  method_not_allowed,   // path known, method not
};

struct route_match {
  endpoint ep = endpoint::not_found;
  std::string param;  // {id} / {model} captured from the path, percent-decoded; else empty
};

// `method` is the HTTP method token ("GET", "POST", ...); `target` the request-target as
// received (origin form, may carry a query string). HEAD is treated as GET for the /health
// routes (health_liveness, health_readiness, health).
route_match match_route(std::string_view method, std::string_view target);

// Public routes need no key (the three /health/live*/ready* routes).
bool is_public(endpoint ep);

// Name for logs and metrics: the enumerator's name ("chat_completions", "not_found", ...).
std::string_view endpoint_name(endpoint ep);

}  // namespace meshgate::server
