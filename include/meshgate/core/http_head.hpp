#pragma once
// The wire form of an HTTP/1.x message head, written in one string.
//
// Beast's serializer walks a chain of buffer-sequence views (buffers_cat, suffix, prefix) to
// write a message; for a small proxied request that walk was about a fifth of the gateway's
// instructions. The gateway instead renders the head once into a string and hands the socket
// one gathered write: the head plus the body it already holds, never copied.
//
// Contract: the bytes are exactly what Beast's serializer writes for the head of the same
// message (start line, each field in container order as `name: value`, blank line). The
// caller sets the framing fields (Content-Length or Transfer-Encoding) itself; nothing is added.
#include <array>
#include <string>
#include <string_view>

#include "meshgate/core/net.hpp"

namespace meshgate::core {

std::string wire_head(const http::request_header<>& h);
std::string wire_head(const http::response_header<>& h);

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
// make_chunk_last writes it: `0 CRLF`, each trailer as `name: value CRLF`, `CRLF`.
std::string wire_last_chunk(const http::fields* trailers);

}  // namespace meshgate::core
