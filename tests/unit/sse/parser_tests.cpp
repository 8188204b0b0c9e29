#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "meshgate/sse/parser.hpp"

namespace sse = meshgate::sse;
using sse::event;
using sse::feed_status;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace Catch {
template <>
struct StringMaker<event> {
  static std::string convert(const event& e) {
    return "{type=\"" + e.type + "\" data=\"" + e.data + "\" id=\"" + e.id + "\"}";
  }
};
}  // namespace Catch

namespace {

event ev(std::string data, std::string type = {}, std::string id = {}) {
  return event{std::move(type), std::move(data), std::move(id)};
}

std::vector<event> parse(std::string_view bytes) {
  sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed(bytes, out) == feed_status::ok);
  return out;
}

std::vector<event> parse_chunks(const std::vector<std::string_view>& chunks) {
  sse::parser p;
  std::vector<event> out;
  for (auto chunk : chunks) REQUIRE(p.feed(chunk, out) == feed_status::ok);
  return out;
}

}  // namespace

TEST_CASE("sse: one data line and a blank line is one event") {
  CHECK(parse("data: hello\n\n") == std::vector{ev("hello")});
}

TEST_CASE("sse: several events in one feed come out in order") {
  CHECK(parse("data: a\n\ndata: b\n\ndata: c\n\n") == std::vector{ev("a"), ev("b"), ev("c")});
}

TEST_CASE("sse: event line sets the type of the event it belongs to") {
  CHECK(parse("event: message_start\ndata: {\"type\":\"message_start\"}\n\n") ==
        std::vector{ev("{\"type\":\"message_start\"}", "message_start")});
  // The type does not leak into the next event.
  CHECK(parse("event: ping\ndata: 1\n\ndata: 2\n\n") == std::vector{ev("1", "ping"), ev("2")});
  // Order of fields inside the event does not matter; the last `event:` wins.
  CHECK(parse("data: x\nevent: a\nevent: b\n\n") == std::vector{ev("x", "b")});
}

TEST_CASE("sse: data lines of one event are joined with a newline") {
  CHECK(parse("data: line one\ndata: line two\ndata: three\n\n") ==
        std::vector{ev("line one\nline two\nthree")});
}

TEST_CASE("sse: empty data lines keep their place in the joined data") {
  CHECK(parse("data:\n\n") == std::vector{ev("")});
  CHECK(parse("data:\ndata:\n\n") == std::vector{ev("\n")});
  CHECK(parse("data: a\ndata:\ndata: b\n\n") == std::vector{ev("a\n\nb")});
}

TEST_CASE("sse: comment lines are ignored") {
  CHECK(parse(": ping\n\n").empty());
  CHECK(parse(":\n\n: keep-alive\n\n").empty());
  CHECK(parse(": before\ndata: a\n: between\ndata: b\n:after\n\n") == std::vector{ev("a\nb")});
  // A comment line is not a blank line: it does not dispatch.
  CHECK(parse("data: a\n: x\ndata: b\n\n") == std::vector{ev("a\nb")});
}

TEST_CASE("sse: LF, CR and CRLF line ends give the same events") {
  const std::vector expected{ev("a\nb", "t"), ev("c")};
  CHECK(parse("event: t\ndata: a\ndata: b\n\ndata: c\n\n") == expected);
  CHECK(parse("event: t\rdata: a\rdata: b\r\rdata: c\r\r") == expected);
  CHECK(parse("event: t\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n") == expected);
}

TEST_CASE("sse: mixed line ends in one stream") {
  CHECK(parse("event: t\r\ndata: a\rdata: b\n\r\ndata: c\n\r") == std::vector{ev("a\nb", "t"), ev("c")});
  // LF CR is two line ends (a blank line), unlike CR LF.
  CHECK(parse("data: a\n\rdata: b\r\n\r\n") == std::vector{ev("a"), ev("b")});
  // CR CR LF: a line end, then a blank line ended by CRLF.
  CHECK(parse("data: a\r\r\n") == std::vector{ev("a")});
}

