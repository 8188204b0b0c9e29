#pragma once
// Relay of an OpenAI-style chat/completions SSE stream (product.md §4), one upstream event at a
// time: `model` restamped to the alias in every chunk, `delta.reasoning` surfaced as
// `reasoning_content`, the usage-only chunk captured (and forwarded only if the client asked
// for usage), in-band `{"error":...}` events turned into the client's error, and a stream
// that ends without `[DONE]` terminated with an error event and `[DONE]`.
//
// Contract: pure, no I/O, never throws except std::bad_alloc.
#include <optional>
#include <string>
#include <string_view>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json_scan.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

class chat_stream_relay {
 public:
  chat_stream_relay(std::string alias, bool client_wants_usage);

  // An error in the FIRST event (before anything was sent downstream): the error to answer
  // with as a normal JSON response (status from the event's `code` when it is 400–599, else
  // 500). nullopt when the event is not an error.
  static std::optional<core::api_error> first_event_error(const sse::event& ev, std::string_view provider_label);

  enum class step { more, done, failed };
  // Appends the downstream frame(s) for `ev` to `out`. `done` after `[DONE]`; `failed` after an
  // in-band error (an error frame and `[DONE]` were appended). Events after the end are ignored.
  step on_event(const sse::event& ev, std::string& out);

  // The upstream ended, failed or went silent before `[DONE]`: appends an error frame
  // (`{"error":{"message": what, ...,"code":"<status>"}}`) then `data: [DONE]`.
  void on_abnormal_end(std::string_view what, int status, std::string& out);

  // Usage from the upstream's usage chunk (or any chunk carrying usage).
  const usage::token_usage& usage() const { return usage_; }
  bool finished() const { return finished_; }

  // Called with the usage object of the usage chunk before it is serialised; lets a caller add
  // fields such as `cost` (product.md §6). Optional.
  void set_usage_decorator(std::function<void(nlohmann::json& usage)> f) { decorate_usage_ = std::move(f); }

 private:
  // The common chunk (a plain object, no error, no `reasoning`) spliced rather than parsed and
  // re-serialised; false leaves `out` untouched and the parsed path handles the event.
  bool splice_event(std::string_view data, std::string& out, step& result);

  std::string alias_;
  core::json_scan_result scan_;  // reused across events
  bool client_wants_usage_;
  bool finished_ = false;
  usage::token_usage usage_;
  std::function<void(nlohmann::json&)> decorate_usage_;
};

}  // namespace meshgate::translate
