// Hostile request content against the real server: bad encodings, absurd nesting, CR/LF aimed
// at header injection in either direction, odd Host headers and odd bearer tokens. Each is a
// clear error in the client's dialect (or harmless), never a crash, a bypass or an injection.
#include <catch2/catch.hpp>

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

const std::string chat_reply =
    R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"openai/gpt-oss-120b",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";

struct route_case {
  const char* path;
  bool anthropic;
  std::string (*wrap)(const std::string& content_json);  // a valid body around one JSON value
};

std::string chat_with(const std::string& v) {
  return R"({"model":"test-model","messages":[{"role":"user","content":)" + v + "}]}";
}
std::string completion_with(const std::string& v) { return R"({"model":"test-model","prompt":)" + v + "}"; }
std::string messages_with(const std::string& v) {
  return R"({"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":)" + v + "}]}";
}

const std::vector<route_case> json_routes = {
    {"/v1/chat/completions", false, chat_with},
    {"/v1/completions", false, completion_with},
    {"/v1/messages", true, messages_with},
    {"/v1/messages/count_tokens", true, messages_with},
};

header_list auth_headers(bool anthropic, const std::string& key) {
  if (anthropic) return {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}};
  return {{"Authorization", "Bearer " + key}};
}

// A 4xx/5xx answer in the route's own error envelope; returns its message.
std::string dialect_error(const test_response& res, bool anthropic) {
  auto j = json::parse(res.body, nullptr, false);
  REQUIRE(j.is_object());
  if (anthropic) {
    CHECK(j["type"] == "error");
    REQUIRE(j["error"].is_object());
    CHECK(j["error"]["type"].is_string());
  } else {
    REQUIRE(j["error"].is_object());
    CHECK(j["error"]["code"] == std::to_string(res.status));
  }
  REQUIRE(j["error"]["message"].is_string());
  return j["error"]["message"].get<std::string>();
}

}  // namespace

TEST_CASE("abuse: invalid UTF-8 in a JSON body is a 400 in the client's dialect", "[abuse][json]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  const std::vector<std::pair<const char*, std::string>> values = {
      {"stray byte", "\"a\xff" "b\""},
      {"overlong slash", "\"\xc0\xaf\""},
      {"truncated sequence", "\"\xe2\x82\""},
      {"encoded surrogate", "\"\xed\xa0\x80\""},
      {"lone high surrogate escape", R"("\ud800")"},
      {"lone low surrogate escape", R"("\udc00x")"},
      {"invalid byte in a key", "{\"\xfe\":1}"},
  };
  for (const auto& rc : json_routes) {
    for (const auto& [name, value] : values) {
      DYNAMIC_SECTION(rc.path << ": " << name) {
        auto res = c.request("POST", rc.path, auth_headers(rc.anthropic, master_key), rc.wrap(value));
        CHECK(res.status == 400);
        const std::string msg = dialect_error(res, rc.anthropic);
        CHECK(msg.find("JSON") != std::string::npos);
        CHECK(up.request_count() == 0);
      }
    }
  }
}

TEST_CASE("abuse: JSON nested 100,000 deep is a 400 on every JSON route, no stack overflow", "[abuse][json]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  constexpr std::size_t depth = 100000;
  std::string objects;
  for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(depth, '}');
  const std::vector<std::pair<const char*, std::string>> values = {
      {"arrays", std::string(depth, '[') + std::string(depth, ']')},
      {"objects", objects},
      {"unclosed arrays", std::string(depth, '[')},
  };
  for (const auto& rc : json_routes) {
    for (const auto& [name, value] : values) {
      DYNAMIC_SECTION(rc.path << ": " << name) {
        auto res = c.request("POST", rc.path, auth_headers(rc.anthropic, master_key), rc.wrap(value));
        CHECK(res.status == 400);
        CHECK(dialect_error(res, rc.anthropic).find("deep") != std::string::npos);
        CHECK(up.request_count() == 0);
      }
    }
  }
  // The server is still there.
  CHECK(c.post_json("/v1/chat/completions", chat_with("\"hi\""), master_key).status == 200);
}

