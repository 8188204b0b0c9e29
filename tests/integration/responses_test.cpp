// /v1/responses through the gateway: native pass-through (opaque ids that round-trip and cannot
// be replayed elsewhere, usage normalised, events relayed unbuffered) and the chat bridge.
#include <catch2/catch.hpp>

#include "meshgate/core/ids.hpp"
#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

namespace {

const char* native_reply = R"({"id":"resp_up1","object":"response","created_at":1700000000.5,"status":"completed",
"model":"openai/gpt-oss-120b","previous_response_id":null,
"output":[{"type":"message","id":"msg_up1","status":"completed","role":"assistant",
"content":[{"type":"output_text","text":"Hello!","annotations":[]}]}],
"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":200}}})";

// A fake /responses upstream: POST answers native_reply; GET/DELETE/cancel/input_items answer
// what OpenAI answers for the id upstream knows.
reply native_upstream(const recorded_request& r) {
  if (r.method == "POST" && r.target == "/v1/responses") return reply::json(200, native_reply);
  if (r.target.rfind("/v1/responses/resp_up1/input_items", 0) == 0)
    return reply::json(200, R"({"object":"list","data":[{"type":"message","id":"msg_in1","role":"user",
      "content":[{"type":"input_text","text":"hi"}]}],"first_id":"msg_in1","last_id":"msg_in1","has_more":false})");
  if (r.method == "DELETE" && r.target == "/v1/responses/resp_up1")
    return reply::json(200, R"({"id":"resp_up1","object":"response","deleted":true})");
  if (r.target == "/v1/responses/resp_up1" || r.target == "/v1/responses/resp_up1/cancel") return reply::json(200, native_reply);
  return reply::json(404, R"({"error":{"message":"No response found","type":"invalid_request_error"}})");
}

std::string create_body(const std::string& extra = {}) {
  return R"({"model":"test-model","input":"hi")" + extra + "}";
}

header_list auth_headers() { return {{"authorization", std::string("Bearer ") + master_key}}; }

std::string flip_one_char(std::string id) {
  char& c = id[id.size() / 2 + 3];
  c = c == 'A' ? 'B' : 'A';
  return id;
}

// One SSE frame; `data` is re-serialised on one line (the literals below span lines).
std::string sse_event(const std::string& type, const std::string& data) {
  return "event: " + type + "\ndata: " + json::parse(data).dump() + "\n\n";
}

std::string chat_chunk(const std::string& delta_json, const std::string& finish = "null") {
  return "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"openai/gpt-oss-120b\","
         "\"choices\":[{\"index\":0,\"delta\":" +
         delta_json + ",\"finish_reason\":" + finish + "}]}\n\n";
}

const std::string bridge_params = "      responses_mode: bridge\n";

}  // namespace

TEST_CASE("responses native: create relays to /responses with usage normalised and an opaque id", "[responses]") {
  fake_upstream up(native_upstream);
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto res = c.post_json("/v1/responses", create_body(R"(,"max_output_tokens":64,"metadata":{"k":"v"},"num_retries":0)"), master_key);
  REQUIRE(res.status == 200);
  auto r = json::parse(res.body);
  const std::string id = r["id"];
  CHECK(id.rfind("resp_", 0) == 0);
  CHECK(id != "resp_up1");
  CHECK(res.body.find("resp_up1") == std::string::npos);
  CHECK(r["model"] == "test-model");
  CHECK(r["created_at"] == 1700000000);
  CHECK(r["output"][0]["content"][0]["text"] == "Hello!");
  CHECK(r["usage"]["input_tokens"] == 1000);
  CHECK(r["usage"]["output_tokens"] == 500);
  CHECK(r["usage"]["total_tokens"] == 1500);
  CHECK(r["usage"]["input_tokens_details"]["cached_tokens"] == 200);
  CHECK(r["usage"]["output_tokens_details"]["reasoning_tokens"] == 0);
  CHECK_FALSE(r["usage"].contains("prompt_tokens"));
  CHECK(res.header("x-litellm-response-cost") == "0.00042");
  CHECK(res.header("x-litellm-model-id") == "dep-1");

  REQUIRE(up.request_count() == 1);
  auto got = up.requests()[0];
  CHECK(got.method == "POST");
  CHECK(got.target == "/v1/responses");
  CHECK(got.header("authorization") == std::string("Bearer ") + upstream_key);
  auto sent = json::parse(got.body);
  CHECK(sent["model"] == "openai/gpt-oss-120b");
  CHECK(sent["input"] == "hi");
  CHECK(sent["max_output_tokens"] == 64);
  CHECK(sent["metadata"] == json{{"k", "v"}});
  CHECK_FALSE(sent.contains("num_retries"));
  CHECK(got.body.find(master_key) == std::string::npos);
}

