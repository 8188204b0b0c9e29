// Life of a request (architecture.md):
//  1. The listener accepted the socket and handed it to this worker (gateway.cpp).
//  2. TLS handshake if configured; then per request: wait for the first byte (keep-alive idle
//     timeout), read the header (read timeout, header limit), refuse an oversized body with 413
//     before reading it, answer `Expect: 100-continue`, read the body.
//  3. Router → endpoint; unknown path → 404, wrong method → 405 (OpenAI envelope).
//  4. Auth (public health routes excepted) → 401 in the route's dialect; upstream untouched.
//  5. Dispatch. Proxied routes run under the client-disconnect watcher: if the client goes
//     away the upstream connection is closed at once and never pooled.
//  6. The handler writes the response (full or streamed) through the responder interface,
//     which stamps the x-litellm-* headers.
//  7. One access-log line; loop while keep-alive and not draining.
#include "meshgate/server/session.hpp"

#include <array>
#include <charconv>
#include <memory>

#include <boost/beast/ssl/ssl_stream.hpp>

#include "meshgate/core/deadline_stream.hpp"
#include "meshgate/core/http_head.hpp"
#include "meshgate/core/ids.hpp"
#include "meshgate/core/request_body.hpp"
#include "meshgate/core/version_info.hpp"
#include "meshgate/obs/log.hpp"
#include "meshgate/server/handlers.hpp"
#include "meshgate/server/responder.hpp"

namespace meshgate::server {

namespace {

using net::as_tuple;

std::chrono::steady_clock::duration secs(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// The client's x-litellm-call-id if it is a sane token, else a fresh time-ordered UUID (it keys
// the spend table; see core::new_time_ordered_uuid).
std::string call_id_for(const http::request<http::string_body>& req) {
  auto it = req.find("x-litellm-call-id");
  if (it != req.end()) {
    std::string_view v = it->value();
    const bool sane = !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
    });
    if (sane) return std::string(v);
  }
  return core::new_time_ordered_uuid();
}

class beast_headers final : public auth::header_source {
 public:
  explicit beast_headers(const http::request<http::string_body>& r) : r_(r) {}
  std::optional<std::string_view> get(std::string_view lower_name) const override {
    auto it = r_.find(lower_name);
    if (it == r_.end()) return std::nullopt;
    return std::string_view(it->value());
  }

 private:
  const http::request<http::string_body>& r_;
};

template <class Stream>
class session final : public responder {
 public:
  session(worker& w, Stream stream) : w_(w), st_(w.state()), stream_(std::move(stream)) {}

  task<void> run();

  // responder
  task<bool> send(request_context& ctx, unsigned status, std::string body, std::string_view content_type,
                            std::span<const core::header> extra = {}) override;
  task<bool> begin_stream(request_context& ctx, std::span<const core::header> extra = {},
                                    std::string_view trailer_names = {}) override;
  task<bool> stream_write(request_context& ctx, std::string_view data) override;
  task<bool> end_stream(request_context& ctx, std::span<const core::header> trailers = {},
                                  std::string_view data = {}) override;

 private:
  const config::timeouts& timeouts() const { return st_.cfg->general.timeout; }
  tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  void close_socket() {
    beast::error_code ec;
    lowest().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }
  bool keep_alive() const { return keep_alive_ && !st_.draining.load(std::memory_order_relaxed); }

  task<bool> handshake();
  task<void> graceful_close();
  // Reads one request; false = stop the connection (closed, timed out, or already answered).
  task<bool> read_request(http::request_parser<core::request_body>& parser);
  task<void> handle(http::request<http::string_body>& req);
  // Metrics and the spend row of a finished request.
  void finish_request(const request_context& ctx);
  task<void> dispatch(request_context& ctx, const route_match& route);
  task<void> with_disconnect_watch(request_context& ctx, task<void> work);
  // The watcher's state, shared with its pending read: `ctx` is null once the handler finished;
  // `probe` receives the peeked byte, which stays in the socket.
  struct client_watch {
    request_context* ctx;
    char probe = 0;
  };
  void arm_watch(std::shared_ptr<client_watch> w);
  task<bool> write_plain_error(unsigned status, std::string_view message);
  // Renders fields_ under `status` into head_ and returns the one gathered write of it and
  // `body` (which must outlive the write), with the downstream write timeout armed. A plain
  // function returning the operation, so a response costs no coroutine frame of its own.
  auto write_message(unsigned status, std::string_view body) {
    core::response_head(status, fields_, head_);
    lowest().expires_after(secs(timeouts().downstream_write));
    return net::async_write(stream_, core::wire_message(head_, body), as_tuple(use_task));
  }

