#include "meshgate/core/json.hpp"

namespace meshgate::core {

bool json_depth_within(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > limit) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return true;
}

std::variant<json, json_parse_error> parse_json(std::string_view text) {
  if (!json_depth_within(text)) {
    return json_parse_error{"JSON nested deeper than " + std::to_string(max_json_depth) + " levels"};
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's text quotes the offending input and library internals; say only where.
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json_parse_error{"body is empty"};
    return json_parse_error{"invalid JSON at byte " + std::to_string(e.byte)};
  } catch (const json::exception&) {
    return json_parse_error{"invalid JSON"};
  }
}

std::string dump_json(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace meshgate::core
