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

// `ms` with three decimals, as LiteLLM prints its duration headers, into `buf`.
std::string_view milliseconds_text(double ms, char (&buf)[32]) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, ms, std::chars_format::fixed, 3);
  return ec == std::errc() ? std::string_view(buf, static_cast<std::size_t>(end - buf)) : std::string_view("0.000");
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && beast::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

void add_gateway_headers(core::header_list& f, const request_context& ctx) {
  f.insert("x-litellm-call-id", ctx.call_id);
  f.insert("x-litellm-version", core::version_string);
  if (ctx.dep) {
    f.insert("x-litellm-model-id", ctx.dep->dep->id);
    f.insert("x-litellm-model-api-base", ctx.dep->dep->api_base);
    f.insert("x-litellm-model-group", ctx.dep->dep->model_name);
  }
  const double total = elapsed_ms(ctx.start);
  const double upstream = std::chrono::duration<double, std::milli>(ctx.upstream_time).count();
  char buf[32];
  f.insert("x-litellm-response-duration-ms", milliseconds_text(total, buf));
  f.insert("x-litellm-overhead-duration-ms", milliseconds_text(std::max(0.0, total - upstream), buf));
  f.insert("x-litellm-attempted-retries", std::string_view(buf, static_cast<std::size_t>(
                                                                    std::to_chars(buf, buf + sizeof buf, ctx.attempted_retries).ptr - buf)));
  std::string prefixed = "llm_provider-";
  for (const auto& [name, value] : ctx.upstream_headers) {
    // Rate-limit headers pass through under their own name too (the last of a repeated name).
    if (starts_with_nocase(name, "x-ratelimit-")) f.set(name, value);
    prefixed.resize(13);
    prefixed.append(name);
    f.insert(prefixed, value);
  }
}

}  // namespace meshgate::server