TEST_CASE("responses native: the id round-trips to the same deployment on every id route", "[responses]") {
  fake_upstream up(native_upstream);
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  const std::string id = json::parse(c.post_json("/v1/responses", create_body(), master_key).body)["id"];

  auto get = c.request("GET", "/v1/responses/" + id, auth_headers());
  REQUIRE(get.status == 200);
  CHECK(json::parse(get.body)["id"] == id);
  CHECK(json::parse(get.body)["model"] == "test-model");
  CHECK_FALSE(get.has_header("x-litellm-response-cost"));  // a lookup bills nothing

  auto items = c.request("GET", "/v1/responses/" + id + "/input_items?limit=1&order=asc", auth_headers());
  REQUIRE(items.status == 200);
  CHECK(json::parse(items.body)["data"][0]["id"] == "msg_in1");

  auto cancel = c.request("POST", "/responses/" + id + "/cancel", auth_headers());
  REQUIRE(cancel.status == 200);
  CHECK(json::parse(cancel.body)["id"] == id);

  auto del = c.request("DELETE", "/v1/responses/" + id, auth_headers());
  REQUIRE(del.status == 200);
  CHECK(json::parse(del.body) == json{{"id", id}, {"object", "response"}, {"deleted", true}});

  auto next = c.post_json("/v1/responses", create_body(R"(,"previous_response_id":")" + id + "\""), master_key);
  REQUIRE(next.status == 200);

  auto reqs = up.requests();
  REQUIRE(reqs.size() == 6);
  CHECK(reqs[1].method == "GET");
  CHECK(reqs[1].target == "/v1/responses/resp_up1");
  CHECK(reqs[2].target == "/v1/responses/resp_up1/input_items?limit=1&order=asc");
  CHECK(reqs[3].method == "POST");
  CHECK(reqs[3].target == "/v1/responses/resp_up1/cancel");
  CHECK(reqs[4].method == "DELETE");
  CHECK(reqs[4].target == "/v1/responses/resp_up1");
  CHECK(json::parse(reqs[5].body)["previous_response_id"] == "resp_up1");
  for (const auto& r : reqs) CHECK(r.header("authorization") == std::string("Bearer ") + upstream_key);
}

TEST_CASE("responses native: forged, foreign and raw upstream ids reach nobody", "[responses][security]") {
  fake_upstream up(native_upstream);
  std::string yaml = "model_list:\n";
  for (const char* name : {"test-model", "other-model"}) {
    yaml += std::string("  - model_name: ") + name + "\n    litellm_params:\n      model: tensormesh/openai/gpt-oss-120b\n";
    yaml += "      api_base: " + up.base_url() + "\n      api_key: " + upstream_key + "\n";
    yaml += std::string("    model_info:\n      id: ") + (name == std::string("test-model") ? "dep-1" : "dep-2") + "\n";
  }
  yaml += std::string("general_settings:\n  master_key: ") + master_key + "\n  disable_spend_logs: true\n";
  gateway_fixture gw(yaml);
  test_client c(gw.port());
  const std::string id = json::parse(c.post_json("/v1/responses", create_body(), master_key).body)["id"];
  REQUIRE(up.request_count() == 1);

  // Minted by this gateway, but for another caller's key.
  const std::string foreign_key = gw.gw().state().response_ids.encode("dep-1", "resp_up1", core::sha256_hex("sk-someone-else"));
  // Minted by a gateway with another master key.
  const std::string other_gateway = translate::response_id_codec(translate::response_id_codec::derive_key("sk-other-master"))
                                        .encode("dep-1", "resp_up1", core::sha256_hex(master_key));
  for (const std::string& bad : {flip_one_char(id), foreign_key, other_gateway, std::string("resp_up1"), std::string("x")}) {
    INFO(bad);
    auto get = c.request("GET", "/v1/responses/" + bad, auth_headers());
    CHECK(get.status == 404);
    CHECK(json::parse(get.body)["error"]["message"].get<std::string>().find("not found") != std::string::npos);
    auto del = c.request("DELETE", "/v1/responses/" + bad, auth_headers());
    CHECK(del.status == 404);
    auto cont = c.post_json("/v1/responses", create_body(R"(,"previous_response_id":")" + bad + "\""), master_key);
    CHECK(cont.status == 400);
    CHECK(json::parse(cont.body)["error"]["param"] == "previous_response_id");
  }
  // A valid id used with another model group would reach another deployment: refused too.
  auto cross = c.post_json("/v1/responses", R"({"model":"other-model","input":"hi","previous_response_id":")" + id + "\"}",
                           master_key);
  CHECK(cross.status == 400);
  CHECK(up.request_count() == 1);  // none of the above reached upstream
}

