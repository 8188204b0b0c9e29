#include "support/fake_upstream.hpp"

#include <sys/socket.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace meshgate::testing {

using net::as_tuple;
using net::use_awaitable;
using namespace net::experimental::awaitable_operators;

void gate::open() {
  std::vector<std::function<void()>> w;
  {
    std::lock_guard lock(m_);
    open_ = true;
    w.swap(waiters_);
  }
  for (auto& f : w) f();
}

bool gate::is_open() const {
  std::lock_guard lock(m_);
  return open_;
}

fake_upstream::fake_upstream(handler h, net::ssl::context* tls) : tls_(tls), handler_(std::move(h)) {
  net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  net::co_spawn(ctx_, accept_loop(), net::detached);
  thread_ = std::thread([this] { ctx_.run(); });
}

fake_upstream::~fake_upstream() {
  ctx_.stop();
  thread_.join();
}

std::string fake_upstream::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void fake_upstream::set_handler(handler h) {
  std::lock_guard lock(m_);
  handler_ = std::move(h);
}

void fake_upstream::set_recording(bool on) {
  std::lock_guard lock(m_);
  recording_ = on;
}

std::vector<recorded_request> fake_upstream::requests() const {
  std::lock_guard lock(m_);
  return requests_;
}

std::size_t fake_upstream::request_count() const {
  std::lock_guard lock(m_);
  return request_total_;
}

std::size_t fake_upstream::connections_accepted() const {
  std::lock_guard lock(m_);
  return accepted_;
}

std::size_t fake_upstream::connections_closed_by_peer() const {
  std::lock_guard lock(m_);
  return peer_closed_;
}

bool fake_upstream::wait_for_requests(std::size_t n, std::chrono::milliseconds bound) {
  std::unique_lock lock(m_);
  return cv_.wait_for(lock, bound, [&] { return request_total_ >= n; });
}

bool fake_upstream::wait_for_peer_closes(std::size_t n, std::chrono::milliseconds bound) {
  std::unique_lock lock(m_);
  return cv_.wait_for(lock, bound, [&] { return peer_closed_ >= n; });
}

std::size_t fake_upstream::sends_completed() const {
  std::lock_guard lock(m_);
  return sends_;
}

bool fake_upstream::wait_for_sends(std::size_t n, std::chrono::milliseconds bound) {
  std::unique_lock lock(m_);
  return cv_.wait_for(lock, bound, [&] { return sends_ >= n; });
}

net::awaitable<void> fake_upstream::accept_loop() {
  for (int id = 1;; ++id) {
    auto [ec, sock] = co_await acceptor_.async_accept(as_tuple(use_awaitable));
    if (ec) co_return;
    {
      std::lock_guard lock(m_);
      ++accepted_;
    }
    if (tls_) {
      net::co_spawn(ctx_, serve(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *tls_), id),
                    net::detached);
    } else {
      net::co_spawn(ctx_, serve(beast::tcp_stream(std::move(sock)), id), net::detached);
    }
  }
}

net::awaitable<bool> fake_upstream::wait_gate(std::shared_ptr<gate> g, net::ip::tcp::socket& sock) {
  // Waits for the gate, or for the peer to close the connection meanwhile (then false).
  // The gate's waiter only observes the timer: the gate may open after this wait ended (peer
  // closed), or never, and outlive this upstream; it must not keep a timer of a dead io_context.
  auto timer = std::make_shared<net::steady_timer>(ctx_, net::steady_timer::time_point::max());
  auto& t = *timer;
  {
    std::lock_guard lock(g->m_);
    if (g->open_) co_return true;
    std::weak_ptr<net::steady_timer> weak = timer;
    g->waiters_.push_back([this, weak] {
      if (auto live = weak.lock()) net::post(ctx_, [live] { live->cancel(); });
    });
  }
  for (;;) {
    auto result = co_await (t.async_wait(as_tuple(use_awaitable)) ||
                            sock.async_wait(net::ip::tcp::socket::wait_read, as_tuple(use_awaitable)));
    if (result.index() == 0) co_return true;
    char b;
    const ssize_t n = ::recv(sock.native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) co_return false;
    if (n > 0) {
      co_await t.async_wait(as_tuple(use_awaitable));  // data, not a close: just wait for the gate
      co_return true;
    }
  }
}