  worker& w_;
  gateway_state& st_;
  Stream stream_;
  beast::flat_buffer buffer_;
  bool keep_alive_ = true;
  net::cancellation_signal watch_cancel_;
  // A stream's response head, from begin_stream until the first write carries it.
  std::string stream_head_;
  // The fields and head of each response, their storage kept from one response to the next.
  core::header_list fields_;
  std::string head_;
  // One gathered write of the held head (if any), `data` as a chunk (if any) and `tail`.
  task<bool> write_stream_part(request_context& ctx, std::string_view data, std::string_view tail);
};

template <class Stream>
task<bool> session<Stream>::handshake() {
  if constexpr (std::is_same_v<Stream, beast::ssl_stream<tcp_stream>>) {
    lowest().expires_after(secs(timeouts().downstream_read));
    auto [ec] = co_await stream_.async_handshake(net::ssl::stream_base::server, as_tuple(use_task));
    lowest().expires_never();
    co_return !ec;
  } else {
    co_return true;
  }
}

template <class Stream>
task<void> session<Stream>::graceful_close() {
  if constexpr (std::is_same_v<Stream, beast::ssl_stream<tcp_stream>>) {
    lowest().expires_after(std::chrono::seconds(2));
    co_await stream_.async_shutdown(as_tuple(use_task));
  } else {
    // Lingering close: after our FIN, discard what the client still sends (bounded in bytes and
    // time) so that closing with unread data does not turn into a RST that destroys the
    // response it has not read yet (e.g. a 413 sent before the body).
    beast::error_code ec;
    lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    lowest().expires_after(std::chrono::seconds(2));
    std::array<char, 16 * 1024> sink;
    std::size_t discarded = 0;
    while (!ec && discarded < (4u << 20)) {
      auto [rec, n] = co_await lowest().async_read_some(net::buffer(sink), as_tuple(use_task));
      ec = rec;
      discarded += n;
    }
  }
  close_socket();
}

template <class Stream>
task<void> session<Stream>::run() {
  if (!co_await handshake()) {
    close_socket();
    co_return;
  }
  for (;;) {
    http::request_parser<core::request_body> parser;
    if (!co_await read_request(parser)) break;
    // Same body type (std::string) under the string_body the handlers take: moved, not copied.
    auto parsed = parser.release();
    http::request<http::string_body> req(std::move(parsed.base()), std::move(parsed.body()));
    keep_alive_ = req.keep_alive();
    st_.request_started();
    try {
      co_await handle(req);
    } catch (const std::exception& e) {
      // An unexpected failure must not take the worker down; the client sees a closed connection
      // if nothing was written yet.
      obs::error(std::string("request failed unexpectedly: ") + e.what());
      keep_alive_ = false;
    }
    st_.request_finished();
    if (!keep_alive() || !lowest().socket().is_open()) break;
    // A large body grew the read buffer (read_request); an idle connection keeps only the
    // usual 16 KiB it prepares for the next request.
    if (buffer_.size() == 0 && buffer_.capacity() > 16 * 1024) buffer_.shrink_to_fit();
  }
  if (lowest().socket().is_open()) co_await graceful_close();
}

template <class Stream>
task<bool> session<Stream>::write_plain_error(unsigned status, std::string_view message) {
  // Every such answer (400, 413, 431) is the client's request being refused as sent.
  core::api_error e;
  e.status = static_cast<int>(status);
  e.message = std::string(message);
  e.type = "invalid_request_error";
  const std::string body = core::render_openai(e);
  fields_.clear();
  fields_.insert("Content-Type", "application/json");
  fields_.insert("x-litellm-call-id", core::new_time_ordered_uuid());
  fields_.insert("x-litellm-version", core::version_string);
  fields_.insert("Connection", "close");
  fields_.insert("Content-Length", core::decimal_text(body.size()));
  auto [ec, n] = co_await write_message(status, body);
  co_return !ec;
}

template <class Stream>
task<bool> session<Stream>::read_request(http::request_parser<core::request_body>& parser) {
  const auto& t = timeouts();
  const std::uint64_t body_limit = st_.cfg->general.max_request_size_bytes;
  parser.header_limit(64 * 1024);
  parser.body_limit(body_limit);

  if (buffer_.size() == 0) {
    // Idle keep-alive connection: wait for the first byte of the next request.
    lowest().expires_after(secs(t.keepalive_idle));
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(16 * 1024), as_tuple(use_task));
    if (ec) co_return false;
    buffer_.commit(n);
  }

