#pragma once
// Relaying a 2xx upstream response to the client, shared by every proxied route.
//
// relay_stream: upstream SSE events → a translator → one downstream chunk per upstream read,
// each write awaited before the next read (back-pressure). The response header goes out only
// once the first event is known not to be an in-band error, so such an error can still be a
// real HTTP status; it leaves in the same write as the first chunk, and the final events in
// the same write as the last chunk. After that, failures (upstream error event, idle timeout,
// truncation) become the translator's terminal error frame.
//
// A Translator provides:
//   static std::optional<core::api_error> first_event_error(const sse::event&, std::string_view label);
//   step on_event(const sse::event&, std::string& out);            // step::{more, done, failed}
//   void on_abnormal_end(std::string_view what, int status, std::string& out);
//   const usage::token_usage& usage() const;
//
// relay_body: reads the whole body (bounded), transforms it, answers with the cost header.
#include <string>

#include "meshgate/server/handlers.hpp"
#include "meshgate/server/upstream_call.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/translate/upstream_errors.hpp"
#include "meshgate/upstream/exchange.hpp"
#include "meshgate/usage/pricing.hpp"

namespace meshgate::server {

std::chrono::steady_clock::duration to_duration(double seconds);

// ctx.cost from ctx.usage and the deployment's price (nullopt when unknown).
void compute_cost(request_context& ctx);

// The error for an upstream read failure on the chosen deployment.
core::api_error read_failure_error(const request_context& ctx, const upstream::outcome& r);

// Trailer name announced on streams; the cost follows the last chunk.
inline constexpr std::string_view cost_trailer = "x-litellm-response-cost";

// Sends `data` (if any) and the last chunk with the cost trailer when the cost is known, in
// one write.
task<void> finish_stream(handler_env env, request_context& ctx, std::string_view data = {});

// For litellm_settings.include_cost_in_streaming_usage: a usage decorator that adds `cost` to
// the streamed usage object; an empty function when the setting is off.
std::function<void(nlohmann::json&)> streaming_cost_decorator(const gateway_state& st, const request_context& ctx);

template <class Translator>
task<void> relay_stream(handler_env env, request_context& ctx, upstream::exchange& x, Translator& tr,
                                  double first_byte_s) {
  using step = typename Translator::step;
  const auto& t = env.st.cfg->general.timeout;
  const std::string label = provider_label(*ctx.dep->dep);
  sse::parser parser;
  std::vector<sse::event> events;
  std::string in;
  std::string out;
  bool started = false;
  struct stream_gauge {
    std::atomic<std::int64_t>* g = nullptr;
    ~stream_gauge() {
      if (g) g->fetch_sub(1);
    }
  } gauge;
  const auto deadline_first = clock::now() + to_duration(first_byte_s);

  auto fail = [&](core::api_error e) -> task<void> {
    ctx.error_summary = e.message.substr(0, 200);
    if (!started) {
      co_await env.out.send_error(ctx, e);
      co_return;
    }
    out.clear();
    tr.on_abnormal_end(e.message, e.status, out);
    co_await env.out.end_stream(ctx, {}, out);
  };

  for (;;) {
    in.clear();
    const auto wait = started ? to_duration(t.stream_idle) : std::max(to_duration(0.001), deadline_first - clock::now());
    const auto t0 = clock::now();
    upstream::outcome r = co_await x.read_some(in, wait);
    ctx.upstream_time += clock::now() - t0;
    if (ctx.client_gone) co_return;

    if (!r) {
      co_await fail(read_failure_error(ctx, r));
      co_return;
    }
    if (x.done() && in.empty()) {
      core::api_error e = translate::invalid_upstream_response("upstream closed the stream before it was complete");
      co_await fail(e);
      co_return;
    }

    events.clear();
    if (parser.feed(in, events) != sse::feed_status::ok) {
      co_await fail(translate::invalid_upstream_response("stream event exceeds the size limit"));
      co_return;
    }
    if (events.empty()) continue;

    if (!started) {
      if (auto err = Translator::first_event_error(events.front(), label)) {
        ctx.error_summary = err->message.substr(0, 200);
        co_await env.out.send_error(ctx, *err);
        co_return;
      }
      if (!co_await env.out.begin_stream(ctx, {}, cost_trailer)) co_return;
      started = true;
      gauge.g = &env.st.metrics.in_flight_streams;
      gauge.g->fetch_add(1);
    }

    out.clear();
    step s = step::more;
    for (const auto& ev : events) {
      s = tr.on_event(ev, out);
      if (s != step::more) break;
    }
    ctx.usage = tr.usage();
    if (s == step::more) {
      if (!co_await env.out.stream_write(ctx, out)) co_return;
    } else {
      if (s == step::failed) ctx.error_summary = "upstream error mid-stream";
      compute_cost(ctx);
      co_await finish_stream(env, ctx, out);  // the last events and the end in one write
      if (s == step::done) {
        // Read what is left of a finished upstream response so the connection can be pooled.
        std::string rest;
        co_await x.read_all(rest, 64 * 1024, to_duration(1));
      }
      co_return;
    }
  }
}

// Non-streaming: read the body, `transform(body, usage_out)` → variant<string, api_error>,
// answer 200 with x-litellm-response-cost when the cost is known. `priced` false: a lookup
// that bills nothing (GET /v1/responses/{id}), so no cost is computed or sent.
template <class Transform>
task<void> relay_body(handler_env env, request_context& ctx, upstream::exchange& x, double first_byte_s,
                                Transform transform, bool priced = true) {
  std::string body;
  const auto t0 = clock::now();
  upstream::outcome r = co_await x.read_all(body, env.st.cfg->general.max_response_size_bytes, to_duration(first_byte_s));
  ctx.upstream_time += clock::now() - t0;
  if (ctx.client_gone) co_return;
  if (!r) {
    co_await env.out.send_error(ctx, read_failure_error(ctx, r));
    co_return;
  }
  auto result = transform(body, ctx.usage);
  if (auto* e = std::get_if<core::api_error>(&result)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  std::string cost;
  if (priced) {
    compute_cost(ctx);
    if (ctx.cost) cost = usage::format_cost(*ctx.cost);
  }
  core::header extra;  // assigned, not braced: GCC 12 mishandles braced literals in coroutines
  extra.name = cost_trailer;
  extra.value = cost;
  co_await env.out.send(ctx, 200, std::move(std::get<std::string>(result)), "application/json",
                        std::span<const core::header>(&extra, cost.empty() ? 0 : 1));
}

// The sequence every proxied route shares: get a 2xx response header per `plan`
// (open_upstream: retries, error mapping), hand the exchange and its first-byte timeout to
// `relay(exchange&, double) -> awaitable<void>` (relay_stream or relay_body), then return the
// connection to the pool unless the client left. Errors before the relay are sent as they are.
template <class Relay>
task<void> proxy(handler_env env, request_context& ctx, const call_plan& plan, Relay relay) {
  auto opened = co_await open_upstream(env, ctx, plan);
  if (auto* e = std::get_if<core::api_error>(&opened)) {
    if (!ctx.client_gone) co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto x = std::move(std::get<std::unique_ptr<upstream::exchange>>(opened));
  co_await relay(*x, first_byte_timeout_s(env.st, *ctx.dep->dep, plan));
  ctx.active_exchange = nullptr;
  if (!ctx.client_gone) x->finish();
}

}  // namespace meshgate::server
