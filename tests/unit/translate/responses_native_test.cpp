#include "meshgate/translate/responses_common.hpp"
#include "meshgate/translate/responses_native.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using meshgate::core::api_error;
using meshgate::core::json;
using meshgate::sse::event;
using meshgate::translate::native_restamper;
using meshgate::translate::native_stream_rewriter;
using meshgate::translate::normalise_responses_usage;
using meshgate::translate::response_id_codec;

namespace {

const response_id_codec& codec() {
  static const response_id_codec c(response_id_codec::derive_key("sk-native-test"));
  return c;
}

native_restamper restamper() { return native_restamper(codec(), "tensormesh-chat", "dep-1", "caller-a"); }

std::string read_fixture(std::string_view name) {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "fixtures" /
                    "responses" / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot open fixture " << path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<event> events_of(std::string_view stream) {
  meshgate::sse::parser p;
  std::vector<event> out;
  REQUIRE(p.feed(stream, out) == meshgate::sse::feed_status::ok);
  REQUIRE_FALSE(p.has_partial());
  return out;
}

json normalised(std::string_view usage) {
  json u = json::parse(usage);
  normalise_responses_usage(u);
  return u;
}

event data_event(std::string data, std::string type = {}) {
  event e;
  e.type = std::move(type);
  e.data = std::move(data);
  return e;
}

}  // namespace

// ---- usage normalisation (litellm-reference §6) ----------------------------------------------

TEST_CASE("responses usage: chat-style counts become Responses counts", "[translate][responses]") {
  CHECK(normalised(R"({"prompt_tokens":87,"completion_tokens":64,"total_tokens":151,"prompt_tokens_details":null})") ==
        json::parse(R"({"input_tokens":87,"output_tokens":64,"total_tokens":151,)"
                    R"("input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}})"));
}

TEST_CASE("responses usage: total is the sum when absent, details null become 0", "[translate][responses]") {
  CHECK(normalised(R"({"prompt_tokens":9,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":null},)"
                   R"("completion_tokens_details":null})") ==
        json::parse(R"({"input_tokens":9,"output_tokens":3,"total_tokens":12,)"
                    R"("input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}})"));
}

TEST_CASE("responses usage: reported details are carried over", "[translate][responses]") {
  CHECK(normalised(R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,)"
                   R"("prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0,"text_tokens":36},)"
                   R"("completion_tokens_details":{"reasoning_tokens":20,"text_tokens":30},"cost":0.001})") ==
        json::parse(R"({"input_tokens":100,"output_tokens":50,"total_tokens":150,)"
                    R"("input_tokens_details":{"cached_tokens":64,"audio_tokens":0,"text_tokens":36},)"
                    R"("output_tokens_details":{"reasoning_tokens":20,"text_tokens":30},"cost":0.001})"));
}

TEST_CASE("responses usage: Responses-style usage is kept and its null details filled", "[translate][responses]") {
  json u = json::parse(R"({"input_tokens":5,"output_tokens":7,"total_tokens":12,)"
                       R"("input_tokens_details":{"cached_tokens":null},"output_tokens_details":null})");
  auto counts = normalise_responses_usage(u);
  CHECK(u == json::parse(R"({"input_tokens":5,"output_tokens":7,"total_tokens":12,)"
                         R"("input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}})"));
  CHECK(counts.prompt_tokens == 5);
  CHECK(counts.completion_tokens == 7);
  CHECK_FALSE(counts.cached_tokens.has_value());
}

TEST_CASE("responses usage: returned counts are as reported, non-objects untouched", "[translate][responses]") {
  json u = json::parse(R"({"prompt_tokens":10,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4},)"
                       R"("completion_tokens_details":{"reasoning_tokens":1}})");
  auto counts = normalise_responses_usage(u);
  CHECK(counts.prompt_tokens == 10);
  CHECK(counts.completion_tokens == 2);
  CHECK(counts.cached_tokens == 4);
  CHECK(counts.reasoning_tokens == 1);
  json null_usage = nullptr;
  CHECK_FALSE(normalise_responses_usage(null_usage).known());
  CHECK(null_usage.is_null());
  // an unusable total is recomputed, a count missing on one side is not invented
  CHECK(normalised(R"({"prompt_tokens":4,"total_tokens":"x"})")["total_tokens"] == 4);
  CHECK_FALSE(normalised(R"({"prompt_tokens":4})").contains("output_tokens"));
}

// ---- non-streaming -----------------------------------------------------------------------------

