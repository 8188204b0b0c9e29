#pragma once
// POST /v1/messages/count_tokens (litellm-reference.md §8.6): `{"input_tokens": N}` for an
// Anthropic Messages body. Two sources, the caller choosing:
// - exact: vLLM's `POST /tokenize` (served at the server root, NOT under /v1) applied to the
//   translated chat messages, which counts the chat template's tokens as the real request would
//   be billed. build_tokenize_body / read_tokenize_count speak that API;
// - estimate (when the upstream has no /tokenize, or it fails): estimate_input_tokens.
//
// Contract: pure, no I/O, never throws except std::bad_alloc. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"

namespace meshgate::translate {

struct count_tokens_request {
  std::string model;         // the alias
  std::int64_t estimate = 0; // estimate_input_tokens of the body
  core::json messages;       // translated chat messages (anthropic_request.hpp mapping)
  core::json tools;          // translated chat tools, or null when there are none
};

// Validates and translates like parse_anthropic_request(body, anthropic_route::count_tokens):
// `model` and `messages` required (400 "model parameter is required" / "messages parameter is
// required"), `max_tokens` optional, everything else validated as for /v1/messages.
std::variant<count_tokens_request, core::api_error> parse_count_tokens_request(std::string_view body);

// The vLLM /tokenize body: {"model":<upstream_model>,"messages":[…]} plus "tools" when the
// request has tools (vLLM renders them into the template as it would for chat).
std::string build_tokenize_body(const count_tokens_request& req, std::string_view upstream_model);

// vLLM's /tokenize answer {"count":N,…} → N; nullopt for anything else (not JSON, no
// non-negative integer `count`).
std::optional<std::int64_t> read_tokenize_count(std::string_view response_body);

// {"input_tokens":N}
std::string count_tokens_response(std::int64_t input_tokens);

// A documented estimate, no tokenizer needed:
//   ceil(text_bytes / 4) + 3 per message + 3 (reply priming) + 10 per tool + 1,600 per image,
// where text_bytes sums the UTF-8 bytes of: `system` (string or text blocks); every text block
// and string content; tool_use names and their `input` as compact JSON; tool_result contents
// (strings, text blocks; images counted as images); document text/content sources, and for
// base64 documents their decoded size (bytes × 3 / 4); each tool's name, description and
// input_schema as compact JSON. Thinking blocks are not counted: they are not sent upstream. An image (and a url document) counts 1,600 tokens, Anthropic's
// cost of a ~1.15 megapixel image (its documented ceiling before resizing), because the real
// size is unknown without decoding: an over-estimate is the safer error for context budgeting.
// Bytes / 4 is the usual English-text ratio; CJK text is under-counted by about a quarter.
// Malformed parts are skipped; a non-object body estimates 0.
std::int64_t estimate_input_tokens(const core::json& anthropic_body);

}  // namespace meshgate::translate
