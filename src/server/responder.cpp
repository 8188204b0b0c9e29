#include "meshgate/server/responder.hpp"

namespace meshgate::server {

net::awaitable<bool> responder::send_error(request_context& ctx, const core::api_error& e) {
  http::fields extra;
  if (e.retry_after) extra.set(http::field::retry_after, *e.retry_after);
  if (ctx.error_summary.empty()) ctx.error_summary = e.message.substr(0, 200);
  co_return co_await send(ctx, static_cast<unsigned>(e.status), core::render(e, ctx.dialect), "application/json",
                          &extra);
}

}  // namespace meshgate::server
