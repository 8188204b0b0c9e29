#include "meshgate/core/ids.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
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

// 16 random bytes. RAND_bytes costs thousands of instructions per call whatever the length
// (locking, the fork check), and every request draws an id; so each thread draws 1 KiB at once
// and hands out 16 bytes at a time. The ids are public, so the bytes waiting in the pool are no
// secret.
std::array<unsigned char, 16> random_16() {
  thread_local std::array<unsigned char, 1024> pool;
  thread_local std::size_t used = pool.size();
  if (used == pool.size()) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
      // RAND_bytes only fails when the OS entropy source is broken; ids need uniqueness, not secrecy.
      thread_local std::mt19937_64 fallback{std::random_device{}()};
      for (auto& x : pool) x = static_cast<unsigned char>(fallback());
    }
    used = 0;
  }
  std::array<unsigned char, 16> b;
  std::copy_n(pool.data() + used, b.size(), b.data());
  used += b.size();
  return b;
}

// Sets the version nibble and the RFC variant bits, then writes the canonical 8-4-4-4-12 form.
std::string canonical_uuid(std::array<unsigned char, 16> b, unsigned version) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | (version << 4));
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  std::string out(36, '-');
  std::size_t pos = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    out[pos++] = hex_digits[b[i] >> 4];
    out[pos++] = hex_digits[b[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string new_uuid() { return canonical_uuid(random_16(), 4); }

std::string new_time_ordered_uuid() {
  auto b = random_16();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const auto t = static_cast<std::uint64_t>(ms);
  for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(t >> (40 - 8 * i));  // 48 bits, big-endian
  return canonical_uuid(b, 7);
}

bool sha256(std::string_view data, std::array<unsigned char, 32>& out) {
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // freed at exit by OpenSSL
  const EVP_MD* md = fetched != nullptr ? fetched : EVP_sha256();
  // Every authenticated request hashes its key. EVP_Digest allocates and frees a digest context
  // (and its state) each call, about half its cost for a short key; each thread keeps one
  // instead, which EVP_DigestInit_ex2 resets.
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned int len = 0;
  // EVP_DigestUpdate takes a null pointer for length 0, but a non-null one costs nothing.
  const char* p = data.empty() ? "" : data.data();
  return ctx && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 && EVP_DigestUpdate(ctx.get(), p, data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
}

std::string digest_hex(const std::array<unsigned char, 32>& digest) {
  std::string out;
  out.reserve(2 * digest.size());
  append_hex(out, digest.data(), digest.size());
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, 32> md{};
  if (!sha256(data, md)) md.fill(0);
  return digest_hex(md);
}

}  // namespace meshgate::core
