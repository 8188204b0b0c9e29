// GET /health: probe every deployment, in parallel, each within its own timeout.
#include <boost/asio/experimental/parallel_group.hpp>

#include "meshgate/core/json.hpp"
#include "meshgate/server/handlers.hpp"
#include "meshgate/server/relay.hpp"

namespace meshgate::server {

namespace {

struct probe_result {
  bool healthy = false;
  std::string error;
};

// Outside the coroutine: GCC 12 miscompiles braced string-literal initialisers inside one.
std::string chat_probe_body(const config::deployment& d) {
  core::json message = core::json::object();
  message["role"] = "user";
  message["content"] = "ping";
  core::json body = core::json::object();
  body["model"] = d.upstream_model;
  body["max_tokens"] = 1;
  body["messages"] = core::json::array();
  body["messages"].push_back(std::move(message));
  return core::dump_json(body);
}

// Free by default: GET {api_base}/models bills no tokens. `health_check_mode: chat` opts into
// a one-token chat completion, which also proves the model itself answers.
task<probe_result> probe(upstream::pool& pool, const routed_deployment& rd, double timeout_s) {
  const config::deployment& d = *rd.dep;
  upstream::exchange x(pool, rd.endpoint);
  upstream::request_spec spec;
  const bool chat = d.health_check_mode == "chat";
  spec.method = chat ? http::verb::post : http::verb::get;
  spec.target = rd.endpoint.base_path + (chat ? "/chat/completions" : "/models");
  if (chat) spec.body = chat_probe_body(d);
  if (!d.api_key.empty()) spec.headers.emplace_back("Authorization", "Bearer " + d.api_key);
  for (const auto& h : d.extra_headers) spec.headers.push_back(h);
  const auto budget = to_duration(timeout_s);
  const auto deadline = clock::now() + budget;
  upstream::outcome r = co_await x.start(spec, budget, budget);
  if (!r) co_return probe_result{false, r.what};
  std::string body;
  r = co_await x.read_all(body, 1u << 20, std::max(to_duration(0.001), deadline - clock::now()));
  if (!r) co_return probe_result{false, r.what};
  x.finish();
  if (x.status() < 200 || x.status() >= 300) {
    const std::string label = provider_label(d);  // upstream_context holds views
    const translate::upstream_context uctx{label, d.model_name, d.api_key};
    co_return probe_result{false, translate::map_upstream_status(x.status(), body, uctx).message};
  }
  co_return probe_result{true, {}};
}

std::string health_body(const std::vector<routed_deployment>& all, const std::vector<probe_result>& results) {
  core::json healthy = core::json::array();
  core::json unhealthy = core::json::array();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const config::deployment& d = *all[i].dep;
    core::json ep = core::json::object();
    ep["model"] = d.model;
    ep["model_name"] = d.model_name;
    ep["model_id"] = d.id;
    ep["api_base"] = d.api_base;
    ep["custom_llm_provider"] = d.provider;
    if (results[i].healthy) {
      healthy.push_back(std::move(ep));
    } else {
      ep["error"] = results[i].error;
      unhealthy.push_back(std::move(ep));
    }
  }
  core::json body = core::json::object();
  body["healthy_count"] = healthy.size();
  body["unhealthy_count"] = unhealthy.size();
  body["healthy_endpoints"] = std::move(healthy);
  body["unhealthy_endpoints"] = std::move(unhealthy);
  return core::dump_json(body);
}

}  // namespace

task<void> handle_health(handler_env env, request_context& ctx) {
  const auto& all = env.st.models.all();
  auto ex = co_await net::this_coro::executor;
  using op_type = decltype(net::co_spawn(ex, probe(env.w.pool(), all.front(), 1.0), net::deferred));
  std::vector<op_type> ops;
  for (const auto& rd : all) {
    const double timeout = rd.dep->health_check_timeout_s.value_or(env.st.cfg->general.timeout.health_check);
    ops.push_back(net::co_spawn(ex, probe(env.w.pool(), rd, timeout), net::deferred));
  }
  auto [order, errors, results] = co_await net::experimental::make_parallel_group(std::move(ops))
                                      .async_wait(net::experimental::wait_for_all(), use_task);
  (void)order;
  std::vector<probe_result> ordered(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    ordered[i] = errors[i] ? probe_result{false, "probe failed"} : std::move(results[i]);
  }
  co_await env.out.send(ctx, 200, health_body(all, ordered), "application/json");
}

}  // namespace meshgate::server