TEST_CASE("sse: CR at the end of one feed and LF at the start of the next is one line end") {
  // Were the LF read as a second line end, "a" would be dispatched alone.
  CHECK(parse_chunks({"data: a\r", "\ndata: b\r\n\r\n"}) == std::vector{ev("a\nb")});
  CHECK(parse_chunks({"data: a\r\n\r", "\n"}) == std::vector{ev("a")});
  // An empty feed in between does not forget the CR.
  CHECK(parse_chunks({"data: a\r", "", "\ndata: b\r", "", "\n\r", "\n"}) == std::vector{ev("a\nb")});
}

TEST_CASE("sse: CR at the end of one feed and CR at the start of the next are two line ends") {
  CHECK(parse_chunks({"data: a\r", "\rdata: b\r\r"}) == std::vector{ev("a"), ev("b")});
  CHECK(parse_chunks({"data: a\r", "data: b\r\r"}) == std::vector{ev("a\nb")});
}

TEST_CASE("sse: a UTF-8 BOM at the very start is skipped") {
  CHECK(parse("\xEF\xBB\xBF" "data: a\n\n") == std::vector{ev("a")});
  CHECK(parse_chunks({"\xEF", "\xBB", "\xBF", "data: a\n\n"}) == std::vector{ev("a")});
  CHECK(parse_chunks({"\xEF\xBB", "\xBF" "data: a\n\n"}) == std::vector{ev("a")});
  // A BOM followed directly by the blank line that ends nothing.
  CHECK(parse("\xEF\xBB\xBF\ndata: a\n\n") == std::vector{ev("a")});
}

TEST_CASE("sse: a BOM anywhere but the very start is ordinary bytes") {
  // A second BOM makes the field name "\xEF\xBB\xBF" "data", which is unknown.
  CHECK(parse("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n").empty());
  CHECK(parse("data: a\n\n\xEF\xBB\xBF" "data: b\n\n") == std::vector{ev("a")});
  // Inside a value a BOM is data like any other bytes.
  CHECK(parse("data: \xEF\xBB\xBFx\n\n") == std::vector{ev("\xEF\xBB\xBFx")});
}

TEST_CASE("sse: a partial BOM at the start is the first bytes of the first line") {
  // "\xEF\xBB" then not "\xBF": those two bytes begin a field name, so the line is unknown.
  CHECK(parse_chunks({"\xEF\xBB", "data: a\n\ndata: b\n\n"}) == std::vector{ev("b")});
  CHECK(parse_chunks({"\xEF", "\n", "data: b\n\n"}) == std::vector{ev("b")});
}

TEST_CASE("sse: reset starts a new stream, so the BOM is skipped again") {
  sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed("\xEF\xBB\xBF" "data: a\n\ndata: unfinished", out) == feed_status::ok);
  p.reset();
  CHECK_FALSE(p.has_partial());
  REQUIRE(p.feed("\xEF\xBB\xBF" "data: b\n\n", out) == feed_status::ok);
  CHECK(out == std::vector{ev("a"), ev("b")});
}

TEST_CASE("sse: a field with no colon is a name with an empty value") {
  CHECK(parse("data\n\n") == std::vector{ev("")});
  CHECK(parse("data\ndata\n\n") == std::vector{ev("\n")});
  CHECK(parse("event: t\nevent\ndata: x\n\n") == std::vector{ev("x")});
  CHECK(parse("data: x\nid: 7\nid\n\n") == std::vector{ev("x")});
  CHECK(parse("unknown\ndata: x\n\n") == std::vector{ev("x")});
}

TEST_CASE("sse: data with no space after the colon keeps its value") {
  CHECK(parse("data:x\n\n") == std::vector{ev("x")});
  CHECK(parse("data:[DONE]\n\n") == std::vector{ev("[DONE]")});
  CHECK(parse("event:ping\ndata:{}\n\n") == std::vector{ev("{}", "ping")});
}

