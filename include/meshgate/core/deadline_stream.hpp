#pragma once
// A TCP stream with one deadline per connection, for the gateway's client and upstream
// connections (the `tcp_stream` of core/net.hpp). It does what the gateway used of Beast's
// basic_stream, at a fraction of the per-request cost.
//
// Beast's basic_stream starts a timer wait for every read or write while an expiry is set and
// cancels it when the operation completes: a timer-queue insert and removal, an allocation and
// one more queued handler (the cancelled wait) per operation, about eight a small proxied
// request, ~5 % of its instructions. Here expires_after() only records the deadline. One
// timer wait per connection is pending at a time; when it fires before the deadline (which has
// moved on since), it waits again for the rest. Only a deadline earlier than the pending wait
// moves the timer. So a connection's timer fires about once per timeout period, not per I/O.
//
// Contract, as basic_stream's for these members:
// - expires_after(d): operations pending or started before the deadline passes end with
//   beast::error::timeout once it passes; the socket is then closed. expires_never() lifts it.
// - Every error of an operation started through this stream after the deadline passed is
//   reported as beast::error::timeout.
// - socket() is the raw socket; operations started on it directly (the disconnect watcher's peek)
//   are not covered by the deadline, but a timeout's close ends them too.
// Thread affinity: the owning io_context's thread only, like the socket.
#include <chrono>
#include <memory>
#include <utility>

#include "meshgate/core/net.hpp"

namespace meshgate::core {

class deadline_stream {
 public:
  using executor_type = executor;
  using lowest_layer_type = tcp_socket;  // what asio::ssl::stream asks of the layer below it
  using clock = std::chrono::steady_clock;

  explicit deadline_stream(tcp_socket socket);
  explicit deadline_stream(executor ex);
  deadline_stream(deadline_stream&&) noexcept = default;
  deadline_stream& operator=(deadline_stream&&) = delete;
  // Closes the socket and drops the pending timer wait.
  ~deadline_stream();

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  tcp_socket& socket() noexcept { return state_->socket; }
  lowest_layer_type& lowest_layer() noexcept { return state_->socket; }

  void expires_after(clock::duration d) { set_deadline(clock::now() + d); }
  void expires_never() noexcept { state_->deadline = clock::time_point::max(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return start<void(beast::error_code, std::size_t)>(
        std::forward<Token>(token), [buffers](tcp_socket& s, auto h) { s.async_read_some(buffers, std::move(h)); });
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return start<void(beast::error_code, std::size_t)>(
        std::forward<Token>(token), [buffers](tcp_socket& s, auto h) { s.async_write_some(buffers, std::move(h)); });
  }

  // Tries the endpoints in turn (asio::async_connect), all under the current deadline.
  template <class Endpoints, class Token>
  auto async_connect(const Endpoints& endpoints, Token&& token) {
    return start<void(beast::error_code, net::ip::tcp::endpoint)>(
        std::forward<Token>(token),
        [endpoints](tcp_socket& s, auto h) { net::async_connect(s, endpoints, std::move(h)); });
  }

  // What the stream's operations and its timer's wait share; the wait keeps it alive.
  struct state {
    explicit state(tcp_socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    tcp_socket socket;
    steady_timer timer;
    clock::time_point deadline = clock::time_point::max();
    bool waiting = false;    // a wait is pending on `timer`, due at timer.expiry()
    bool timed_out = false;  // a deadline passed: the socket was closed
  };

  // A completion handler that reports any error as a timeout once the deadline has passed,
  // and is otherwise the handler it wraps (its executor, allocator and cancellation slot).
  template <class Handler>
  class timeout_mapped {
   public:
    timeout_mapped(Handler h, std::shared_ptr<state> st) : handler_(std::move(h)), state_(std::move(st)) {}
    template <class... Args>
    void operator()(beast::error_code ec, Args&&... args) {
      if (ec && state_->timed_out) ec = beast::error::timeout;
      state_.reset();
      std::move(handler_)(ec, std::forward<Args>(args)...);
    }
    const Handler& inner() const noexcept { return handler_; }

   private:
    Handler handler_;
    std::shared_ptr<state> state_;
  };

 private:
  // Starts `op(socket, handler)` with the caller's handler wrapped in timeout_mapped.
  template <class Signature, class Token, class Op>
  auto start(Token&& token, Op op) {
    return net::async_initiate<Token, Signature>(
        [](auto handler, std::shared_ptr<state> st, Op o) {
          tcp_socket& s = st->socket;
          o(s, timeout_mapped<decltype(handler)>(std::move(handler), std::move(st)));
        },
        token, state_, std::move(op));
  }

  void set_deadline(clock::time_point t);
  static void wait(const std::shared_ptr<state>& st);
  static void on_timer(const std::shared_ptr<state>& st, const beast::error_code& ec);

  std::shared_ptr<state> state_;
};

}  // namespace meshgate::core

namespace boost::asio {
// The wrapped handler's associated executor, allocator and cancellation slot are the wrapper's.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, meshgate::core::deadline_stream::timeout_mapped<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const meshgate::core::deadline_stream::timeout_mapped<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.inner());
  }
  static auto get(const meshgate::core::deadline_stream::timeout_mapped<Handler>& h, const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.inner(), c)) {
    return Associator<Handler, DefaultCandidate>::get(h.inner(), c);
  }
};
}  // namespace boost::asio