  lowest().expires_after(secs(t.downstream_read));
  auto [hec, hn] = co_await http::async_read_header(stream_, buffer_, parser, as_tuple(use_task));
  if (hec) {
    // Beast checks a declared Content-Length against body_limit as soon as the header is parsed.
    if (hec == http::error::body_limit)
      co_await write_plain_error(413, "Request body too large: exceeds max_request_size_mb (" + std::to_string(body_limit) +
                                          " bytes).");
    else if (hec == http::error::header_limit) co_await write_plain_error(431, "Request header fields too large.");
    else if (hec != beast::error::timeout && hec != http::error::end_of_stream && hec != net::error::eof &&
             hec != net::error::connection_reset && hec != net::error::operation_aborted)
      co_await write_plain_error(400, "Malformed HTTP request.");
    co_return false;
  }
  auto& h = parser.get();
  if (auto len = parser.content_length(); len && *len > body_limit) {
    co_await write_plain_error(413, "Request body too large: " + std::to_string(*len) + " bytes exceeds max_request_size_mb (" +
                                        std::to_string(body_limit) + " bytes).");
    co_return false;
  }
  // Beast reads no more than the buffer's free capacity per call (and 64 KiB at most): let a
  // large body arrive in 64 KiB reads rather than 16 KiB ones.
  if (auto len = parser.content_length(); len && *len > buffer_.capacity() - buffer_.size())
    buffer_.reserve(buffer_.size() + static_cast<std::size_t>(std::min<std::uint64_t>(*len, 64 * 1024)));
  if (auto it = h.find(http::field::expect); it != h.end() && beast::iequals(it->value(), "100-continue")) {
    static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
    lowest().expires_after(secs(t.downstream_write));
    auto [cec, cn] = co_await net::async_write(stream_, net::buffer(cont.data(), cont.size()), as_tuple(use_task));
    if (cec) co_return false;
    lowest().expires_after(secs(t.downstream_read));
  }
  auto [bec, bn] = co_await http::async_read(stream_, buffer_, parser, as_tuple(use_task));
  lowest().expires_never();
  if (bec) {
    if (bec == http::error::body_limit)
      co_await write_plain_error(413, "Request body too large: exceeds max_request_size_mb (" + std::to_string(body_limit) + " bytes).");
    else if (bec != beast::error::timeout && bec != http::error::end_of_stream && bec != net::error::eof &&
             bec != http::error::partial_message && bec != net::error::connection_reset)
      co_await write_plain_error(400, "Malformed HTTP request body.");
    co_return false;
  }
  co_return true;
}

template <class Stream>
task<void> session<Stream>::handle(http::request<http::string_body>& req) {
  request_context ctx;
  ctx.req = &req;
  ctx.call_id = call_id_for(req);
  const std::string_view target = req.target();
  ctx.path = std::string(target.substr(0, target.find('?')));
  const route_match route = match_route(req.method_string(), target);
  ctx.ep = route.ep;
  if (route.ep == endpoint::messages || route.ep == endpoint::messages_count_tokens) ctx.dialect = core::dialect::anthropic;

  co_await dispatch(ctx, route);
  finish_request(ctx);

  obs::access_record rec;
  rec.call_id = ctx.call_id;
  rec.method = req.method_string();
  rec.route = ctx.path;
  rec.model = ctx.model_alias;
  rec.status = ctx.status;
  rec.duration_ms = elapsed_ms(ctx.start);
  rec.prompt_tokens = ctx.usage.prompt_tokens.value_or(0);
  rec.completion_tokens = ctx.usage.completion_tokens.value_or(0);
  rec.cost = ctx.cost.value_or(0);
  rec.stream = ctx.streamed;
  rec.error = ctx.client_gone ? std::string_view("client disconnected") : std::string_view(ctx.error_summary);
  obs::log_access(rec);
}

template <class Stream>
void session<Stream>::finish_request(const request_context& ctx) {
  const bool proxied = ctx.ep == endpoint::chat_completions || ctx.ep == endpoint::completions ||
                       ctx.ep == endpoint::messages || ctx.ep == endpoint::responses_create;
  obs::request_sample s;
  s.route = endpoint_name(ctx.ep);
  s.model = ctx.model_alias;
  s.status = ctx.status;
  s.duration_s = elapsed_ms(ctx.start) / 1000.0;
  s.overhead_s = std::max(0.0, s.duration_s - std::chrono::duration<double>(ctx.upstream_time).count());
  if (ctx.first_token) s.ttft_s = std::chrono::duration<double>(*ctx.first_token - ctx.start).count();
  s.prompt_tokens = ctx.usage.prompt_tokens.value_or(0);
  s.completion_tokens = ctx.usage.completion_tokens.value_or(0);
  s.cost = ctx.cost;
  st_.metrics.observe(s);
  if (proxied && st_.spend && !ctx.model_alias.empty()) st_.spend->record(ctx);
}

