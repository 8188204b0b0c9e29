#include "meshgate/translate/responses_store.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::conversation_store;

namespace {

json user(const std::string& text) {
  json m = json::object();
  m["role"] = "user";
  m["content"] = text;
  return m;
}

json one(const std::string& text) {
  json a = json::array();
  a.push_back(user(text));
  return a;
}

conversation_store::history found(conversation_store& s, std::string_view id, std::string_view owner = "o") {
  auto r = s.find(id, owner);
  if (auto* e = std::get_if<api_error>(&r)) FAIL("not found: " << e->message);
  return std::get<conversation_store::history>(std::move(r));
}

bool missing(conversation_store& s, std::string_view id, std::string_view owner = "o") {
  return std::holds_alternative<api_error>(s.find(id, owner));
}

}  // namespace

TEST_CASE("responses store: an unknown id is a 400 naming it", "[translate][responses]") {
  conversation_store s;
  auto r = s.find("resp_nope", "o");
  REQUIRE(std::holds_alternative<api_error>(r));
  const auto& e = std::get<api_error>(r);
  CHECK(e.status == 400);
  CHECK(e.type == "invalid_request_error");
  CHECK(e.param == "previous_response_id");
  CHECK(e.message == "Previous response with id 'resp_nope' not found.");
  auto long_id = std::get<api_error>(s.find(std::string(1000, 'x'), "o")).message;
  CHECK(long_id == "Previous response with id '" + std::string(128, 'x') + "...' not found.");
}

TEST_CASE("responses store: turns chain into the full message list, oldest first", "[translate][responses]") {
  conversation_store s;
  s.put("r1", "o", nullptr, one("a"));
  s.put("r2", "o", found(s, "r1"), one("b"));
  s.put("r3", "o", found(s, "r2"), one("c"));
  s.put("r2b", "o", found(s, "r1"), one("b'"));  // a branch from r1
  json want = json::array();
  for (const char* t : {"a", "b", "c"}) want.push_back(user(t));
  CHECK(conversation_store::messages_of(found(s, "r3")) == want);
  json branch = json::array();
  for (const char* t : {"a", "b'"}) branch.push_back(user(t));
  CHECK(conversation_store::messages_of(found(s, "r2b")) == branch);
  CHECK(conversation_store::messages_of(nullptr) == json::array());
  CHECK(s.size() == 4);
}

TEST_CASE("responses store: ids belong to their owner", "[translate][responses]") {
  conversation_store s;
  s.put("r1", "alice", nullptr, one("secret"));
  CHECK(missing(s, "r1", "bob"));
  CHECK(missing(s, "r1", "alic"));
  CHECK(missing(s, "r1", ""));
  CHECK_FALSE(missing(s, "r1", "alice"));
}

TEST_CASE("responses store: least recently used ids are evicted past the entry bound", "[translate][responses]") {
  conversation_store s(3);
  s.put("r1", "o", nullptr, one("1"));
  s.put("r2", "o", nullptr, one("2"));
  s.put("r3", "o", nullptr, one("3"));
  found(s, "r1");  // r1 is now the most recently used
  s.put("r4", "o", nullptr, one("4"));
  CHECK(s.size() == 3);
  CHECK(missing(s, "r2"));
  CHECK_FALSE(missing(s, "r1"));
  CHECK_FALSE(missing(s, "r3"));
  CHECK_FALSE(missing(s, "r4"));
}

TEST_CASE("responses store: a history outlives the eviction of its entry", "[translate][responses]") {
  conversation_store s(1);
  s.put("r1", "o", nullptr, one("1"));
  auto h1 = found(s, "r1");
  s.put("r2", "o", h1, one("2"));
  CHECK(missing(s, "r1"));
  CHECK(conversation_store::messages_of(found(s, "r2")).size() == 2);
  CHECK(conversation_store::messages_of(h1) == one("1"));
}

TEST_CASE("responses store: live bytes are bounded and released", "[translate][responses]") {
  const std::string big(1000, 'z');
  const std::size_t per_turn = meshgate::core::dump_json(one(big)).size();
  {
    conversation_store s(100, 3 * per_turn);
    for (int i = 0; i < 10; ++i) s.put("r" + std::to_string(i), "o", nullptr, one(big));
    CHECK(s.live_bytes() <= 3 * per_turn);
    CHECK(s.size() == 3);
    CHECK_FALSE(missing(s, "r9"));
    CHECK(missing(s, "r6"));
  }
  conversation_store s(100, 1);  // nothing fits: the newest entry is kept anyway
  s.put("a", "o", nullptr, one(big));
  s.put("b", "o", nullptr, one(big));
  CHECK(s.size() == 1);
  CHECK_FALSE(missing(s, "b"));
  CHECK(s.live_bytes() == per_turn);
}

TEST_CASE("responses store: replacing an id and non-array messages", "[translate][responses]") {
  conversation_store s;
  s.put("r", "o", nullptr, one("old"));
  s.put("r", "o", nullptr, json::object());
  CHECK(s.size() == 1);
  CHECK(conversation_store::messages_of(found(s, "r")) == json::array());
}

TEST_CASE("responses store: a very long chain is released without deep recursion", "[translate][responses]") {
  conversation_store s(2);
  conversation_store::history h;
  for (int i = 0; i < 200000; ++i) {
    s.put("r", "o", h, json::array());
    h = found(s, "r");
  }
  h.reset();
  s.put("r", "o", nullptr, json::array());  // drops the last link to the 200,000-turn chain
  CHECK(s.live_bytes() == 2);                // only the new "[]"
}

TEST_CASE("responses store: concurrent puts and finds stay consistent", "[translate][responses]") {
  conversation_store s(50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s, t] {
      conversation_store::history h;
      for (int i = 0; i < 500; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        s.put(id, "o", h, one(id));
        auto r = s.find(id, "o");
        if (auto* found_h = std::get_if<conversation_store::history>(&r)) h = *found_h;
        if (i % 50 == 0) h.reset();
        (void)conversation_store::messages_of(h);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(s.size() == 50);
}

TEST_CASE("responses store: erase forgets an id for its owner only, continuations keep their history",
          "[translate][responses]") {
  conversation_store s;
  s.put("r1", "o", nullptr, one("first"));
  s.put("r2", "o", found(s, "r1"), one("second"));
  CHECK_FALSE(s.erase("r1", "someone-else"));
  CHECK_FALSE(missing(s, "r1"));
  CHECK(s.erase("r1", "o"));
  CHECK(missing(s, "r1"));
  CHECK_FALSE(s.erase("r1", "o"));
  CHECK(s.size() == 1);
  CHECK(conversation_store::messages_of(found(s, "r2")).size() == 2);
}
