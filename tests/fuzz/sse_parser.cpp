// SSE parser (src/sse): any split of the input into feeds yields the same events, status and
// partial state as one feed; the event-size limit holds; format_event frames read back as the
// data and type written.
//
// Input: byte 0 picks the event limit (small limits exercise the error state), bytes 1-2 pick
// split points, the rest is the stream.
#include <algorithm>

#include "fuzz_support.hpp"

using meshgate::sse::event;
using meshgate::sse::feed_status;
using meshgate::sse::parser;

namespace {

struct outcome {
  std::vector<event> events;
  feed_status status = feed_status::ok;
  bool partial = false;

  bool operator==(const outcome&) const = default;
};

outcome run(std::string_view text, std::size_t limit, const std::vector<std::size_t>& cuts) {
  parser p(limit);
  outcome o;
  std::size_t pos = 0;
  auto feed = [&](std::string_view piece) {
    feed_status s = p.feed(piece, o.events);
    if (s != feed_status::ok) o.status = s;
    // Once failed, the parser stays failed until reset().
    if (o.status != feed_status::ok) FUZZ_CHECK(s == o.status);
  };
  for (std::size_t cut : cuts) {
    cut = std::min(std::max(cut, pos), text.size());
    feed(text.substr(pos, cut - pos));
    pos = cut;
  }
  feed(text.substr(pos));
  o.partial = p.has_partial();
  if (o.status != feed_status::ok) FUZZ_CHECK(!o.partial);
  return o;
}

std::string crlf_to_lf(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static const std::size_t limits[] = {16u << 20, 8, 64, 1024};
  const std::size_t limit = limits[data[0] % 4];
  const std::string_view text(reinterpret_cast<const char*>(data) + 3, size - 3);

  const outcome whole = run(text, limit, {});
  for (const event& ev : whole.events) {
    FUZZ_CHECK(ev.type.size() + ev.data.size() + ev.id.size() <= limit);
    FUZZ_CHECK(ev.id.find('\0') == std::string::npos);
  }

  // Two cuts chosen by the input, then byte by byte for short streams.
  const std::size_t a = text.empty() ? 0 : data[1] % (text.size() + 1);
  const std::size_t b = text.empty() ? 0 : data[2] % (text.size() + 1);
  FUZZ_CHECK(run(text, limit, {std::min(a, b), std::max(a, b)}) == whole);
  if (text.size() <= 512) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < text.size(); ++i) every.push_back(i);
    FUZZ_CHECK(run(text, limit, every) == whole);
  }

  // reset() gives a fresh parser.
  {
    parser p(limit);
    std::vector<event> scratch;
    p.feed(text, scratch);
    p.reset();
    outcome again;
    again.status = p.feed(text, again.events);
    again.partial = p.has_partial();
    FUZZ_CHECK(again == whole);
  }

  // format_event round trip, with the stream's first half as data and a slice as the type.
  const std::string_view payload = text.substr(0, text.size() / 2);
  const std::string_view type = text.substr(text.size() / 2, std::min<std::size_t>(data[1] % 16, text.size() / 2));
  const std::string frame = meshgate::sse::format_event(payload, type);
  parser p;
  std::vector<event> back;
  FUZZ_CHECK(p.feed(frame, back) == feed_status::ok);
  FUZZ_CHECK(!p.has_partial());
  FUZZ_CHECK(back.size() == 1);
  FUZZ_CHECK(back[0].data == crlf_to_lf(payload));
  FUZZ_CHECK(back[0].type == type.substr(0, type.find_first_of("\r\n")));
  FUZZ_CHECK(back[0].id.empty());
  return 0;
}
