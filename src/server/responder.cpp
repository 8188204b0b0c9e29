#include "meshgate/server/responder.hpp"

#include <array>

namespace meshgate::server {

task<bool> responder::send_error(request_context& ctx, const core::api_error& e) {
  std::array<core::header, 1> extra{};
  std::size_t n = 0;
  if (e.retry_after) {
    extra[n].name = "Retry-After";
    extra[n++].value = *e.retry_after;
  }
  if (ctx.error_summary.empty()) ctx.error_summary = e.message.substr(0, 200);
  co_return co_await send(ctx, static_cast<unsigned>(e.status), core::render(e, ctx.dialect), "application/json",
                          std::span<const core::header>(extra.data(), n));
}

}  // namespace meshgate::server
