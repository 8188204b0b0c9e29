#include "meshgate/translate/responses_id.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using meshgate::translate::decoded_response_id;
using meshgate::translate::response_id_codec;

namespace {

response_id_codec codec_for(std::string_view master) { return response_id_codec(response_id_codec::derive_key(master)); }

const std::string deployment = "3f1c0d1e6a9b4b1f8e2d5c7a9b0e1f2a3c4d5e6f708192a3b4c5d6e7f8091a2b";
const std::string alice = "hash-of-alice-key";
const std::string bob = "hash-of-bob-key";

bool is_b64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

TEST_CASE("responses id: round trip gives back the deployment and the upstream id", "[translate][responses]") {
  auto codec = codec_for("sk-master");
  std::string id = codec.encode(deployment, "resp_67ccd2bf17f0819081ff3bb2cf6508e6", alice);
  CHECK(id.starts_with("resp_"));
  for (char c : id.substr(5)) CHECK(is_b64url(c));
  auto decoded = codec.decode(id, alice);
  REQUIRE(decoded.has_value());
  CHECK(decoded->deployment_id == deployment);
  CHECK(decoded->upstream_id == "resp_67ccd2bf17f0819081ff3bb2cf6508e6");
  // the upstream id does not appear as such in the opaque id
  CHECK(id.find("67ccd2bf") == std::string::npos);
}

TEST_CASE("responses id: odd contents survive the round trip", "[translate][responses]") {
  auto codec = codec_for("sk-master");
  const std::string long_id(300, 'x');  // lengths above 127 take two LEB128 bytes
  const std::string binary("a\0b\xff;:", 6);
  for (const auto& [dep, up] : std::initializer_list<std::pair<std::string, std::string>>{
           {"", ""}, {"d", long_id}, {long_id, "u"}, {binary, "litellm:custom_llm_provider:tensormesh;x"}}) {
    auto decoded = codec.decode(codec.encode(dep, up, alice), alice);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == decoded_response_id{dep, up});
  }
}

TEST_CASE("responses id: the same inputs give the same id, different inputs different ids", "[translate][responses]") {
  auto codec = codec_for("sk-master");
  std::set<std::string> ids;
  ids.insert(codec.encode("d1", "u1", alice));
  CHECK(codec.encode("d1", "u1", alice) == *ids.begin());
  ids.insert(codec.encode("d1", "u1", bob));
  ids.insert(codec.encode("d1", "u2", alice));
  ids.insert(codec.encode("d2", "u1", alice));
  ids.insert(codec.encode("d1u", "1", alice));  // the length prefixes keep field boundaries apart
  CHECK(ids.size() == 5);
  CHECK(codec_for("another-master").encode("d1", "u1", alice) != *ids.begin());
}

TEST_CASE("responses id: an id minted for another caller key does not decode", "[translate][responses]") {
  auto codec = codec_for("sk-master");
  std::string id = codec.encode(deployment, "resp_1", alice);
  CHECK_FALSE(codec.decode(id, bob).has_value());
  CHECK_FALSE(codec.decode(id, "").has_value());
  CHECK_FALSE(codec.decode(id, alice + "x").has_value());
  CHECK(codec.decode(id, alice).has_value());
}

TEST_CASE("responses id: a key derived from another master key does not decode", "[translate][responses]") {
  std::string id = codec_for("sk-master").encode(deployment, "resp_1", alice);
  CHECK_FALSE(codec_for("sk-master2").decode(id, alice).has_value());
  CHECK(codec_for("sk-master").decode(id, alice).has_value());
}

TEST_CASE("responses id: every single-character change is rejected", "[translate][responses]") {
  auto codec = codec_for("sk-master");
  const std::string id = codec.encode(deployment, "resp_abc", alice);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::size_t tried = 0;
  for (std::size_t pos = 5; pos < id.size(); ++pos) {
    for (char replacement : {alphabet[(alphabet.find(id[pos]) + 1) % 64], alphabet[(alphabet.find(id[pos]) + 33) % 64]}) {
      std::string tampered = id;
      tampered[pos] = replacement;
      INFO("position " << pos << " -> " << replacement);
      CHECK_FALSE(codec.decode(tampered, alice).has_value());
      ++tried;
    }
  }
  CHECK(tried == 2 * (id.size() - 5));
}

TEST_CASE("responses id: truncated, extended, padded and garbage ids are rejected", "[translate][responses]") {
  auto codec = codec_for("sk-master");
  const std::string id = codec.encode(deployment, "resp_abc", alice);
  CHECK_FALSE(codec.decode(id.substr(0, id.size() - 1), alice).has_value());
  CHECK_FALSE(codec.decode(id.substr(0, id.size() - 4), alice).has_value());
  CHECK_FALSE(codec.decode(id + "A", alice).has_value());
  CHECK_FALSE(codec.decode(id + "AAAA", alice).has_value());
  CHECK_FALSE(codec.decode(id + "=", alice).has_value());
  CHECK_FALSE(codec.decode("msg_" + id.substr(5), alice).has_value());
  CHECK_FALSE(codec.decode(id.substr(5), alice).has_value());
  for (const char* garbage : {"", "resp_", "resp_A", "resp_AAAA", "resp_!!!!", "resp_abc def", "resp_67ccd2bf17f08190",
                              "resp_bGl0ZWxsbTpjdXN0b21fbGxtX3Byb3ZpZGVyOnRlbnNvcm1lc2g7bW9kZWxfaWQ6eDtyZXNwb25zZV9pZDp5"}) {
    INFO(garbage);
    CHECK_FALSE(codec.decode(garbage, alice).has_value());
  }
  CHECK_FALSE(codec.decode("resp_" + std::string(response_id_codec::max_id_length, 'A'), alice).has_value());
}

TEST_CASE("responses id: the derived key is deterministic and depends on the master key", "[translate][responses]") {
  CHECK(response_id_codec::derive_key("k1") == response_id_codec::derive_key("k1"));
  CHECK(response_id_codec::derive_key("k1") != response_id_codec::derive_key("k2"));
  CHECK(response_id_codec::derive_key("") != response_id_codec::derive_key("k1"));
}
