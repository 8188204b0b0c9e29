// The routes answered without an upstream: readiness and the model list.
#include "meshgate/core/json.hpp"
#include "meshgate/core/version_info.hpp"
#include "meshgate/server/handlers.hpp"

namespace meshgate::server {

namespace {
// LiteLLM's constant creation time and owner for every listed model (litellm-reference §3.2).
constexpr std::int64_t model_created_at = 1677610602;

core::json model_object(const std::string& id) {
  return {{"id", id}, {"object", "model"}, {"created", model_created_at}, {"owned_by", "openai"}};
}

// Built outside the coroutines: GCC 12 miscompiles braced initialiser lists of string literals
// inside a coroutine body ("array used as initializer").
std::string readiness_body() {
  core::json body = {{"status", "healthy"},
                     {"db", "Not connected"},
                     {"cache", nullptr},
                     {"litellm_version", core::version_string},
                     {"success_callbacks", core::json::array()},
                     {"log_level", "INFO"},
                     {"is_detailed_debug", false}};
  return core::dump_json(body);
}

std::string model_list_body(const std::vector<std::string>& aliases) {
  core::json data = core::json::array();
  for (const auto& alias : aliases) data.push_back(model_object(alias));
  return core::dump_json(core::json{{"data", std::move(data)}, {"object", "list"}});
}
}  // namespace

task<void> handle_readiness(handler_env env, request_context& ctx) {
  if (env.st.draining.load()) {
    co_await env.out.send(ctx, 503, R"({"status":"shutting_down"})", "application/json");
    co_return;
  }
  co_await env.out.send(ctx, 200, readiness_body(), "application/json");
}

task<void> handle_models(handler_env env, request_context& ctx, route_match route) {
  const auto& models = env.st.models;
  if (route.ep == endpoint::model_get) {
    if (!models.find(route.param)) {
      core::api_error e = core::not_found("The model `" + route.param.substr(0, 200) + "` does not exist");
      e.param = "model";
      co_await env.out.send_error(ctx, e);
      co_return;
    }
    co_await env.out.send(ctx, 200, core::dump_json(model_object(route.param)), "application/json");
    co_return;
  }
  co_await env.out.send(ctx, 200, model_list_body(models.aliases()), "application/json");
}

}  // namespace meshgate::server
