#include "meshgate/server/request_context.hpp"

#include <charconv>

#include "meshgate/core/version_info.hpp"
#include "meshgate/upstream/exchange.hpp"

namespace meshgate::server {

void request_context::client_disconnected() {
  client_gone = true;
  if (active_exchange) active_exchange->abort();
  if (active_timer) active_timer->cancel();
}

double elapsed_ms(clock::time_point since) {
  return std::chrono::duration<double, std::milli>(clock::now() - since).count();
}

namespace {
// `ms` with three decimals, as LiteLLM prints its duration headers.
std::string milliseconds_text(double ms) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, ms, std::chars_format::fixed, 3);
  return ec == std::errc() ? std::string(buf, end) : std::string("0.000");
}
}  // namespace

void add_gateway_headers(http::fields& f, const request_context& ctx) {
  f.set("x-litellm-call-id", ctx.call_id);
  f.set("x-litellm-version", core::version_string);
  if (ctx.dep) {
    f.set("x-litellm-model-id", ctx.dep->dep->id);
    f.set("x-litellm-model-api-base", ctx.dep->dep->api_base);
    f.set("x-litellm-model-group", ctx.dep->dep->model_name);
  }
  const double total = elapsed_ms(ctx.start);
  const double upstream = std::chrono::duration<double, std::milli>(ctx.upstream_time).count();
  f.set("x-litellm-response-duration-ms", milliseconds_text(total));
  f.set("x-litellm-overhead-duration-ms", milliseconds_text(std::max(0.0, total - upstream)));
  f.set("x-litellm-attempted-retries", std::to_string(ctx.attempted_retries));
  for (const auto& [name, value] : ctx.upstream_headers) {
    if (name.rfind("x-ratelimit-", 0) == 0) f.set(name, value);
    f.insert("llm_provider-" + name, value);
  }
}

}  // namespace meshgate::server