TEST_CASE("abuse: invalid UTF-8 from upstream reaches the client as valid JSON or a clean error", "[abuse][json]") {
  const std::string bad = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m",)"
                          "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"caf\xe9 \xff\"},"
                          R"("finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";
  fake_upstream up([&](const recorded_request&) { return reply::json(200, bad); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  for (const auto& rc : {json_routes[0], json_routes[2]}) {
    DYNAMIC_SECTION(rc.path) {
      auto res = c.request("POST", rc.path, auth_headers(rc.anthropic, master_key), rc.wrap("\"hi\""));
      INFO(res.body);
      CHECK((res.status == 200 || res.status >= 500));
      // Whatever the gateway decided, what the client gets parses as strict (UTF-8) JSON.
      CHECK(json::parse(res.body, nullptr, false).is_object());
    }
  }
}

namespace {

// Header names the gateway itself puts on an upstream request.
bool expected_upstream_header(std::string name) {
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name == "host" || name == "user-agent" || name == "authorization" || name == "content-type" ||
         name == "content-length" || name == "accept";
}

// The header block of raw HTTP bytes, checked line by line: every line ends in CRLF (no bare CR
// or LF that a lenient parser would split on), and none starts with `forbidden` (any case).
// Returns the header names in order.
std::vector<std::string> header_names_checked(const std::string& head, const std::string& forbidden) {
  std::vector<std::string> names;
  std::size_t pos = head.find("\r\n");
  REQUIRE(pos != std::string::npos);
  pos += 2;
  while (pos < head.size()) {
    const std::size_t end = head.find("\r\n", pos);
    REQUIRE(end != std::string::npos);
    const std::string line = head.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;
    INFO("header line: " << line);
    CHECK(line.find_first_of("\r\n") == std::string::npos);
    const std::string name = line.substr(0, line.find(':'));
    std::string lname = name;
    for (auto& ch : lname) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(lname != forbidden);
    CHECK(name.find_first_of(" \t") == std::string::npos);  // no folded continuation line
    names.push_back(name);
  }
  return names;
}

std::string canned_chat_response() {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
         std::to_string(chat_reply.size()) + "\r\n\r\n" + chat_reply;
}

}  // namespace

TEST_CASE("abuse: CR/LF in forwarded body values never becomes an upstream header", "[abuse][injection]") {
  raw_upstream up(canned_chat_response());
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  // Every client-chosen string that travels upstream, each carrying a header-injection attempt.
  const std::string inj = R"(x\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1\r\nX-Injected: 2)";
  const std::string chat = R"({"model":"test-model","user":")" + inj + R"(","metadata":{"k":")" + inj +
                           R"("},"stop":[")" + inj + R"("],"messages":[{"role":"user","name":")" + inj +
                           R"(","content":")" + inj + R"("}],"tools":[{"type":"function","function":{"name":"t","description":")" +
                           inj + R"(","parameters":{"type":"object"}}}]})";
  const std::string messages = R"({"model":"test-model","max_tokens":5,"metadata":{"user_id":")" + inj +
                               R"("},"system":")" + inj + R"(","stop_sequences":[")" + inj +
                               R"("],"messages":[{"role":"user","content":")" + inj + R"("}]})";
  auto r1 = c.request("POST", "/v1/chat/completions", auth_headers(false, master_key), chat);
  CHECK(r1.status == 200);
  auto r2 = c.request("POST", "/v1/messages", auth_headers(true, master_key), messages);
  CHECK(r2.status == 200);
  const auto seen = up.requests();
  REQUIRE(seen.size() == 2);
  for (const auto& raw : seen) {
    const auto eoh = raw.find("\r\n\r\n");
    REQUIRE(eoh != std::string::npos);
    for (const auto& name : header_names_checked(raw.substr(0, eoh + 4), "x-injected")) {
      INFO("upstream header " << name);
      CHECK(expected_upstream_header(name));
    }
    // The body is one JSON document that still carries the strings, escaped.
    auto body = json::parse(raw.substr(eoh + 4), nullptr, false);
    REQUIRE(body.is_object());
    CHECK(body.dump().find("X-Injected: 1") != std::string::npos);
    CHECK(raw.substr(eoh + 4).find('\r') == std::string::npos);
  }
}