template <class Stream>
net::awaitable<fake_upstream::play_result> fake_upstream::play(Stream& stream, const reply& r) {
  if (r.stall_before_headers) {
    // Say nothing until the peer goes away.
    char b;
    co_await beast::get_lowest_layer(stream).socket().async_receive(net::buffer(&b, 1), as_tuple(use_awaitable));
    co_return play_result::peer_gone;
  }
  if (r.hold && !co_await wait_gate(r.hold, beast::get_lowest_layer(stream).socket())) co_return play_result::peer_gone;
  http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
  for (const auto& [k, v] : r.headers) res.set(k, v);
  if (!r.chunked) {
    res.body() = r.body;
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, as_tuple(use_awaitable));
    co_return ec ? play_result::peer_gone : play_result::ok;
  }
  res.chunked(true);
  http::response_serializer<http::string_body> sr{res};
  auto [hec, hn] = co_await http::async_write_header(stream, sr, as_tuple(use_awaitable));
  if (hec) co_return play_result::peer_gone;
  for (const auto& s : r.steps) {
    switch (s.k) {
      case step::kind::send: {
        auto [ec, n] = co_await net::async_write(stream, http::make_chunk(net::buffer(s.bytes)), as_tuple(use_awaitable));
        if (ec) co_return play_result::peer_gone;
        std::lock_guard lock(m_);
        ++sends_;
        cv_.notify_all();
        break;
      }
      case step::kind::wait_gate:
        if (!co_await wait_gate(s.g, beast::get_lowest_layer(stream).socket())) co_return play_result::peer_gone;
        break;
      case step::kind::stall: {
        // Wait until the peer goes away (a read completes with EOF/error).
        char b;
        co_await beast::get_lowest_layer(stream).socket().async_receive(net::buffer(&b, 1), as_tuple(use_awaitable));
        co_return play_result::peer_gone;
      }
      case step::kind::drop: {
        beast::error_code ec;
        beast::get_lowest_layer(stream).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(stream).socket().close(ec);
        co_return play_result::dropped;
      }
    }
  }
  if (!r.end_after_steps) {
    char b;
    co_await beast::get_lowest_layer(stream).socket().async_receive(net::buffer(&b, 1), as_tuple(use_awaitable));
    co_return play_result::peer_gone;
  }
  auto [lec, ln] = co_await net::async_write(stream, http::make_chunk_last(), as_tuple(use_awaitable));
  co_return lec ? play_result::peer_gone : play_result::ok;
}

template <class Stream>
net::awaitable<void> fake_upstream::serve(Stream stream, int conn_id) {
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, as_tuple(use_awaitable));
    if (ec) co_return;
  }
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    auto [ec, n] = co_await http::async_read(stream, buf, parser, as_tuple(use_awaitable));
    if (ec) {
      // The gateway closed the connection (or reset it): that is what disconnect tests watch for.
      std::lock_guard lock(m_);
      ++peer_closed_;
      cv_.notify_all();
      co_return;
    }
    auto& req = parser.get();
    recorded_request rec;
    rec.method = std::string(req.method_string());
    rec.target = std::string(req.target());
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      rec.headers[name] = std::string(f.value());
    }
    rec.body = req.body();
    rec.connection = conn_id;
    handler h;
    {
      std::lock_guard lock(m_);
      ++request_total_;
      if (recording_) requests_.push_back(rec);
      h = handler_;
      cv_.notify_all();
    }
    reply r = h ? h(rec) : reply::json(200, "{}");
    const play_result pr = co_await play(stream, r);
    if (pr != play_result::ok) {
      std::lock_guard lock(m_);
      if (pr == play_result::peer_gone) ++peer_closed_;
      cv_.notify_all();
      beast::error_code ignored;
      beast::get_lowest_layer(stream).socket().close(ignored);
      co_return;
    }
  }
}

unsigned short closed_port() {
  net::io_context ctx;
  net::ip::tcp::acceptor a(ctx, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const unsigned short p = a.local_endpoint().port();
  a.close();
  return p;
}

}  // namespace meshgate::testing
