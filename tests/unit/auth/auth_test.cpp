#include "meshgate/auth/auth.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <map>
#include <type_traits>
#include <string>
#include <vector>

#include "meshgate/core/json.hpp"

using meshgate::auth::authenticator;
using meshgate::auth::extract_key;
using meshgate::auth::extracted_key;
using meshgate::auth::header_source;

namespace {

using kind = extracted_key::kind;

struct header_map : header_source {
  std::map<std::string, std::string, std::less<>> values;  // lower-case names
  header_map(std::initializer_list<std::pair<const std::string, std::string>> init) : values(init) {}
  std::optional<std::string_view> get(std::string_view lower_name) const override {
    auto it = values.find(lower_name);
    if (it == values.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

constexpr std::string_view master = "sk-master-1234";
constexpr std::string_view no_key_msg = "Authentication Error, No api key passed in.";
constexpr std::string_view malformed_msg =
    "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.";
constexpr std::string_view invalid_msg =
    "Authentication Error, Invalid proxy server token passed. Unable to find token in cache or "
    "`LiteLLM_VerificationTokenTable`";

extracted_key present(std::string_view k) { return {kind::present, k}; }

}  // namespace

TEST_CASE("key extraction follows the header order and prefix rules", "[auth]") {
  struct row {
    const char* scenario;
    header_map headers;
    kind status;
    std::string key;
  };
  const std::vector<row> rows = {
      {"no headers at all", {}, kind::none, ""},
      {"unrelated headers only", {{"content-type", "application/json"}}, kind::none, ""},
      {"x-litellm-api-key raw", {{"x-litellm-api-key", "sk-1"}}, kind::present, "sk-1"},
      {"x-litellm-api-key with Bearer", {{"x-litellm-api-key", "Bearer sk-1"}}, kind::present, "sk-1"},
      {"x-litellm-api-key with bearer", {{"x-litellm-api-key", "bearer sk-1"}}, kind::present, "sk-1"},
      {"x-litellm-api-key with Basic", {{"x-litellm-api-key", "Basic sk-1"}}, kind::present, "sk-1"},
      {"x-litellm-api-key scheme only", {{"x-litellm-api-key", "Bearer "}}, kind::none, ""},
      {"authorization Bearer", {{"authorization", "Bearer sk-1"}}, kind::present, "sk-1"},
      {"authorization bearer", {{"authorization", "bearer sk-1"}}, kind::present, "sk-1"},
      {"authorization Basic", {{"authorization", "Basic dXNlcjpwYXNz"}}, kind::present, "dXNlcjpwYXNz"},
      {"authorization without scheme", {{"authorization", "sk-1"}}, kind::malformed, ""},
      {"authorization upper-case scheme", {{"authorization", "BEARER sk-1"}}, kind::malformed, ""},
      {"authorization unknown scheme", {{"authorization", "Token sk-1"}}, kind::malformed, ""},
      {"authorization scheme without space", {{"authorization", "Bearersk-1"}}, kind::malformed, ""},
      {"authorization Bearer and empty key", {{"authorization", "Bearer "}}, kind::none, ""},
      {"authorization bare Bearer (parser trimmed)", {{"authorization", "Bearer"}}, kind::none, ""},
      {"authorization bare Basic", {{"authorization", "Basic"}}, kind::none, ""},
      {"authorization key keeps inner spaces", {{"authorization", "Bearer  sk-1 "}}, kind::present, " sk-1 "},
      {"api-key raw", {{"api-key", "az-1"}}, kind::present, "az-1"},
      {"api-key is not prefix-stripped", {{"api-key", "Bearer az-1"}}, kind::present, "Bearer az-1"},
      {"x-api-key raw", {{"x-api-key", "an-1"}}, kind::present, "an-1"},
      {"x-litellm-api-key beats authorization",
       {{"x-litellm-api-key", "first"}, {"authorization", "Bearer second"}},
       kind::present,
       "first"},
      {"authorization beats api-key and x-api-key",
       {{"authorization", "Bearer second"}, {"api-key", "third"}, {"x-api-key", "fourth"}},
       kind::present,
       "second"},
      {"api-key beats x-api-key", {{"api-key", "third"}, {"x-api-key", "fourth"}}, kind::present, "third"},
      {"malformed authorization does not fall back to x-api-key",
       {{"authorization", "sk-1"}, {"x-api-key", "sk-2"}},
       kind::malformed,
       ""},
      {"empty-key Bearer does not fall back to x-api-key",
       {{"authorization", "Bearer "}, {"x-api-key", "sk-2"}},
       kind::none,
       ""},
      {"empty x-litellm-api-key is absent", {{"x-litellm-api-key", ""}, {"authorization", "Bearer sk-1"}}, kind::present, "sk-1"},
      {"empty authorization is absent", {{"authorization", ""}, {"x-api-key", "an-1"}}, kind::present, "an-1"},
      {"all headers empty", {{"x-litellm-api-key", ""}, {"authorization", ""}, {"api-key", ""}, {"x-api-key", ""}}, kind::none, ""},
  };
  for (const auto& r : rows) {
    INFO(r.scenario);
    const auto got = extract_key(r.headers);
    CHECK(got.status == r.status);
    CHECK(std::string(got.key) == r.key);
  }
}

TEST_CASE("custom key header replaces x-litellm-api-key and is matched case-insensitively", "[auth]") {
  const header_map headers{{"x-my-key", "Bearer custom"}, {"x-litellm-api-key", "ignored"}, {"x-api-key", "later"}};
  auto got = extract_key(headers, "X-My-Key");
  CHECK(got.status == kind::present);
  CHECK(got.key == "custom");

  const header_map only_litellm{{"x-litellm-api-key", "litellm"}, {"x-api-key", "later"}};
  got = extract_key(only_litellm, "x-my-key");
  CHECK(got.status == kind::present);
  CHECK(got.key == "later");  // x-litellm-api-key is not consulted when a custom header is set

  const header_map with_auth{{"authorization", "Bearer from-auth"}};
  got = extract_key(with_auth, "x-my-key");
  CHECK(got.status == kind::present);
  CHECK(got.key == "from-auth");
}

TEST_CASE("master key is accepted from every header form", "[auth]") {
  const authenticator auth(master, false);
  const std::string m(master);
  const std::vector<header_map> forms = {
      {{"x-litellm-api-key", m}},
      {{"x-litellm-api-key", "Bearer " + m}},
      {{"authorization", "Bearer " + m}},
      {{"authorization", "bearer " + m}},
      {{"authorization", "Basic " + m}},
      {{"api-key", m}},
      {{"x-api-key", m}},
  };
  for (const auto& headers : forms) {
    INFO(headers.values.begin()->first << ": " << headers.values.begin()->second);
    CHECK_FALSE(auth.check(extract_key(headers)).has_value());
  }
}

TEST_CASE("auth failures are 401 auth_error with LiteLLM's messages", "[auth]") {
  const authenticator auth(master, false);
  struct row {
    const char* scenario;
    extracted_key key;
    std::string_view message;
  };
  const std::vector<row> rows = {
      {"no key", {}, no_key_msg},
      {"malformed authorization", {kind::malformed, {}}, malformed_msg},
      {"present but empty key", present(""), no_key_msg},
      {"wrong key", present("sk-wrong"), invalid_msg},
      {"prefix of the master key", present("sk-master-123"), invalid_msg},
      {"master key plus a byte", present("sk-master-12345"), invalid_msg},
      {"master key with trailing space", present("sk-master-1234 "), invalid_msg},
      {"master key in other case", present("SK-MASTER-1234"), invalid_msg},
  };
  for (const auto& r : rows) {
    INFO(r.scenario);
    const auto err = auth.check(r.key);
    REQUIRE(err.has_value());
    CHECK(err->status == 401);
    CHECK(err->message == r.message);
    CHECK(err->type == "auth_error");
    CHECK(err->param == std::optional<std::string>("None"));
  }
}

TEST_CASE("bearer prefix with an empty key yields the no-key message", "[auth]") {
  const authenticator auth(master, false);
  for (const char* value : {"Bearer ", "Bearer", "bearer ", "Basic "}) {
    INFO(value);
    const header_map headers{{"authorization", value}};
    const auto err = auth.check(extract_key(headers));
    REQUIRE(err.has_value());
    CHECK(err->message == no_key_msg);
  }
}

TEST_CASE("hostile key bytes are rejected without echo or crash", "[auth]") {
  const authenticator auth(master, false);
  const std::string ten_kb(10 * 1024, 'k');
  const std::string with_nul("sk-master\0-1234", 15);
  const std::vector<std::string> keys = {
      "' OR '1'='1",
      "\"; DROP TABLE keys; --",
      ten_kb,
      std::string(ten_kb) + std::string(master),
      "sk-\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x91",  // é € 🔑
      "\xFF\xFE\xFD invalid utf-8",
      with_nul,
      "\r\nX-Injected: 1",
      "%00%0d%0a",
  };
  for (const auto& k : keys) {
    const header_map headers{{"authorization", "Bearer " + k}};
    const auto got = extract_key(headers);
    REQUIRE(got.status == kind::present);
    const auto err = auth.check(got);
    REQUIRE(err.has_value());
    CHECK(err->status == 401);
    CHECK(err->message == invalid_msg);
    const std::string rendered = meshgate::core::render_openai(*err);
    if (k.size() > 3) CHECK(rendered.find(k) == std::string::npos);
  }
}

TEST_CASE("empty master key with allow_unauthenticated accepts everything", "[auth]") {
  const authenticator open_auth("", true);
  CHECK_FALSE(open_auth.check({}).has_value());
  CHECK_FALSE(open_auth.check({kind::malformed, {}}).has_value());
  CHECK_FALSE(open_auth.check(present("anything")).has_value());
}

TEST_CASE("empty master key without allow_unauthenticated fails closed", "[auth]") {
  const authenticator closed("", false);
  CHECK(closed.check({}).has_value());
  CHECK(closed.check(present("")).has_value());
  CHECK(closed.check(present("x")).has_value());
  CHECK(closed.check({kind::malformed, {}}).has_value());
}

TEST_CASE("allow_unauthenticated does not open a gateway that has a master key", "[auth]") {
  const authenticator auth(master, true);
  CHECK(auth.check({}).has_value());
  CHECK(auth.check(present("sk-wrong")).has_value());
  CHECK_FALSE(auth.check(present(master)).has_value());
}

TEST_CASE("a master key of arbitrary bytes matches only itself", "[auth]") {
  const std::string odd_master = std::string("k\0\xFF\"'", 5) + std::string(4096, 'z');
  const authenticator auth(odd_master, false);
  CHECK_FALSE(auth.check(present(odd_master)).has_value());
  CHECK(auth.check(present(odd_master.substr(0, odd_master.size() - 1))).has_value());
  CHECK(auth.check(present(odd_master.substr(0, 1))).has_value());
}

TEST_CASE("key fingerprint is the sha-256 hex of the key", "[auth]") {
  CHECK(authenticator::hash_for_logs("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string h = authenticator::hash_for_logs(master);
  CHECK(h.size() == 64);
  CHECK(h.find(master) == std::string::npos);
  CHECK(h != authenticator::hash_for_logs("sk-master-1235"));
}

TEST_CASE("the fingerprint of an accepted key is the key's own sha-256 hex", "[auth]") {
  const authenticator guarded(master, false);
  REQUIRE_FALSE(guarded.check(present(master)).has_value());
  CHECK(guarded.accepted_key_hash(present(master)) == authenticator::hash_for_logs(master));
  // Without a master key every key is accepted, and each keeps its own fingerprint.
  const authenticator open("", true);
  CHECK(open.accepted_key_hash(present("sk-one")) == authenticator::hash_for_logs("sk-one"));
  CHECK(open.accepted_key_hash(present("sk-two")) == authenticator::hash_for_logs("sk-two"));
}

TEST_CASE("auth error renders as LiteLLM's OpenAI envelope", "[auth]") {
  const authenticator auth(master, false);
  const auto err = auth.check({});
  REQUIRE(err.has_value());
  const auto j = meshgate::core::json::parse(meshgate::core::render_openai(*err));
  CHECK(j == meshgate::core::json::parse(
                 R"({"error":{"message":"Authentication Error, No api key passed in.","type":"auth_error","param":"None","code":"401"}})"));
  const auto a = meshgate::core::json::parse(meshgate::core::render_anthropic(*err));
  CHECK(a == meshgate::core::json::parse(
                 R"({"type":"error","error":{"type":"authentication_error","message":"Authentication Error, No api key passed in."}})"));
}

TEST_CASE("the key check holds only a digest, so neither timing nor outcome follows a matching prefix", "[auth]") {
  // Structural: the authenticator keeps a fixed-size SHA-256 digest of the master key and a flag,
  // nothing variable-length (no copy of the key a comparison could walk byte by byte). check()
  // can therefore only compare two 32-byte digests (with CRYPTO_memcmp); a presented key sharing
  // a prefix with the master key has an unrelated digest. If someone stores the key itself to
  // compare it directly, these assertions fail.
  STATIC_REQUIRE(std::is_trivially_copyable_v<authenticator>);
  STATIC_REQUIRE(sizeof(authenticator) <= 32 + alignof(std::max_align_t));

  const std::string long_master = std::string(master) + std::string(1000, 'q');
  const authenticator auth(long_master, false);
  // Every proper prefix, every extension and every one-byte change gets the identical answer.
  std::vector<std::string> near_misses;
  for (std::size_t n = 1; n < long_master.size(); n += 37) near_misses.push_back(long_master.substr(0, n));
  near_misses.push_back(long_master.substr(0, long_master.size() - 1));
  near_misses.push_back(long_master + "q");
  for (std::size_t i = 0; i < long_master.size(); i += 101) {
    std::string flipped = long_master;
    flipped[i] = static_cast<char>(flipped[i] ^ 1);
    near_misses.push_back(flipped);
  }
  const auto far = auth.check(present("x"));
  REQUIRE(far.has_value());
  for (const auto& k : near_misses) {
    const auto err = auth.check(present(k));
    REQUIRE(err.has_value());
    CHECK(err->status == far->status);
    CHECK(err->type == far->type);
    CHECK(err->message == far->message);
    CHECK(err->message == invalid_msg);
  }
  CHECK_FALSE(auth.check(present(long_master)).has_value());
}
