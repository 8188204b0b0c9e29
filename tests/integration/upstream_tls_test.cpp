// HTTPS upstream: certificate and host-name verification against a test CA made at test time.
#include <cstdlib>
#include <filesystem>

#include <boost/asio/ssl/context.hpp>
#include <catch2/catch.hpp>

#include "meshgate/core/ids.hpp"
#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {

const char* ok_body = R"({"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"over tls"},"finish_reason":"stop"}]})";
const std::string chat_body = R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";

// A self-signed certificate for DNS:localhost only (no IP address), made with the openssl CLI.
struct test_cert {
  std::filesystem::path dir;
  std::filesystem::path cert, key;
  test_cert() {
    dir = std::filesystem::temp_directory_path() / ("meshgate-tls-" + core::new_uuid());
    std::filesystem::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                            "-addext subjectAltName=DNS:localhost -keyout '" + key.string() + "' -out '" + cert.string() +
                            "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~test_cert() { std::filesystem::remove_all(dir); }
};

std::unique_ptr<net::ssl::context> server_context(const test_cert& tc) {
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  ctx->use_certificate_chain_file(tc.cert.string());
  ctx->use_private_key_file(tc.key.string(), net::ssl::context::pem);
  return ctx;
}

}  // namespace

TEST_CASE("an HTTPS upstream with a trusted certificate for its host name works", "[tls]") {
  test_cert tc;
  ::setenv("SSL_CERT_FILE", tc.cert.c_str(), 1);  // the system trust store, as OpenSSL reads it
  auto sctx = server_context(tc);
  fake_upstream up([](const recorded_request&) { return reply::json(200, ok_body); }, sctx.get());
  gateway_fixture gw(basic_config("https://localhost:" + std::to_string(up.port()) + "/v1"));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 200);
  CHECK(json::parse(res.body)["choices"][0]["message"]["content"] == "over tls");
  CHECK(up.request_count() == 1);
  CHECK(up.requests()[0].header("authorization") == std::string("Bearer ") + upstream_key);
}

TEST_CASE("a certificate for another host name is refused with a clear error", "[tls]") {
  test_cert tc;
  ::setenv("SSL_CERT_FILE", tc.cert.c_str(), 1);
  auto sctx = server_context(tc);
  fake_upstream up([](const recorded_request&) { return reply::json(200, ok_body); }, sctx.get());
  // The certificate names localhost; connecting by IP address must fail verification.
  gateway_fixture gw(basic_config("https://127.0.0.1:" + std::to_string(up.port()) + "/v1"));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
  CHECK(res.status == 500);
  const std::string msg = json::parse(res.body)["error"]["message"];
  CHECK(msg.find("certificate verification failed") != std::string::npos);
  CHECK(up.request_count() == 0);
}

TEST_CASE("an untrusted certificate is refused unless the deployment sets ssl_verify false", "[tls]") {
  test_cert tc;
  ::setenv("SSL_CERT_FILE", "/nonexistent/ca.pem", 1);
  auto sctx = server_context(tc);
  fake_upstream up([](const recorded_request&) { return reply::json(200, ok_body); }, sctx.get());
  const std::string base = "https://localhost:" + std::to_string(up.port()) + "/v1";
  {
    gateway_fixture gw(basic_config(base));
    test_client c(gw.port());
    CHECK(c.post_json("/v1/chat/completions", chat_body, master_key).status == 500);
  }
  {
    gateway_fixture gw(basic_config(base, {}, {}, "      ssl_verify: false\n"));
    test_client c(gw.port());
    CHECK(c.post_json("/v1/chat/completions", chat_body, master_key).status == 200);
  }
}
