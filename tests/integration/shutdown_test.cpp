// Graceful shutdown: health turns 503, the listener closes, in-flight streams finish.
#include <thread>

#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

TEST_CASE("draining finishes the in-flight stream and refuses new connections", "[shutdown]") {
  auto g = std::make_shared<gate>();
  fake_upstream up([&](const recorded_request&) {
    return reply::sse({step::send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"), step::wait(g),
                       step::send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n"),
                       step::send("data: [DONE]\n\n")});
  });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client idle(gw.port());  // a keep-alive connection made before the drain
  REQUIRE(idle.request("GET", "/health/readiness").status == 200);

  test_client streaming(gw.port());
  REQUIRE(streaming.open_stream("/v1/chat/completions",
                                R"({"model":"test-model","stream":true,"messages":[{"role":"user","content":"hi"}]})",
                                master_key)
              .status == 200);
  REQUIRE(streaming.next_event());

  gw.gw().begin_drain();
  auto ready = idle.request("GET", "/health/readiness");
  CHECK(ready.status == 503);
  CHECK(json::parse(ready.body)["status"] == "shutting_down");
  CHECK(ready.header("connection") == "close");

  bool refused = false;
  try {
    test_client fresh(gw.port());
    refused = fresh.request("GET", "/health/liveliness").status == 0;
  } catch (const std::exception&) {
    refused = true;
  }
  CHECK(refused);

  CHECK_FALSE(gw.gw().wait_drained(std::chrono::milliseconds(50)));  // the stream is still running
  g->open();
  auto rest = streaming.read_all_events();
  REQUIRE(rest.size() == 2);
  CHECK(rest.back().data == "[DONE]");
  CHECK(gw.gw().wait_drained(std::chrono::seconds(5)));
}
