// Streaming chat/completions: pass-through without buffering, termination, in-band errors,
// usage handling, and the client-disconnect rules.
#include <atomic>

#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/raw_peer.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {

std::string chunk(const std::string& delta_json, const std::string& finish = "null") {
  return "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"openai/gpt-oss-120b\","
         "\"choices\":[{\"index\":0,\"delta\":" +
         delta_json + ",\"finish_reason\":" + finish + "}]}\n\n";
}
const std::string usage_chunk =
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"openai/gpt-oss-120b\","
    "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,\"total_tokens\":14}}\n\n";
const std::string done = "data: [DONE]\n\n";

std::string stream_body(bool include_usage = false) {
  std::string b = R"({"model":"test-model","stream":true,"messages":[{"role":"user","content":"hi"}])";
  if (include_usage) b += R"(,"stream_options":{"include_usage":true})";
  return b + "}";
}

// The raw bytes of an authorised POST /v1/chat/completions carrying `body`.
std::string raw_chat_request(const std::string& body) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(master_key) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::vector<step> normal_stream() {
  return {step::send(chunk(R"({"role":"assistant","content":""})")),
          step::send(chunk(R"({"reasoning":"thinking..."})")),
          step::send(chunk(R"({"content":"你好 👋🏽"})")),
          step::send(chunk(R"({})", "\"stop\"")),
          step::send(usage_chunk),
          step::send(done)};
}

}  // namespace

