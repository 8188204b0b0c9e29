#include "meshgate/auth/auth.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "meshgate/core/ascii.hpp"
#include "meshgate/core/ids.hpp"

namespace meshgate::auth {

namespace {

using digest = std::array<unsigned char, 32>;

constexpr std::string_view no_key_message = "Authentication Error, No api key passed in.";
constexpr std::string_view malformed_message =
    "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.";
constexpr std::string_view invalid_message =
    "Authentication Error, Invalid proxy server token passed. Unable to find token in cache or "
    "`LiteLLM_VerificationTokenTable`";

constexpr std::string_view scheme_prefixes[] = {"Bearer ", "bearer ", "Basic "};

using core::sha256;

// nullopt when `value` carries none of the accepted schemes.
std::optional<std::string_view> strip_scheme(std::string_view value) {
  for (std::string_view prefix : scheme_prefixes) {
    if (value.starts_with(prefix)) return value.substr(prefix.size());
    // HTTP parsers trim trailing whitespace, so "Bearer " arrives as "Bearer": a scheme, no key.
    if (value == prefix.substr(0, prefix.size() - 1)) return std::string_view{};
  }
  return std::nullopt;
}

extracted_key found(std::string_view key) {
  if (key.empty()) return {};
  return {extracted_key::kind::present, key};
}

std::optional<std::string_view> non_empty(const header_source& headers, std::string_view name) {
  auto v = headers.get(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace

extracted_key extract_key(const header_source& headers, std::string_view custom_header) {
  std::string lowered;
  std::string_view first_name = "x-litellm-api-key";
  if (!custom_header.empty()) {
    lowered = core::ascii_lower(custom_header);
    first_name = lowered;
  }
  if (auto v = non_empty(headers, first_name)) {
    auto stripped = strip_scheme(*v);
    return found(stripped ? *stripped : *v);
  }
  if (auto v = non_empty(headers, "authorization")) {
    auto stripped = strip_scheme(*v);
    if (!stripped) return {extracted_key::kind::malformed, {}};
    return found(*stripped);
  }
  if (auto v = non_empty(headers, "api-key")) return found(*v);
  if (auto v = non_empty(headers, "x-api-key")) return found(*v);
  return {};
}

authenticator::authenticator(std::string_view master_key, bool allow_unauthenticated)
    : open_(master_key.empty() && allow_unauthenticated) {
  // If hashing fails the digest stays all-zero, which no real key hashes to: fail closed.
  if (!sha256(master_key, master_digest_)) master_digest_.fill(0);
}

std::string authenticator::accepted_key_hash(const extracted_key& key) const {
  return open_ ? hash_for_logs(key.key) : core::digest_hex(master_digest_);
}

std::optional<core::api_error> authenticator::check(const extracted_key& key) const {
  if (open_) return std::nullopt;
  switch (key.status) {
    case extracted_key::kind::none: return core::auth_failed(std::string(no_key_message));
    case extracted_key::kind::malformed: return core::auth_failed(std::string(malformed_message));
    case extracted_key::kind::present: break;
  }
  // An empty key must never match an empty (misconfigured) master key.
  if (key.key.empty()) return core::auth_failed(std::string(no_key_message));
  digest presented{};
  if (!sha256(key.key, presented)) return core::auth_failed(std::string(invalid_message));
  if (CRYPTO_memcmp(presented.data(), master_digest_.data(), presented.size()) != 0) {
    return core::auth_failed(std::string(invalid_message));
  }
  return std::nullopt;
}

std::string authenticator::hash_for_logs(std::string_view key) { return core::sha256_hex(key); }

}  // namespace meshgate::auth
