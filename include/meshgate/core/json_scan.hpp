#pragma once
// A validating JSON scanner that builds no tree. The hot routes (chat and text completions)
// only read or patch a handful of top-level members (`model`, `stream`, `stream_options`,
// `max_completion_tokens`, `usage`); parsing a 256 KB prompt into an nlohmann tree and
// serialising it again to touch those costs ~140 instructions per byte. The scanner checks the
// whole text once (a few instructions per byte, strings stepped over without copying) and hands
// back the top-level members as views, so callers parse only the small members they need and
// splice the rest through byte for byte.
//
// Contract: accepts exactly what core::parse_json accepts (RFC 8259, UTF-8 checked, a leading
// UTF-8 BOM skipped, anything after a NUL byte that follows the value ignored, numbers that overflow a double refused, nesting ≤ max_json_depth); a
// differential fuzz target holds it to that. It never reports why a text is invalid: callers
// call parse_json on the (cold) failure path for the client-facing message. Pure; no
// allocation beyond the member vector; never throws except std::bad_alloc.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::core {

enum class json_kind : std::uint8_t { object, array, string, number, boolean, null };

// One member of an object, as views into the scanned text.
struct json_member {
  std::string_view key;    // between the quotes, escapes not decoded
  std::string_view value;  // the value's bytes, e.g. `"abc"`, `[1,2]`, `12`
  json_kind kind = json_kind::null;
  bool key_escaped = false;  // `key` holds a backslash escape: compare only after decoding

  // The member's text from the key's opening quote to the end of the value.
  std::string_view text() const { return {key.data() - 1, static_cast<std::size_t>(value.data() + value.size() - (key.data() - 1))}; }
  // The key's text up to and including the colon (and any white space around it).
  std::string_view head() const { return {key.data() - 1, static_cast<std::size_t>(value.data() - (key.data() - 1))}; }
};

struct json_scan_result {
  json_kind kind = json_kind::null;   // the top-level value's kind
  std::vector<json_member> members;   // when `kind` is object: its members in document order
  bool plain_keys = true;             // no member key is escaped and none repeats

  // The last member named `key` (JSON's "later wins", as nlohmann does), or nullptr. Escaped
  // keys never match; callers that need them check `plain_keys` and take the slow path.
  const json_member* find(std::string_view key) const;
};

// True when `text` is one valid JSON text; fills `out` (cleared first).
bool scan_json(std::string_view text, json_scan_result& out);

// The members of an object value that scan_json already validated (at any depth), into `out`
// (cleared first). Undefined for text that was not validated.
void object_members(std::string_view object, std::vector<json_member>& out);

// The number of elements of a validated array value, and whether every element is an object.
struct array_shape {
  std::size_t size = 0;
  bool all_objects = true;
};
array_shape shape_of_array(std::string_view array);

// `s` as a JSON string literal (quotes included) appended to `out`: `"` `\` and control
// characters escaped, valid UTF-8 copied, invalid UTF-8 replaced by U+FFFD as dump_json does.
void append_json_string(std::string& out, std::string_view s);

}  // namespace meshgate::core
