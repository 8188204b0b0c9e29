#pragma once
// A scriptable OpenAI-compatible upstream for integration tests, on 127.0.0.1:0 in its own
// thread. It records every request (method, target, headers, body) and every connection close
// it observes, and answers with a script: a full response, or a sequence of steps (send bytes,
// wait for a gate the test opens, stall, drop the connection).
//
// Every wait_* method is bounded and returns false on timeout; nothing sleeps.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "meshgate/core/net.hpp"

namespace meshgate::testing {

struct recorded_request {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int connection = 0;  // which accepted connection carried it (1-based)
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A one-shot latch the test opens; script steps can wait for it.
class gate {
 public:
  void open();
  bool is_open() const;

 private:
  friend class fake_upstream;
  mutable std::mutex m_;
  bool open_ = false;
  std::vector<std::function<void()>> waiters_;
};

struct step {
  enum class kind { send, wait_gate, stall, drop } k = kind::send;
  std::string bytes;                // send: raw bytes of one chunk (chunked encoding added)
  std::shared_ptr<gate> g;          // wait_gate
  static step send(std::string b) { return {kind::send, std::move(b), nullptr}; }
  static step wait(std::shared_ptr<gate> gt) { return {kind::wait_gate, {}, std::move(gt)}; }
  static step stall() { return {kind::stall, {}, nullptr}; }
  static step drop() { return {kind::drop, {}, nullptr}; }
};

struct reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;             // full response (when steps is empty)
  bool stall_before_headers = false;  // never answer
  std::shared_ptr<gate> hold;   // answer only once this gate opens (or stop if the peer goes away)
  bool chunked = false;         // stream: header, then steps as chunks, then the last chunk
  std::vector<step> steps;
  bool end_after_steps = true;  // false: leave the chunked body open (stall) after the steps

  static reply json(int status, std::string body) {
    reply r;
    r.status = status;
    r.headers = {{"content-type", "application/json"}};
    r.body = std::move(body);
    return r;
  }
  static reply sse(std::vector<step> steps) {
    reply r;
    r.headers = {{"content-type", "text/event-stream"}};
    r.chunked = true;
    r.steps = std::move(steps);
    return r;
  }
};

class fake_upstream {
 public:
  using handler = std::function<reply(const recorded_request&)>;

  // `tls`: serve HTTPS with this server context (test certificates).
  explicit fake_upstream(handler h, net::ssl::context* tls = nullptr);
  ~fake_upstream();

  unsigned short port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>/v1"

  void set_handler(handler h);
  // Off: requests are counted but not kept (for long-running load, where keeping every request
  // would grow without bound). On by default.
  void set_recording(bool on);
  std::vector<recorded_request> requests() const;
  std::size_t request_count() const;
  std::size_t connections_accepted() const;
  std::size_t connections_closed_by_peer() const;

  bool wait_for_requests(std::size_t n, std::chrono::milliseconds bound);
  bool wait_for_peer_closes(std::size_t n, std::chrono::milliseconds bound);
  // `send` steps fully written to the socket so far (all replies together).
  std::size_t sends_completed() const;
  bool wait_for_sends(std::size_t n, std::chrono::milliseconds bound);

 private:
  net::awaitable<void> accept_loop();
  template <class Stream>
  net::awaitable<void> serve(Stream stream, int conn_id);
  enum class play_result { ok, peer_gone, dropped };
  template <class Stream>
  net::awaitable<play_result> play(Stream& stream, const reply& r);
  net::awaitable<bool> wait_gate(std::shared_ptr<gate> g, net::ip::tcp::socket& sock);

  net::io_context ctx_{1};
  net::ip::tcp::acceptor acceptor_{ctx_};
  net::ssl::context* tls_;
  unsigned short port_ = 0;
  std::thread thread_;

  mutable std::mutex m_;
  std::condition_variable cv_;
  handler handler_;
  std::vector<recorded_request> requests_;
  bool recording_ = true;
  std::size_t request_total_ = 0;
  std::size_t accepted_ = 0;
  std::size_t peer_closed_ = 0;
  std::size_t sends_ = 0;
};

// A port on 127.0.0.1 with nothing listening (bound then closed).
unsigned short closed_port();

}  // namespace meshgate::testing
