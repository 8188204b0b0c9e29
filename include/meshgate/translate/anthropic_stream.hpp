#pragma once
// Upstream chat/completions SSE stream → Anthropic Messages SSE stream (litellm-reference.md
// §8.4), fed one upstream event at a time. Every frame is `event: <type>\ndata: <json>\n\n`, the
// JSON carrying the same `type`. The grammar produced:
//
//   message_start            once, at the first upstream chunk (or at `[DONE]` if none came
//                            first): id "msg_<32 hex>" (or the id
//                            given to the constructor), model = alias, usage all zero except
//                            input_tokens/cache_read_input_tokens when that first event already
//                            carries usage (vLLM's stream_options.continuous_usage_stats)
//   ( content_block_start    index 0, 1, … typed by the block's first payload:
//                            thinking {"thinking":"","signature":""} from reasoning_content /
//                            reasoning, text {"text":""} from content, tool_use {"id","name",
//                            "input":{}} from a tool call
//     content_block_delta*   thinking_delta / text_delta / input_json_delta (partial_json =
//                            the upstream arguments fragment); empty payloads never emitted
//     content_block_stop )*
//   message_delta            {"delta":{"stop_reason","stop_sequence"},"usage":{…}} — see
//                            anthropic_stop_for / anthropic_usage (anthropic_response.hpp)
//   message_stop
//
// Rules:
// - Role-only and empty deltas are skipped. A chunk carrying several payloads is split in the
//   order reasoning, text, tool calls, then finish_reason. Only choice index 0 is translated.
// - A payload of another kind closes the open block first (stop, then the next index's start,
//   then the payload), so nothing is lost.
// - Tool calls: one block per upstream tool-call index, blocks in order of first appearance.
//   Anthropic's grammar cannot reopen a closed block, so interleaved argument fragments of
//   parallel tool calls are handled by buffering: fragments of the OPEN tool block stream live;
//   a tool call that appears while another tool block is open waits (its fragments buffered)
//   until the open one is finished — its arguments form a complete JSON value, or a text /
//   thinking payload or finish_reason arrives — and is then opened with its buffer sent as one
//   input_json_delta. A tool call is opened only once its name is known (content_block_start
//   needs it); at the end a nameless one is emitted with name "". Its id goes through
//   anthropic_tool_id (missing → generated). Fragments arriving for a tool block that was
//   already closed (only possible when text came between two fragments of the same call) have
//   nowhere to go in Anthropic's grammar and are dropped.
// - finish_reason closes every block (waiting tool calls are flushed first) and is remembered;
//   message_delta is HELD until the usage-only chunk (empty or absent `choices`) or `[DONE]`, so
//   it carries the final usage (zeros when the upstream never reported any). Content after
//   finish_reason is dropped; usage is still read. `[DONE]` without a finish_reason ends the
//   message as end_turn. After message_stop, on_event returns `done` and ignores everything.
// - An in-band `{"error":…}` event, an event that is not a JSON object, or on_abnormal_end:
//   one `event: error` frame rendered like every Anthropic error (core::render_anthropic, type
//   by status: a mid-stream 500 is `api_error`), nothing after it (no message_stop).
//
// Usage: call first_event_error on the first upstream event before sending response headers; if
// it returns an error, answer with it as a normal JSON error instead.
//
// Contract: pure, no I/O, never throws except std::bad_alloc. One instance per stream; not
// thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/translate/anthropic_response.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

class anthropic_stream {
 public:
  // `message_id` empty → "msg_" + a fresh UUID without dashes.
  explicit anthropic_stream(std::string alias, std::string message_id = {});

  // An error in the FIRST event (before anything was sent downstream): the error to answer with
  // as a normal JSON response (same rules as chat_stream_relay::first_event_error: status from
  // the event's `code` when it is 400–599, else 500). nullopt when the event is not an error.
  static std::optional<core::api_error> first_event_error(const sse::event& ev, std::string_view provider_label);

  // `event: ping\ndata: {"type":"ping"}\n\n`, for a caller that keeps an idle stream alive.
  static std::string ping_frame();

  enum class step { more, done, failed };
  // Appends the Anthropic frame(s) for `ev` to `out`. `done` once message_stop was written;
  // `failed` once an error frame was written. Later events are ignored (same step returned).
  step on_event(const sse::event& ev, std::string& out);

  // The upstream ended, failed or went silent before the message was complete: appends an
  // `event: error` frame with `what` (type by `status`). Nothing if the stream already ended
  // (message_stop or an error frame written).
  void on_abnormal_end(std::string_view what, int status, std::string& out);

  // Usage from the upstream chunks that carried it (the last one wins).
  const usage::token_usage& usage() const { return usage_; }
  bool finished() const { return result_ != step::more; }
  const std::string& message_id() const { return message_id_; }

  // Called with message_delta's usage object before it is serialised; lets a caller add fields
  // such as `cost` (include_cost_in_streaming_usage). Optional.
  void set_usage_decorator(std::function<void(nlohmann::json& usage)> f) { decorate_usage_ = std::move(f); }

 private:
  enum class block { none, text, thinking, tool };
  enum class tool_state : unsigned char { waiting, open, closed };
  struct tool_call {
    std::int64_t upstream_index = 0;
    std::string id;
    std::string name;
    std::string arguments;   // every fragment received while not closed
    std::size_t sent = 0;    // bytes of `arguments` already emitted
    tool_state state = tool_state::waiting;
  };

  void start(const core::json& chunk, std::string& out);
  void on_choice(const core::json& choice, std::string& out);
  void on_payload(block kind, const std::string& text, std::string& out);
  void on_tool_delta(const core::json& delta, std::size_t position, std::string& out);
  void advance_tools(std::string& out);
  void open_block(block kind, std::string& out);
  void open_tool(tool_call& t, std::string& out);
  void send_tool_arguments(tool_call& t, std::string& out);
  void close_block(std::string& out);
  void close_all(std::string& out);
  void finish_message(std::string& out);
  step fail(std::string_view what, int status, std::string& out);

  std::string alias_;
  std::string message_id_;
  bool started_ = false;
  block open_ = block::none;
  std::size_t open_index_ = 0;
  std::size_t next_index_ = 0;
  std::size_t open_tool_ = 0;  // position in tools_ while open_ == block::tool
  std::vector<tool_call> tools_;
  bool finish_seen_ = false;
  anthropic_stop stop_;
  usage::token_usage usage_;
  step result_ = step::more;
  std::function<void(nlohmann::json&)> decorate_usage_;
};

}  // namespace meshgate::translate
