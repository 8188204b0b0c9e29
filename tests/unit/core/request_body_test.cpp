#include "meshgate/core/request_body.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using namespace meshgate;

// Feeds `wire` to a parser of body type Body in pieces of `step` bytes, as reads would.
template <class Body>
std::string parsed_body(const std::string& wire, std::size_t step, beast::error_code& ec, std::uint64_t limit = 1 << 20) {
  http::request_parser<Body> parser;
  parser.eager(true);
  parser.body_limit(limit);
  std::string pending;
  for (std::size_t at = 0; at < wire.size() && !ec; at += step) {
    pending += wire.substr(at, step);
    const std::size_t used = parser.put(net::buffer(pending), ec);
    if (ec == http::error::need_more) ec = {};
    pending.erase(0, used);
  }
  if (!ec && !parser.is_done()) ec = http::error::partial_message;
  return parser.release().body();
}

}  // namespace

TEST_CASE("request_body holds what string_body holds", "[core][request_body]") {
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":")" + std::string(70000, 'x') + R"("}]})";
  const std::string with_length = "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 5000) {
    const std::string piece = body.substr(at, 5000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    chunked += std::string(size) + "\r\n" + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";

  for (const std::string* wire : {&with_length, static_cast<const std::string*>(&chunked)}) {
    for (std::size_t step : {std::size_t(1) << 16, std::size_t(4096), std::size_t(7)}) {
      beast::error_code ours_ec, theirs_ec;
      const std::string ours = parsed_body<core::request_body>(*wire, step, ours_ec);
      const std::string theirs = parsed_body<http::string_body>(*wire, step, theirs_ec);
      INFO("step " << step);
      CHECK_FALSE(ours_ec);
      CHECK_FALSE(theirs_ec);
      CHECK(ours == body);
      CHECK(ours == theirs);
    }
  }
}

TEST_CASE("request_body keeps the parser's body limit", "[core][request_body]") {
  const std::string wire = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
  beast::error_code ec;
  parsed_body<core::request_body>(wire, 1 << 16, ec, 8);
  CHECK(ec == http::error::body_limit);
}