TEST_CASE("responses native: events are relayed one by one, restamped, and priced", "[responses][stream]") {
  std::vector<std::shared_ptr<gate>> gates;
  for (int i = 0; i < 3; ++i) gates.push_back(std::make_shared<gate>());
  const std::string created = R"({"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","object":"response",
    "created_at":1700000000,"status":"in_progress","model":"openai/gpt-oss-120b","output":[],"usage":null}})";
  const std::string delta1 = R"({"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_up1","output_index":0,"content_index":0,"delta":"Hel"})";
  const std::string delta2 = R"({"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_up1","output_index":0,"content_index":0,"delta":"lo"})";
  const std::string completed = R"({"type":"response.completed","sequence_number":3,"response":{"id":"resp_up1","object":"response",
    "created_at":1700000000,"status":"completed","model":"openai/gpt-oss-120b","output":[{"type":"message","id":"msg_up1",
    "status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello","annotations":[]}]}],
    "usage":{"input_tokens":1000,"output_tokens":500,"total_tokens":1500,"input_tokens_details":{"cached_tokens":200}}}})";
  fake_upstream up([&](const recorded_request&) {
    return reply::sse({step::send(sse_event("response.created", created)), step::wait(gates[0]),
                       step::send(sse_event("response.output_text.delta", delta1)), step::wait(gates[1]),
                       step::send(sse_event("response.output_text.delta", delta2)), step::wait(gates[2]),
                       step::send(sse_event("response.completed", completed))});
  });
  gateway_fixture gw(basic_config(up.base_url(), {}, "litellm_settings:\n  include_cost_in_streaming_usage: true\n"));
  test_client c(gw.port());
  auto head = c.open_stream("/v1/responses", create_body(R"(,"stream":true)"), master_key);
  REQUIRE(head.status == 200);
  CHECK(head.header("content-type") == "text/event-stream");

  // Event n+1 is only produced once the client holds event n: any buffering stalls the test.
  auto ev = c.next_event();
  REQUIRE(ev);
  CHECK(ev->type == "response.created");
  auto j = json::parse(ev->data);
  const std::string id = j["response"]["id"];
  CHECK(id.rfind("resp_", 0) == 0);
  CHECK(id != "resp_up1");
  CHECK(j["response"]["model"] == "test-model");
  gates[0]->open();
  ev = c.next_event();
  REQUIRE(ev);
  CHECK(json::parse(ev->data)["delta"] == "Hel");
  gates[1]->open();
  ev = c.next_event();
  REQUIRE(ev);
  CHECK(json::parse(ev->data)["delta"] == "lo");
  gates[2]->open();
  ev = c.next_event();
  REQUIRE(ev);
  CHECK(ev->type == "response.completed");
  j = json::parse(ev->data);
  CHECK(j["response"]["id"] == id);
  CHECK(j["response"]["usage"]["input_tokens"] == 1000);
  CHECK(j["response"]["usage"]["output_tokens_details"]["reasoning_tokens"] == 0);
  CHECK(j["response"]["usage"]["cost"].get<double>() == Approx(0.00042));
  CHECK(c.read_all_events().empty());
  CHECK(c.trailers()["x-litellm-response-cost"] == "0.00042");

  auto sent = json::parse(up.requests()[0].body);
  CHECK(sent["stream"] == true);
  CHECK(sent["model"] == "openai/gpt-oss-120b");
}

