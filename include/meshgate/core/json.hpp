#pragma once
// JSON boundary for request and response bodies. nlohmann's parser recurses once per nesting
// level, so bodies are depth-checked by a flat scan before parsing: a hostile body nested
// 100,000 deep is a 400, never a stack overflow.
//
// Contract: pure, never throws except std::bad_alloc.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace meshgate::core {

using json = nlohmann::json;

inline constexpr std::size_t max_json_depth = 512;

// True when no array/object nesting in `text` (outside strings) exceeds `limit`.
bool json_depth_within(std::string_view text, std::size_t limit = max_json_depth);

// Parses `text`; on failure returns a message fit for a client ("... at byte N"), never the
// library's exception text. Checks depth first. Invalid UTF-8 inside strings is a failure.
struct json_parse_error {
  std::string message;
};
std::variant<json, json_parse_error> parse_json(std::string_view text);

// Serialises without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string dump_json(const json& j);

}  // namespace meshgate::core
