#pragma once
// Identifiers: request ids, key hashes.
#include <array>
#include <string>
#include <string_view>

namespace meshgate::core {

// A random RFC 4122 version-4 UUID in canonical lower-case form (thread-safe).
std::string new_uuid();

// SHA-256 of `data` into `out`; false only if OpenSSL fails (out is then unspecified).
// The digest implementation is fetched once per process: OpenSSL 3 otherwise looks it up by
// name on every call, which cost more than hashing a key.
bool sha256(std::string_view data, std::array<unsigned char, 32>& out);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// A digest from sha256() in sha256_hex's form.
std::string digest_hex(const std::array<unsigned char, 32>& digest);

}  // namespace meshgate::core
