#include "meshgate/server/request_context.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "meshgate/core/ascii.hpp"
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
  f.insert("x-litellm-attempted-retries", core::decimal_text(ctx.attempted_retries));
  // Upstream names go out in lower case, as LiteLLM relays them.
  constexpr std::string_view prefix = "llm_provider-";
  char prefixed_buf[256];
  std::string prefixed;
  for (std::size_t i = 0; i < ctx.upstream_headers.size(); ++i) {
    const core::header h = ctx.upstream_headers[i];
    // Real names fit the stack buffer; a longer one, which only the upstream header limit
    // bounds, takes the heap string.
    char* out = prefixed_buf;
    if (prefix.size() + h.name.size() > sizeof prefixed_buf) {
      prefixed.resize(prefix.size() + h.name.size());
      out = prefixed.data();
    }
    std::memcpy(out, prefix.data(), prefix.size());
    std::transform(h.name.begin(), h.name.end(), out + prefix.size(), [](char c) { return core::ascii_lower(c); });
    const std::string_view full(out, prefix.size() + h.name.size());
    const std::string_view name = full.substr(prefix.size());
    // Rate-limit headers pass through under their own name too (the last of a repeated name).
    if (name.starts_with("x-ratelimit-")) f.set(name, h.value);
    f.insert(full, h.value);
  }
}

}  // namespace meshgate::server
