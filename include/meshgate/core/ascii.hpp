#pragma once
// ASCII case folding for protocol and configuration text (header names, URL parts, YAML
// booleans, upstream error texts): A–Z only, no locale, every other byte unchanged, so UTF-8
// passes through untouched.
#include <algorithm>
#include <string>
#include <string_view>

namespace meshgate::core {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace meshgate::core
