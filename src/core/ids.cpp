#include "meshgate/core/ids.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <random>

namespace meshgate::core {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(hex_digits[p[i] >> 4]);
    out.push_back(hex_digits[p[i] & 0xF]);
  }
}
}  // namespace

std::string new_uuid() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // RAND_bytes only fails when the OS entropy source is broken; ids need uniqueness, not secrecy.
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (auto& x : b) x = static_cast<unsigned char>(fallback());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  std::string out;
  out.reserve(36);
  append_hex(out, b.data(), 4);
  out.push_back('-');
  append_hex(out, b.data() + 4, 2);
  out.push_back('-');
  append_hex(out, b.data() + 6, 2);
  out.push_back('-');
  append_hex(out, b.data() + 8, 2);
  out.push_back('-');
  append_hex(out, b.data() + 10, 6);
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  std::string out;
  out.reserve(len * 2);
  append_hex(out, md.data(), len);
  return out;
}

}  // namespace meshgate::core
