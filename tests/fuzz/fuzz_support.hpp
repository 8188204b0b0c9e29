#pragma once
// Helpers shared by the fuzz targets: invariant checks that abort with a message (libFuzzer then
// saves the input), and checks of what meshgate hands to a client or an upstream.
//
// An exception escaping a target is reported by libFuzzer as a crash: every function fuzzed here
// promises never to throw except std::bad_alloc, so no target catches anything.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"
#include "meshgate/sse/parser.hpp"

#define FUZZ_CHECK(cond)                                                                       \
  do {                                                                                         \
    if (!(cond)) ::meshgate_fuzz::fail(#cond, __FILE__, __LINE__);                             \
  } while (0)

namespace meshgate_fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "invariant violated at %s:%d: %s\n", file, line, what);
  std::abort();
}

// The fuzz input split into a mode byte (chosen by `% modes`, so the seeds' leading '0', '1',
// ... select modes 0, 1, ... for modes ∈ {2, 3, 4, 6}) and the rest.
struct moded_input {
  unsigned mode = 0;
  std::string_view rest;
};
inline moded_input split_mode(const std::uint8_t* data, std::size_t size, unsigned modes) {
  if (size == 0) return {};
  return {static_cast<unsigned>(data[0]) % modes,
          std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}

// Every event of a whole stream (the parser's default limit); the status when it failed.
inline std::vector<meshgate::sse::event> sse_events(std::string_view text, bool* complete = nullptr) {
  meshgate::sse::parser p;
  std::vector<meshgate::sse::event> out;
  const bool ok = p.feed(text, out) == meshgate::sse::feed_status::ok;
  if (complete) *complete = ok && !p.has_partial();
  return out;
}

inline meshgate::core::json must_parse(std::string_view text) {
  auto parsed = meshgate::core::parse_json(text);
  if (auto* err = std::get_if<meshgate::core::json_parse_error>(&parsed)) {
    std::fprintf(stderr, "not JSON (%s): %.*s\n", err->message.c_str(), static_cast<int>(text.size() > 2000 ? 2000 : text.size()), text.data());
    std::abort();
  }
  return std::get<meshgate::core::json>(std::move(parsed));
}

// An error a client receives: a real HTTP error status and both envelopes valid JSON.
inline void check_api_error(const meshgate::core::api_error& e) {
  FUZZ_CHECK(e.status >= 400 && e.status <= 599);
  FUZZ_CHECK(!e.message.empty());
  FUZZ_CHECK(must_parse(meshgate::core::render_openai(e)).is_object());
  FUZZ_CHECK(must_parse(meshgate::core::render_anthropic(e)).is_object());
}

// Same, for a function documented to fail only with `status`.
inline void check_api_error(const meshgate::core::api_error& e, int status) {
  check_api_error(e);
  FUZZ_CHECK(e.status == status);
}

// A body meshgate sends upstream: a JSON object naming the deployment's model; when streaming,
// usage is always asked for, otherwise `stream_options` is gone (vLLM rejects it).
inline meshgate::core::json check_upstream_body(std::string_view body, std::string_view upstream_model,
                                                bool stream) {
  meshgate::core::json up = must_parse(body);
  FUZZ_CHECK(up.is_object());
  FUZZ_CHECK(up.value("model", meshgate::core::json()) == upstream_model);
  for (const char* k : {"api_base", "base_url", "api_key"}) FUZZ_CHECK(!up.contains(k));
  if (stream) {
    FUZZ_CHECK(up["stream_options"]["include_usage"] == true);
  } else {
    FUZZ_CHECK(!up.contains("stream_options"));
  }
  return up;
}

// What a translator wrote for the client: whole SSE frames only, each carrying `[DONE]` or a
// JSON object; with `typed`, every frame has an `event:` equal to the JSON's `type`.
inline std::vector<meshgate::core::json> check_client_stream(std::string_view out, bool typed) {
  bool complete = false;
  auto events = sse_events(out, &complete);
  FUZZ_CHECK(complete);
  std::vector<meshgate::core::json> objects;
  for (const auto& ev : events) {
    if (ev.data == "[DONE]") continue;
    auto j = must_parse(ev.data);
    FUZZ_CHECK(j.is_object());
    if (typed) {
      FUZZ_CHECK(!ev.type.empty());
      FUZZ_CHECK(j.contains("type") && j["type"].is_string() && j["type"].get<std::string>() == ev.type);
    }
    objects.push_back(std::move(j));
  }
  return objects;
}

}  // namespace meshgate_fuzz
