#include "support/raw_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace meshgate::testing {

namespace {

using clock_type = std::chrono::steady_clock;

int remaining_ms(clock_type::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

sockaddr_in loopback(unsigned short port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Content-Length of a header block, 0 when absent.
std::size_t content_length(std::string_view head) {
  const std::string h = lower(head);
  const auto p = h.find("\r\ncontent-length:");
  if (p == std::string::npos) return 0;
  return static_cast<std::size_t>(std::strtoull(h.c_str() + p + 17, nullptr, 10));
}

}  // namespace

raw_socket::raw_socket(unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  const auto a = loopback(port);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect: ") + std::strerror(e));
  }
}

raw_socket::~raw_socket() {
  if (fd_ >= 0) ::close(fd_);
}

bool raw_socket::send_all(std::string_view bytes, std::chrono::milliseconds bound) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(bound.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((bound.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent_ += static_cast<std::size_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string raw_socket::read_response(std::chrono::milliseconds bound, bool skip_interim) {
  const auto deadline = clock_type::now() + bound;
  for (;;) {
    const auto end_of_head = pending_.find("\r\n\r\n");
    if (end_of_head != std::string::npos) {
      const std::size_t total = end_of_head + 4 + content_length(std::string_view(pending_).substr(0, end_of_head + 2));
      const int status = status_of(pending_);
      if (skip_interim && status >= 100 && status < 200) {
        pending_.erase(0, end_of_head + 4);
        continue;
      }
      if (pending_.size() >= total) {
        std::string out = pending_.substr(0, total);
        pending_.erase(0, total);
        return out;
      }
    }
    pollfd p{fd_, POLLIN, 0};
    const int left = remaining_ms(deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0) return {};
    char buf[16 * 1024];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {};
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

int raw_socket::status_of(std::string_view response) {
  if (response.size() < 12 || !response.starts_with("HTTP/1.")) return 0;
  return std::atoi(std::string(response.substr(9, 3)).c_str());
}

std::string raw_socket::head_of(std::string_view response) {
  const auto p = response.find("\r\n\r\n");
  return std::string(response.substr(0, p == std::string_view::npos ? response.size() : p + 2));
}

bool raw_socket::wait_closed(std::chrono::milliseconds bound) {
  const auto deadline = clock_type::now() + bound;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int left = remaining_ms(deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0) return false;
    char buf[16 * 1024];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
}

bool raw_socket::closed_now() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  char b;
  const ssize_t n = ::recv(fd_, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

raw_upstream::raw_upstream(std::string response) : response_(std::move(response)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  auto a = loopback(0);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("bind/listen failed");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { serve(); });
}

raw_upstream::~raw_upstream() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::string raw_upstream::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

std::vector<std::string> raw_upstream::requests() const {
  std::lock_guard lock(m_);
  return requests_;
}

void raw_upstream::serve() {
  while (!stop_) {
    pollfd lp{listen_fd_, POLLIN, 0};
    if (::poll(&lp, 1, 50) <= 0) continue;  // wakes every 50 ms to notice stop_
    const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    std::string req;
    const auto deadline = clock_type::now() + std::chrono::seconds(5);
    for (;;) {
      const auto eoh = req.find("\r\n\r\n");
      if (eoh != std::string::npos && req.size() >= eoh + 4 + content_length(std::string_view(req).substr(0, eoh + 2))) break;
      pollfd p{c, POLLIN, 0};
      const int left = remaining_ms(deadline);
      if (left == 0 || ::poll(&p, 1, left) <= 0) break;
      char buf[16 * 1024];
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard lock(m_);
      requests_.push_back(req);
    }
    std::string_view out = response_;
    while (!out.empty()) {
      const ssize_t n = ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      out.remove_prefix(static_cast<std::size_t>(n));
    }
    ::shutdown(c, SHUT_WR);
    ::close(c);
  }
}

}  // namespace meshgate::testing
