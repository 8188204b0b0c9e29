#include "meshgate/server/relay.hpp"

#include "meshgate/usage/pricing.hpp"

namespace meshgate::server {

std::chrono::steady_clock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

void compute_cost(request_context& ctx) {
  if (!ctx.dep) return;
  ctx.cost = ctx.dep->price ? usage::compute_cost(*ctx.dep->price, ctx.usage) : std::nullopt;
}

core::api_error read_failure_error(const request_context& ctx, const upstream::outcome& r) {
  const std::string label = provider_label(*ctx.dep->dep);  // upstream_context holds views
  const translate::upstream_context uctx{label, ctx.model_alias, ctx.dep->dep->api_key};
  switch (r.kind) {
    case upstream::failure::timeout: return translate::map_timeout(r.what, uctx);
    case upstream::failure::too_large: return translate::invalid_upstream_response(r.what);
    default: return translate::map_connection_error(r.what, uctx);
  }
}

std::function<void(nlohmann::json&)> streaming_cost_decorator(const gateway_state& st, const request_context& ctx) {
  if (!st.cfg->general.include_cost_in_streaming_usage) return {};
  return [&ctx](nlohmann::json& u) {
    if (!ctx.dep) return;
    if (!ctx.dep->price) return;
    if (auto cost = usage::compute_cost(*ctx.dep->price, usage::from_json(u))) u["cost"] = *cost;
  };
}

task<void> finish_stream(handler_env env, request_context& ctx, std::string_view data) {
  if (ctx.cost) {
    const std::string cost = usage::format_cost(*ctx.cost);
    core::header trailer;
    trailer.name = cost_trailer;
    trailer.value = cost;
    co_await env.out.end_stream(ctx, std::span<const core::header>(&trailer, 1), data);
  } else {
    co_await env.out.end_stream(ctx, {}, data);
  }
}

}  // namespace meshgate::server
