#pragma once
// Responses coming back from an upstream that serves /responses natively (litellm-reference §6,
// §9.1, §9.4): `model` restamped to the alias, response ids made opaque (responses_id.hpp),
// usage normalised, streamed events framed as `event: <type>\ndata: <json>\n\n`.
//
// Contract: pure, no I/O, never throws except std::bad_alloc. A `native_restamper` is immutable
// (thread-safe); a `native_stream_rewriter` belongs to one stream (single-threaded). Both keep a
// reference to the codec, which must outlive them.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/sse/parser.hpp"
#include "meshgate/translate/responses_id.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

class native_restamper {
 public:
  native_restamper(const response_id_codec& codec, std::string alias, std::string deployment_id,
                   std::string caller_key_hash);

  // Edits a Responses `response` object in place: `model` ← alias; `id` and a non-empty
  // `previous_response_id` (upstream ids) ← opaque ids for this deployment and caller;
  // a fractional `created_at` truncated to an integer; `usage` normalised
  // (normalise_responses_usage). Returns the usage counts (all unset when there is no usage
  // object). A non-object is left alone.
  usage::token_usage restamp(core::json& response) const;

  // A successful non-streaming upstream body (POST /responses, GET/DELETE/cancel
  // /responses/{id}) → the body for the client. Resets `usage_out`, then fills it. The body must
  // be a JSON object with a non-empty string `id` (and, if present, an array `output`); anything
  // else is a 502 `api_error` "upstream returned an invalid response: <short reason>" (an upstream
  // `error.message` under the 2xx is quoted, clipped to 200 bytes).
  std::variant<std::string, core::api_error> restamp_body(std::string_view upstream_body,
                                                          usage::token_usage& usage_out) const;

  const std::string& alias() const { return alias_; }

 private:
  const response_id_codec* codec_;
  std::string alias_;
  std::string deployment_id_;
  std::string caller_key_hash_;
};

// One upstream Responses SSE stream, one event at a time.
// - Events whose JSON carries a `response` object (response.created, .in_progress, .completed,
//   .incomplete, .failed, .queued) are restamped (native_restamper::restamp) and re-serialised.
// - Every other event passes through byte for byte (its `response_id`, `item_id`, `item`
//   untouched), framed with its type: the `event:` field when upstream sent one, else the
//   JSON `type`.
// - An upstream in-band error (`{"error":…}` or a `{"type":"error"}` event) becomes one
//   `response.failed` event (the last response snapshot with status "failed" and
//   `error: {code, message}`), or an `error` event when no response was seen yet.
// - `data: [DONE]` is forwarded as it is.
// Synthesised events take the sequence_number after the last one upstream used.
class native_stream_rewriter {
 public:
  explicit native_stream_rewriter(native_restamper restamper);

  // The FIRST upstream event reports an error (nothing was sent downstream yet): the error to
  // answer with as a normal JSON response (stream_error_of). nullopt otherwise.
  static std::optional<core::api_error> first_event_error(const sse::event& ev);

  enum class step { more, done, failed };
  // Appends the downstream frame for `ev` to `out`. `done` after response.completed /
  // response.incomplete and after `[DONE]`; `failed` after response.failed (relayed or
  // synthesised). Events after a synthesised failure are ignored.
  step on_event(const sse::event& ev, std::string& out);

  // The upstream ended, failed or went silent before a terminal event: appends a
  // response.failed (or error) event carrying `what`. Nothing once a terminal event was sent.
  void on_abnormal_end(std::string_view what, int status, std::string& out);

  // Usage from the last event whose response carried one (normally response.completed).
  const usage::token_usage& usage() const { return usage_; }
  // A terminal event (completed, incomplete, failed) was sent downstream.
  bool finished() const { return finished_; }

  // Called with the normalised `response.usage` of the terminal event before it is serialised
  // (e.g. to add `cost`, product.md §6). Optional.
  void set_usage_decorator(std::function<void(core::json& usage)> f) { decorate_usage_ = std::move(f); }

 private:
  void fail(std::string_view message, int status, std::string& out);

  native_restamper restamper_;
  core::json snapshot_;              // last response object seen (restamped)
  std::int64_t last_sequence_ = -1;  // last upstream sequence_number
  usage::token_usage usage_;
  bool finished_ = false;
  bool closed_ = false;  // a failure was synthesised: the stream is over for the client
  std::function<void(core::json&)> decorate_usage_;
};

}  // namespace meshgate::translate