template <class Stream>
task<void> session<Stream>::dispatch(request_context& ctx, const route_match& route) {
  if (route.ep == endpoint::not_found) {
    co_await send_error(ctx, core::not_found("Route not found: " + ctx.path.substr(0, 200)));
    co_return;
  }
  if (route.ep == endpoint::method_not_allowed) {
    core::api_error e = core::bad_request("Method not allowed for " + ctx.path.substr(0, 200));
    e.status = 405;
    co_await send_error(ctx, e);
    co_return;
  }
  if (!is_public(route.ep)) {
    beast_headers headers(*ctx.req);
    auto key = auth::extract_key(headers, st_.cfg->general.key_header_name);
    if (auto denied = st_.auth.check(key)) {
      co_await send_error(ctx, *denied);
      co_return;
    }
    if (key.status == auth::extracted_key::kind::present)
      ctx.key_hash = st_.master_key_hash.empty() ? st_.auth.accepted_key_hash(key) : st_.master_key_hash;
  }
  handler_env env{w_, st_, *this};
  switch (route.ep) {
    case endpoint::health_liveness:
      if (st_.draining.load()) co_await send(ctx, 503, R"({"status":"shutting_down"})", "application/json");
      else co_await send(ctx, 200, "\"I'm alive!\"", "application/json");
      co_return;
    case endpoint::health_readiness:
      co_await handle_readiness(env, ctx);
      co_return;
    case endpoint::models_list:
    case endpoint::model_get:
      co_await handle_models(env, ctx, route);
      co_return;
    case endpoint::chat_completions:
    case endpoint::completions:
      co_await with_disconnect_watch(ctx, handle_openai(env, ctx, route));
      co_return;
    case endpoint::messages:
      co_await with_disconnect_watch(ctx, handle_messages(env, ctx));
      co_return;
    case endpoint::responses_create:
      co_await with_disconnect_watch(ctx, handle_responses(env, ctx));
      co_return;
    case endpoint::responses_get:
    case endpoint::responses_delete:
    case endpoint::responses_input_items:
    case endpoint::responses_cancel:
      co_await with_disconnect_watch(ctx, handle_response_by_id(env, ctx, route));
      co_return;
    case endpoint::messages_count_tokens:
      co_await with_disconnect_watch(ctx, handle_count_tokens(env, ctx));
      co_return;
    case endpoint::health:
      co_await handle_health(env, ctx);
      co_return;
    case endpoint::metrics:
      co_await handle_metrics(env, ctx);
      co_return;
    case endpoint::spend_logs:
      co_await handle_spend_logs(env, ctx);
      co_return;
    default:
      co_await send_error(ctx, core::not_found("Route not available in this build: " + ctx.path.substr(0, 200)));
      co_return;
  }
}

template <class Stream>
task<void> session<Stream>::with_disconnect_watch(request_context& ctx, task<void> work) {
  // The watcher is a completion handler on the client socket, not a second coroutine run
  // beside the handler: Asio's `&&` spawns both sides as coroutines and joins them in a
  // parallel group, several allocations and executor hops on every request. The handler
  // always finishes (the watcher aborts its upstream I/O when the client leaves) and then
  // disarms the watcher, also when it throws.
  auto watch = std::make_shared<client_watch>(client_watch{&ctx});
  arm_watch(watch);
  struct disarm {
    session* self;
    client_watch& w;
    ~disarm() {
      w.ctx = nullptr;
      self->watch_cancel_.emit(net::cancellation_type::terminal);
    }
  } guard{this, *watch};
  co_await std::move(work);
}

template <class Stream>
void session<Stream>::arm_watch(std::shared_ptr<client_watch> w) {
  // A one-byte peek, never a consuming read: bytes that arrive meanwhile may be a pipelined
  // request or a TLS record, and stay in the socket for the next read. A read, not
  // async_wait(wait_read): Asio starts every wait with an epoll_ctl that re-registers the
  // socket (and polls it), while a read tries one recv (EAGAIN while the client is quiet) and
  // then joins the descriptor's queue, whose events are registered already.
  char* probe = &w->probe;
  auto on_ready = [w = std::move(w)](beast::error_code ec, std::size_t n) {
    // Once disarmed the session may be gone: touch nothing of it.
    if (w->ctx == nullptr || ec == net::error::operation_aborted) return;
    // End of stream or an error: the client is gone. A byte: the client is talking, so it is
    // there; stop watching.
    if (ec || n == 0) w->ctx->client_disconnected();
  };
  lowest().socket().async_receive(net::buffer(probe, 1), net::socket_base::message_peek,
                                  net::bind_cancellation_slot(watch_cancel_.slot(), std::move(on_ready)));
}

