#include "meshgate/core/http_head.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <type_traits>

namespace meshgate::core {

namespace {

void append_version(std::string& out, unsigned version) {
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
}

// A CR or LF would end the field early and let the rest of the value pose as a field or body
// of its own; written as spaces, the value stays on its line. memchr rather than
// find_first_of, which tests each byte against the set in a call of its own.
void blank_line_breaks(char* p, std::size_t n) {
  if (!std::memchr(p, '\r', n) && !std::memchr(p, '\n', n)) return;
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] == '\r' || p[i] == '\n') p[i] = ' ';
}

}  // namespace

chunk_frame::chunk_frame(std::size_t size) {
  auto end = std::to_chars(prefix_, prefix_ + sizeof prefix_ - 2, size, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  prefix_size_ = static_cast<std::size_t>(end - prefix_);
}

void header_list::insert(std::string_view name, std::string_view value) {
  entries_.push_back(entry{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(name.size()),
                           static_cast<std::uint32_t>(value.size())});
  text_.append(name);
  const std::size_t at = text_.size();
  text_.append(value);
  blank_line_breaks(text_.data() + at, value.size());
}

void header_list::set(std::string_view name, std::string_view value) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const entry& e) {
                                  return e.name_size == name.size() &&
                                         beast::iequals(std::string_view(text_).substr(e.name_at, e.name_size), name);
                                }),
                 entries_.end());
  insert(name, value);
}

namespace {

// `out` holds the start line (or `0 CRLF` of a last chunk); appends the fields and the blank
// line, sized once. `Fields` is a header_list (whose values were made safe as they went in) or
// a span of headers (whose values are made safe here): size() and operator[].
template <class Fields>
void finish(std::string& out, const Fields& fields) {
  std::size_t size = out.size() + 2;
  for (std::size_t i = 0; i < fields.size(); ++i) size += fields[i].name.size() + fields[i].value.size() + 4;
  std::size_t at = out.size();
  out.resize(size);
  char* p = out.data();
  auto put = [&](std::string_view s) {
    std::memcpy(p + at, s.data(), s.size());
    at += s.size();
  };
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const header f = fields[i];
    put(f.name);
    put(": ");
    put(f.value);
    if constexpr (!std::is_same_v<Fields, header_list>) blank_line_breaks(p + at - f.value.size(), f.value.size());
    put("\r\n");
  }
  put("\r\n");
}

}  // namespace

void response_head(unsigned status, const header_list& fields, std::string& out) {
  out.clear();
  append_version(out, 11);
  out.push_back(' ');
  out.push_back(static_cast<char>('0' + status / 100 % 10));
  out.push_back(static_cast<char>('0' + status / 10 % 10));
  out.push_back(static_cast<char>('0' + status % 10));
  out.push_back(' ');
  out.append(http::obsolete_reason(http::int_to_status(status)));
  out.append("\r\n");
  finish(out, fields);
}

void request_head(std::string_view method, std::string_view target, const header_list& fields, std::string& out) {
  out.clear();
  out.append(method);
  out.push_back(' ');
  out.append(target);
  out.push_back(' ');
  append_version(out, 11);
  out.append("\r\n");
  finish(out, fields);
}

std::string wire_last_chunk(std::span<const header> trailers) {
  std::string out = "0\r\n";
  finish(out, trailers);
  return out;
}

}  // namespace meshgate::core
