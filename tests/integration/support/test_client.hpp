#pragma once
// A blocking HTTP/1.1 client for integration tests, with every read bounded by a socket
// receive timeout (no test can hang). Keeps its connection for keep-alive tests.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meshgate/core/net.hpp"
#include "meshgate/sse/parser.hpp"

namespace meshgate::testing {

struct test_response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
  std::string all_headers_text() const;  // "name: value\n"... for leak checks
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class test_client {
 public:
  explicit test_client(unsigned short port, std::chrono::milliseconds bound = std::chrono::milliseconds(15000));
  ~test_client();

  test_response request(const std::string& method, const std::string& target, const header_list& headers = {},
                        const std::string& body = {});
  test_response post_json(const std::string& target, const std::string& body, const std::string& key);

  // Streaming: send the request and read the response header only.
  test_response open_stream(const std::string& target, const std::string& body, const std::string& key);
  // Next SSE event of the open stream; nullopt at the end of the body or on timeout/error.
  std::optional<sse::event> next_event();
  // Everything left in the stream as events.
  std::vector<sse::event> read_all_events();
  // Trailer fields received after the last chunk (valid once the stream ended).
  std::map<std::string, std::string> trailers() const { return trailers_; }

  // Sends raw bytes (for malformed-request tests) and reads one response.
  test_response raw(const std::string& bytes);
  void send_raw(const std::string& bytes);
  // True when the server closed the connection within the bound.
  bool wait_closed();
  void close();

 private:
  void send_request(const std::string& method, const std::string& target, const header_list& headers,
                    const std::string& body);
  test_response read_response();

  net::io_context ctx_;
  net::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> stream_parser_;
  sse::parser sse_;
  std::vector<sse::event> pending_;
  std::map<std::string, std::string> trailers_;
};

}  // namespace meshgate::testing
