#include "meshgate/translate/responses_id.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>

namespace meshgate::translate {

namespace {

constexpr std::string_view id_prefix = "resp_";
constexpr std::string_view mac_label = "meshgate/v1/response-id";
constexpr std::string_view key_label = "meshgate/v1/responses-id-key";
constexpr unsigned char payload_version = 0x01;
constexpr std::size_t tag_size = 16;  // 128-bit truncated HMAC-SHA256: ample against forgery

constexpr char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string b64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(b64url[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(b64url[(acc << (6 - bits)) & 0x3F]);
  return out;
}

// Strict: rejects padding, foreign characters, a length of 1 mod 4, and unused low bits that are
// not zero — so every byte string has exactly one accepted spelling and any altered character fails.
std::optional<std::string> b64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = b64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

void put_length(std::string& out, std::size_t n) {
  do {
    unsigned char b = n & 0x7F;
    n >>= 7;
    if (n != 0) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (n != 0);
}

// Reads one LEB128 length followed by that many bytes; false on truncation or overflow.
bool take_field(std::string_view& in, std::string& field) {
  std::size_t n = 0;
  for (int shift = 0;; shift += 7) {
    if (in.empty() || shift > 28) return false;
    auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    n |= static_cast<std::size_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (n > in.size()) return false;
  field.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

std::array<unsigned char, EVP_MAX_MD_SIZE> hmac_sha256(const unsigned char* key, std::size_t key_len,
                                                       std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key, static_cast<int>(key_len), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       md.data(), &len);
  return md;
}

std::string mac_input(std::string_view caller_key_hash, std::string_view payload) {
  std::string in(mac_label);
  in.push_back('\0');
  put_length(in, caller_key_hash.size());
  in.append(caller_key_hash);
  in.append(payload);
  return in;
}

}  // namespace

response_id_codec::response_id_codec(const key_type& key) : key_(key) {}

response_id_codec::key_type response_id_codec::derive_key(std::string_view master_key) {
  auto md = hmac_sha256(reinterpret_cast<const unsigned char*>(master_key.data()), master_key.size(), key_label);
  key_type key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = md[i];
  return key;
}

std::string response_id_codec::encode(std::string_view deployment_id, std::string_view upstream_id,
                                      std::string_view caller_key_hash) const {
  std::string payload;
  payload.reserve(deployment_id.size() + upstream_id.size() + 8 + tag_size);
  payload.push_back(static_cast<char>(payload_version));
  put_length(payload, deployment_id.size());
  payload.append(deployment_id);
  put_length(payload, upstream_id.size());
  payload.append(upstream_id);
  auto tag = hmac_sha256(key_.data(), key_.size(), mac_input(caller_key_hash, payload));
  payload.append(reinterpret_cast<const char*>(tag.data()), tag_size);
  return std::string(id_prefix) + b64url_encode(payload);
}

std::optional<decoded_response_id> response_id_codec::decode(std::string_view id,
                                                             std::string_view caller_key_hash) const {
  if (id.size() > max_id_length || !id.starts_with(id_prefix)) return std::nullopt;
  auto raw = b64url_decode(id.substr(id_prefix.size()));
  if (!raw || raw->size() < 1 + tag_size) return std::nullopt;
  std::string_view payload(raw->data(), raw->size() - tag_size);
  std::string_view tag(raw->data() + payload.size(), tag_size);
  auto expected = hmac_sha256(key_.data(), key_.size(), mac_input(caller_key_hash, payload));
  if (CRYPTO_memcmp(expected.data(), tag.data(), tag_size) != 0) return std::nullopt;

  // Authenticated from here on; the checks below only guard against our own format changing.
  if (static_cast<unsigned char>(payload.front()) != payload_version) return std::nullopt;
  payload.remove_prefix(1);
  decoded_response_id out;
  if (!take_field(payload, out.deployment_id) || !take_field(payload, out.upstream_id) || !payload.empty()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace meshgate::translate
