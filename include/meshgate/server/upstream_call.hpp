#pragma once
// Getting a 2xx response header from some deployment of a model group, with LiteLLM's retry
// policy (product.md §9): connect errors, timeouts and 408/429/500/502/503/504 are retried up to
// `num_retries` times on the group's next deployment, with exponential backoff and jitter, or
// after the upstream's Retry-After when that fits before the deadline. Nothing here writes to
// the client, so a retry can never follow bytes sent downstream.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/server/handlers.hpp"
#include "meshgate/upstream/exchange.hpp"

namespace meshgate::server {

struct call_plan {
  const std::vector<routed_deployment>* group = nullptr;  // may be null when `pinned` is set
  std::string path;  // appended to the deployment's base path, e.g. "/chat/completions"
  // When set, the path for a deployment instead of `path` (routes whose upstream endpoint
  // depends on the deployment, e.g. /responses natively or /chat/completions through a bridge).
  std::function<std::string(const config::deployment&)> path_for;
  // When set, every attempt goes to this deployment instead of round-robin over `group` (ids
  // that name the deployment holding upstream state, e.g. a Responses id). Must outlive the
  // request (an element of the model table).
  const routed_deployment* pinned = nullptr;
  http::verb method = http::verb::post;
  bool stream = false;
  std::optional<double> timeout_s;  // per-request override of the first-byte timeout
  std::optional<int> num_retries;   // per-request override
  // Builds the upstream body for a deployment (the model name differs per deployment).
  std::function<std::string(const config::deployment&)> body_for;
};

// The first-byte timeout for `d` (stream_timeout/timeout of the deployment, else the global
// ones, the per-request override winning).
double first_byte_timeout_s(const gateway_state& st, const config::deployment& d, const call_plan& plan);

// On success the exchange is positioned at the start of a 2xx body and ctx.dep/upstream
// headers are set. On failure: the error to render (ctx.client_gone tells whether the client
// left, in which case nothing should be written).
task<std::variant<std::unique_ptr<upstream::exchange>, core::api_error>> open_upstream(
    handler_env env, request_context& ctx, const call_plan& plan);

// Label used in LiteLLM-style messages: "Tensormesh", "Hosted_vllm", "Openai".
std::string provider_label(const config::deployment& d);

}  // namespace meshgate::server
