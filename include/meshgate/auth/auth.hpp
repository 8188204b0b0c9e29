#pragma once
// Client authentication (product.md §2). One fail-closed decision: a request either carries
// the master key or gets a 401; there is no fallback identity.
//
// The key is opaque bytes: never parsed beyond stripping a scheme prefix, never logged, never
// put in SQL. Comparison hashes both sides (SHA-256) and compares digests in constant time, so
// timing reveals neither the key's length nor a matching prefix.
//
// Contract: pure, thread-safe after construction, never throws except std::bad_alloc.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "meshgate/core/error.hpp"

namespace meshgate::auth {

// Read access to request headers by lower-case name; returns nullopt when absent.
struct header_source {
  virtual ~header_source() = default;
  virtual std::optional<std::string_view> get(std::string_view lower_name) const = 0;
};

// The credential found in a request, first match wins:
// 1. the custom header (general_settings.litellm_key_header_name, any case) if configured, else
//    `x-litellm-api-key` — a leading "Bearer "/"bearer "/"Basic " is stripped;
// 2. `Authorization` — must start with "Bearer ", "bearer " or "Basic ", else `malformed`;
// 3. `api-key`, raw; 4. `x-api-key`, raw.
// A header whose value is empty is treated as absent (the next source is tried), as LiteLLM's
// header readers do. A non-empty header decides: a scheme with nothing after it ("Bearer ",
// or the bare word "Bearer" once an HTTP parser has trimmed the trailing space) is `none`.
// Nothing else is trimmed or decoded: " sk-1" and "sk-1" are different keys.
struct extracted_key {
  enum class kind { none, malformed, present } status = kind::none;
  std::string_view key;  // valid while the headers are; non-empty exactly when `present`
};
extracted_key extract_key(const header_source& headers, std::string_view custom_header = {});

class authenticator {
 public:
  // An empty master key with `allow_unauthenticated` accepts everything. An empty master key
  // without it accepts nothing (config refuses to start in that case anyway).
  authenticator(std::string_view master_key, bool allow_unauthenticated);

  // nullopt = allowed. Otherwise core::auth_failed (401, type auth_error, param "None") with
  // LiteLLM's messages:
  //   none (or `present` with an empty key)
  //             → "Authentication Error, No api key passed in."
  //   malformed → "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix."
  //   wrong key → "Authentication Error, Invalid proxy server token passed. Unable to find token
  //                in cache or `LiteLLM_VerificationTokenTable`" (the key is not echoed)
  std::optional<core::api_error> check(const extracted_key& key) const;

  // Non-reversible fingerprint of a key: lower-case SHA-256 hex (64 chars), the form LiteLLM
  // stores in the spend log's `api_key` column. Logs may print a prefix of it.
  static std::string hash_for_logs(std::string_view key);

  // hash_for_logs(key.key) for a key that check() accepted. With a master key configured the
  // accepted key is the master key, so its fingerprint is the digest computed at start-up, in
  // hex: no second SHA-256 per request.
  std::string accepted_key_hash(const extracted_key& key) const;

 private:
  std::array<unsigned char, 32> master_digest_{};
  bool open_ = false;
};

}  // namespace meshgate::auth
