#pragma once
// Identifiers: request ids, key hashes.
#include <array>
#include <string>
#include <string_view>

namespace meshgate::core {

// A random version-4 UUID (RFC 9562) in canonical lower-case form (thread-safe). For object ids
// LiteLLM also makes from UUID4 (`msg_…`, `resp_…`).
std::string new_uuid();

// A version-7 UUID (RFC 9562): the Unix time in milliseconds in the first 48 bits, then 74
// random bits; canonical lower-case form, thread-safe. Ids made later sort after earlier ones
// (to the millisecond, as far as the system clock moves forward). Call ids use it because they
// key the spend table: a random key puts every new row on a random page of that index, so each
// batch rewrites about one page per row; a time-ordered key adds rows at the index's right edge.
std::string new_time_ordered_uuid();

// SHA-256 of `data` into `out`; false only if OpenSSL fails (out is then unspecified).
// The digest implementation is fetched once per process: OpenSSL 3 otherwise looks it up by
// name on every call, which cost more than hashing a key.
bool sha256(std::string_view data, std::array<unsigned char, 32>& out);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// A digest from sha256() in sha256_hex's form.
std::string digest_hex(const std::array<unsigned char, 32>& digest);

}  // namespace meshgate::core
