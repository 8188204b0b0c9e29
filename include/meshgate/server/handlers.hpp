#pragma once
// Route handlers. Each answers through `env.out` (responder.hpp) and fills the context for the
// access line. None throws for anything a client or upstream can cause.
#include "meshgate/core/net.hpp"
#include "meshgate/server/gateway.hpp"
#include "meshgate/server/request_context.hpp"
#include "meshgate/server/responder.hpp"
#include "meshgate/server/router.hpp"

namespace meshgate::server {

struct handler_env {
  worker& w;
  gateway_state& st;
  responder& out;
};

// GET /health/readiness: 200 {"status":"healthy",...}, 503 {"status":"shutting_down"} while draining.
task<void> handle_readiness(handler_env env, request_context& ctx);

// GET /v1/models, /v1/models/{id}.
task<void> handle_models(handler_env env, request_context& ctx, route_match route);

// POST chat/completions and completions: relay with the body edits of chat_passthrough.hpp,
// streaming or not.
task<void> handle_openai(handler_env env, request_context& ctx, route_match route);

// POST /v1/messages: Anthropic Messages over the deployment's chat completions.
task<void> handle_messages(handler_env env, request_context& ctx);

// POST /v1/responses: natively to {api_base}/responses, or for `responses_mode: bridge`
// deployments through their chat completions (translate/responses_bridge*.hpp); response ids
// are opaque and bound to (deployment, caller key) (translate/responses_id.hpp).
task<void> handle_responses(handler_env env, request_context& ctx);

// GET/DELETE /v1/responses/{id}, GET …/{id}/input_items, POST …/{id}/cancel: the id decoded and
// sent to the deployment that made it; an id not minted for this caller is a 404.
task<void> handle_response_by_id(handler_env env, request_context& ctx, route_match route);

// POST /v1/messages/count_tokens: {"input_tokens": N} — vLLM's /tokenize for hosted_vllm
// deployments, else the documented estimate (translate/anthropic_count_tokens.hpp).
task<void> handle_count_tokens(handler_env env, request_context& ctx);

// GET /health: every deployment probed in parallel (GET {api_base}/models, or a one-token chat
// call with model_info.health_check_mode: chat), each within its health check timeout.
task<void> handle_health(handler_env env, request_context& ctx);

// GET /metrics: Prometheus text (obs/metrics.hpp).
task<void> handle_metrics(handler_env env, request_context& ctx);

// GET /spend/logs?api_key=&request_id=&start_date=&end_date= (server/spend_log.hpp).
task<void> handle_spend_logs(handler_env env, request_context& ctx);

// "<prefix>: Invalid model name passed in model=<m>. Call `/v1/models` ..." (400, param model).
core::api_error unknown_model_error(std::string_view route_prefix, std::string_view model);

}  // namespace meshgate::server