TEST_CASE("responses native: a body gets the alias, opaque ids and normalised usage", "[translate][responses]") {
  meshgate::usage::token_usage usage;
  auto r = restamper().restamp_body(
      R"({"id":"resp_up_1","object":"response","created_at":1732541412.9,"model":"openai/gpt-oss-120b",)"
      R"("status":"completed","previous_response_id":"resp_up_0","output":[{"type":"message","id":"msg_1",)"
      R"("content":[{"type":"output_text","text":"hi"}]}],"usage":{"prompt_tokens":9,"completion_tokens":3}})",
      usage);
  REQUIRE(std::holds_alternative<std::string>(r));
  json j = json::parse(std::get<std::string>(r));
  CHECK(j["model"] == "tensormesh-chat");
  CHECK(j["created_at"] == 1732541412);
  CHECK(j["created_at"].is_number_integer());
  auto id = codec().decode(j["id"].get<std::string>(), "caller-a");
  REQUIRE(id.has_value());
  CHECK(id->deployment_id == "dep-1");
  CHECK(id->upstream_id == "resp_up_1");
  auto prev = codec().decode(j["previous_response_id"].get<std::string>(), "caller-a");
  REQUIRE(prev.has_value());
  CHECK(prev->upstream_id == "resp_up_0");
  CHECK(j["output"][0]["id"] == "msg_1");  // item ids are the upstream's
  CHECK(j["usage"] == json::parse(R"({"input_tokens":9,"output_tokens":3,"total_tokens":12,)"
                                  R"("input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}})"));
  CHECK(usage.prompt_tokens == 9);
  CHECK(usage.completion_tokens == 3);
}

TEST_CASE("responses native: a delete answer is restamped too, a null previous id left alone", "[translate][responses]") {
  meshgate::usage::token_usage usage;
  usage.prompt_tokens = 1;  // reset by the call
  auto r = restamper().restamp_body(R"({"id":"resp_up_1","object":"response.deleted","deleted":true,"previous_response_id":null})", usage);
  REQUIRE(std::holds_alternative<std::string>(r));
  json j = json::parse(std::get<std::string>(r));
  CHECK(codec().decode(j["id"].get<std::string>(), "caller-a")->upstream_id == "resp_up_1");
  CHECK(j["previous_response_id"].is_null());
  CHECK(j["deleted"] == true);
  CHECK_FALSE(usage.known());
}

TEST_CASE("responses native: bodies that are not a response are 502s", "[translate][responses]") {
  meshgate::usage::token_usage usage;
  auto fails = [&](std::string_view body) {
    auto r = restamper().restamp_body(body, usage);
    REQUIRE(std::holds_alternative<api_error>(r));
    auto e = std::get<api_error>(r);
    CHECK(e.status == 502);
    CHECK(e.type == "api_error");
    return e.message;
  };
  CHECK(fails("not json").starts_with("upstream returned an invalid response: invalid JSON at byte"));
  CHECK(fails("[]") == "upstream returned an invalid response: expected a JSON object, got array");
  CHECK(fails(R"({"object":"response"})") == R"(upstream returned an invalid response: missing "id")");
  CHECK(fails(R"({"id":""})") == R"(upstream returned an invalid response: missing "id")");
  CHECK(fails(R"({"id":"r","output":{}})") == R"(upstream returned an invalid response: "output" is not an array)");
  CHECK(fails(R"({"error":{"message":"model overloaded"}})") ==
        "upstream returned an invalid response: an error object instead of a response: model overloaded");
}

// ---- streaming ---------------------------------------------------------------------------------

TEST_CASE("responses native stream: response events are restamped, others pass through byte for byte",
          "[translate][responses]") {
  const std::string upstream = read_fixture("native_stream.sse");
  auto in = events_of(upstream);
  REQUIRE(in.size() == 8);
  native_stream_rewriter rw(restamper());
  std::string out;
  std::vector<native_stream_rewriter::step> steps;
  for (const auto& ev : in) steps.push_back(rw.on_event(ev, out));
  CHECK(steps.back() == native_stream_rewriter::step::done);
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) CHECK(steps[i] == native_stream_rewriter::step::more);
  CHECK(rw.finished());

  auto got = events_of(out);
  REQUIRE(got.size() == in.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].type == in[i].type);
    json j = json::parse(got[i].data);
    CHECK(j["type"] == got[i].type);
    CHECK(j["sequence_number"] == i);
    if (!j.contains("response")) {
      CHECK(got[i].data == in[i].data);  // untouched: item ids, deltas, everything
      continue;
    }
    const json& r = j["response"];
    CHECK(r["model"] == "tensormesh-chat");
    CHECK(r["created_at"] == 1732541412);
    auto id = codec().decode(r["id"].get<std::string>(), "caller-a");
    REQUIRE(id.has_value());
    CHECK(id->upstream_id == "resp_up_7f3a");
    CHECK(codec().decode(r["previous_response_id"].get<std::string>(), "caller-a")->upstream_id == "resp_up_prev");
  }
  // the same opaque id in created and completed
  CHECK(json::parse(got.front().data)["response"]["id"] == json::parse(got.back().data)["response"]["id"]);
  json completed = json::parse(got.back().data)["response"];
  CHECK(completed["usage"] == json::parse(R"({"input_tokens":9,"output_tokens":3,"total_tokens":12,)"
                                          R"("input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}})"));
  CHECK(rw.usage().prompt_tokens == 9);
  CHECK(rw.usage().completion_tokens == 3);
}

