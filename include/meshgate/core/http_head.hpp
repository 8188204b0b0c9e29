#pragma once
// The wire form of the HTTP/1.1 messages the gateway writes, each head in one string.
//
// Beast's serializer walks a chain of buffer-sequence views (buffers_cat, suffix, prefix) to
// write a message; for a small proxied request that walk was about a fifth of the gateway's
// instructions, and its `fields` container allocated a node per header on top. The gateway
// instead collects a message's fields in a header_list (one string), renders the head once
// and hands the socket one gathered write: the head plus the body it already holds, never
// copied.
//
// Contract: the bytes are exactly what Beast's serializer writes for the same message (start
// line, each field in order as `name: value`, blank line). The caller sets the framing fields
// (Content-Length or Transfer-Encoding, Connection) itself; nothing is added.
#include <array>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include "meshgate/core/net.hpp"

namespace meshgate::core {

// One header field as views, for the few a caller adds (extra response headers, trailers).
struct header {
  std::string_view name;
  std::string_view value;
};

// An integer as decimal text in a buffer of its own, for a header value (Content-Length, a
// retry count) without a heap string. Views of it live as long as the object.
class decimal_text {
 public:
  template <std::integral T>
  explicit decimal_text(T n)
      : size_(static_cast<std::uint8_t>(std::to_chars(buf_, buf_ + sizeof buf_, n).ptr - buf_)) {}
  std::string_view view() const { return {buf_, size_}; }
  operator std::string_view() const { return view(); }

 private:
  char buf_[24];  // the longest 64-bit integer with its sign is 20 characters
  std::uint8_t size_;
};

// The fields of a message the gateway itself makes (its responses, its upstream requests),
// with Beast's `fields` semantics: insert() appends, set() first removes every field of that
// name (compared without case) and then appends. Names and values are copied into one growing
// string, so a message's fields cost one allocation, not one node each, and no name lookup.
class header_list {
 public:
  header_list() { text_.reserve(768); }
  void insert(std::string_view name, std::string_view value);
  void set(std::string_view name, std::string_view value);
  // Empties the list, keeping its storage for the next message.
  void clear() {
    text_.clear();
    entries_.clear();
  }

  std::size_t size() const { return entries_.size(); }
  header operator[](std::size_t i) const {
    const entry& e = entries_[i];
    return {std::string_view(text_).substr(e.name_at, e.name_size),
            std::string_view(text_).substr(e.name_at + e.name_size, e.value_size)};
  }

 private:
  struct entry {
    std::uint32_t name_at;
    std::uint32_t name_size;
    std::uint32_t value_size;  // the value follows the name in text_
  };
  std::string text_;
  boost::container::small_vector<entry, 24> entries_;
};

// The head of a response (`HTTP/1.1 <status> <Beast's reason>`) or of a request (`<method>
// <target> HTTP/1.1`) with `fields` in order and the blank line, written over `out` (whose
// storage a caller may reuse from message to message): the bytes Beast's serializer writes for
// the same message. A CR or LF in a value is written as a space, so no value can split the head.
void response_head(unsigned status, const header_list& fields, std::string& out);
void request_head(std::string_view method, std::string_view target, const header_list& fields, std::string& out);

// The buffers of one message: its head and a body held elsewhere (which must outlive the write).
inline std::array<net::const_buffer, 2> wire_message(const std::string& head, std::string_view body) {
  return {net::const_buffer(head.data(), head.size()), net::const_buffer(body.data(), body.size())};
}

// The framing of one chunk of a chunked body: `size-in-hex CRLF` before the data and `CRLF`
// after it, as Beast's make_chunk writes them (without chunk extensions).
class chunk_frame {
 public:
  explicit chunk_frame(std::size_t size);
  std::array<net::const_buffer, 3> buffers(std::string_view data) const {
    return {net::const_buffer(prefix_, prefix_size_), net::const_buffer(data.data(), data.size()),
            net::const_buffer("\r\n", 2)};
  }

 private:
  char prefix_[2 * sizeof(std::size_t) + 2];
  std::size_t prefix_size_ = 0;
};

// The last chunk of a chunked body with its trailer fields (or none), as Beast's
// make_chunk_last writes it: `0 CRLF`, each trailer as `name: value CRLF`, `CRLF`. As in a
// head, a CR or LF in a trailer's value is written as a space.
std::string wire_last_chunk(std::span<const header> trailers = {});

}  // namespace meshgate::core
