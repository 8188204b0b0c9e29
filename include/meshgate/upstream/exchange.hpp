#pragma once
// One HTTP request/response with an upstream, on a pooled or new connection.
//
//   exchange x(pool, ep);
//   auto r = co_await x.start(req, timeouts);   // connect/reuse, write, read the status line+headers
//   ... x.status(), x.header() ...
//   co_await x.read_some(buf, idle)  (streams) or co_await x.read_all(buf, limit, timeout)
//   x.finish();                                 // pooled again only if complete and keep-alive
//
// abort() may be called at any time from the same thread (the client-disconnect watcher):
// the socket is closed at once, pending operations complete with `failure::aborted`, and the
// connection is never pooled.
//
// A reused connection that fails before any response byte arrives (the server closed it while
// idle) is replaced by a fresh one once, transparently; that is not a retry.
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "meshgate/core/net.hpp"
#include "meshgate/upstream/connection.hpp"
#include "meshgate/upstream/pool.hpp"

namespace meshgate::upstream {

using duration = std::chrono::steady_clock::duration;

struct request_spec {
  http::verb method = http::verb::post;
  std::string target;  // origin-form path, base_path included
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization, extra headers, ...
};

enum class failure { none, connect, timeout, io, aborted, too_large };

struct outcome {
  failure kind = failure::none;
  std::string what;  // client-safe description when kind != none
  explicit operator bool() const { return kind == failure::none; }
};

class exchange {
 public:
  exchange(pool& p, endpoint ep);
  ~exchange();
  exchange(const exchange&) = delete;
  exchange& operator=(const exchange&) = delete;

  // `connect_timeout` bounds connecting; `first_byte_timeout` bounds writing the request and
  // receiving the complete response header.
  task<outcome> start(const request_spec& req, duration connect_timeout, duration first_byte_timeout);

  int status() const;
  const http::response_header<>& header() const;

  // Appends the next decoded body bytes (at most `max_bytes`) to `out`; waits at most `timeout`
  // for them. At the end of the body returns success with nothing appended and done() true.
  task<outcome> read_some(std::string& out, duration timeout, std::size_t max_bytes = 64 * 1024);

  // Reads the rest of the body into `out`, failing with `too_large` past `limit` bytes. The
  // whole body must arrive within `timeout`.
  task<outcome> read_all(std::string& out, std::size_t limit, duration timeout);

  bool done() const;
  void abort() noexcept;
  bool aborted() const noexcept { return aborted_; }

  // Returns the connection to the pool when the response is complete and keep-alive, else
  // closes it. Idempotent. The destructor only closes: a connection is pooled only by an
  // explicit finish() after a response was fully read.
  void finish() noexcept;

 private:
  task<outcome> attempt(const request_spec& req, duration connect_timeout, duration first_byte_timeout,
                                  bool& retry_on_fresh);
  outcome io_failure(const beast::error_code& ec, const char* during) const;

  pool& pool_;
  endpoint ep_;
  std::unique_ptr<connection> conn_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  bool aborted_ = false;
  bool failed_ = false;
  // Decoded body bytes land here, then are appended. Left uninitialised on purpose: zeroing
  // 16 KiB for every upstream call was 6 % of the gateway's instructions per small request.
  std::array<char, 16 * 1024> scratch_;
};

}  // namespace meshgate::upstream
