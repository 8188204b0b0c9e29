#include "meshgate/translate/anthropic_count_tokens.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::translate::build_tokenize_body;
using meshgate::translate::count_tokens_request;
using meshgate::translate::count_tokens_response;
using meshgate::translate::estimate_input_tokens;
using meshgate::translate::parse_count_tokens_request;
using meshgate::translate::read_tokenize_count;

namespace {

constexpr const char* conversation = R"({"model":"claude-alias","system":"You are terse.","messages":[
  {"role":"user","content":"Hello there"},
  {"role":"assistant","content":[{"type":"text","text":"Hi"},{"type":"thinking","thinking":"not counted"},
                                 {"type":"tool_use","id":"t","name":"f","input":{"a":1}}]},
  {"role":"user","content":[
    {"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"ok"},
                                                         {"type":"image","source":{"type":"url","url":"u"}}]},
    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}],
 "tools":[{"name":"f","description":"Does f","input_schema":{"type":"object"}}]})";

}  // namespace

TEST_CASE("anthropic: count_tokens estimate follows its documented formula", "[anthropic][count_tokens]") {
  // Text bytes: "You are terse." 14, "Hello there" 11, "Hi" 2, tool_use "f" 1 + {"a":1} 7, "ok" 2,
  // tool "f" 1 + "Does f" 6 + {"type":"object"} 17 = 61 → ceil(61/4) = 16.
  // Fixed: 3 priming + 3 messages × 3 + 1 tool × 10 + 2 images × 1600 = 3222.
  CHECK(estimate_input_tokens(json::parse(conversation)) == 16 + 3222);

  CHECK(estimate_input_tokens(json::parse(R"({"messages":[{"role":"user","content":"abcd"}]})")) == 1 + 3 + 3);
  CHECK(estimate_input_tokens(json::parse(R"({"messages":[{"role":"user","content":"abcde"}]})")) == 2 + 3 + 3);
  CHECK(estimate_input_tokens(json::parse(R"({"system":[{"type":"text","text":"12345678"}],"messages":[]})")) == 2 + 3);
  // base64 document: 8 base64 chars = 6 bytes → 2 tokens; text document: its text.
  CHECK(estimate_input_tokens(json::parse(R"({"messages":[{"role":"user","content":[
      {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"AAAAAAAA"}},
      {"type":"document","source":{"type":"text","data":"abcd"}}]}]})")) == 3 + 3 + 3);
  CHECK(estimate_input_tokens(json::parse("[1,2]")) == 0);
  CHECK(estimate_input_tokens(json::parse(R"({"messages":[5,{"content":{"x":1}}]})")) == 3 + 2 * 3);
}

TEST_CASE("anthropic: count_tokens request parsing and the vLLM /tokenize body", "[anthropic][count_tokens]") {
  auto r = parse_count_tokens_request(conversation);
  if (auto* e = std::get_if<api_error>(&r)) FAIL(e->message);
  const count_tokens_request& req = std::get<count_tokens_request>(r);
  CHECK(req.model == "claude-alias");
  CHECK(req.estimate == estimate_input_tokens(json::parse(conversation)));
  const json body = json::parse(build_tokenize_body(req, "openai/gpt-oss-120b"));
  CHECK(body["model"] == "openai/gpt-oss-120b");
  CHECK(body["messages"].size() == 5);  // system, user, assistant, tool, user
  CHECK(body["messages"][0] == json::parse(R"({"role":"system","content":"You are terse."})"));
  CHECK(body["messages"][3] ==
        json::parse(R"({"role":"tool","tool_call_id":"t","content":[{"type":"text","text":"ok"},
                                                                     {"type":"image_url","image_url":{"url":"u"}}]})"));
  CHECK(body["tools"] ==
        json::parse(R"([{"type":"function","function":{"name":"f","description":"Does f","parameters":{"type":"object"}}}])"));
  CHECK(body.size() == 3);

  auto plain = parse_count_tokens_request(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  REQUIRE(std::holds_alternative<count_tokens_request>(plain));
  CHECK(json::parse(build_tokenize_body(std::get<count_tokens_request>(plain), "up")) ==
        json::parse(R"({"model":"up","messages":[{"role":"user","content":"hi"}]})"));
}

TEST_CASE("anthropic: count_tokens request errors", "[anthropic][count_tokens]") {
  auto message_of = [](std::string_view body) {
    auto r = parse_count_tokens_request(body);
    REQUIRE(std::holds_alternative<api_error>(r));
    CHECK(std::get<api_error>(r).status == 400);
    return std::get<api_error>(r).message;
  };
  CHECK(message_of(R"({"messages":[{"role":"user","content":"hi"}]})") == "model parameter is required");
  CHECK(message_of(R"({"model":"m"})") == "messages parameter is required");
  CHECK(message_of("{").starts_with("Malformed JSON in request body"));
  CHECK(message_of(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"api_base":"http://x"})")
            .starts_with(R"("api_base" is not allowed)"));
}

TEST_CASE("anthropic: reading vLLM's /tokenize answer", "[anthropic][count_tokens]") {
  CHECK(read_tokenize_count(R"({"count":42,"max_model_len":131072,"tokens":[1,2]})") == 42);
  CHECK(read_tokenize_count(R"({"count":0})") == 0);
  CHECK_FALSE(read_tokenize_count(R"({"count":-1})").has_value());
  CHECK_FALSE(read_tokenize_count(R"({"count":4.5})").has_value());
  CHECK_FALSE(read_tokenize_count(R"({"count":"42"})").has_value());
  CHECK_FALSE(read_tokenize_count(R"({"tokens":[1]})").has_value());
  CHECK_FALSE(read_tokenize_count(R"({"count":18446744073709551615})").has_value());
  CHECK_FALSE(read_tokenize_count("Not Found").has_value());
  CHECK_FALSE(read_tokenize_count("[42]").has_value());
  CHECK(count_tokens_response(1234) == R"({"input_tokens":1234})");
}
