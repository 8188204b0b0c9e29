// POST /v1/messages and /v1/messages/count_tokens: the Anthropic Messages API over the
// deployment's chat completions endpoint.
#include "meshgate/server/handlers.hpp"
#include "meshgate/server/relay.hpp"
#include "meshgate/translate/anthropic_count_tokens.hpp"
#include "meshgate/translate/anthropic_request.hpp"
#include "meshgate/translate/anthropic_response.hpp"
#include "meshgate/translate/anthropic_stream.hpp"
#include "meshgate/translate/chat_passthrough.hpp"

namespace meshgate::server {

task<void> handle_messages(handler_env env, request_context& ctx) {
  auto parsed = translate::parse_anthropic_request(ctx.req->body());
  if (auto* e = std::get_if<core::api_error>(&parsed)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto& req = std::get<translate::anthropic_request>(parsed).chat;
  ctx.model_alias = req.model;
  ctx.user = req.user;
  const auto* group = env.st.models.find(req.model);
  if (!group) {
    co_await env.out.send_error(ctx, unknown_model_error("anthropic_messages", req.model));
    co_return;
  }

  call_plan plan;
  plan.group = group;
  plan.path = "/chat/completions";
  plan.stream = req.stream;
  plan.timeout_s = req.timeout_s;
  plan.num_retries = req.num_retries;
  plan.body_for = [&req](const config::deployment& d) { return translate::build_upstream_body(req, d); };

  co_await proxy(env, ctx, plan, [&](upstream::exchange& x, double first_byte_s) -> task<void> {
    if (req.stream) {
      translate::anthropic_stream tr(req.model);
      tr.set_usage_decorator(streaming_cost_decorator(env.st, ctx));
      co_await relay_stream(env, ctx, x, tr, first_byte_s);
    } else {
      co_await relay_body(env, ctx, x, first_byte_s, [&](std::string_view body, usage::token_usage& u) {
        return translate::chat_to_anthropic_response(body, req.model, u);
      });
    }
  });
}

task<void> handle_count_tokens(handler_env env, request_context& ctx) {
  auto parsed = translate::parse_count_tokens_request(ctx.req->body());
  if (auto* e = std::get_if<core::api_error>(&parsed)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto& req = std::get<translate::count_tokens_request>(parsed);
  ctx.model_alias = req.model;
  const auto* group = env.st.models.find(req.model);
  if (!group) {
    co_await env.out.send_error(ctx, unknown_model_error("anthropic_messages", req.model));
    co_return;
  }
  std::int64_t count = req.estimate;
  // Self-hosted vLLM serves an exact /tokenize at its root; Tensormesh's serverless API does
  // not, so there the documented estimate answers without an upstream round trip.
  const routed_deployment& rd = group->front();
  ctx.dep = &rd;
  if (rd.dep->provider == "hosted_vllm") {
    upstream::exchange x(env.w.pool(), rd.endpoint);
    ctx.active_exchange = &x;
    upstream::request_spec spec;
    spec.target = "/tokenize";
    spec.body = translate::build_tokenize_body(req, rd.dep->upstream_model);
    if (!rd.dep->api_key.empty()) spec.headers.emplace_back("Authorization", "Bearer " + rd.dep->api_key);
    const auto t0 = clock::now();
    if (co_await x.start(spec, to_duration(env.st.cfg->general.timeout.connect), to_duration(5)) && x.status() == 200) {
      std::string body;
      if (co_await x.read_all(body, 1u << 20, to_duration(5))) {
        if (auto exact = translate::read_tokenize_count(body)) count = *exact;
        x.finish();
      }
    }
    ctx.upstream_time += clock::now() - t0;
    ctx.active_exchange = nullptr;
    if (ctx.client_gone) co_return;
  }
  co_await env.out.send(ctx, 200, translate::count_tokens_response(count), "application/json");
}

}  // namespace meshgate::server
