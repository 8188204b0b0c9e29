#pragma once
// One upstream connection: plain TCP or TLS over TCP, plus its read buffer, which must live as
// long as the connection (bytes of the next response may already sit in it).
//
// Thread affinity: the owning worker's io_context only.
#include <chrono>
#include <string>
#include <variant>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "meshgate/core/deadline_stream.hpp"
#include "meshgate/core/http_head.hpp"
#include "meshgate/core/net.hpp"
#include "meshgate/upstream/endpoint.hpp"

namespace meshgate::upstream {

class connection {
 public:
  using plain_stream = tcp_stream;
  using tls_stream = beast::ssl_stream<tcp_stream>;

  // A TLS connection when `tls` is non-null (SNI and host-name verification set for `ep`).
  connection(executor ex, const endpoint& ep, net::ssl::context* tls);

  // Resolves, connects and (for TLS) handshakes within `timeout`. On failure returns a message
  // for the client that names the host but never a credential.
  task<std::string> open(const endpoint& ep, std::chrono::steady_clock::duration timeout);

  // Calls `f(stream)` with the concrete stream (plain or TLS).
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }

  tcp_stream& lowest() noexcept;
  beast::flat_buffer& buffer() noexcept { return buffer_; }
  // The fields and head of the request being sent, their storage kept from one request on this
  // connection to the next.
  core::header_list& request_fields() noexcept { return request_fields_; }
  std::string& request_head() noexcept { return request_head_; }

  // Closes the socket; pending operations complete with an error. Idempotent.
  void close() noexcept;

  // While idle in the pool: true when the peer has not closed it (no EOF, no stray bytes).
  bool idle_and_alive() noexcept;

  const std::string& key() const noexcept { return key_; }
  bool reused = false;
  std::chrono::steady_clock::time_point idle_since{};

 private:
  std::string key_;
  std::variant<plain_stream, tls_stream> stream_;
  beast::flat_buffer buffer_;
  core::header_list request_fields_;
  std::string request_head_;
};

}  // namespace meshgate::upstream