TEST_CASE("responses bridge: a chat-only upstream serves create, stream and previous_response_id", "[responses][bridge]") {
  fake_upstream up([&](const recorded_request& r) {
    if (r.target != "/v1/chat/completions") return reply::json(404, R"({"error":{"message":"no such route"}})");
    auto body = json::parse(r.body);
    if (body.value("stream", false)) {
      return reply::sse({step::send(chat_chunk(R"({"role":"assistant","reasoning_content":"think"})")),
                         step::send(chat_chunk(R"({"content":"Second"})")),
                         step::send(chat_chunk(R"({"content":" answer"})", "\"stop\"")),
                         step::send("data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                                    "\"model\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,"
                                    "\"completion_tokens\":500,\"total_tokens\":1500,"
                                    "\"prompt_tokens_details\":{\"cached_tokens\":200}}}\n\n"),
                         step::send("data: [DONE]\n\n")});
    }
    return reply::json(200, R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"openai/gpt-oss-120b",
      "choices":[{"index":0,"message":{"role":"assistant","content":"First answer"},"finish_reason":"stop"}],
      "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":200}}})");
  });
  gateway_fixture gw(basic_config(up.base_url(), {}, {}, bridge_params));
  test_client c(gw.port());

  auto first = c.post_json("/v1/responses", R"({"model":"test-model","instructions":"be brief","input":"Question one",
    "max_output_tokens":50,"text":{"format":{"type":"json_object"}}})", master_key);
  REQUIRE(first.status == 200);
  auto r1 = json::parse(first.body);
  const std::string id1 = r1["id"];
  CHECK(id1.rfind("resp_", 0) == 0);
  CHECK(r1["object"] == "response");
  CHECK(r1["status"] == "completed");
  CHECK(r1["model"] == "test-model");
  CHECK(r1["output"][0]["type"] == "message");
  CHECK(r1["output"][0]["content"][0]["text"] == "First answer");
  CHECK(r1["usage"]["input_tokens"] == 1000);
  CHECK(first.header("x-litellm-response-cost") == "0.00042");
  auto chat1 = json::parse(up.requests()[0].body);
  CHECK(chat1["model"] == "openai/gpt-oss-120b");
  CHECK(chat1["max_tokens"] == 50);
  CHECK(chat1["response_format"] == json{{"type", "json_object"}});
  CHECK(chat1["messages"] == json::parse(R"([{"role":"system","content":"be brief"},{"role":"user","content":"Question one"}])"));

  // Second turn, streamed, continuing the first through the bridge's conversation store.
  auto head = c.open_stream("/v1/responses",
                            R"({"model":"test-model","stream":true,"input":"Question two","previous_response_id":")" + id1 + "\"}",
                            master_key);
  REQUIRE(head.status == 200);
  auto events = c.read_all_events();
  REQUIRE(events.size() >= 4);
  auto created = json::parse(events.front().data);
  auto done = json::parse(events.back().data);
  CHECK(created["type"] == "response.created");
  CHECK(done["type"] == "response.completed");
  const std::string id2 = created["response"]["id"];
  CHECK(done["response"]["id"] == id2);
  CHECK(id2 != id1);
  CHECK(done["response"]["previous_response_id"] == id1);
  REQUIRE(done["response"]["output"].size() == 2);
  CHECK(done["response"]["output"][0]["type"] == "reasoning");
  CHECK(done["response"]["output"][1]["content"][0]["text"] == "Second answer");
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(json::parse(events[i].data)["sequence_number"] == static_cast<int>(i));
  CHECK(c.trailers()["x-litellm-response-cost"] == "0.00042");
  auto chat2 = json::parse(up.requests()[1].body);
  CHECK(chat2["stream"] == true);
  CHECK(chat2["stream_options"]["include_usage"] == true);
  CHECK(chat2["messages"] == json::parse(R"([{"role":"user","content":"Question one"},
    {"role":"assistant","content":"First answer"},{"role":"user","content":"Question two"}])"));

  // Third turn continues the second: the whole conversation, reasoning carried on the assistant turn.
  test_client c2(gw.port());
  auto third = c2.post_json("/v1/responses", R"({"model":"test-model","input":"Three?","previous_response_id":")" + id2 + "\"}",
                            master_key);
  REQUIRE(third.status == 200);
  auto chat3 = json::parse(up.requests()[2].body);
  REQUIRE(chat3["messages"].size() == 5);
  CHECK(chat3["messages"][3]["content"] == "Second answer");
  CHECK(chat3["messages"][3]["reasoning_content"] == "think");
  CHECK(chat3["messages"][4]["content"] == "Three?");

  // The id routes: nothing to fetch upstream, but DELETE forgets the turn.
  auto get = c2.request("GET", "/v1/responses/" + id1, auth_headers());
  CHECK(get.status == 404);
  CHECK(json::parse(get.body)["error"]["message"].get<std::string>().find("bridge") != std::string::npos);
  auto del = c2.request("DELETE", "/v1/responses/" + id1, auth_headers());
  REQUIRE(del.status == 200);
  CHECK(json::parse(del.body)["deleted"] == true);
  auto gone = c2.post_json("/v1/responses", R"({"model":"test-model","input":"x","previous_response_id":")" + id1 + "\"}",
                           master_key);
  CHECK(gone.status == 400);
  CHECK(json::parse(gone.body)["error"]["message"] == "Previous response with id '" + id1 + "' not found.");
  CHECK(up.request_count() == 3);
}

