#include "meshgate/core/json_scan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "meshgate/core/json.hpp"

namespace meshgate::core {

namespace {

using byte = unsigned char;

// Eight bytes at a time: true when any of them ends a plain run inside a string (`"`, `\`, a
// control character or a non-ASCII byte). The usual SWAR tests; exact as to "any byte".
inline bool word_needs_care(std::uint64_t x) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const std::uint64_t quote = has_zero(x ^ (ones * '"'));
  const std::uint64_t backslash = has_zero(x ^ (ones * '\\'));
  const std::uint64_t control = (x - ones * 0x20) & ~x & highs;
  return ((quote | backslash | control) != 0) || (x & highs) != 0;
}

// Sixteen bytes at a time where SSE2 is there (every x86-64): the offset of the first byte
// that ends a plain run, or 16 when there is none. A signed compare against 0x20 catches both
// control characters and non-ASCII bytes (the latter are negative as signed bytes).
#if defined(__SSE2__)
inline int first_care_of_16(const byte* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i care = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  const int mask = _mm_movemask_epi8(care);
  return mask == 0 ? 16 : __builtin_ctz(static_cast<unsigned>(mask));
}

// True when none of the 64 bytes at p ends a plain run: long prompts are mostly such runs, and
// one test per 64 bytes costs a third of four 16-byte ones.
inline bool plain_64(const byte* p) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  auto care = [&](int at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    return _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space));
  };
  return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(care(0), care(16)), _mm_or_si128(care(32), care(48)))) == 0;
}
#endif

inline bool is_plain(byte c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }
inline bool is_digit(byte c) { return c >= '0' && c <= '9'; }
inline bool in(byte c, byte lo, byte hi) { return c >= lo && c <= hi; }

int hex_value(byte c) {
  if (is_digit(c)) return c - '0';
  if (in(c, 'a', 'f')) return c - 'a' + 10;
  if (in(c, 'A', 'F')) return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence starting at p (first byte ≥ 0x80), 0 when invalid
// (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(const byte* p, const byte* end) {
  const std::size_t avail = static_cast<std::size_t>(end - p);
  const byte c = p[0];
  auto cont = [&](std::size_t i) { return i < avail && in(p[i], 0x80, 0xBF); };
  if (in(c, 0xC2, 0xDF)) return cont(1) ? 1 + 1 : 0;
  if (c == 0xE0) return avail > 1 && in(p[1], 0xA0, 0xBF) && cont(2) ? 3 : 0;
  if (in(c, 0xE1, 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return avail > 1 && in(p[1], 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return avail > 1 && in(p[1], 0x90, 0xBF) && cont(2) && cont(3) ? 4 : 0;
  if (in(c, 0xF1, 0xF3)) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return avail > 1 && in(p[1], 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

struct scanner {
  const byte* p;
  const byte* end;
  std::size_t depth = 0;
  std::string_view watch_key;
  bool watch_key_seen = false;

  explicit scanner(std::string_view text)
      : p(reinterpret_cast<const byte*>(text.data())), end(p + text.size()) {}

  void ws() {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  }

  bool hex4(unsigned& cp) {
    if (end - p < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex_value(p[i]);
      if (h < 0) return false;
      cp = cp * 16 + static_cast<unsigned>(h);
    }
    p += 4;
    return true;
  }

  // p at the backslash.
  bool escape() {
    ++p;
    if (p >= end) return false;
    switch (*p) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': ++p; return true;
      case 'u': {
        ++p;
        unsigned cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate with no high one before it
        if (cp < 0xD800 || cp > 0xDBFF) return true;
        if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return false;
        p += 2;
        unsigned low = 0;
        return hex4(low) && low >= 0xDC00 && low <= 0xDFFF;
      }
      default: return false;
    }
  }

  // Steps over plain bytes: afterwards p is at the first byte that ends the run, or at `end`.
  // Most strings are short keys and values, so a run is tested 16 bytes at a time first, and
  // only a run longer than that continues 64 at a time.
  void plain_run() {
#if defined(__SSE2__)
    while (end - p >= 16) {
      const int n = first_care_of_16(p);
      p += n;
      if (n < 16) return;
      while (end - p >= 64 && plain_64(p)) p += 64;
    }
#endif
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (word_needs_care(w)) break;
      p += 8;
    }
    while (p < end && is_plain(*p)) ++p;
  }

  // p at the opening quote; afterwards just past the closing one.
  bool string(bool& escaped) {
    ++p;
    for (;;) {
      plain_run();
      if (p >= end) return false;
      const byte c = *p;
      if (c == '"') {
        ++p;
        return true;
      }
      if (c == '\\') {
        escaped = true;
        if (!escape()) return false;
      } else if (c < 0x20) {
        return false;
      } else {
        const std::size_t n = utf8_length(p, end);
        if (n == 0) return false;
        p += n;
      }
    }
  }

  // Compared byte by byte: the words are four or five bytes, not worth a memcmp call.
  template <std::size_t N>
  bool literal(const char (&word)[N]) {
    constexpr std::size_t size = N - 1;
    if (static_cast<std::size_t>(end - p) < size) return false;
    for (std::size_t i = 0; i < size; ++i)
      if (p[i] != static_cast<byte>(word[i])) return false;
    p += size;
    return true;
  }

  bool digits() {
    if (p >= end || !is_digit(*p)) return false;
    while (p < end && is_digit(*p)) ++p;
    return true;
  }

  bool number() {
    const byte* start = p;
    bool exponent = false;
    if (*p == '-') ++p;
    if (p >= end) return false;
    if (*p == '0') {
      ++p;
    } else if (!digits()) {
      return false;
    }
    if (p < end && *p == '.') {
      ++p;
      if (!digits()) return false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p < end && (*p == '+' || *p == '-')) ++p;
      if (!digits()) return false;
      exponent = true;
    }
    // nlohmann refuses a number a double cannot hold (1e400, or 400 digits); only an exponent
    // or a very long number can get there, so only those pay for strtod.
    if (exponent || p - start > 300) {
      const std::string copy(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start));
      if (std::isinf(std::strtod(copy.c_str(), nullptr))) return false;
    }
    return true;
  }

  // `member`, when given, receives an array's shape.
  bool value(json_kind& kind, std::vector<json_member>* members = nullptr, json_member* member = nullptr) {
    if (p >= end) return false;
    switch (*p) {
      case '{': kind = json_kind::object; return object(members);
      case '[': kind = json_kind::array; return array(member);
      case '"': {
        kind = json_kind::string;
        bool escaped = false;
        return string(escaped);
      }
      case 't': kind = json_kind::boolean; return literal("true");
      case 'f': kind = json_kind::boolean; return literal("false");
      case 'n': kind = json_kind::null; return literal("null");
      default:
        kind = json_kind::number;
        return (*p == '-' || is_digit(*p)) && number();
    }
  }

  // Enters a container at its opening byte. False past the depth limit; `empty` when the
  // closing byte follows at once (then already consumed and the depth restored).
  bool open(byte close, bool& empty) {
    if (++depth > max_json_depth) return false;
    ++p;
    ws();
    empty = p < end && *p == close;
    if (empty) {
      ++p;
      --depth;
    }
    return true;
  }

  // After a member or element: `,` (more follows) or the closing byte (`more` false, depth
  // restored). False on anything else.
  bool separator(byte close, bool& more) {
    ws();
    if (p >= end) return false;
    more = *p == ',';
    if (!more && *p != close) return false;
    ++p;
    if (more) ws();
    else --depth;
    return true;
  }

  bool object(std::vector<json_member>* members) {
    bool empty = false;
    if (!open('}', empty)) return false;
    if (empty) return true;
    for (bool more = true; more;) {
      if (p >= end || *p != '"') return false;
      const byte* key = p + 1;
      bool escaped = false;
      if (!string(escaped)) return false;
      const std::size_t key_size = static_cast<std::size_t>(p - 1 - key);
      if (!watch_key.empty() && (escaped || (key_size == watch_key.size() &&
                                             std::memcmp(key, watch_key.data(), key_size) == 0)))
        watch_key_seen = true;
      ws();
      if (p >= end || *p != ':') return false;
      ++p;
      ws();
      const byte* v = p;
      json_member m;
      if (!value(m.kind, nullptr, members ? &m : nullptr)) return false;
      if (members) {
        m.key = {reinterpret_cast<const char*>(key), key_size};
        m.value = {reinterpret_cast<const char*>(v), static_cast<std::size_t>(p - v)};
        m.key_escaped = escaped;
        members->push_back(m);
      }
      if (!separator('}', more)) return false;
    }
    return true;
  }

  bool array(json_member* shape) {
    bool empty = false;
    if (!open(']', empty)) return false;
    if (empty) return true;
    for (bool more = true; more;) {
      json_kind kind = json_kind::null;
      if (!value(kind)) return false;
      if (shape) {
        if (shape->elements != UINT32_MAX) ++shape->elements;
        if (kind != json_kind::object) shape->all_objects = false;
      }
      if (!separator(']', more)) return false;
    }
    return true;
  }
};

bool keys_unique(const std::vector<json_member>& members) {
  if (members.size() <= 48) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = i + 1; j < members.size(); ++j) {
        if (members[i].key == members[j].key) return false;
      }
    }
    return true;
  }
  std::vector<std::string_view> keys;
  keys.reserve(members.size());
  for (const auto& m : members) keys.push_back(m.key);
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

}  // namespace

