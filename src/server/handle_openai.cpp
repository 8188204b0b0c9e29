// POST /v1/chat/completions and /v1/completions: validate, pick a deployment, relay.
#include "meshgate/server/handlers.hpp"
#include "meshgate/server/upstream_call.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/translate/chat_passthrough.hpp"
#include "meshgate/translate/chat_stream.hpp"
#include "meshgate/translate/upstream_errors.hpp"

namespace meshgate::server {

namespace {

std::chrono::steady_clock::duration secs(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

std::string_view route_prefix(endpoint ep) {
  return ep == endpoint::completions ? "/completions" : "/chat/completions";
}

// Relays a 2xx event stream. Headers go out only once the first event is known not to be an
// in-band error, so such an error can still be a real HTTP status.
net::awaitable<void> relay_stream(handler_env env, request_context& ctx, upstream::exchange& x,
                                  translate::openai_request& req, double first_byte_s) {
  const auto& t = env.st.cfg->general.timeout;
  const std::string label = provider_label(*ctx.dep->dep);
  translate::chat_stream_relay relay(req.model, req.client_wants_usage);
  sse::parser parser;
  std::vector<sse::event> events;
  std::string in;
  std::string out;
  bool started = false;
  auto deadline_first = clock::now() + secs(first_byte_s);

  for (;;) {
    in.clear();
    const auto wait = started ? secs(t.stream_idle) : std::max(secs(0.001), deadline_first - clock::now());
    const auto t0 = clock::now();
    upstream::outcome r = co_await x.read_some(in, wait);
    ctx.upstream_time += clock::now() - t0;
    if (ctx.client_gone) co_return;

    const bool ended = r && x.done() && in.empty();
    if (!r || ended) {
      // The upstream stopped before [DONE]: say so, in-band if the stream has started.
      const bool timeout = r.kind == upstream::failure::timeout;
      const std::string what = !r ? r.what : std::string("upstream closed the stream before [DONE]");
      const translate::upstream_context uctx{label, ctx.model_alias, ctx.dep->dep->api_key};
      core::api_error e = timeout ? translate::map_timeout(what, uctx) : translate::map_connection_error(what, uctx);
      if (!timeout && r) e.status = 502;
      ctx.error_summary = e.message.substr(0, 200);
      if (!started) {
        co_await env.out.send_error(ctx, e);
        co_return;
      }
      out.clear();
      relay.on_abnormal_end(e.message, e.status, out);
      if (co_await env.out.stream_write(ctx, out)) co_await env.out.end_stream(ctx);
      co_return;
    }

    events.clear();
    if (parser.feed(in, events) != sse::feed_status::ok) {
      core::api_error e = translate::invalid_upstream_response("stream event exceeds the size limit");
      ctx.error_summary = e.message;
      if (!started) {
        co_await env.out.send_error(ctx, e);
      } else {
        out.clear();
        relay.on_abnormal_end(e.message, 502, out);
        if (co_await env.out.stream_write(ctx, out)) co_await env.out.end_stream(ctx);
      }
      co_return;
    }
    if (events.empty()) continue;

    if (!started) {
      if (auto err = translate::chat_stream_relay::first_event_error(events.front(), label)) {
        ctx.error_summary = err->message.substr(0, 200);
        co_await env.out.send_error(ctx, *err);
        co_return;
      }
      if (!co_await env.out.begin_stream(ctx)) co_return;
      started = true;
    }

    out.clear();
    translate::chat_stream_relay::step step = translate::chat_stream_relay::step::more;
    for (const auto& ev : events) {
      step = relay.on_event(ev, out);
      if (step != translate::chat_stream_relay::step::more) break;
    }
    ctx.usage = relay.usage();
    // One downstream write per upstream read, awaited before the next read: back-pressure.
    if (!co_await env.out.stream_write(ctx, out)) co_return;
    if (step != translate::chat_stream_relay::step::more) {
      if (step == translate::chat_stream_relay::step::failed) ctx.error_summary = "upstream error mid-stream";
      co_await env.out.end_stream(ctx);
      // Drain what is left of a finished upstream response so the connection can be reused.
      if (step == translate::chat_stream_relay::step::done) {
        std::string rest;
        co_await x.read_all(rest, 64 * 1024, secs(1));
      }
      co_return;
    }
  }
}

}  // namespace

net::awaitable<void> handle_openai(handler_env env, request_context& ctx, route_match route) {
  const auto kind = route.ep == endpoint::completions ? translate::openai_route::completions : translate::openai_route::chat;
  auto parsed = translate::parse_openai_request(ctx.req->body(), kind, route.param);
  if (auto* e = std::get_if<core::api_error>(&parsed)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto& req = std::get<translate::openai_request>(parsed);
  ctx.model_alias = req.model;
  const auto* group = env.st.models.find(req.model);
  if (!group) {
    core::api_error e = core::bad_request(std::string(route_prefix(route.ep)) + ": Invalid model name passed in model=" +
                                              req.model.substr(0, 200) +
                                              ". Call `/v1/models` to view available models for your key.",
                                          "model");
    co_await env.out.send_error(ctx, e);
    co_return;
  }

  call_plan plan;
  plan.group = group;
  plan.path = std::string(route_prefix(route.ep));
  plan.stream = req.stream;
  plan.timeout_s = req.timeout_s;
  plan.num_retries = req.num_retries;
  plan.body_for = [&req](const config::deployment& d) { return translate::build_upstream_body(req, d); };

  auto opened = co_await open_upstream(env, ctx, plan);
  if (auto* e = std::get_if<core::api_error>(&opened)) {
    if (!ctx.client_gone) co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto x = std::move(std::get<std::unique_ptr<upstream::exchange>>(opened));
  const double first_byte_s = first_byte_timeout_s(env.st, *ctx.dep->dep, plan);

  if (req.stream) {
    co_await relay_stream(env, ctx, *x, req, first_byte_s);
  } else {
    std::string body;
    const auto t0 = clock::now();
    upstream::outcome r = co_await x->read_all(body, env.st.cfg->general.max_response_size_bytes, secs(first_byte_s));
    ctx.upstream_time += clock::now() - t0;
    if (!ctx.client_gone) {
      if (!r) {
        const translate::upstream_context uctx{provider_label(*ctx.dep->dep), ctx.model_alias, ctx.dep->dep->api_key};
        co_await env.out.send_error(ctx, r.kind == upstream::failure::timeout ? translate::map_timeout(r.what, uctx)
                                         : r.kind == upstream::failure::too_large
                                             ? translate::invalid_upstream_response(r.what)
                                             : translate::map_connection_error(r.what, uctx));
      } else {
        auto restamped = translate::restamp_response(body, req.model, ctx.usage);
        if (auto* e = std::get_if<core::api_error>(&restamped)) {
          co_await env.out.send_error(ctx, *e);
        } else {
          co_await env.out.send(ctx, 200, std::move(std::get<std::string>(restamped)), "application/json");
        }
      }
    }
  }
  ctx.active_exchange = nullptr;
  if (!ctx.client_gone) x->finish();
}

}  // namespace meshgate::server
