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
  // For an array value, recorded by the same pass that validated it (so callers need not walk
  // a large `messages` again): whether every element is an object, and the element count
  // (saturating at UINT32_MAX).
  bool all_objects = true;
  std::uint32_t elements = 0;

  // The member's text from the key's opening quote to the end of the value.
  std::string_view text() const { return {key.data() - 1, static_cast<std::size_t>(value.data() + value.size() - (key.data() - 1))}; }
  // The key's text up to and including the colon (and any white space around it).
  std::string_view head() const { return {key.data() - 1, static_cast<std::size_t>(value.data() - (key.data() - 1))}; }
};

struct json_scan_result {
  json_kind kind = json_kind::null;   // the top-level value's kind
  std::vector<json_member> members;   // when `kind` is object: its members in document order
  bool plain_keys = true;             // no member key is escaped and none repeats
  // A key at any depth equals scan_json's `watch_key`, or is escaped and so might decode to it.
  bool watch_key_seen = false;

  // The last member named `key` (JSON's "later wins", as nlohmann does), or nullptr. Escaped
  // keys never match; callers that need them check `plain_keys` and take the slow path.
  const json_member* find(std::string_view key) const;
};

// True when `text` is one valid JSON text; fills `out` (cleared first). A non-empty
// `watch_key` (written plainly) is looked for among the keys of every object on the way.
bool scan_json(std::string_view text, json_scan_result& out, std::string_view watch_key = {});

// The members of an object value that scan_json already validated (at any depth), into `out`
// (cleared first). Undefined for text that was not validated.
void object_members(std::string_view object, std::vector<json_member>& out);

// `s` as a JSON string literal (quotes included) appended to `out`: `"` `\` and control
// characters escaped, valid UTF-8 copied, invalid UTF-8 replaced by U+FFFD as dump_json does.
void append_json_string(std::string& out, std::string_view s);

// Writes an object into `out` member by member, for splicing a scanned object: members kept
// byte for byte, a member's value replaced under its key as written, members added. It owns
// the braces and commas. `value_text` must be valid JSON; `key` of add() a plain key (no
// character that needs escaping).
class object_writer {
 public:
  explicit object_writer(std::string& out) : out_(out) { out_.push_back('{'); }
  void keep(const json_member& m) {
    comma();
    out_.append(m.text());
  }
  void replace(const json_member& m, std::string_view value_text) {
    comma();
    out_.append(m.head());
    out_.append(value_text);
  }
  void replace_with_string(const json_member& m, std::string_view s) {
    comma();
    out_.append(m.head());
    append_json_string(out_, s);
  }
  void add(std::string_view key, std::string_view value_text) {
    add_key(key);
    out_.append(value_text);
  }
  void add_string(std::string_view key, std::string_view s) {
    add_key(key);
    append_json_string(out_, s);
  }
  void close() { out_.push_back('}'); }

 private:
  void comma() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void add_key(std::string_view key) {
    comma();
    out_.push_back('"');
    out_.append(key);
    out_.append("\":");
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace meshgate::core