const json_member* json_scan_result::find(std::string_view key) const {
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (!it->key_escaped && it->key == key) return &*it;
  }
  return nullptr;
}

bool scan_json(std::string_view text, json_scan_result& out, std::string_view watch_key) {
  out.members.clear();
  // A request or response has about a dozen top-level members: one allocation, not five.
  if (out.members.capacity() < 16) out.members.reserve(16);
  out.plain_keys = true;
  out.watch_key_seen = false;
  out.kind = json_kind::null;
  scanner s(text);
  s.watch_key = watch_key;
  if (s.end - s.p >= 3 && s.p[0] == 0xEF && s.p[1] == 0xBB && s.p[2] == 0xBF) s.p += 3;
  s.ws();
  if (!s.value(out.kind, &out.members)) return false;
  s.ws();
  // nlohmann's lexer takes a NUL byte for the end of input and ignores what follows; so must we.
  if (s.p != s.end && *s.p != 0) return false;
  out.watch_key_seen = s.watch_key_seen;
  for (const auto& m : out.members) {
    if (m.key_escaped) {
      out.plain_keys = false;
      break;
    }
  }
  if (out.plain_keys) out.plain_keys = keys_unique(out.members);
  return true;
}

void object_members(std::string_view object, std::vector<json_member>& out) {
  out.clear();
  scanner s(object);
  json_kind kind = json_kind::null;
  s.value(kind, &out);
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  const byte* p = reinterpret_cast<const byte*>(s.data());
  const byte* end = p + s.size();
  out.push_back('"');
  while (p < end) {
    const byte* run = p;
    while (p < end && is_plain(*p)) ++p;
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p >= end) break;
    const byte c = *p;
    if (c >= 0x80) {
      const std::size_t n = utf8_length(p, end);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");
        ++p;
      } else {
        out.append(reinterpret_cast<const char*>(p), n);
        p += n;
      }
      continue;
    }
    ++p;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xF]);
    }
  }
  out.push_back('"');
}

}  // namespace meshgate::core