template <class Stream>
task<bool> session<Stream>::send(request_context& ctx, unsigned status, std::string body,
                                           std::string_view content_type, std::span<const core::header> extra) {
  ctx.status = static_cast<int>(status);
  if (ctx.client_gone) co_return false;
  auto& fields = fields_;
  fields.clear();
  fields.insert("Content-Type", content_type);
  add_gateway_headers(fields, ctx);
  for (const auto& f : extra) fields.set(f.name, f.value);
  if (!keep_alive()) fields.set("Connection", "close");
  // 1xx, 204 and 304 answers carry neither a body nor a length (RFC 9110 §8.6).
  const bool bodiless = status / 100 == 1 || status == 204 || status == 304;
  if (bodiless) body.clear();
  else fields.set("Content-Length", core::decimal_text(body.size()));
  auto [ec, n] = co_await write_message(status, body);
  lowest().expires_never();
  if (ec) {
    keep_alive_ = false;
    co_return false;
  }
  co_return true;
}

template <class Stream>
task<bool> session<Stream>::begin_stream(request_context& ctx, std::span<const core::header> extra,
                                                   std::string_view trailer_names) {
  ctx.status = 200;
  ctx.streamed = true;
  if (ctx.client_gone) co_return false;
  auto& fields = fields_;
  fields.clear();
  fields.insert("Content-Type", "text/event-stream");
  fields.insert("Cache-Control", "no-cache");
  fields.insert("x-accel-buffering", "no");
  add_gateway_headers(fields, ctx);
  for (const auto& f : extra) fields.set(f.name, f.value);
  if (!trailer_names.empty()) fields.set("Trailer", trailer_names);
  if (!keep_alive()) fields.set("Connection", "close");
  fields.set("Transfer-Encoding", "chunked");
  // Held for the first chunk, which the caller has ready: one write, one segment, no delay.
  core::response_head(200, fields, stream_head_);
  co_return true;
}

template <class Stream>
task<bool> session<Stream>::write_stream_part(request_context& ctx, std::string_view data,
                                                        std::string_view tail) {
  if (ctx.client_gone) {
    stream_head_.clear();  // never to be written: the next request on this connection starts afresh
    co_return false;
  }
  if (!data.empty() && !ctx.first_token) ctx.first_token = clock::now();
  const core::chunk_frame frame(data.size());
  std::array<net::const_buffer, 5> parts{};  // unused entries stay empty and write nothing
  std::size_t n = 0;
  if (!stream_head_.empty()) parts[n++] = net::buffer(stream_head_);
  if (!data.empty())
    for (const auto& b : frame.buffers(data)) parts[n++] = b;
  if (!tail.empty()) parts[n++] = net::buffer(tail.data(), tail.size());
  if (n == 0) co_return true;
  lowest().expires_after(secs(timeouts().downstream_write));
  auto [ec, written] = co_await net::async_write(stream_, parts, as_tuple(use_task));
  lowest().expires_never();
  stream_head_.clear();
  if (ec) {
    keep_alive_ = false;
    ctx.client_disconnected();
    co_return false;
  }
  co_return true;
}

template <class Stream>
task<bool> session<Stream>::stream_write(request_context& ctx, std::string_view data) {
  // An empty chunk would end the body; with nothing to send, only a held head goes out.
  co_return co_await write_stream_part(ctx, data, {});
}

template <class Stream>
task<bool> session<Stream>::end_stream(request_context& ctx, std::span<const core::header> trailers,
                                                 std::string_view data) {
  const std::string last = core::wire_last_chunk(trailers);
  co_return co_await write_stream_part(ctx, data, last);
}

template <class Stream>
task<void> run_session(worker& w, Stream stream) {
  session<Stream> s(w, std::move(stream));
  co_await s.run();
}

}  // namespace

void start_session(worker& w, tcp_socket socket, net::ssl::context* tls) {
  beast::error_code ec;
  socket.set_option(net::ip::tcp::no_delay(true), ec);
  auto on_done = [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      obs::error(std::string("connection ended by an unexpected error: ") + ex.what());
    }
  };
  if (tls) {
    net::co_spawn(w.context(),
                  run_session(w, beast::ssl_stream<tcp_stream>(tcp_stream(std::move(socket)), *tls)),
                  on_done);
  } else {
    net::co_spawn(w.context(), run_session(w, tcp_stream(std::move(socket))), on_done);
  }
}

}  // namespace meshgate::server