TEST_CASE("responses native stream: the usage decorator sees the final usage only", "[translate][responses]") {
  auto in = events_of(read_fixture("native_stream.sse"));
  native_stream_rewriter rw(restamper());
  int calls = 0;
  rw.set_usage_decorator([&](json& u) {
    ++calls;
    u["cost"] = 0.5;
  });
  std::string out;
  for (const auto& ev : in) rw.on_event(ev, out);
  CHECK(calls == 1);
  CHECK(json::parse(events_of(out).back().data)["response"]["usage"]["cost"] == 0.5);
}

TEST_CASE("responses native stream: the type comes from the JSON when there is no event line", "[translate][responses]") {
  native_stream_rewriter rw(restamper());
  std::string out;
  CHECK(rw.on_event(data_event(R"({"type":"response.output_text.delta","sequence_number":4,"delta":"x"})"), out) ==
        native_stream_rewriter::step::more);
  CHECK(out == "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"delta\":\"x\"}\n\n");
  out.clear();
  CHECK(rw.on_event(data_event("[DONE]"), out) == native_stream_rewriter::step::done);
  CHECK(out == "data: [DONE]\n\n");
}

TEST_CASE("responses native stream: an in-band error becomes response.failed after the snapshot", "[translate][responses]") {
  auto in = events_of(read_fixture("native_stream.sse"));
  native_stream_rewriter rw(restamper());
  std::string out;
  for (std::size_t i = 0; i < 5; ++i) rw.on_event(in[i], out);  // up to the first text delta (seq 4)
  out.clear();
  CHECK(rw.on_event(data_event(R"({"error":{"message":"engine died","code":503}})"), out) ==
        native_stream_rewriter::step::failed);
  auto got = events_of(out);
  REQUIRE(got.size() == 1);
  CHECK(got[0].type == "response.failed");
  json j = json::parse(got[0].data);
  CHECK(j["sequence_number"] == 5);
  CHECK(j["response"]["status"] == "failed");
  CHECK(j["response"]["error"] == json::parse(R"({"code":"server_error","message":"engine died"})"));
  CHECK(codec().decode(j["response"]["id"].get<std::string>(), "caller-a")->upstream_id == "resp_up_7f3a");
  CHECK(rw.finished());
  out.clear();
  CHECK(rw.on_event(in[5], out) == native_stream_rewriter::step::failed);  // nothing after the end
  CHECK(out.empty());
  rw.on_abnormal_end("late", 500, out);
  CHECK(out.empty());
}

TEST_CASE("responses native stream: an abnormal end before any response is an error event", "[translate][responses]") {
  native_stream_rewriter rw(restamper());
  std::string out;
  rw.on_abnormal_end("upstream timed out", 408, out);
  auto got = events_of(out);
  REQUIRE(got.size() == 1);
  CHECK(got[0].type == "error");
  CHECK(json::parse(got[0].data) == json::parse(R"({"type":"error","sequence_number":0,"code":"invalid_request_error",)"
                                                R"("message":"upstream timed out","param":null})"));
}

TEST_CASE("responses native stream: abnormal end after completion adds nothing; invalid JSON fails", "[translate][responses]") {
  auto in = events_of(read_fixture("native_stream.sse"));
  native_stream_rewriter rw(restamper());
  std::string out;
  for (const auto& ev : in) rw.on_event(ev, out);
  out.clear();
  rw.on_abnormal_end("eof", 502, out);
  CHECK(out.empty());

  native_stream_rewriter bad(restamper());
  CHECK(bad.on_event(in[0], out) == native_stream_rewriter::step::more);
  out.clear();
  CHECK(bad.on_event(data_event("{not json", "response.output_text.delta"), out) == native_stream_rewriter::step::failed);
  json j = json::parse(events_of(out).at(0).data);
  CHECK(j["type"] == "response.failed");
  CHECK(j["response"]["error"]["message"] == "upstream sent an invalid stream event");
  CHECK(j["sequence_number"] == 1);
}

TEST_CASE("responses native stream: first-event errors are recognised in both shapes", "[translate][responses]") {
  auto e = native_stream_rewriter::first_event_error(data_event(R"({"error":{"message":"bad input","type":"BadRequestError","code":400}})"));
  REQUIRE(e.has_value());
  CHECK(e->status == 400);
  CHECK(e->message == "bad input");
  CHECK(e->type == "BadRequestError");
  auto typed = native_stream_rewriter::first_event_error(
      data_event(R"({"type":"error","code":"429","message":"Server is overloaded","param":null,"sequence_number":0})", "error"));
  REQUIRE(typed.has_value());
  CHECK(typed->status == 429);
  CHECK(typed->message == "Server is overloaded");
  CHECK(typed->type == "invalid_request_error");
  CHECK_FALSE(native_stream_rewriter::first_event_error(
                  data_event(R"({"type":"response.created","response":{"id":"r","error":null}})"))
                  .has_value());
  CHECK_FALSE(native_stream_rewriter::first_event_error(data_event("not json \"error\"")).has_value());
}
