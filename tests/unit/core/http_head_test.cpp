#include "meshgate/core/http_head.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

namespace {

using namespace meshgate;

// What Beast's own serializer writes for a whole message: the reference for wire_head.
template <bool isRequest>
std::string beast_bytes(http::message<isRequest, http::string_body>& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

std::string joined(const std::string& head, std::string_view body) { return head + std::string(body); }

}  // namespace

TEST_CASE("a response head is written byte for byte as Beast writes it", "[core][http_head]") {
  for (unsigned status : {200u, 400u, 401u, 404u, 429u, 500u, 503u, 599u}) {
    http::response<http::string_body> m{static_cast<http::status>(status), 11};
    m.set(http::field::content_type, "application/json");
    m.set("x-litellm-call-id", "0b7a5a62-4c3e-4ad8-9b0e-1f0e1c7d2a11");
    m.insert("llm_provider-x-request-id", "abc");
    m.insert("llm_provider-x-request-id", "def");  // repeated names keep their order
    m.keep_alive(status < 500);
    m.body() = R"({"ok":true})";
    m.prepare_payload();
    http::response<http::empty_body> head_only{m.base()};
    INFO(status);
    CHECK(joined(core::wire_head(head_only), m.body()) == beast_bytes(m));
  }
}

TEST_CASE("a custom reason phrase and HTTP/1.0 are kept", "[core][http_head]") {
  http::response<http::string_body> m{http::status::ok, 10};
  m.reason("Fine");
  m.body() = "x";
  m.prepare_payload();
  http::response<http::empty_body> head_only{m.base()};
  CHECK(core::wire_head(head_only) + "x" == beast_bytes(m));
  CHECK(core::wire_head(head_only).starts_with("HTTP/1.0 200 Fine\r\n"));
}

TEST_CASE("a request head is written byte for byte as Beast writes it", "[core][http_head]") {
  http::request<http::string_body> m{http::verb::post, "/v1/chat/completions?x=1", 11};
  m.set(http::field::host, "api.example.com:8443");
  m.set(http::field::user_agent, "meshgate");
  m.set(http::field::authorization, "Bearer sk-upstream");
  m.set(http::field::content_type, "application/json");
  m.body() = R"({"model":"m","messages":[]})";
  m.prepare_payload();
  m.keep_alive(true);
  http::request<http::empty_body> head_only{m.base()};
  CHECK(joined(core::wire_head(head_only), m.body()) == beast_bytes(m));

  http::request<http::string_body> get{http::verb::get, "/v1/models", 11};
  get.set(http::field::host, "h");
  http::request<http::empty_body> get_head{get.base()};
  CHECK(core::wire_head(get_head) == beast_bytes(get));
}

TEST_CASE("chunk framing matches Beast's make_chunk", "[core][http_head]") {
  for (std::string data : {std::string("data: {}\n\n"), std::string(4096 + 10, 'z'), std::string(1, 'a')}) {
    std::string ours;
    const core::chunk_frame frame(data.size());
    for (const auto& b : frame.buffers(data)) ours.append(static_cast<const char*>(b.data()), b.size());
    std::string theirs;
    for (const auto& b : beast::buffers_range(http::make_chunk(net::const_buffer(data.data(), data.size()))))
      theirs.append(static_cast<const char*>(b.data()), b.size());
    CHECK(ours == theirs);
  }
}

TEST_CASE("the last chunk with and without trailers matches Beast's make_chunk_last", "[core][http_head]") {
  auto bytes_of = [](const auto& buffers) {
    std::string out;
    for (const auto& b : beast::buffers_range(buffers)) out.append(static_cast<const char*>(b.data()), b.size());
    return out;
  };
  CHECK(core::wire_last_chunk(nullptr) == bytes_of(http::make_chunk_last()));
  http::fields trailers;
  trailers.set("x-litellm-response-cost", "0.00012");
  trailers.insert("x-other", "a");
  CHECK(core::wire_last_chunk(&trailers) == bytes_of(http::make_chunk_last(trailers)));
  CHECK(core::wire_last_chunk(&trailers) == "0\r\nx-litellm-response-cost: 0.00012\r\nx-other: a\r\n\r\n");
}