TEST_CASE("each upstream event reaches the client before the next is produced", "[stream]") {
  // The fake sends event n+1 only after the test has received event n: a gateway that buffers
  // anything never delivers event 1 and the bounded read fails.
  std::vector<std::shared_ptr<gate>> gates;
  for (int i = 0; i < 4; ++i) gates.push_back(std::make_shared<gate>());
  fake_upstream up([&](const recorded_request&) {
    std::vector<step> s;
    for (int i = 0; i < 4; ++i) {
      s.push_back(step::send(chunk("{\"content\":\"t" + std::to_string(i) + "\"}")));
      s.push_back(step::wait(gates[i]));
    }
    s.push_back(step::send(done));
    return reply::sse(s);
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto head = c.open_stream("/v1/chat/completions", stream_body(), master_key);
  REQUIRE(head.status == 200);
  CHECK(head.header("content-type") == "text/event-stream");
  CHECK(head.header("cache-control") == "no-cache");
  CHECK(head.header("x-accel-buffering") == "no");
  CHECK(head.header("transfer-encoding") == "chunked");
  CHECK(head.has_header("x-litellm-call-id"));
  for (int i = 0; i < 4; ++i) {
    auto ev = c.next_event();
    REQUIRE(ev);
    auto j = json::parse(ev->data);
    CHECK(j["choices"][0]["delta"]["content"] == "t" + std::to_string(i));
    gates[i]->open();
  }
  auto last = c.next_event();
  REQUIRE(last);
  CHECK(last->data == "[DONE]");
}

TEST_CASE("stream chunks are restamped, reasoning surfaced, usage hidden unless asked", "[stream]") {
  fake_upstream up([](const recorded_request&) { return reply::sse(normal_stream()); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", stream_body(), master_key).status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() == 5);  // 4 chunks + [DONE]; the usage-only chunk is not forwarded
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    auto j = json::parse(events[i].data);
    CHECK(j["model"] == "test-model");
    CHECK_FALSE(j.contains("usage"));
  }
  auto reasoning = json::parse(events[1].data)["choices"][0]["delta"];
  CHECK(reasoning["reasoning_content"] == "thinking...");
  CHECK_FALSE(reasoning.contains("reasoning"));
  CHECK(json::parse(events[2].data)["choices"][0]["delta"]["content"] == "你好 👋🏽");
  CHECK(events.back().data == "[DONE]");

  auto sent = json::parse(up.requests()[0].body);
  CHECK(sent["stream"] == true);
  CHECK(sent["stream_options"]["include_usage"] == true);
}

TEST_CASE("the usage chunk is forwarded when the client asked for it", "[stream]") {
  fake_upstream up([](const recorded_request&) { return reply::sse(normal_stream()); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", stream_body(true), master_key).status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() == 6);
  auto u = json::parse(events[4].data);
  CHECK(u["choices"].empty());
  CHECK(u["usage"]["prompt_tokens"] == 10);
  CHECK(u["model"] == "test-model");
  CHECK(c.trailers()["x-litellm-response-cost"] == "3.9e-06");  // 10 × 0.15/M + 4 × 0.60/M
}

TEST_CASE("an error as the first event becomes a JSON error with its status", "[stream][errors]") {
  fake_upstream up([](const recorded_request&) {
    return reply::sse({step::send(R"(data: {"error":{"object":"error","message":"context too long","type":"BadRequestError","code":400}})"
                                  "\n\n"),
                       step::send(done)});
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.open_stream("/v1/chat/completions", stream_body(), master_key);
  CHECK(res.status == 400);
  CHECK(res.header("content-type") == "application/json");
  auto e = json::parse(res.body)["error"];
  CHECK(e["code"] == "400");
  CHECK(std::string(e["message"]).find("context too long") != std::string::npos);
}

TEST_CASE("an error after the stream started is an error event then [DONE]", "[stream][errors]") {
  fake_upstream up([](const recorded_request&) {
    return reply::sse({step::send(chunk(R"({"content":"partial"})")),
                       step::send(R"(data: {"error":{"message":"engine died","code":500}})"
                                  "\n\n")});
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", stream_body(), master_key).status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() == 3);
  auto err = json::parse(events[1].data);
  CHECK(err["error"]["message"] == "engine died");
  CHECK(err["error"]["code"] == "500");
  CHECK(events[2].data == "[DONE]");
}

TEST_CASE("an upstream that ends without [DONE] yields an error event and [DONE]", "[stream][errors]") {
  fake_upstream up([](const recorded_request&) { return reply::sse({step::send(chunk(R"({"content":"partial"})"))}); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", stream_body(), master_key).status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() == 3);
  CHECK(json::parse(events[1].data).contains("error"));
  CHECK(events[2].data == "[DONE]");
}

TEST_CASE("an upstream that drops the connection mid-stream is not retried", "[stream][errors]") {
  fake_upstream up([](const recorded_request&) { return reply::sse({step::send(chunk(R"({"content":"a"})")), step::drop()}); });
  gateway_fixture gw(basic_config(up.base_url(), {}, "litellm_settings:\n  num_retries: 3\n"));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", stream_body(), master_key).status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() == 3);
  CHECK(json::parse(events[1].data).contains("error"));
  CHECK(up.request_count() == 1);
}

TEST_CASE("client disconnect mid-stream closes the upstream connection", "[stream][disconnect]") {
  auto g = std::make_shared<gate>();
  fake_upstream up([&](const recorded_request&) {
    reply r = reply::sse({step::send(chunk(R"({"content":"a"})")), step::wait(g)});
    r.end_after_steps = false;  // then hold the stream open
    return r;
  });
  gateway_fixture gw(basic_config(up.base_url()));
  {
    test_client c(gw.port());
    REQUIRE(c.open_stream("/v1/chat/completions", stream_body(), master_key).status == 200);
    REQUIRE(c.next_event());
  }  // the client goes away with the upstream silent
  CHECK(up.wait_for_peer_closes(1, std::chrono::milliseconds(1000)));
  g->open();
}

TEST_CASE("client disconnect while waiting for the first upstream byte closes upstream", "[disconnect]") {
  fake_upstream up([](const recorded_request&) {
    reply r;
    r.stall_before_headers = true;
    return r;
  });
  gateway_fixture gw(basic_config(up.base_url()));
  for (bool stream : {true, false}) {
    DYNAMIC_SECTION("stream=" << stream) {
      {
        test_client c(gw.port());
        const std::string body =
            stream ? stream_body() : std::string(R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})");
        c.send_raw(raw_chat_request(body));
        REQUIRE(up.wait_for_requests(1, std::chrono::milliseconds(5000)));
      }
      CHECK(up.wait_for_peer_closes(1, std::chrono::milliseconds(1000)));
    }
  }
}

TEST_CASE("a request pipelined behind one that waits upstream is answered in turn, not taken for a disconnect",
          "[disconnect]") {
  // The second request reaches the gateway's socket while the first waits for its upstream; the
  // disconnect watcher sees bytes there. It must neither consume them nor abort the first call.
  auto g = std::make_shared<gate>();
  std::atomic<int> calls{0};
  fake_upstream up([&](const recorded_request&) {
    reply r = reply::json(200, R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m",)"
                               R"("choices":[{"index":0,"message":{"role":"assistant","content":"ok"},)"
                               R"("finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})");
    if (calls++ == 0) r.hold = g;
    return r;
  });
  gateway_fixture gw(basic_config(up.base_url()));
  const std::string body = R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";
  const std::string request = raw_chat_request(body);
  raw_socket s(gw.port());
  REQUIRE(s.send_all(request));
  REQUIRE(up.wait_for_requests(1, std::chrono::milliseconds(5000)));
  REQUIRE(s.send_all(request));
  g->open();
  const std::string first = s.read_response(std::chrono::milliseconds(5000));
  const std::string second = s.read_response(std::chrono::milliseconds(5000));
  CHECK(raw_socket::status_of(first) == 200);
  CHECK(raw_socket::status_of(second) == 200);
  CHECK(second.find("\"content\":\"ok\"") != std::string::npos);
  CHECK(up.request_count() == 2);
  CHECK(up.connections_closed_by_peer() == 0);  // the first upstream call was not aborted
}

TEST_CASE("a silent upstream is a 408 before headers", "[timeouts]") {
  fake_upstream up([](const recorded_request&) {
    reply r;
    r.stall_before_headers = true;
    return r;
  });
  gateway_fixture gw(basic_config(up.base_url(), {}, {}, "      timeout: 0.3\n      stream_timeout: 0.3\n"));
  test_client c(gw.port());
  auto res = c.post_json("/v1/chat/completions", R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})",
                         master_key);
  CHECK(res.status == 408);
  CHECK(std::string(json::parse(res.body)["error"]["message"]).find("Timeout") != std::string::npos);
  auto s = c.open_stream("/v1/chat/completions", stream_body(), master_key);
  CHECK(s.status == 408);
}

TEST_CASE("an upstream that goes quiet mid-stream gets an error event after the idle timeout", "[timeouts]") {
  fake_upstream up([](const recorded_request&) {
    reply r = reply::sse({step::send(chunk(R"({"content":"a"})"))});
    r.end_after_steps = false;
    return r;
  });
  gateway_fixture gw(basic_config(up.base_url(), "  stream_idle_timeout: 0.3\n"));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", stream_body(), master_key).status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() == 3);
  CHECK(std::string(json::parse(events[1].data)["error"]["message"]).find("Timeout") != std::string::npos);
  CHECK(events[2].data == "[DONE]");
}