TEST_CASE("abuse: CR/LF smuggled into the path or headers never reaches upstream", "[abuse][injection]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  const std::string key_header = "Authorization: Bearer " + std::string(master_key) + "\r\n";
  const std::string body = R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";
  const std::string tail = "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;

  SECTION("a percent-encoded CR/LF in a path model name") {
    test_client c(gw.port());
    auto res = c.request("POST", "/v1/engines/test-model%0d%0aX-Injected:%201/chat/completions",
                         auth_headers(false, master_key), body);
    CHECK(res.status >= 400);
    CHECK(res.status < 500);
    CHECK(json::parse(res.body, nullptr, false).is_object());
    CHECK_FALSE(res.has_header("x-injected"));
  }
  SECTION("a bare CR inside a header value") {
    raw_socket s(gw.port());
    REQUIRE(s.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + key_header + "X-Note: a\rX-Injected: 1\r\n" + tail));
    CHECK(raw_socket::status_of(s.read_response(5s)) == 400);
  }
  SECTION("a bare LF inside a header value") {
    raw_socket s(gw.port());
    REQUIRE(s.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + key_header + "X-Note: a\nX-Injected: 1\r\n" + tail));
    const std::string res = s.read_response(5s);
    // Either refused, or the LF taken as a line end: the request is then an ordinary one.
    const int status = raw_socket::status_of(res);
    CHECK((status == 400 || status == 200));
  }
  SECTION("a folded header line carrying a call id") {
    raw_socket s(gw.port());
    REQUIRE(s.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + key_header +
                       "X-Litellm-Call-Id: abc\r\n X-Injected: 1\r\n" + tail));
    const std::string res = s.read_response(5s);
    const int status = raw_socket::status_of(res);
    CHECK((status == 400 || status == 200));
    if (!res.empty()) header_names_checked(raw_socket::head_of(res) + "\r\n", "x-injected");
  }
  for (const auto& r : up.requests()) {
    CHECK(r.header("x-injected").empty());
    for (const auto& [name, value] : r.headers) CHECK(expected_upstream_header(name));
  }
}

