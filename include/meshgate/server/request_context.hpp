#pragma once
// Everything one downstream request accumulates on its way through the gateway: identity,
// timing, the deployment chosen, what upstream said, usage — and the hooks that let the
// client-disconnect watcher stop upstream work at once.
//
// Thread affinity: the session's worker only.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "meshgate/core/error.hpp"
#include "meshgate/core/http_head.hpp"
#include "meshgate/core/net.hpp"
#include "meshgate/server/model_table.hpp"
#include "meshgate/server/router.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::upstream {
class exchange;
}

namespace meshgate::server {

using clock = std::chrono::steady_clock;

struct request_context {
  std::string call_id;  // x-litellm-call-id: the client's, else a new UUID
  std::string key_hash;  // SHA-256 hex of the caller's key (spend rows), empty when unauthenticated
  std::string user;      // the request's OpenAI `user` / Anthropic metadata.user_id
  endpoint ep = endpoint::not_found;
  core::dialect dialect = core::dialect::openai;
  clock::time_point start = clock::now();
  std::int64_t started_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();  // wall clock, for spend rows
  clock::duration upstream_time{};  // time spent waiting on upstream (excluded from overhead)
  std::optional<clock::time_point> first_token;  // first streamed event written

  // The client's request. Not const: a handler may move the body out (the chat routes keep it
  // as the text they splice), so nothing reads the body after the handler has run.
  http::request<http::string_body>* req = nullptr;
  std::string path;  // the request path, query string removed

  std::string model_alias;                 // as the client sent it
  const routed_deployment* dep = nullptr;  // the deployment of the last attempt
  int attempted_retries = 0;
  core::header_list upstream_headers;      // the upstream response's fields, as it sent them

  int status = 0;
  bool streamed = false;
  usage::token_usage usage;
  std::optional<double> cost;
  std::string error_summary;  // for the access line

  // Disconnect plumbing: the watcher sets client_gone and aborts whatever is pending.
  bool client_gone = false;
  upstream::exchange* active_exchange = nullptr;
  steady_timer* active_timer = nullptr;
  void client_disconnected();
};

// Adds the x-litellm-* headers of product.md §6 (cost excluded) and the relayed upstream
// headers (x-ratelimit-* verbatim, every upstream header as llm_provider-<name>).
void add_gateway_headers(core::header_list& f, const request_context& ctx);

double elapsed_ms(clock::time_point since);

}  // namespace meshgate::server