TEST_CASE("sse: only one space after the colon is removed") {
  CHECK(parse("data:  two\n\n") == std::vector{ev(" two")});
  CHECK(parse("data:\tx\n\n") == std::vector{ev("\tx")});
  CHECK(parse("data: x \n\n") == std::vector{ev("x ")});
  // Later colons are part of the value.
  CHECK(parse("data: a: b:c\n\n") == std::vector{ev("a: b:c")});
}

TEST_CASE("sse: field names are case-sensitive") {
  CHECK(parse("Data: x\n\n").empty());
  CHECK(parse("DATA: x\n\n").empty());
  CHECK(parse("Event: t\ndata: x\n\n") == std::vector{ev("x")});
}

TEST_CASE("sse: an event without data is not dispatched") {
  CHECK(parse("event: ping\n\n").empty());
  CHECK(parse("id: 1\n\n").empty());
  CHECK(parse("retry: 1000\n\n").empty());
  // Its fields do not carry into the next event.
  CHECK(parse("event: ping\nid: 9\n\ndata: x\n\n") == std::vector{ev("x")});
}

TEST_CASE("sse: blank lines with nothing pending dispatch nothing") {
  CHECK(parse("\n\n\r\n\r\r").empty());
  CHECK(parse("\n\n\ndata: x\n\n\n\n") == std::vector{ev("x")});
}

TEST_CASE("sse: id field is set on its event only") {
  CHECK(parse("id: 42\ndata: x\n\n") == std::vector{ev("x", "", "42")});
  CHECK(parse("id: 1\ndata: a\n\ndata: b\n\n") == std::vector{ev("a", "", "1"), ev("b")});
  CHECK(parse("id:7\nevent: t\ndata: a\n\n") == std::vector{ev("a", "t", "7")});
  CHECK(parse("id: 1\nid: 2\ndata: a\n\n") == std::vector{ev("a", "", "2")});
}

TEST_CASE("sse: an id containing NUL is ignored") {
  CHECK(parse("id: 1\nid: a\0b\ndata: x\n\n"sv) == std::vector{ev("x", "", "1")});
  // NUL elsewhere is ordinary data.
  CHECK(parse("data: a\0b\n\n"sv) == std::vector{ev("a\0b"s)});
}

TEST_CASE("sse: retry and unknown fields are ignored") {
  CHECK(parse("retry: 3000\nfoo: bar\ndata: x\nx-custom: 1\n\n") == std::vector{ev("x")});
}

TEST_CASE("sse: feed appends to the output vector without clearing it") {
  sse::parser p;
  std::vector<event> out{ev("already there")};
  REQUIRE(p.feed("data: new\n\n", out) == feed_status::ok);
  CHECK(out == std::vector{ev("already there"), ev("new")});
}

TEST_CASE("sse: an event is only dispatched once its blank line arrives") {
  sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed("data: a\n", out) == feed_status::ok);
  CHECK(out.empty());
  REQUIRE(p.feed("data: b", out) == feed_status::ok);
  CHECK(out.empty());
  REQUIRE(p.feed("\n", out) == feed_status::ok);
  CHECK(out.empty());
  REQUIRE(p.feed("\n", out) == feed_status::ok);
  CHECK(out == std::vector{ev("a\nb")});
}

TEST_CASE("sse: a data line split across many feeds is reassembled") {
  CHECK(parse_chunks({"da", "ta", ":", " ", "hel", "lo", "\n", "data:", "x", "y\n", "\n"}) ==
        std::vector{ev("hello\nxy")});
  // The split falls right after the colon: the space must still be stripped.
  CHECK(parse_chunks({"data:", " a", "\n\n"}) == std::vector{ev("a")});
  CHECK(parse_chunks({"data: ", "a", "\n\n"}) == std::vector{ev("a")});
  CHECK(parse_chunks({"data:", "  a", "\n\n"}) == std::vector{ev(" a")});
  // A comment split across feeds is skipped as a whole.
  CHECK(parse_chunks({": pi", "ng", "\ndata: a", "\n", "\n"}) == std::vector{ev("a")});
  CHECK(parse_chunks({":", "data: not data\n", "\n"}).empty());
}

