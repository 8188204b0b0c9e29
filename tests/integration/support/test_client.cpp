#include "support/test_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <deque>

namespace meshgate::testing {

namespace {
std::map<std::string, std::string> lower_headers(const http::fields& f) {
  std::map<std::string, std::string> out;
  for (const auto& h : f) {
    std::string name(h.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[name] = std::string(h.value());
  }
  return out;
}
}  // namespace

std::string test_response::all_headers_text() const {
  std::string s;
  for (const auto& [k, v] : headers) s += k + ": " + v + "\n";
  return s;
}

test_client::test_client(unsigned short port, std::chrono::milliseconds bound) : socket_(ctx_) {
  socket_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(bound.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((bound.count() % 1000) * 1000);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

test_client::~test_client() { close(); }

void test_client::close() {
  beast::error_code ec;
  socket_.close(ec);
}

void test_client::send_request(const std::string& method, const std::string& target, const header_list& headers,
                               const std::string& body) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST") {
    if (req.find(http::field::content_type) == req.end()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  beast::error_code ec;
  http::write(socket_, req, ec);
}

test_response test_client::read_response() {
  test_response out;
  http::response_parser<http::string_body> p;
  p.body_limit(256u << 20);
  beast::error_code ec;
  http::read(socket_, buffer_, p, ec);
  if (ec) return out;  // status 0: nothing (complete) arrived within the bound
  out.status = static_cast<int>(p.get().result_int());
  out.headers = lower_headers(p.get().base());
  out.body = p.get().body();
  return out;
}

test_response test_client::request(const std::string& method, const std::string& target, const header_list& headers,
                                   const std::string& body) {
  send_request(method, target, headers, body);
  return read_response();
}

test_response test_client::post_json(const std::string& target, const std::string& body, const std::string& key) {
  header_list h;
  if (!key.empty()) h.emplace_back("Authorization", "Bearer " + key);
  return request("POST", target, h, body);
}

test_response test_client::open_stream(const std::string& target, const std::string& body, const std::string& key) {
  header_list h{{"Authorization", "Bearer " + key}};
  send_request("POST", target, h, body);
  stream_parser_.emplace();
  stream_parser_->body_limit(boost::none);
  sse_.reset();
  pending_.clear();
  trailers_.clear();
  test_response out;
  beast::error_code ec;
  http::read_header(socket_, buffer_, *stream_parser_, ec);
  if (ec) return out;
  out.status = static_cast<int>(stream_parser_->get().result_int());
  out.headers = lower_headers(stream_parser_->get().base());
  if (stream_parser_->get()[http::field::content_type].find("event-stream") == std::string_view::npos) {
    // Not a stream: read the (JSON) body.
    std::string body_text;
    char buf[4096];
    while (!stream_parser_->is_done()) {
      stream_parser_->get().body().data = buf;
      stream_parser_->get().body().size = sizeof buf;
      http::read_some(socket_, buffer_, *stream_parser_, ec);
      body_text.append(buf, sizeof buf - stream_parser_->get().body().size);
      if (ec && ec != http::error::need_buffer) break;
    }
    out.body = body_text;
  }
  return out;
}

std::optional<sse::event> test_client::next_event() {
  while (pending_.empty()) {
    if (!stream_parser_ || stream_parser_->is_done()) return std::nullopt;
    char buf[4096];
    stream_parser_->get().body().data = buf;
    stream_parser_->get().body().size = sizeof buf;
    beast::error_code ec;
    http::read_some(socket_, buffer_, *stream_parser_, ec);
    const std::size_t n = sizeof buf - stream_parser_->get().body().size;
    if (n > 0) sse_.feed(std::string_view(buf, n), pending_);
    if (stream_parser_->is_done()) trailers_ = lower_headers(stream_parser_->get().base());
    if (ec && ec != http::error::need_buffer) {
      if (pending_.empty()) return std::nullopt;
      break;
    }
  }
  sse::event e = std::move(pending_.front());
  pending_.erase(pending_.begin());
  return e;
}

std::vector<sse::event> test_client::read_all_events() {
  std::vector<sse::event> out;
  while (auto e = next_event()) out.push_back(std::move(*e));
  return out;
}

void test_client::send_raw(const std::string& bytes) {
  beast::error_code ec;
  net::write(socket_, net::buffer(bytes), ec);
}

test_response test_client::raw(const std::string& bytes) {
  send_raw(bytes);
  return read_response();
}

bool test_client::wait_closed() {
  char b[512];
  for (;;) {
    beast::error_code ec;
    const std::size_t n = socket_.read_some(net::buffer(b), ec);
    if (ec == net::error::eof || ec == net::error::connection_reset) return true;
    if (ec) return false;  // the receive timeout: still open
    (void)n;
  }
}

}  // namespace meshgate::testing
