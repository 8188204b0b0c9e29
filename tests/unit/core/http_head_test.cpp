#include "meshgate/core/http_head.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <limits>
#include <string>

namespace {

using namespace meshgate;

// What Beast's own serializer writes for a whole message: the reference for response_head and request_head.
template <bool isRequest>
std::string beast_bytes(http::message<isRequest, http::string_body>& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

std::string joined(const std::string& head, std::string_view body) { return head + std::string(body); }

std::string response_head_text(unsigned status, const core::header_list& fields) {
  std::string out = "stale bytes are replaced";
  core::response_head(status, fields, out);
  return out;
}

std::string request_head_text(std::string_view method, std::string_view target, const core::header_list& fields) {
  std::string out = "stale bytes are replaced";
  core::request_head(method, target, fields, out);
  return out;
}

}  // namespace

TEST_CASE("a response head is written byte for byte as Beast writes it", "[core][http_head]") {
  for (unsigned status : {200u, 400u, 401u, 404u, 429u, 500u, 503u, 599u}) {
    http::response<http::string_body> m{static_cast<http::status>(status), 11};
    core::header_list fields;
    m.set(http::field::content_type, "application/json");
    fields.insert("Content-Type", "application/json");
    m.set("x-litellm-call-id", "0b7a5a62-4c3e-4ad8-9b0e-1f0e1c7d2a11");
    fields.set("x-litellm-call-id", "0b7a5a62-4c3e-4ad8-9b0e-1f0e1c7d2a11");
    m.insert("llm_provider-x-request-id", "abc");
    fields.insert("llm_provider-x-request-id", "abc");
    m.insert("llm_provider-x-request-id", "def");  // repeated names keep their order
    fields.insert("llm_provider-x-request-id", "def");
    m.keep_alive(status < 500);
    if (status >= 500) fields.set("Connection", "close");
    m.body() = R"({"ok":true})";
    m.prepare_payload();
    fields.set("Content-Length", std::to_string(m.body().size()));
    INFO(status);
    CHECK(joined(response_head_text(status, fields), m.body()) == beast_bytes(m));
  }
}

TEST_CASE("header_list::set replaces every field of the name, ignoring case, as Beast does", "[core][http_head]") {
  http::response<http::string_body> m{http::status::ok, 11};
  core::header_list fields;
  for (auto [name, value] : {std::pair{"x-ratelimit-limit", "1"}, std::pair{"X-Other", "a"}, std::pair{"X-RateLimit-Limit", "2"}}) {
    m.insert(name, value);
    fields.insert(name, value);
  }
  m.set("x-ratelimit-limit", "3");
  fields.set("x-ratelimit-limit", "3");
  m.set("Trailer", "x-litellm-response-cost");
  fields.set("Trailer", "x-litellm-response-cost");
  m.chunked(true);
  fields.set("Transfer-Encoding", "chunked");
  std::string theirs = beast_bytes(m);
  CHECK(response_head_text(200, fields) == theirs.substr(0, theirs.find("\r\n\r\n") + 4));
  REQUIRE(fields.size() == 4);
  CHECK(fields[1].name == "x-ratelimit-limit");
  CHECK(fields[1].value == "3");
}

TEST_CASE("a header value cannot split the head", "[core][http_head]") {
  core::header_list fields;
  fields.insert("x-litellm-model-group", "evil\r\nSet-Cookie: a=b");
  CHECK(response_head_text(200, fields) == "HTTP/1.1 200 OK\r\nx-litellm-model-group: evil  Set-Cookie: a=b\r\n\r\n");
  fields.clear();
  CHECK(fields.size() == 0);
  fields.insert("a", "b");
  CHECK(response_head_text(204, fields) == "HTTP/1.1 204 No Content\r\na: b\r\n\r\n");
}

TEST_CASE("a request head is written byte for byte as Beast writes it", "[core][http_head]") {
  http::request<http::string_body> m{http::verb::post, "/v1/chat/completions?x=1", 11};
  core::header_list fields;
  m.set(http::field::host, "api.example.com:8443");
  fields.insert("Host", "api.example.com:8443");
  m.set(http::field::user_agent, "meshgate");
  fields.insert("User-Agent", "meshgate");
  m.set(http::field::authorization, "Bearer sk-upstream");
  fields.set("Authorization", "Bearer sk-upstream");
  m.set("user-agent", "configured/1.0");  // a configured header replaces ours, in place of it
  fields.set("user-agent", "configured/1.0");
  m.set(http::field::content_type, "application/json");
  fields.set("Content-Type", "application/json");
  m.body() = R"({"model":"m","messages":[]})";
  m.prepare_payload();
  fields.set("Content-Length", std::to_string(m.body().size()));
  m.keep_alive(true);
  CHECK(joined(request_head_text("POST", "/v1/chat/completions?x=1", fields), m.body()) == beast_bytes(m));

  http::request<http::string_body> get{http::verb::get, "/v1/models", 11};
  get.set(http::field::host, "h");
  core::header_list get_fields;
  get_fields.insert("Host", "h");
  CHECK(request_head_text("GET", "/v1/models", get_fields) == beast_bytes(get));
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
  CHECK(core::wire_last_chunk() == bytes_of(http::make_chunk_last()));
  http::fields trailers;
  trailers.set("x-litellm-response-cost", "0.00012");
  trailers.insert("x-other", "a");
  const core::header ours[] = {{"x-litellm-response-cost", "0.00012"}, {"x-other", "a"}};
  CHECK(core::wire_last_chunk(ours) == bytes_of(http::make_chunk_last(trailers)));
  CHECK(core::wire_last_chunk(ours) == "0\r\nx-litellm-response-cost: 0.00012\r\nx-other: a\r\n\r\n");
}

TEST_CASE("a line break in a trailer's value cannot end the trailer", "[core][http_head]") {
  const core::header trailers[] = {{"x-a", "1\r\nx-injected: 2"}, {"x-b", "3\n"}};
  CHECK(core::wire_last_chunk(trailers) == "0\r\nx-a: 1  x-injected: 2\r\nx-b: 3 \r\n\r\n");
}

TEST_CASE("decimal_text writes an integer without a heap string", "[core][http_head]") {
  CHECK(core::decimal_text(0).view() == "0");
  CHECK(core::decimal_text(std::size_t{262144}).view() == "262144");
  CHECK(core::decimal_text(-3).view() == "-3");
  CHECK(core::decimal_text(std::numeric_limits<std::uint64_t>::max()).view() == "18446744073709551615");
  CHECK(core::decimal_text(std::numeric_limits<std::int64_t>::min()).view() == "-9223372036854775808");
  core::header_list fields;
  fields.insert("Content-Length", core::decimal_text(42u));
  CHECK(fields[0].value == "42");
}