TEST_CASE("sse: has_partial is false on a clean stream end and true on a truncated one") {
  sse::parser p;
  std::vector<event> out;
  CHECK_FALSE(p.has_partial());

  REQUIRE(p.feed("data: a\n\n", out) == feed_status::ok);
  CHECK_FALSE(p.has_partial());

  REQUIRE(p.feed("data: {\"cho", out) == feed_status::ok);  // mid-line
  CHECK(p.has_partial());
  REQUIRE(p.feed("ices\":[]}\n", out) == feed_status::ok);  // line done, blank line missing
  CHECK(p.has_partial());
  REQUIRE(p.feed("\n", out) == feed_status::ok);
  CHECK_FALSE(p.has_partial());
  CHECK(out.size() == 2);

  REQUIRE(p.feed("event: message_stop\n", out) == feed_status::ok);  // a field without data yet
  CHECK(p.has_partial());
  REQUIRE(p.feed("\n", out) == feed_status::ok);
  CHECK_FALSE(p.has_partial());

  REQUIRE(p.feed("dat", out) == feed_status::ok);
  CHECK(p.has_partial());
}

TEST_CASE("sse: has_partial ignores complete comments but not an unfinished line") {
  sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed("data: a\n\n: keep-alive\n", out) == feed_status::ok);
  CHECK_FALSE(p.has_partial());
  REQUIRE(p.feed(": keep-al", out) == feed_status::ok);
  CHECK(p.has_partial());
  REQUIRE(p.feed("ive\r", out) == feed_status::ok);
  CHECK_FALSE(p.has_partial());
}

TEST_CASE("sse: an event larger than the limit fails the parser and the failure is sticky") {
  sse::parser p(16);
  std::vector<event> out;
  // "data: 0123456789" is exactly 16 bytes: allowed.
  REQUIRE(p.feed("data: 0123456789\n\n", out) == feed_status::ok);
  CHECK(out == std::vector{ev("0123456789")});

  // Two lines of 9 bytes are 18 bytes for one event.
  CHECK(p.feed("data: abc\ndata: def\n\n", out) == feed_status::event_too_large);
  CHECK(out.size() == 1);
  CHECK_FALSE(p.has_partial());

  CHECK(p.feed("data: ok\n\n", out) == feed_status::event_too_large);
  CHECK(p.feed("", out) == feed_status::event_too_large);
  CHECK(out.size() == 1);

  p.reset();
  REQUIRE(p.feed("data: ok\n\n", out) == feed_status::ok);
  CHECK(out == std::vector{ev("0123456789"), ev("ok")});
}

TEST_CASE("sse: events completed before the oversized one are still delivered") {
  sse::parser p(10);
  std::vector<event> out;
  CHECK(p.feed("data: a\n\ndata: b\n\ndata: far too long\n\ndata: c\n\n", out) == feed_status::event_too_large);
  CHECK(out == std::vector{ev("a"), ev("b")});
}

TEST_CASE("sse: every field line counts toward the event size limit") {
  {
    sse::parser p(20);
    std::vector<event> out;
    CHECK(p.feed("event: content_block_delta\ndata: x\n\n", out) == feed_status::event_too_large);
  }
  {
    sse::parser p(20);
    std::vector<event> out;
    CHECK(p.feed("x-unknown-field: 123456789\ndata: x\n\n", out) == feed_status::event_too_large);
  }
  {
    // The size is per event: many small events under the limit are fine.
    sse::parser p(8);
    std::vector<event> out;
    std::string stream;
    for (int i = 0; i < 100; ++i) stream += "data: 12\n\n";
    REQUIRE(p.feed(stream, out) == feed_status::ok);
    CHECK(out.size() == 100);
  }
}

