#pragma once
// Opaque, authenticated response ids for the native /v1/responses route (litellm-reference §9.1).
//
// The id a client sees names the deployment that holds the response and the upstream's own id,
// so GET/DELETE/cancel/input_items and `previous_response_id` reach the same deployment. It is
// bound to the caller's key: an id minted for one key does not decode for another, so one key
// cannot read or continue another key's responses (LiteLLM's "response id security").
//
// Format: "resp_" + base64url without padding of (payload ‖ tag), where
//   payload = 0x01 ‖ len(deployment_id) ‖ deployment_id ‖ len(upstream_id) ‖ upstream_id
//             (lengths as unsigned LEB128),
//   tag     = first 16 bytes of HMAC-SHA256(key, label ‖ len(caller) ‖ caller ‖ payload).
// The payload is authenticated, not encrypted: whoever holds an id can read the deployment id and
// the upstream id inside it, but cannot forge or alter one, nor move it to another key.
//
// Contract: pure, no I/O, never throws except std::bad_alloc. Immutable after construction, so
// one codec may be shared by every worker thread.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace meshgate::translate {

struct decoded_response_id {
  std::string deployment_id;
  std::string upstream_id;

  bool operator==(const decoded_response_id&) const = default;
};

class response_id_codec {
 public:
  using key_type = std::array<unsigned char, 32>;

  // Longest id `decode` looks at; longer input fails without being decoded.
  static constexpr std::size_t max_id_length = 4096;

  explicit response_id_codec(const key_type& key);

  // The codec key for a master key: HMAC-SHA256(master_key, "meshgate/v1/responses-id-key").
  // An empty master key (allow_unauthenticated) gives a key anyone can compute; use random bytes
  // then (ids only have to survive the process's lifetime and its peers sharing the key).
  static key_type derive_key(std::string_view master_key);

  // `caller_key_hash`: whatever identifies the caller (the hash of its API key).
  std::string encode(std::string_view deployment_id, std::string_view upstream_id,
                     std::string_view caller_key_hash) const;

  // nullopt for anything this codec did not mint for `caller_key_hash`: a wrong prefix, bad
  // base64url (padding, foreign characters, non-canonical trailing bits), a wrong length, a tag
  // that does not match (compared in constant time), an unknown version or trailing bytes.
  std::optional<decoded_response_id> decode(std::string_view id, std::string_view caller_key_hash) const;

 private:
  key_type key_;
};

}  // namespace meshgate::translate
