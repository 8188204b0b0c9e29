// A slow client slows the upstream read instead of growing memory; a stuck one is dropped.
#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;

namespace {
// 1,500 events of ~16 KiB: ~24 MiB, far more than socket buffers on both sides can hold.
constexpr std::size_t event_count = 1500;
std::vector<step> big_stream() {
  const std::string filler(16 * 1024, 'x');
  std::vector<step> s;
  for (std::size_t i = 0; i < event_count; ++i)
    s.push_back(step::send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + filler + "\"}}]}\n\n"));
  s.push_back(step::send("data: [DONE]\n\n"));
  return s;
}
const std::string body = R"({"model":"test-model","stream":true,"messages":[{"role":"user","content":"hi"}]})";
}  // namespace

TEST_CASE("a client that stops reading stops the upstream reads (back-pressure)", "[stream][backpressure]") {
  fake_upstream up([](const recorded_request&) { return reply::sse(big_stream()); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", body, master_key).status == 200);
  REQUIRE(c.next_event());
  // The client reads nothing more: the fake must not manage to push the whole stream through
  // the gateway, because the gateway stops reading upstream while its write is pending.
  CHECK_FALSE(up.wait_for_sends(event_count + 1, std::chrono::milliseconds(1500)));
  CHECK(up.sends_completed() < event_count / 2);
  // Once the client reads, everything arrives.
  auto rest = c.read_all_events();
  REQUIRE(rest.size() == event_count);  // the remaining content events + [DONE]
  CHECK(rest.back().data == "[DONE]");
}

TEST_CASE("a stuck client is dropped after the write timeout and upstream is closed", "[stream][backpressure]") {
  fake_upstream up([](const recorded_request&) { return reply::sse(big_stream()); });
  gateway_fixture gw(basic_config(up.base_url(), "  response_write_timeout: 0.5\n"));
  test_client c(gw.port());
  REQUIRE(c.open_stream("/v1/chat/completions", body, master_key).status == 200);
  REQUIRE(c.next_event());
  CHECK(up.wait_for_peer_closes(1, std::chrono::milliseconds(5000)));
}