TEST_CASE("abuse: CR/LF in upstream response headers never becomes a client header", "[abuse][injection]") {
  // A folded (obs-fold) line and a bare LF, both aimed at the llm_provider-* copies of the
  // upstream's headers and the x-ratelimit-* ones passed through as they are.
  const auto variant = GENERATE(std::string("x-ratelimit-remaining-requests: 5\r\n X-Injected: 1\r\n"),
                                std::string("x-request-id: abc\r\n\tX-Injected: 1\r\n"),
                                std::string("x-ratelimit-limit-requests: 5\nX-Injected: 1\r\n"),
                                std::string("x-request-id: abc\rX-Injected: 1\r\n"));
  raw_upstream up("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + variant +
                  "Connection: close\r\nContent-Length: " + std::to_string(chat_reply.size()) + "\r\n\r\n" + chat_reply);
  gateway_fixture gw(basic_config(up.base_url()));
  raw_socket s(gw.port());
  const std::string body = R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";
  REQUIRE(s.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(master_key) +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  const std::string res = s.read_response(10s);
  REQUIRE_FALSE(res.empty());
  INFO(raw_socket::head_of(res));
  // A well-formed upstream answer (200) or a refused one (5xx); never an injected line.
  const int status = raw_socket::status_of(res);
  CHECK((status == 200 || status >= 500));
  header_names_checked(raw_socket::head_of(res) + "\r\n", "x-injected");
}

TEST_CASE("abuse: odd Host headers neither crash nor bypass authentication", "[abuse][auth]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  const std::string key_header = "Authorization: Bearer " + std::string(master_key) + "\r\n";
  struct host_case {
    const char* name;
    std::string host_lines;
    bool parses;  // an HTTP parser accepts the request at all
  };
  const std::vector<host_case> cases = {
      {"missing", "", true},
      {"empty", "Host:\r\n", true},
      {"10 KB long", "Host: " + std::string(10 * 1024, 'h') + "\r\n", true},
      {"public route in it", "Host: 127.0.0.1/health/liveliness?\r\n", true},
      {"twice", "Host: a\r\nHost: b\r\n", true},
      {"with a bare CR", "Host: a\rb\r\n", false},
      {"70 KB long (over the header limit)", "Host: " + std::string(70 * 1024, 'h') + "\r\n", false},
  };
  for (const auto& hc : cases) {
    DYNAMIC_SECTION(hc.name) {
      for (bool with_key : {false, true}) {
        raw_socket s(gw.port());
        // Not required to complete: the gateway may answer an oversized header before taking it all.
        s.send_all("GET /v1/models HTTP/1.1\r\n" + hc.host_lines + (with_key ? key_header : "") + "\r\n");
        const std::string res = s.read_response(5s);
        const int status = raw_socket::status_of(res);
        INFO("with key: " << with_key << ", status " << status);
        if (!hc.parses) CHECK((status == 400 || status == 431));
        else if (with_key) CHECK(status == 200);
        else CHECK(status == 401);
      }
    }
  }
  // Absolute-form targets and path tricks cannot reach a protected route without the key.
  const std::vector<std::string> targets = {
      "http://127.0.0.1/v1/models", "/health/liveliness/../../v1/models", "/v1/models?/health/liveliness",
      "//v1/models",                "/v1/models/",                          "/v1/./models",
      "/V1/MODELS",                 "/v1/models%2f",                        "/health/liveliness%2f..%2f..%2fv1%2fmodels",
  };
  for (const auto& t : targets) {
    raw_socket s(gw.port());
    REQUIRE(s.send_all("GET " + t + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string res = s.read_response(5s);
    INFO(t << " → " << raw_socket::head_of(res));
    const int status = raw_socket::status_of(res);
    CHECK(status >= 400);
    CHECK(status < 500);
  }
  test_client c(gw.port());
  CHECK(c.request("GET", "/v1/models", auth_headers(false, master_key)).status == 200);
  CHECK(up.request_count() == 0);
}

TEST_CASE("abuse: odd bearer tokens are a 401 in the client's dialect", "[abuse][auth]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  const std::string mk = master_key;
  const std::vector<std::pair<const char*, std::string>> tokens = {
      {"double-quoted master key", "\"" + mk + "\""},
      {"single-quoted master key", "'" + mk + "'"},
      {"quotes and SQL", "\"' OR '1'='1"},
      {"10 KB", std::string(10 * 1024, 'k')},
      {"10 KB ending in the master key", std::string(10 * 1024, 'k') + mk},
      {"empty", ""},
      {"non-ASCII", "sk-t\xc3\xa9st-\xe2\x82\xac-\xf0\x9f\x94\x91"},
      {"invalid UTF-8", "sk-\xff\xfe"},
      {"master key prefix", mk.substr(0, mk.size() - 1)},
      {"master key plus one byte", mk + "0"},
      {"master key after a second space", " " + mk},
  };
  for (const auto& [name, token] : tokens) {
    DYNAMIC_SECTION(name) {
      for (bool anthropic : {false, true}) {
        // HTTP parsers strip a header value's leading space, so " key" in x-api-key is the key.
        if (anthropic && token.starts_with(" ")) continue;
        test_client c(gw.port());
        const std::string path = anthropic ? "/v1/messages" : "/v1/chat/completions";
        const std::string body = anthropic ? messages_with("\"hi\"") : chat_with("\"hi\"");
        header_list h = anthropic ? header_list{{"x-api-key", token}, {"anthropic-version", "2023-06-01"}}
                                  : header_list{{"Authorization", "Bearer " + token}};
        auto res = c.request("POST", path, h, body);
        CHECK(res.status == 401);
        dialect_error(res, anthropic);
        if (token.size() > 3) CHECK(res.body.find(token) == std::string::npos);
      }
    }
  }
  CHECK(up.request_count() == 0);
}
