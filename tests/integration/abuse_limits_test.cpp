// Hostile and broken clients against the real server: oversized bodies, slow senders, slow
// readers, and many idle connections. The gateway must answer or close within its configured
// limits, and keep serving everyone else meanwhile.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/raw_peer.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using namespace std::chrono_literals;
using core::json;

namespace {

const std::string chat_body = R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";
const std::string chat_reply =
    R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"openai/gpt-oss-120b",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";

std::string request_head(const std::string& extra_headers) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + std::string(master_key) +
         "\r\nContent-Type: application/json\r\n" + extra_headers + "\r\n";
}

// Sends `body_bytes` of filler from a second thread (as a real uploader would keep doing) while
// the caller reads the answer. The thread stops when the gateway closes or resets.
class uploader {
 public:
  uploader(raw_socket& s, std::size_t body_bytes, bool chunked) : s_(s) {
    thread_ = std::thread([this, body_bytes, chunked] {
      const std::string piece(64 * 1024, 'x');
      char size_line[32];
      std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
      for (std::size_t done = 0; done < body_bytes; done += piece.size()) {
        const bool ok = chunked ? s_.send_all(std::string(size_line) + piece + "\r\n") : s_.send_all(piece);
        if (!ok) return;
      }
      if (chunked) s_.send_all("0\r\n\r\n");
      finished_ = true;
    });
  }
  ~uploader() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const { return finished_; }

 private:
  raw_socket& s_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
};

constexpr std::size_t forty_mb = 40u << 20;

}  // namespace

TEST_CASE("abuse: a 40 MB body with a declared length is a 413 before it is read", "[abuse][limits]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));  // the default limit: 32 MB
  raw_socket s(gw.port());
  REQUIRE(s.send_all(request_head("Content-Length: " + std::to_string(forty_mb) + "\r\n")));
  {
    uploader u(s, forty_mb, false);
    const std::string res = s.read_response(15s);
    CHECK(raw_socket::status_of(res) == 413);
    CHECK(res.find("max_request_size_mb") != std::string::npos);
    CHECK(s.wait_closed(15s));
  }
  // The gateway answered from the header and closed: far less than the limit was taken in
  // (socket buffers plus the bounded discard before the close), and nothing went upstream.
  CHECK(s.bytes_sent() < (32u << 20));
  CHECK(up.request_count() == 0);
}

TEST_CASE("abuse: a 40 MB chunked body is cut off at the limit with a 413", "[abuse][limits]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url(), "  max_request_size_mb: 1\n"));
  raw_socket s(gw.port());
  REQUIRE(s.send_all(request_head("Transfer-Encoding: chunked\r\n")));
  {
    uploader u(s, forty_mb, true);
    const std::string res = s.read_response(15s);
    CHECK(raw_socket::status_of(res) == 413);
    CHECK(s.wait_closed(15s));
    u.join();
    CHECK_FALSE(u.finished());
  }
  CHECK(s.bytes_sent() < forty_mb);
  CHECK(up.request_count() == 0);
}

TEST_CASE("abuse: Expect 100-continue with an oversized length gets the 413 instead of 100", "[abuse][limits]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  raw_socket s(gw.port());
  REQUIRE(s.send_all(request_head("Expect: 100-continue\r\nContent-Length: " + std::to_string(forty_mb) + "\r\n")));
  const std::string res = s.read_response(10s);
  CHECK(raw_socket::status_of(res) == 413);
  CHECK(s.wait_closed(10s));
  CHECK(up.request_count() == 0);
}

namespace {
// Sends `first`, then one byte of `drip` every 50 ms (paced by waiting for the close with
// poll; nothing more when `drip` is empty) until the gateway closes the connection; returns the seconds that took, or a negative
// value if it was still open after `bound`.
double drip_until_closed(raw_socket& s, const std::string& first, const std::string& drip, std::chrono::milliseconds bound) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (!s.send_all(first)) return elapsed();
  for (std::size_t i = 0; std::chrono::steady_clock::now() - t0 < bound; ++i) {
    if (s.wait_closed(50ms)) return elapsed();
    if (!drip.empty() && !s.send_all(std::string(1, drip[i % drip.size()]))) return elapsed();
  }
  return -1;
}
}  // namespace

