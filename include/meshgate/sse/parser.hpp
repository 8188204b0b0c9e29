#pragma once
// Incremental Server-Sent Events parser (WHATWG event-stream grammar, the subset LLM APIs use).
//
// feed(bytes) may be called with any split of the stream — mid-line, mid-CRLF, mid-UTF-8
// sequence, one byte at a time — and yields exactly the events a single feed of the whole
// stream would. Line ends: LF, CR, CRLF (a CR at the end of one feed and LF at the start of the
// next is one line end). Lines starting with ':' are comments (ignored). `data:` lines of one
// event are joined with '\n'. One leading space after the colon is removed; a line without a
// colon is a field name with an empty value (`data` alone adds an empty data line). Field names
// are case-sensitive; names other than event/data/id/retry are ignored, and so is `retry` (it
// has no place in `event`). An event is dispatched at a blank line; an event with no data line
// is not dispatched (its `event:`/`id:` fields are dropped with it). An `id:` value containing
// U+0000 is ignored (WHATWG). A UTF-8 BOM at the very start is skipped (also when it arrives
// split across feeds); a BOM anywhere else is ordinary bytes. Bytes are copied as they are (no
// UTF-8 validation: multi-byte sequences are never split because events are only cut at line
// ends).
//
// `id` is per event: an event without an `id:` line has an empty id (unlike a browser's
// EventSource, the last id is not carried over to later events).
//
// Limits: an event (all its lines together, before dispatch) larger than `max_event_bytes` puts
// the parser into the error state: feed() returns `event_too_large` and stays there until
// reset(). The size counted is the sum of the event's field lines without their line ends;
// comment lines are not counted and not buffered (they are skipped as they stream past), so
// memory per parser stays within about `max_event_bytes` whatever the input. Events completed
// before the oversized one are still appended to `out`. Entering the error state releases the
// buffered bytes.
//
// Cost: each byte is scanned once with memchr; a line that arrives whole in one feed is copied
// once (into the event). A `data:` line split across feeds is appended straight to the event
// being assembled, so it too is copied once, however many feeds it spans.
//
// Contract: pure, single-threaded, never throws except std::bad_alloc.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::sse {

struct event {
  std::string type;  // the `event:` field; empty when absent (means "message")
  std::string data;  // `data:` lines joined with '\n'
  std::string id;    // the `id:` field, empty when absent

  bool operator==(const event&) const = default;
};

enum class feed_status { ok, event_too_large };

class parser {
 public:
  explicit parser(std::size_t max_event_bytes = 16u << 20);

  // Parses `bytes`, appending every completed event to `out` (not cleared).
  feed_status feed(std::string_view bytes, std::vector<event>& out);

  // True when bytes of an unfinished event (or line) are buffered: the stream ended mid-event.
  // A field line (even one that would not lead to a dispatch, such as a lone `event:`) not yet
  // closed by a blank line counts; complete comment lines do not. False in the error state.
  bool has_partial() const;

  // Back to the state of a new parser (a new stream: the BOM is skipped again, errors cleared).
  void reset();

 private:
  // How the bytes of the current, unfinished line are being kept.
  enum class line_mode : unsigned char {
    buffered,    // in line_
    comment,     // a comment: skipped, nothing kept
    data_value,  // a `data:` line: its value goes straight into pending_.data
  };

  std::string_view skip_bom(std::string_view bytes);
  bool take_unfinished(std::string_view piece);
  bool finish_line(std::string_view piece, std::vector<event>& out);
  bool process_line(std::string_view line, std::vector<event>& out);
  bool append_data_value(std::string_view piece);
  void append_data_line(std::string_view value);
  void dispatch(std::vector<event>& out);
  void clear_pending();
  feed_status fail();

  std::size_t max_event_bytes_;
  std::string line_;          // the current, unfinished line
  event pending_;             // fields of the event being assembled
  bool pending_has_data_ = false;
  std::size_t pending_bytes_ = 0;  // counted bytes of the event's finished lines (and of a data_value line)
  line_mode line_mode_ = line_mode::buffered;
  bool last_was_cr_ = false;  // previous feed ended with CR: a leading LF is part of that line end
  bool bom_checked_ = false;
  bool failed_ = false;
};

// Serialises one `data: ...\n\n` frame (data lines split on '\n'); with a non-empty `type`,
// an `event: <type>\n` line comes first.
//
// A '\r' or "\r\n" in `data` also starts a new data line: a receiver would read a bare CR as a
// line end, so writing it raw could cut the event short or inject fields. A parser therefore
// reads the frame back as `data` with every CR/CRLF turned into '\n'. A `type` is cut at its
// first CR or LF for the same reason. Empty `data` gives `data: \n\n` (an event with empty data).
std::string format_event(std::string_view data, std::string_view type = {});

}  // namespace meshgate::sse
