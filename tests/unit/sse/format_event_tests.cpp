#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "meshgate/sse/parser.hpp"

namespace sse = meshgate::sse;

namespace {

// What a client's parser makes of a frame.
std::vector<sse::event> read_back(const std::string& frame) {
  sse::parser p;
  std::vector<sse::event> out;
  REQUIRE(p.feed(frame, out) == sse::feed_status::ok);
  REQUIRE_FALSE(p.has_partial());
  return out;
}

}  // namespace

TEST_CASE("sse: format_event writes one data line and a blank line") {
  CHECK(sse::format_event("{\"a\":1}") == "data: {\"a\":1}\n\n");
  CHECK(sse::format_event("[DONE]") == "data: [DONE]\n\n");
}

TEST_CASE("sse: format_event puts the event type line first") {
  CHECK(sse::format_event("{\"type\":\"message_stop\"}", "message_stop") ==
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  CHECK(sse::format_event("x", "") == "data: x\n\n");
}

TEST_CASE("sse: format_event splits multi-line data into several data lines") {
  CHECK(sse::format_event("one\ntwo\nthree") == "data: one\ndata: two\ndata: three\n\n");
  CHECK(sse::format_event("a\n\nb") == "data: a\ndata: \ndata: b\n\n");
  CHECK(sse::format_event("a\n") == "data: a\ndata: \n\n");
  CHECK(sse::format_event("\n") == "data: \ndata: \n\n");
  CHECK(sse::format_event("x\ny", "error") == "event: error\ndata: x\ndata: y\n\n");
}

TEST_CASE("sse: format_event of empty data is an event with empty data") {
  CHECK(sse::format_event("") == "data: \n\n");
  const auto events = read_back(sse::format_event(""));
  REQUIRE(events.size() == 1);
  CHECK(events[0].data.empty());
}

TEST_CASE("sse: format_event treats CR and CRLF in data as line breaks") {
  CHECK(sse::format_event("a\r\nb") == "data: a\ndata: b\n\n");
  CHECK(sse::format_event("a\rb") == "data: a\ndata: b\n\n");
  CHECK(sse::format_event("a\r\rb") == "data: a\ndata: \ndata: b\n\n");
  // A bare CR can not end the frame early or smuggle in a second event.
  const auto events = read_back(sse::format_event("x\r\rdata: injected"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "x\n\ndata: injected");
}

TEST_CASE("sse: format_event cuts a type at its first line break") {
  CHECK(sse::format_event("x", "ping\ndata: evil") == "event: ping\ndata: x\n\n");
  CHECK(sse::format_event("x", "ping\r\n") == "event: ping\ndata: x\n\n");
  CHECK(sse::format_event("x", "\nping") == "data: x\n\n");
}

TEST_CASE("sse: a formatted event parses back to the same data and type") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{\"choices\":[{\"delta\":{\"content\":\"\xE4\xBD\xA0\xE5\xA5\xBD\"}}]}", ""},
      {"line 1\nline 2\n\nline 4\n", "message"},
      {" leading space", "content_block_delta"},
      {":not a comment", ""},
      {"", "ping"},
  };
  for (const auto& [data, type] : cases) {
    INFO("data: " << data);
    const auto events = read_back(sse::format_event(data, type));
    REQUIRE(events.size() == 1);
    CHECK(events[0].data == data);
    CHECK(events[0].type == type);
    CHECK(events[0].id.empty());
  }
}
