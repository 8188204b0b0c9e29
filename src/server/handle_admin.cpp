// GET /metrics and GET /spend/logs.
#include "meshgate/core/json.hpp"
#include "meshgate/server/handlers.hpp"

namespace meshgate::server {

task<void> handle_metrics(handler_env env, request_context& ctx) {
  std::optional<obs::spend_counters> spend;
  if (env.st.spend) {
    const auto s = env.st.spend->stats();
    spend = obs::spend_counters{s.written, s.dropped, s.failed_rows, s.queued};
  }
  co_await env.out.send(ctx, 200, env.st.metrics.render(env.st.in_flight.load(), spend),
                        "text/plain; version=0.0.4; charset=utf-8");
}

task<void> handle_spend_logs(handler_env env, request_context& ctx) {
  if (!env.st.spend) {
    co_await env.out.send_error(ctx, core::bad_request("Spend logs are disabled (general_settings.disable_spend_logs)."));
    co_return;
  }
  auto rows = env.st.spend->query(ctx.req->target());
  if (auto* e = std::get_if<core::api_error>(&rows)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  co_await env.out.send(ctx, 200, core::dump_json(std::get<core::json>(rows)), "application/json");
}

}  // namespace meshgate::server
