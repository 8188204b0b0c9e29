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
net::awaitable<void> handle_readiness(handler_env env, request_context& ctx);

// GET /v1/models, /v1/models/{id}.
net::awaitable<void> handle_models(handler_env env, request_context& ctx, route_match route);

// POST chat/completions and completions: relay with the body edits of chat_passthrough.hpp,
// streaming or not.
net::awaitable<void> handle_openai(handler_env env, request_context& ctx, route_match route);

}  // namespace meshgate::server
