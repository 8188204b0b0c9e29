// core::deadline_stream: the per-connection deadline that replaces Beast's per-operation timers.
// Each case runs a real loopback socket pair on its own io_context, bounded by run_for.
#include <catch2/catch.hpp>

#include <memory>

#include "meshgate/core/deadline_stream.hpp"

using namespace meshgate;
using namespace std::chrono_literals;
using core::deadline_stream;
using clock_type = std::chrono::steady_clock;

namespace {

struct socket_pair {
  net::io_context ctx;
  tcp_socket peer{ctx};
  tcp_socket ours{ctx};
  socket_pair() {
    tcp_acceptor acceptor(ctx, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    acceptor.accept(ours);
  }
};

struct outcome {
  bool done = false;
  beast::error_code ec;
  std::size_t bytes = 0;
  clock_type::duration after{};
};

// A stream on one end of a loopback pair, and what each case needs around it.
struct stream_fixture {
  socket_pair p;
  deadline_stream s{std::move(p.ours)};
  steady_timer sender{p.ctx};
  char c = 0;
  outcome r;

  // Starts a one-byte read, recording its outcome into `r`; stops the context when done if
  // `stop` (so a wait still pending does not hold run_for to its bound).
  void read_one(bool stop) {
    const auto t0 = clock_type::now();
    s.async_read_some(net::buffer(&c, 1), [this, t0, stop](beast::error_code ec, std::size_t n) {
      r = outcome{true, ec, n, clock_type::now() - t0};
      if (stop) p.ctx.stop();
    });
  }
  // Writes one byte from the peer after `delay`.
  void send_later(clock_type::duration delay) {
    sender.expires_after(delay);
    sender.async_wait([this](const beast::error_code& ec) {
      if (!ec) net::write(p.peer, net::buffer("x", 1));
    });
  }
  void run() { p.ctx.run_for(5s); }
};

}  // namespace

TEST_CASE_METHOD(stream_fixture, "a read past its deadline ends with a timeout and closes the socket",
                 "[deadline_stream]") {
  s.expires_after(50ms);
  read_one(false);
  run();
  REQUIRE(r.done);
  CHECK(r.ec == beast::error::timeout);
  CHECK(r.after >= 50ms);
  CHECK_FALSE(s.socket().is_open());

  SECTION("and every later error of the stream is a timeout too") {
    outcome w;
    s.async_write_some(net::buffer("x", 1), [&w](beast::error_code ec, std::size_t n) { w = outcome{true, ec, n, {}}; });
    p.ctx.restart();
    run();
    REQUIRE(w.done);
    CHECK(w.ec == beast::error::timeout);
  }
}

TEST_CASE_METHOD(stream_fixture, "a deadline moved later is the one that counts", "[deadline_stream]") {
  s.expires_after(50ms);
  read_one(true);
  s.expires_after(3s);  // before the first wait fires: it must wait again, not close
  send_later(200ms);
  run();
  REQUIRE(r.done);
  CHECK_FALSE(r.ec);
  CHECK(r.bytes == 1);
  CHECK(c == 'x');
  CHECK(r.after >= 200ms);
}

TEST_CASE_METHOD(stream_fixture, "a deadline moved earlier moves the timer", "[deadline_stream]") {
  s.expires_after(60s);
  s.expires_after(50ms);
  read_one(false);
  run();
  REQUIRE(r.done);  // not after the first deadline's minute
  CHECK(r.ec == beast::error::timeout);
}

TEST_CASE_METHOD(stream_fixture, "expires_never lifts the deadline", "[deadline_stream]") {
  s.expires_after(50ms);
  s.expires_never();
  read_one(true);
  send_later(200ms);
  run();
  REQUIRE(r.done);
  CHECK_FALSE(r.ec);
  CHECK(r.bytes == 1);
  CHECK(s.socket().is_open());
}

TEST_CASE_METHOD(stream_fixture, "an error before the deadline is reported as itself", "[deadline_stream]") {
  s.expires_after(3s);
  read_one(true);
  p.peer.close();
  run();
  REQUIRE(r.done);
  CHECK(r.ec == net::error::eof);
}

TEST_CASE("destroying the stream ends its pending read and its timer wait", "[deadline_stream]") {
  socket_pair p;
  auto s = std::make_unique<deadline_stream>(std::move(p.ours));
  char c = 0;
  outcome r;
  s->expires_after(60s);
  s->async_read_some(net::buffer(&c, 1), [&r](beast::error_code ec, std::size_t n) { r = outcome{true, ec, n, {}}; });
  s.reset();
  const auto t0 = clock_type::now();
  p.ctx.run_for(5s);  // returns once nothing is pending: the minute-long wait must be gone
  CHECK(clock_type::now() - t0 < 4s);
  REQUIRE(r.done);
  CHECK(r.ec == net::error::operation_aborted);
}
