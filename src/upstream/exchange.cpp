#include "meshgate/upstream/exchange.hpp"

#include <array>
#include <charconv>

#include "meshgate/core/http_head.hpp"

namespace meshgate::upstream {

using net::as_tuple;

exchange::exchange(pool& p, endpoint ep) : pool_(p), ep_(std::move(ep)) {}

exchange::~exchange() {
  if (conn_) conn_->close();
}

int exchange::status() const { return parser_ ? static_cast<int>(parser_->get().result_int()) : 0; }

const http::response_header<>& exchange::header() const { return parser_->get().base(); }

bool exchange::done() const { return parser_ && parser_->is_done(); }

void exchange::abort() noexcept {
  aborted_ = true;
  if (conn_) conn_->close();
}

void exchange::finish() noexcept {
  if (!conn_) return;
  const bool reusable = !aborted_ && !failed_ && parser_ && parser_->is_done() && parser_->keep_alive();
  if (reusable) {
    pool_.give_back(std::move(conn_));
  } else {
    conn_->close();
    conn_.reset();
  }
}

outcome exchange::io_failure(const beast::error_code& ec, const char* during) const {
  if (aborted_) return {failure::aborted, "client disconnected"};
  if (ec == beast::error::timeout) return {failure::timeout, std::string("upstream timed out ") + during};
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == http::error::partial_message)
    return {failure::io, std::string("upstream closed the connection ") + during};
  return {failure::io, std::string("upstream connection failed ") + during + ": " + ec.message()};
}

task<outcome> exchange::start(const request_spec& req, duration connect_timeout,
                                        duration first_byte_timeout) {
  bool retry_on_fresh = false;
  outcome r = co_await attempt(req, connect_timeout, first_byte_timeout, retry_on_fresh);
  if (!r && retry_on_fresh && !aborted_) {
    r = co_await attempt(req, connect_timeout, first_byte_timeout, retry_on_fresh);
  }
  if (!r) failed_ = true;
  co_return r;
}

task<outcome> exchange::attempt(const request_spec& req, duration connect_timeout,
                                          duration first_byte_timeout, bool& retry_on_fresh) {
  retry_on_fresh = false;
  if (conn_) conn_->close();
  conn_ = pool_.take(ep_);
  const bool reused = conn_->reused;
  if (!reused) {
    std::string err = co_await conn_->open(ep_, connect_timeout);
    if (aborted_) co_return outcome{failure::aborted, "client disconnected"};
    if (!err.empty()) co_return outcome{failure::connect, std::move(err)};
  }

  // Configured headers may replace Host or User-Agent; the body's type and length are ours.
  core::header_list& fields = conn_->request_fields();
  fields.clear();
  fields.insert("Host", ep_.host_header());
  fields.insert("User-Agent", "meshgate");
  for (const auto& [name, value] : req.headers) fields.set(name, value);
  if (!req.body.empty() || req.method == http::verb::post) {
    fields.set("Content-Type", "application/json");
    fields.set("Content-Length", core::decimal_text(req.body.size()));
  }
  std::string& head = conn_->request_head();
  core::request_head(http::to_string(req.method), req.target, fields, head);

  conn_->lowest().expires_after(first_byte_timeout);
  auto [wec, wn] = co_await conn_->visit(
      [&](auto& s) { return net::async_write(s, core::wire_message(head, req.body), as_tuple(use_task)); });
  if (wec) {
    retry_on_fresh = reused && wec != beast::error::timeout;
    co_return io_failure(wec, "while sending the request");
  }

  parser_.emplace();
  parser_->body_limit(boost::none);  // bodies are bounded by read_all's limit or streamed
  parser_->header_limit(64 * 1024);
  auto [rec, rn] = co_await conn_->visit(
      [&](auto& s) { return http::async_read_header(s, conn_->buffer(), *parser_, as_tuple(use_task)); });
  if (rec) {
    // Nothing of a response arrived on a connection the server may have closed while idle.
    retry_on_fresh = reused && conn_->buffer().size() == 0 && rec != beast::error::timeout &&
                     (rec == http::error::end_of_stream || rec == net::error::connection_reset ||
                      rec == net::error::eof);
    co_return io_failure(rec, "before responding");
  }
  conn_->lowest().expires_never();
  co_return outcome{};
}

task<outcome> exchange::read_some(std::string& out, duration timeout, std::size_t max_bytes) {
  if (aborted_) co_return outcome{failure::aborted, "client disconnected"};
  if (parser_->is_done()) co_return outcome{};
  auto& body = parser_->get().body();
  body.data = scratch_.data();
  body.size = std::min(max_bytes, scratch_.size());
  const std::size_t offered = body.size;
  conn_->lowest().expires_after(timeout);
  auto [ec, n] = co_await conn_->visit(
      [&](auto& s) { return http::async_read_some(s, conn_->buffer(), *parser_, as_tuple(use_task)); });
  out.append(scratch_.data(), offered - body.size);
  body.data = nullptr;
  if (ec && ec != http::error::need_buffer) {
    failed_ = true;
    co_return io_failure(ec, "while streaming the response");
  }
  conn_->lowest().expires_never();
  co_return outcome{};
}

task<outcome> exchange::read_all(std::string& out, std::size_t limit, duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!parser_->is_done()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= duration::zero()) {
      failed_ = true;
      co_return outcome{failure::timeout, "upstream timed out while sending the response body"};
    }
    outcome r = co_await read_some(out, left);
    if (!r) co_return r;
    if (out.size() > limit) {
      failed_ = true;
      co_return outcome{failure::too_large, "upstream response larger than " + std::to_string(limit) + " bytes"};
    }
  }
  co_return outcome{};
}

}  // namespace meshgate::upstream
