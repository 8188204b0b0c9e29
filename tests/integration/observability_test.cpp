// Cost on every route, the spend log read back through /spend/logs, /health probes, /metrics.
#include <filesystem>

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
const char* chat_reply = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"x",
"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":200}}})";
const std::string chat_body = R"({"model":"test-model","user":"alice","messages":[{"role":"user","content":"hi"}]})";

std::string temp_db() {
  return (std::filesystem::temp_directory_path() / ("meshgate-spend-" + core::new_uuid() + ".db")).string();
}
}  // namespace

TEST_CASE("spend rows are written and read back through /spend/logs", "[spend]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  const std::string db = temp_db();
  const std::string general = "  spend_logs_path: " + db + "\n";
  {
    gateway_fixture gw(basic_config(up.base_url(), general));
    test_client c(gw.port());
    auto res = c.post_json("/v1/chat/completions", chat_body, master_key);
    REQUIRE(res.status == 200);
    CHECK(res.header("x-litellm-response-cost") == "0.00042");
    CHECK(c.post_json("/v1/chat/completions", R"({"model":"test-model","messages":"oops"})", master_key).status == 400);
  }  // stopping the gateway flushes the queue
  gateway_fixture again(basic_config(up.base_url(), general));
  test_client c(again.port());
  const testing::header_list auth{{"Authorization", std::string("Bearer ") + master_key}};
  auto logs = c.request("GET", "/spend/logs", auth);
  REQUIRE(logs.status == 200);
  auto rows = json::parse(logs.body);
  REQUIRE(rows.size() == 1);  // the 400 never reached a deployment: no row
  CHECK(rows[0]["spend"] == Approx(0.00042));
  CHECK(rows[0]["prompt_tokens"] == 1000);
  CHECK(rows[0]["completion_tokens"] == 500);
  CHECK(rows[0]["model_group"] == "test-model");
  CHECK(rows[0]["model"] == "openai/gpt-oss-120b");
  CHECK(rows[0]["model_id"] == "dep-1");
  CHECK(rows[0]["user"] == "alice");
  CHECK(rows[0]["status"] == "success");
  CHECK(rows[0]["call_type"] == "acompletion");
  CHECK(rows[0]["api_key"] == core::sha256_hex(master_key));
  CHECK(logs.body.find(master_key) == std::string::npos);

  auto by_key = c.request("GET", std::string("/spend/logs?api_key=") + master_key, auth);
  CHECK(json::parse(by_key.body).size() == 1);
  auto other = c.request("GET", "/spend/logs?api_key=sk-someone-else", auth);
  CHECK(json::parse(other.body).empty());
  auto bad_date = c.request("GET", "/spend/logs?start_date=yesterday", auth);
  CHECK(bad_date.status == 400);
  std::filesystem::remove(db);
}

TEST_CASE("/health reports a healthy and an unreachable deployment without billing", "[health]") {
  fake_upstream up([](const recorded_request& r) {
    return r.target == "/v1/models" ? reply::json(200, R"({"object":"list","data":[]})") : reply::json(500, "{}");
  });
  std::string yaml = basic_config(up.base_url());
  yaml.insert(yaml.find("general_settings:"),
              "  - model_name: broken\n    litellm_params:\n      model: tensormesh/openai/gpt-oss-20b\n      api_base: http://127.0.0.1:" +
                  std::to_string(closed_port()) + "/v1\n      api_key: other-secret\n");
  gateway_fixture gw(yaml);
  test_client c(gw.port());
  auto res = c.request("GET", "/health", {{"Authorization", std::string("Bearer ") + master_key}});
  REQUIRE(res.status == 200);
  auto h = json::parse(res.body);
  CHECK(h["healthy_count"] == 1);
  CHECK(h["unhealthy_count"] == 1);
  CHECK(h["healthy_endpoints"][0]["model_name"] == "test-model");
  CHECK(h["unhealthy_endpoints"][0]["model_name"] == "broken");
  CHECK(h["unhealthy_endpoints"][0]["error"].get<std::string>().find("127.0.0.1") != std::string::npos);
  CHECK(res.body.find(upstream_key) == std::string::npos);
  CHECK(res.body.find("other-secret") == std::string::npos);
  REQUIRE(up.request_count() == 1);
  CHECK(up.requests()[0].method == "GET");
  CHECK(up.requests()[0].header("authorization") == std::string("Bearer ") + upstream_key);
}

TEST_CASE("/metrics is Prometheus text counting the requests just made", "[metrics]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, chat_reply); });
  gateway_fixture gw(basic_config(up.base_url()));
  test_client c(gw.port());
  REQUIRE(c.post_json("/v1/chat/completions", chat_body, master_key).status == 200);
  REQUIRE(c.post_json("/v1/chat/completions", chat_body, master_key).status == 200);
  CHECK(c.request("GET", "/metrics").status == 401);
  auto m = c.request("GET", "/metrics", {{"Authorization", std::string("Bearer ") + master_key}});
  REQUIRE(m.status == 200);
  CHECK(m.header("content-type").find("text/plain") == 0);
  CHECK(m.body.find("meshgate_requests_total{route=\"chat_completions\",model=\"test-model\",status=\"200\"} 2\n") !=
        std::string::npos);
  CHECK(m.body.find("meshgate_prompt_tokens_total{model=\"test-model\"} 2000\n") != std::string::npos);
  CHECK(m.body.find("meshgate_overhead_duration_seconds_count{route=\"chat_completions\"} 2\n") != std::string::npos);
  // Every line is a comment or `name{labels} value`.
  std::size_t pos = 0;
  while (pos < m.body.size()) {
    const auto end = m.body.find('\n', pos);
    const std::string line = m.body.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    CHECK_NOTHROW(std::stod(line.substr(space + 1)));
  }
}
