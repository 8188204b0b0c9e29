#pragma once
// Identifiers: request ids, key hashes.
#include <string>
#include <string_view>

namespace meshgate::core {

// A random RFC 4122 version-4 UUID in canonical lower-case form (thread-safe).
std::string new_uuid();

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace meshgate::core
