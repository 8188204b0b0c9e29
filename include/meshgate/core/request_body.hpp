#pragma once
// The body type the gateway reads request bodies with: a std::string, like Beast's string_body,
// whose reader appends what arrives instead of growing the string and copying into it.
//
// string_body's reader resizes the string before each copy, and resize zero-fills the new bytes
// only for the copy to overwrite them: for a 256 KB prompt that memset was a seventh of the
// gateway's work. Appending writes each byte once, into the capacity reserved from the
// Content-Length (or grown geometrically for a chunked body).
//
// Contract: the parsed message's body is the bytes received, exactly as string_body would
// hold them; a body longer than the string can hold fails with buffer_overflow. The parser's
// body_limit still applies before any byte is stored.
#include <cstdint>
#include <string>

#include <boost/optional.hpp>

#include "meshgate/core/net.hpp"

namespace meshgate::core {

struct request_body {
  using value_type = std::string;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      if (length) {
        if (*length > body_.max_size()) {
          ec = http::error::buffer_overflow;
          return;
        }
        body_.reserve(static_cast<std::size_t>(*length));
      }
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      const std::size_t n = net::buffer_size(buffers);
      if (n > body_.max_size() - body_.size()) {
        ec = http::error::buffer_overflow;
        return 0;
      }
      for (auto b : beast::buffers_range_ref(buffers)) body_.append(static_cast<const char*>(b.data()), b.size());
      ec = {};
      return n;
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace meshgate::core