TEST_CASE("abuse: slow headers and slow bodies are closed at request_read_timeout", "[abuse][timeouts]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  // A long keep-alive timeout, so that only the read timeout can be what closes.
  gateway_fixture gw(basic_config(up.base_url(), "  request_read_timeout: 0.5\n  keepalive_timeout: 30\n"));

  SECTION("a header dripped one byte at a time") {
    raw_socket s(gw.port());
    const double t = drip_until_closed(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", "X-Slow: aaaaaaaa\r\n", 10s);
    CHECK(t >= 0.4);
    CHECK(t < 3.0);
  }
  SECTION("a header that stops half way") {
    raw_socket s(gw.port());
    const double t = drip_until_closed(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-", "", 10s);
    CHECK(t >= 0.4);
    CHECK(t < 3.0);
  }
  SECTION("a body dripped one byte at a time") {
    raw_socket s(gw.port());
    const double t = drip_until_closed(s, request_head("Content-Length: 100000\r\n"), "{\"model\":", 10s);
    CHECK(t >= 0.4);
    CHECK(t < 3.0);
  }
  SECTION("a body that stops half way") {
    raw_socket s(gw.port());
    const double t = drip_until_closed(s, request_head("Content-Length: 1000\r\n") + "{\"model\":\"test-", "", 10s);
    CHECK(t >= 0.4);
    CHECK(t < 3.0);
  }
  // Meanwhile (and afterwards) everyone else is served, and nothing half-read went upstream.
  test_client c(gw.port());
  CHECK(c.post_json("/v1/chat/completions", chat_body, master_key).status == 200);
  CHECK(up.request_count() == 1);
}

TEST_CASE("abuse: a connection that never sends a request is closed at keepalive_timeout", "[abuse][timeouts]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url(), "  keepalive_timeout: 0.5\n"));
  raw_socket s(gw.port());
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(s.wait_closed(10s));
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(t >= 0.4);
  CHECK(t < 3.0);
}

namespace {
// ~24 MiB of stream for the slow reader; small answers for everyone else.
constexpr std::size_t big_events = 1500;
reply big_stream() {
  const std::string filler(16 * 1024, 'x');
  std::vector<step> s;
  for (std::size_t i = 0; i < big_events; ++i)
    s.push_back(step::send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + filler + "\"}}]}\n\n"));
  s.push_back(step::send("data: [DONE]\n\n"));
  return reply::sse(std::move(s));
}
reply small_stream() {
  return reply::sse({step::send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"),
                     step::send("data: [DONE]\n\n")});
}
}  // namespace

TEST_CASE("abuse: a slow reader of a fast stream holds bounded memory and others are served", "[abuse][backpressure]") {
  fake_upstream up([](const recorded_request& r) {
    if (r.body.find("\"big\"") != std::string::npos) return big_stream();
    if (r.body.find("\"stream\":true") != std::string::npos) return small_stream();
    return reply::json(200, chat_reply);
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client slow(gw.port());
  REQUIRE(slow.open_stream("/v1/chat/completions",
                           R"({"model":"test-model","stream":true,"messages":[{"role":"user","content":"big"}]})",
                           master_key)
              .status == 200);
  REQUIRE(slow.next_event());
  // The slow client reads nothing more: the gateway stops pulling from upstream, so what it
  // holds for this client is bounded by socket buffers, not by the 24 MiB response.
  CHECK_FALSE(up.wait_for_sends(big_events + 1, 1500ms));
  const std::size_t held_back = up.sends_completed();
  CHECK(held_back < big_events / 2);

  // Other clients are served normally meanwhile, streaming or not.
  test_client other(gw.port());
  auto plain = other.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(plain.status == 200);
  CHECK(json::parse(plain.body)["choices"][0]["message"]["content"] == "hello");
  REQUIRE(other.open_stream("/v1/chat/completions",
                            R"({"model":"test-model","stream":true,"messages":[{"role":"user","content":"small"}]})",
                            master_key)
              .status == 200);
  auto events = other.read_all_events();
  REQUIRE(events.size() == 2);
  CHECK(events.back().data == "[DONE]");
  // The slow stream is still held back (the 2 sends above are the other client's).
  CHECK(up.sends_completed() <= held_back + 2 + big_events / 10);

  // When the slow client gives up, its upstream connection is released too. (That the whole
  // stream arrives once it reads again is backpressure_test's.)
  slow.close();
  CHECK(up.wait_for_peer_closes(1, 5000ms));
}

namespace {
// Raises the soft open-file limit to at least `wanted` if the hard limit allows; returns the
// soft limit in force.
rlim_t ensure_fd_limit(rlim_t wanted) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < wanted) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, rl.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  return rl.rlim_cur;
}
}  // namespace

TEST_CASE("abuse: 1,000 idle keep-alive connections do not stop new requests", "[abuse][connections]") {
  // Each connection costs two descriptors in this process (client and server side).
  std::size_t n = 1000;
  const rlim_t limit = ensure_fd_limit(2 * n + 512);
  if (limit < 2 * n + 512) {
    n = limit > 712 ? static_cast<std::size_t>((limit - 512) / 2) : 100;
    WARN("open-file limit " << limit << ": testing " << n << " idle connections instead of 1,000");
  }
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));

  std::vector<std::unique_ptr<raw_socket>> idle;
  idle.reserve(n);
  const std::string probe = "GET /health/liveliness HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t i = 0; i < n; ++i) {
    idle.push_back(std::make_unique<raw_socket>(gw.port()));
    REQUIRE(idle.back()->send_all(probe));
  }
  std::size_t answered = 0;
  for (auto& s : idle) answered += raw_socket::status_of(s->read_response(15s)) == 200;
  CHECK(answered == n);

  // All of them now sit idle on keep-alive; a new client is served at once.
  test_client fresh(gw.port(), 5000ms);
  auto res = fresh.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 200);
  CHECK(up.request_count() == 1);

  // The idle ones were kept (keepalive_timeout is 75 s) and still work.
  std::size_t still_open = 0;
  for (auto& s : idle) still_open += !s->closed_now();
  CHECK(still_open == n);
  REQUIRE(idle.front()->send_all(probe));
  CHECK(raw_socket::status_of(idle.front()->read_response(5s)) == 200);
  REQUIRE(idle.back()->send_all(probe));
  CHECK(raw_socket::status_of(idle.back()->read_response(5s)) == 200);
}