TEST_CASE("sse: comment lines neither count toward the limit nor are buffered") {
  sse::parser p(16);
  std::vector<event> out;
  const std::string long_comment = ":" + std::string(1000, 'c');
  REQUIRE(p.feed("data: a\n" + long_comment + "\ndata: b\n\n", out) == feed_status::ok);
  // A comment that never ends, fed in pieces, costs nothing either.
  for (int i = 0; i < 100; ++i) REQUIRE(p.feed(long_comment, out) == feed_status::ok);
  REQUIRE(p.feed("\ndata: c\n\n", out) == feed_status::ok);
  CHECK(out == std::vector{ev("a\nb"), ev("c")});
}

TEST_CASE("sse: a line that never ends hits the limit instead of growing without bound") {
  SECTION("data line") {
    sse::parser p(1000);
    std::vector<event> out;
    REQUIRE(p.feed("data: ", out) == feed_status::ok);
    feed_status status = feed_status::ok;
    int feeds = 0;
    while (status == feed_status::ok && feeds < 1000) {
      status = p.feed(std::string(100, 'x'), out);
      ++feeds;
    }
    CHECK(status == feed_status::event_too_large);
    CHECK(feeds == 10);  // 6 + 9 * 100 fits in 1000, the tenth feed goes over
  }
  SECTION("other field line") {
    sse::parser p(1000);
    std::vector<event> out;
    REQUIRE(p.feed("event: ", out) == feed_status::ok);
    feed_status status = feed_status::ok;
    int feeds = 0;
    while (status == feed_status::ok && feeds < 1000) {
      status = p.feed(std::string(100, 'x'), out);
      ++feeds;
    }
    CHECK(status == feed_status::event_too_large);
    CHECK(feeds == 10);
  }
}

TEST_CASE("sse: the size limit gives the same verdict however the stream is split") {
  const std::string stream = "data: 0123456789\n\ndata: 01234\ndata: 5678\n\ndata: 0123456789a\n\ndata: z\n\n";
  sse::parser whole(16);
  std::vector<event> whole_out;
  REQUIRE(whole.feed(stream, whole_out) == feed_status::event_too_large);
  REQUIRE(whole_out.size() == 1);  // "01234"+"5678" lines are 11 + 10 = 21 bytes

  for (std::size_t i = 0; i <= stream.size(); ++i) {
    INFO("split at " << i);
    sse::parser p(16);
    std::vector<event> out;
    const auto first = p.feed(std::string_view(stream).substr(0, i), out);
    const auto second = p.feed(std::string_view(stream).substr(i), out);
    CHECK((first == feed_status::event_too_large || second == feed_status::event_too_large));
    CHECK(out == whole_out);
  }
}

TEST_CASE("sse: a limit of zero rejects any field line but allows comments and blank lines") {
  sse::parser p(0);
  std::vector<event> out;
  REQUIRE(p.feed(": hi\n\n\n", out) == feed_status::ok);
  CHECK(p.feed("data\n", out) == feed_status::event_too_large);
}

TEST_CASE("sse: a stream fed byte by byte gives the same events as fed whole") {
  const std::string stream =
      "\xEF\xBB\xBF: hello\r\nevent: a\r\ndata: 1\r\ndata:2\r\n\r\nid: 5\rdata\r\r"
      "data: \xE4\xBD\xA0\xE5\xA5\xBD\n\n";
  const auto whole = parse(stream);
  REQUIRE(whole == std::vector{ev("1\n2", "a"), ev("", "", "5"), ev("\xE4\xBD\xA0\xE5\xA5\xBD")});
  sse::parser p;
  std::vector<event> out;
  for (char c : stream) REQUIRE(p.feed(std::string_view(&c, 1), out) == feed_status::ok);
  CHECK(out == whole);
  CHECK_FALSE(p.has_partial());
}
