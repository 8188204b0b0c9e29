#include "meshgate/upstream/connection.hpp"

#include <sys/socket.h>

#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/ssl.h>

namespace meshgate::upstream {

namespace {
std::variant<connection::plain_stream, connection::tls_stream> make_stream(executor ex,
                                                                           net::ssl::context* tls) {
  if (tls) return std::variant<connection::plain_stream, connection::tls_stream>(std::in_place_index<1>, ex, *tls);
  return std::variant<connection::plain_stream, connection::tls_stream>(std::in_place_index<0>, ex);
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}
}  // namespace

connection::connection(executor ex, const endpoint& ep, net::ssl::context* tls)
    : key_(ep.pool_key()), stream_(make_stream(std::move(ex), tls)) {
  // Beast sizes each socket read by the buffer's free capacity (512 bytes at least): an empty
  // buffer would read a 4 KB stream in eight reads and relay it as eight chunks.
  buffer_.reserve(16 * 1024);
}

tcp_stream& connection::lowest() noexcept {
  return std::visit([](auto& s) -> tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
}

void connection::close() noexcept {
  beast::error_code ec;
  lowest().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  lowest().socket().close(ec);
}

bool connection::idle_and_alive() noexcept {
  auto& sock = lowest().socket();
  if (!sock.is_open()) return false;
  // A readable idle socket means the server closed it (EOF) or sent something unsolicited
  // (a TLS alert): either way it must not carry a new request.
  char probe;
  const ssize_t n = ::recv(sock.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

task<std::string> connection::open(const endpoint& ep, std::chrono::steady_clock::duration timeout) {
  using net::as_tuple;
  auto ex = co_await net::this_coro::executor;
  tcp_resolver resolver(ex);
  auto& tcp = lowest();
  // Name resolution is bounded by the system resolver's own timeouts (resolv.conf); the
  // connect timeout starts here and covers connect and handshake.
  auto [rec, results] = co_await resolver.async_resolve(ep.host, ep.port, as_tuple(use_task));
  if (rec) co_return "cannot resolve host " + ep.host + ": " + rec.message();
  tcp.expires_after(timeout);
  auto [cec, connected] = co_await tcp.async_connect(results, as_tuple(use_task));
  if (cec) {
    if (cec == beast::error::timeout) co_return "connection to " + ep.host + ":" + ep.port + " timed out";
    co_return "cannot connect to " + ep.host + ":" + ep.port + ": " + cec.message();
  }
  tcp.socket().set_option(net::ip::tcp::no_delay(true));
  if (auto* tls = std::get_if<tls_stream>(&stream_)) {
    if (!is_ip_literal(ep.host)) {
      SSL_set_tlsext_host_name(tls->native_handle(), ep.host.c_str());
    }
    if (ep.verify) {
      tls->set_verify_mode(net::ssl::verify_peer);
      tls->set_verify_callback(net::ssl::host_name_verification(ep.host));
    } else {
      tls->set_verify_mode(net::ssl::verify_none);
    }
    tcp.expires_after(timeout);
    auto [hec] = co_await tls->async_handshake(net::ssl::stream_base::client, as_tuple(use_task));
    if (hec) {
      std::string why = hec.message();
      const long verify = SSL_get_verify_result(tls->native_handle());
      if (verify != X509_V_OK) why = std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
      if (hec == beast::error::timeout) why = "handshake timed out";
      co_return "TLS handshake with " + ep.host + ":" + ep.port + " failed: " + why;
    }
  }
  tcp.expires_never();
  co_return std::string();
}

}  // namespace meshgate::upstream
