#pragma once
// Byte-level peers for abuse tests, where test_client and fake_upstream are too well-behaved:
//  - raw_socket: a client that sends partial, slow or malformed requests and observes when the
//    gateway closes the connection;
//  - raw_upstream: an upstream that answers every request with fixed bytes (for responses no
//    HTTP library would serialise, e.g. folded header lines).
// Blocking POSIX sockets; every wait is bounded by poll() or a socket timeout.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace meshgate::testing {

class raw_socket {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error if that fails.
  explicit raw_socket(unsigned short port);
  ~raw_socket();
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  int fd() const { return fd_; }
  // Writes all of `bytes` (blocking, send timeout `bound`); false when the peer closed or reset
  // the connection or the timeout hit. Adds what was written to bytes_sent().
  bool send_all(std::string_view bytes, std::chrono::milliseconds bound = std::chrono::milliseconds(10000));
  std::size_t bytes_sent() const { return sent_.load(); }

  // Reads one HTTP response (header plus a Content-Length body) within `bound`; returns the
  // raw bytes (empty when nothing complete arrived). Skips interim 1xx responses only if
  // `skip_interim`.
  std::string read_response(std::chrono::milliseconds bound, bool skip_interim = false);
  // Status code of a raw response ("HTTP/1.1 413 ..." → 413), 0 if unparsable.
  static int status_of(std::string_view response);
  // The header block of a raw response (up to the blank line).
  static std::string head_of(std::string_view response);

  // Waits up to `bound` for the peer to close (EOF or reset), discarding what it sends.
  bool wait_closed(std::chrono::milliseconds bound);
  // Non-blocking: true when the peer has closed or reset (nothing else pending is consumed).
  bool closed_now();

 private:
  int fd_ = -1;
  std::atomic<std::size_t> sent_{0};
  std::string pending_;  // bytes read past the last response
};

class raw_upstream {
 public:
  // Every request (header plus Content-Length body) gets `response` and the connection closes.
  explicit raw_upstream(std::string response);
  ~raw_upstream();
  unsigned short port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>/v1"
  std::vector<std::string> requests() const;

 private:
  void serve();
  std::string response_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex m_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace meshgate::testing