TEST_CASE("responses bridge: tool calls come back as function_call items and input items go up as chat", "[responses][bridge]") {
  fake_upstream up([](const recorded_request&) {
    return reply::json(200, R"({"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"m",
      "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
        {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
        {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":"tool_calls"}]})");
  });
  gateway_fixture gw(basic_config(up.base_url(), {}, {}, bridge_params));
  test_client c(gw.port());
  auto res = c.post_json("/v1/responses", R"({"model":"test-model","tool_choice":{"type":"function","name":"get_weather"},
    "tools":[{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object"}}],
    "input":[{"role":"user","content":"Weather?"},
             {"type":"function_call","call_id":"call_0","name":"get_weather","arguments":"{}"},
             {"type":"function_call_output","call_id":"call_0","output":"sunny"}]})", master_key);
  REQUIRE(res.status == 200);
  auto r = json::parse(res.body);
  REQUIRE(r["output"].size() == 2);
  CHECK(r["output"][0]["type"] == "function_call");
  CHECK(r["output"][0]["call_id"] == "call_a");
  CHECK(r["output"][0]["arguments"] == "{\"city\":\"Paris\"}");
  CHECK(r["output"][1]["name"] == "get_time");
  CHECK_FALSE(res.has_header("x-litellm-response-cost"));  // no usage reported: no price to state
  auto chat = json::parse(up.requests()[0].body);
  CHECK(chat["tools"][0] == json::parse(R"({"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object"}}})"));
  CHECK(chat["tool_choice"] == json::parse(R"({"type":"function","function":{"name":"get_weather"}})"));
  CHECK(chat["messages"][1]["tool_calls"][0]["id"] == "call_0");
  CHECK(chat["messages"][2] == json::parse(R"({"role":"tool","tool_call_id":"call_0","content":"sunny"})"));

  // An item chat cannot express is refused before anything goes upstream.
  auto bad = c.post_json("/v1/responses", R"({"model":"test-model","input":[{"type":"item_reference","id":"x"}]})", master_key);
  CHECK(bad.status == 400);
  CHECK(up.request_count() == 1);
}

TEST_CASE("responses: bad requests are OpenAI-shaped 400s that never reach upstream", "[responses][errors]") {
  fake_upstream up(native_upstream);
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  auto no_input = c.post_json("/v1/responses", R"({"model":"test-model"})", master_key);
  CHECK(no_input.status == 400);
  CHECK(json::parse(no_input.body)["error"]["param"] == "input");
  auto unknown = c.post_json("/v1/responses", R"({"model":"nope","input":"hi"})", master_key);
  CHECK(unknown.status == 400);
  auto base = c.post_json("/v1/responses", R"({"model":"test-model","input":"hi","api_base":"http://evil"})", master_key);
  CHECK(base.status == 400);
  auto unauth = c.request("GET", "/v1/responses/resp_x", {{"authorization", "Bearer sk-wrong"}});
  CHECK(unauth.status == 401);
  CHECK(up.request_count() == 0);
}
