#include "meshgate/core/ids.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

void check_canonical(const std::string& u, char version) {
  INFO(u);
  REQUIRE(u.size() == 36);
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (k == 8 || k == 13 || k == 18 || k == 23) {
      CHECK(u[k] == '-');
    } else {
      CHECK(is_lower_hex(u[k]));
    }
  }
  CHECK(u[14] == version);
  CHECK((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
}

// The first 48 bits of a version-7 UUID: Unix milliseconds.
std::int64_t uuid7_millis(const std::string& u) {
  const std::string hex = u.substr(0, 8) + u.substr(9, 4);
  return static_cast<std::int64_t>(std::stoull(hex, nullptr, 16));
}

std::int64_t now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("uuid is canonical lower-case version 4", "[core][ids]") {
  for (int i = 0; i < 200; ++i) check_canonical(meshgate::core::new_uuid(), '4');
}

TEST_CASE("time-ordered uuid is canonical version 7 and starts with the time", "[core][ids]") {
  std::vector<std::string> ids;
  const std::int64_t before = now_millis();
  for (int i = 0; i < 2000; ++i) ids.push_back(meshgate::core::new_time_ordered_uuid());
  const std::int64_t after = now_millis();
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    check_canonical(ids[i], '7');
    const std::int64_t ms = uuid7_millis(ids[i]);
    CHECK(ms >= before);
    CHECK(ms <= after);
    // Later ids never sort before earlier ones from an older millisecond, so the spend table's
    // key grows at its end.
    if (i > 0 && ms > uuid7_millis(ids[i - 1])) CHECK(ids[i] > ids[i - 1]);
    distinct.insert(ids[i]);
  }
  CHECK(distinct.size() == ids.size());  // the 74 random bits differ within one millisecond
}

TEST_CASE("uuids do not repeat, also across threads", "[core][ids]") {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& bucket : per_thread) {
    threads.emplace_back([&bucket] {
      for (int i = 0; i < 2000; ++i) bucket.push_back(meshgate::core::new_uuid());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& bucket : per_thread) all.insert(bucket.begin(), bucket.end());
  CHECK(all.size() == 8000);
}

TEST_CASE("sha256 hex matches the standard test vectors", "[core][ids]") {
  CHECK(meshgate::core::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(meshgate::core::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(meshgate::core::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(meshgate::core::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(meshgate::core::sha256_hex(std::string("\0", 1)) ==
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}
