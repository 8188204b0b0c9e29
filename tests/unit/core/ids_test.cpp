#include "meshgate/core/ids.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

TEST_CASE("uuid is canonical lower-case version 4", "[core][ids]") {
  for (int i = 0; i < 200; ++i) {
    const std::string u = meshgate::core::new_uuid();
    INFO(u);
    REQUIRE(u.size() == 36);
    for (std::size_t k = 0; k < u.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        CHECK(u[k] == '-');
      } else {
        CHECK(is_lower_hex(u[k]));
      }
    }
    CHECK(u[14] == '4');
    CHECK((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
  }
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
