// POST /v1/chat/completions and /v1/completions: validate, pick a deployment, relay.
#include "meshgate/server/handlers.hpp"
#include "meshgate/server/relay.hpp"
#include "meshgate/translate/chat_passthrough.hpp"
#include "meshgate/translate/chat_stream.hpp"

namespace meshgate::server {

core::api_error unknown_model_error(std::string_view route_prefix, std::string_view model) {
  return core::bad_request(std::string(route_prefix) + ": Invalid model name passed in model=" +
                               std::string(model.substr(0, 200)) +
                               ". Call `/v1/models` to view available models for your key.",
                           "model");
}

task<void> handle_openai(handler_env env, request_context& ctx, route_match route) {
  const bool completions = route.ep == endpoint::completions;
  const std::string_view path = completions ? "/completions" : "/chat/completions";
  auto parsed = translate::parse_openai_request(
      std::move(ctx.req->body()), completions ? translate::openai_route::completions : translate::openai_route::chat, route.param);
  if (auto* e = std::get_if<core::api_error>(&parsed)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto& req = std::get<translate::openai_request>(parsed);
  ctx.model_alias = req.model;
  ctx.user = req.user;
  const auto* group = env.st.models.find(req.model);
  if (!group) {
    co_await env.out.send_error(ctx, unknown_model_error(path, req.model));
    co_return;
  }

  call_plan plan;
  plan.group = group;
  plan.path = std::string(path);
  plan.stream = req.stream;
  plan.timeout_s = req.timeout_s;
  plan.num_retries = req.num_retries;
  plan.body_for = [&req](const config::deployment& d) { return translate::build_upstream_body(req, d); };

  co_await proxy(env, ctx, plan, [&](upstream::exchange& x, double first_byte_s) -> task<void> {
    if (req.stream) {
      translate::chat_stream_relay relay(req.model, req.client_wants_usage);
      relay.set_usage_decorator(streaming_cost_decorator(env.st, ctx));
      co_await relay_stream(env, ctx, x, relay, first_byte_s);
    } else {
      co_await relay_body(env, ctx, x, first_byte_s, [&](std::string_view body, usage::token_usage& u) {
        return translate::restamp_response(body, req.model, u);
      });
    }
  });
}

}  // namespace meshgate::server
