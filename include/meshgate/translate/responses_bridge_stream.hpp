#pragma once
// Streaming half of the Responses → chat bridge (litellm-reference §9.3, §9.4; user-expectations
// item 21): fed the upstream chat completions SSE events one at a time, it appends Responses
// events framed `event: <type>\ndata: <json>\n\n`, each with an increasing `sequence_number`
// (from 0).
//
// Event order:
//  1. response.created, response.in_progress (status in_progress, output []), before the
//     first frame of anything else;
//  2. output items, each opened when its first payload arrives and numbered (`output_index`) in
//     that order, which is also their order in the final `output`:
//     - reasoning (delta.reasoning_content or delta.reasoning): output_item.added →
//       reasoning_summary_part.added → reasoning_summary_text.delta… ; closed
//       (reasoning_summary_text.done → reasoning_summary_part.done → output_item.done) as soon as
//       text or a tool call follows;
//     - text (non-empty delta.content): output_item.added (message, in_progress) →
//       content_part.added (content_index 0) → output_text.delta… ; closed (output_text.done →
//       content_part.done → output_item.done) as soon as reasoning or a tool call follows, so
//       reasoning and message items never overlap (only function calls stay open side by side);
//     - each tool call, keyed by its chat `index` (parallel calls may interleave):
//       output_item.added (function_call, in_progress, `call_id` = the chat tool call id) →
//       function_call_arguments.delta… (`item_id` = the item's "fc_…" id); all closed at the end
//       (function_call_arguments.done → output_item.done), in output_index order;
//  3. at `[DONE]`: every open item closed; when no message and no function call was produced,
//     an empty message item (added, part added, text done, part done, done) so `output` is
//     never empty; then response.completed — the same id as response.created, the full
//     `output`, `usage` (normalised from the chat usage chunk), status per apply_finish_reason.
// An upstream error event, invalid JSON, or on_abnormal_end → response.failed (status
// "failed", `error: {code, message}`, the items so far); events after the end are ignored.
// Only choice 0 is translated. No `data: [DONE]` is written (OpenAI's own Responses streams
// have none; SDKs stop at response.completed/failed).
//
// The FIRST upstream event should be checked with chat_stream_relay::first_event_error before
// anything is sent, as on the chat route.
//
// Contract: pure, no I/O, never throws except std::bad_alloc; one instance per stream,
// single-threaded.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshgate/core/json.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

class bridge_stream_translator {
 public:
  // `response_template` from build_bridge_request; `created_at` in seconds (default: now).
  bridge_stream_translator(std::string response_id, std::string alias, core::json response_template,
                           std::optional<std::int64_t> created_at = std::nullopt);

  enum class step { more, done, failed };
  // Appends the Responses frames for one upstream chat event to `out`: `done` after `[DONE]`
  // (response.completed written), `failed` after an error (response.failed written).
  step on_event(const sse::event& ev, std::string& out);

  // The upstream ended, failed or went silent before `[DONE]`: appends response.failed
  // carrying `what` (code from `status`, see responses_error_code). Nothing after the end.
  void on_abnormal_end(std::string_view what, int status, std::string& out);

  const std::string& response_id() const { return response_id_; }
  bool finished() const { return finished_; }
  // response.completed was written: the turn may be stored (conversation_store).
  bool completed() const { return completed_; }
  // The answer as a chat assistant message (assistant_chat_message); valid once completed().
  const core::json& assistant_message() const { return assistant_message_; }
  // Usage from the chat usage chunk (or any chunk carrying usage).
  const usage::token_usage& usage() const { return usage_; }

  // Called with the normalised usage object of response.completed before it is serialised
  // (e.g. to add `cost`, product.md §6). Optional.
  void set_usage_decorator(std::function<void(core::json& usage)> f) { decorate_usage_ = std::move(f); }

 private:
  enum class kind { reasoning, message, function_call };
  struct item {
    kind type;
    std::string id;
    std::string text;  // reasoning or message text, or function arguments
    std::string call_id;
    std::string name;
    bool open = true;
  };

  void start(std::string& out);
  void emit(core::json event, std::string& out);
  core::json item_event(std::string_view type, std::size_t index) const;
  core::json done_form(const item& it) const;
  void on_reasoning(std::string_view text, std::string& out);
  std::size_t open_message(std::string& out);
  void on_text(std::string_view text, std::string& out);
  void on_tool_call(const core::json& call, std::string& out);
  void close(std::size_t index, std::string& out);
  void close_open(kind k, std::string& out);
  void complete(std::string& out);
  void fail(std::string_view message, int status, std::string& out);
  core::json response_object(std::string_view status) const;

  std::string response_id_;
  std::string alias_;
  core::json template_;
  std::int64_t created_at_;
  std::int64_t sequence_ = 0;
  std::vector<item> items_;                   // by output_index
  std::map<std::int64_t, std::size_t> tools_;  // chat tool index → output_index
  std::int64_t last_tool_key_ = -1;
  std::string finish_reason_;
  core::json usage_json_;  // the chat usage object, as received
  usage::token_usage usage_;
  core::json assistant_message_;
  bool started_ = false;
  bool finished_ = false;
  bool completed_ = false;
  std::function<void(core::json&)> decorate_usage_;
};

}  // namespace meshgate::translate
