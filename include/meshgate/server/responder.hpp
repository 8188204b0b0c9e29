#pragma once
// How handlers answer a client, independent of the connection's stream type. Implemented by
// the session. Every method adds the gateway headers (request_context.hpp) and records the
// status in the context; each returns false when the client can no longer be written to.
//
// Thread affinity: the session's worker only.
#include <span>
#include <string>
#include <string_view>

#include "meshgate/core/error.hpp"
#include "meshgate/core/http_head.hpp"
#include "meshgate/core/net.hpp"
#include "meshgate/server/request_context.hpp"

namespace meshgate::server {

class responder {
 public:
  virtual ~responder() = default;

  // A complete response with a body. `extra` headers are added after the gateway headers.
  virtual task<bool> send(request_context& ctx, unsigned status, std::string body,
                                    std::string_view content_type, std::span<const core::header> extra = {}) = 0;

  // Starts a `text/event-stream` response: status 200, chunked, no-cache, X-Accel-Buffering: no.
  // `trailer_names` (comma-separated) are announced in a `Trailer:` header when non-empty.
  // The head is held and leaves with the next stream_write or end_stream, in the same write as
  // that chunk (one segment, not two): call it when the first chunk is ready.
  virtual task<bool> begin_stream(request_context& ctx, std::span<const core::header> extra = {},
                                            std::string_view trailer_names = {}) = 0;
  // One chunk, written and awaited before returning (the caller's next upstream read waits for
  // it: back-pressure). Empty `data` writes only a head still held.
  virtual task<bool> stream_write(request_context& ctx, std::string_view data) = 0;
  // The last chunk, with optional trailers, preceded by `data` (when not empty) as a final data
  // chunk: a stream's end is one write.
  virtual task<bool> end_stream(request_context& ctx, std::span<const core::header> trailers = {},
                                          std::string_view data = {}) = 0;

  // The error in the context's dialect (JSON, with Retry-After when the error carries one).
  task<bool> send_error(request_context& ctx, const core::api_error& e);
};

}  // namespace meshgate::server
