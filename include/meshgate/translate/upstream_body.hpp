#pragma once
// Reading what an upstream sent back: the checks and reads shared by every route that turns a
// successful (2xx) upstream body into the client's (chat restamp, Anthropic response, Responses
// native and bridge) and by the stream relays' error events. A 2xx body that is not what was
// asked for is the upstream's failure, never the client's: a 502 naming what was wrong.
//
// Contract: pure functions, no I/O, no shared state; never throw except std::bad_alloc.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/usage/usage.hpp"

namespace meshgate::translate {

// `text` when it has at most `limit` bytes; otherwise its first `limit` bytes, cut back to a
// UTF-8 boundary, followed by "...". Keeps a quoted upstream message short.
std::string clip(const std::string& text, std::size_t limit = 200);

// 502 `api_error` "upstream returned an invalid response: <reason>".
core::api_error upstream_invalid(std::string reason);

// The body parsed, when it is a JSON object; otherwise upstream_invalid(<parser's message>) or
// upstream_invalid("expected a JSON object, got <type>").
std::variant<core::json, core::api_error> parse_upstream_object(std::string_view body);

// `error.message` of a body that carries an error object (vLLM-style servers sometimes answer
// a failure with one under a 2xx; its text is the useful part): nullptr unless `error` is an
// object whose `message` is a string.
const std::string* upstream_error_message(const core::json& body);

// A chat completion body needs a `choices` array. nullopt when it has one; otherwise 502:
// - no `choices` and an upstream_error_message: `an error object instead of "choices": <message>`
//   (the message clipped);
// - no `choices`: `missing "choices"`;
// - `choices` not an array: `"choices" is not an array`.
std::optional<core::api_error> check_choices(const core::json& body);

// The counts of a chat completion body's `usage` member (usage::from_json), all unset when
// there is none.
usage::token_usage chat_usage_of(const core::json& body);

// The text of an upstream error value (a stream's `error` member): the string itself, or an
// object's string `message`; otherwise "upstream reported an error in the stream".
std::string upstream_error_text(const core::json& error);

}  // namespace meshgate::translate
