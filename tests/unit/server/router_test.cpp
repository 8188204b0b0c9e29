#include "meshgate/server/router.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using meshgate::server::endpoint;
using meshgate::server::endpoint_name;
using meshgate::server::is_public;
using meshgate::server::match_route;

namespace {

struct route_row {
  std::string method;
  std::string target;
  endpoint ep;
  std::string param;
};

void check_rows(const std::vector<route_row>& rows) {
  for (const auto& r : rows) {
    INFO(r.method << " " << r.target);
    const auto m = match_route(r.method, r.target);
    CHECK(endpoint_name(m.ep) == endpoint_name(r.ep));
    CHECK(m.param == r.param);
  }
}

}  // namespace

TEST_CASE("every documented route matches with and without v1", "[router]") {
  check_rows({
      {"POST", "/v1/chat/completions", endpoint::chat_completions, ""},
      {"POST", "/chat/completions", endpoint::chat_completions, ""},
      {"POST", "/v1/completions", endpoint::completions, ""},
      {"POST", "/completions", endpoint::completions, ""},
      {"POST", "/v1/responses", endpoint::responses_create, ""},
      {"POST", "/responses", endpoint::responses_create, ""},
      {"GET", "/v1/responses/resp_abc123", endpoint::responses_get, "resp_abc123"},
      {"GET", "/responses/resp_abc123", endpoint::responses_get, "resp_abc123"},
      {"DELETE", "/v1/responses/resp_abc123", endpoint::responses_delete, "resp_abc123"},
      {"GET", "/v1/responses/resp_abc123/input_items", endpoint::responses_input_items, "resp_abc123"},
      {"POST", "/v1/responses/resp_abc123/cancel", endpoint::responses_cancel, "resp_abc123"},
      {"POST", "/v1/messages", endpoint::messages, ""},
      {"POST", "/messages", endpoint::messages, ""},
      {"POST", "/v1/messages/count_tokens", endpoint::messages_count_tokens, ""},
      {"POST", "/messages/count_tokens", endpoint::messages_count_tokens, ""},
      {"GET", "/v1/models", endpoint::models_list, ""},
      {"GET", "/models", endpoint::models_list, ""},
      {"GET", "/v1/models/tensormesh-chat", endpoint::model_get, "tensormesh-chat"},
      {"GET", "/models/tensormesh-chat", endpoint::model_get, "tensormesh-chat"},
      {"GET", "/health/liveliness", endpoint::health_liveness, ""},
      {"GET", "/health/liveness", endpoint::health_liveness, ""},
      {"GET", "/health/readiness", endpoint::health_readiness, ""},
      {"GET", "/health", endpoint::health, ""},
      {"GET", "/metrics", endpoint::metrics, ""},
      {"GET", "/spend/logs", endpoint::spend_logs, ""},
  });
}

TEST_CASE("model ids may span several segments and are percent-decoded", "[router]") {
  check_rows({
      {"GET", "/v1/models/openai/gpt-oss-120b", endpoint::model_get, "openai/gpt-oss-120b"},
      {"GET", "/v1/models/Qwen/Qwen3-Coder-30B-A3B-Instruct", endpoint::model_get, "Qwen/Qwen3-Coder-30B-A3B-Instruct"},
      {"GET", "/v1/models/openai%2Fgpt-oss-120b", endpoint::model_get, "openai/gpt-oss-120b"},
      {"GET", "/v1/models/my%20model", endpoint::model_get, "my model"},
      {"GET", "/v1/models/a+b", endpoint::model_get, "a+b"},
      {"GET", "/v1/models/caf%C3%A9", endpoint::model_get, "caf\xC3\xA9"},
      {"GET", "/v1/models/openai/gpt-oss-120b/", endpoint::model_get, "openai/gpt-oss-120b"},
      {"GET", "/v1/models/v1", endpoint::model_get, "v1"},
      {"GET", "/v1/models/models", endpoint::model_get, "models"},
      {"GET", "/v1/responses/resp%5Fx", endpoint::responses_get, "resp_x"},
  });
}

TEST_CASE("engines and azure deployment aliases capture the model", "[router]") {
  check_rows({
      {"POST", "/engines/tensormesh-chat/chat/completions", endpoint::chat_completions, "tensormesh-chat"},
      {"POST", "/engines/tensormesh-chat/completions", endpoint::completions, "tensormesh-chat"},
      {"POST", "/openai/deployments/tensormesh-chat/chat/completions", endpoint::chat_completions, "tensormesh-chat"},
      {"POST", "/openai/deployments/tensormesh-chat/completions", endpoint::completions, "tensormesh-chat"},
      {"POST", "/openai/deployments/tensormesh-chat/chat/completions?api-version=2024-02-01", endpoint::chat_completions,
       "tensormesh-chat"},
      {"POST", "/engines/openai/gpt-oss-120b/chat/completions", endpoint::chat_completions, "openai/gpt-oss-120b"},
      {"POST", "/openai/deployments/openai%2Fgpt-oss-120b/completions", endpoint::completions, "openai/gpt-oss-120b"},
      // The chat form wins over reading "m/chat" as a completions model.
      {"POST", "/engines/m/chat/completions", endpoint::chat_completions, "m"},
      {"POST", "/engines/chat/completions", endpoint::completions, "chat"},
      {"POST", "/engines/completions", endpoint::not_found, ""},
      {"POST", "/engines//chat/completions", endpoint::not_found, ""},
      {"POST", "/v1/engines/m/chat/completions", endpoint::not_found, ""},
  });
}

TEST_CASE("query string and one trailing slash are ignored", "[router]") {
  check_rows({
      {"POST", "/v1/chat/completions/", endpoint::chat_completions, ""},
      {"POST", "/v1/chat/completions?x=1&y=/v1/models", endpoint::chat_completions, ""},
      {"POST", "/v1/chat/completions/?x=1", endpoint::chat_completions, ""},
      {"POST", "/v1/chat/completions#frag", endpoint::chat_completions, ""},
      {"GET", "/v1/models?return_wildcard_routes=true", endpoint::models_list, ""},
      {"GET", "/v1/models/", endpoint::models_list, ""},
      {"GET", "/health/readiness/", endpoint::health_readiness, ""},
      {"GET", "/spend/logs?api_key=abc&start_date=2024-01-01", endpoint::spend_logs, ""},
      {"GET", "/v1/models/a%3Fb?c=d", endpoint::model_get, "a?b"},
      {"POST", "/v1/chat/completions//", endpoint::not_found, ""},
      {"POST", "//v1/chat/completions", endpoint::not_found, ""},
      {"POST", "/v1//chat/completions", endpoint::not_found, ""},
  });
}

TEST_CASE("wrong method on a known path is method_not_allowed", "[router]") {
  check_rows({
      {"GET", "/v1/chat/completions", endpoint::method_not_allowed, ""},
      {"PUT", "/v1/chat/completions", endpoint::method_not_allowed, ""},
      {"post", "/v1/chat/completions", endpoint::method_not_allowed, ""},
      {"POST", "/v1/models", endpoint::method_not_allowed, ""},
      {"POST", "/v1/models/openai/gpt-oss-120b", endpoint::method_not_allowed, ""},
      {"PATCH", "/v1/responses/resp_1", endpoint::method_not_allowed, ""},
      {"GET", "/v1/responses/resp_1/cancel", endpoint::method_not_allowed, ""},
      {"GET", "/v1/messages", endpoint::method_not_allowed, ""},
      {"POST", "/health/liveliness", endpoint::method_not_allowed, ""},
      {"OPTIONS", "/health/liveness", endpoint::method_not_allowed, ""},
      {"DELETE", "/metrics", endpoint::method_not_allowed, ""},
      {"HEAD", "/v1/models", endpoint::method_not_allowed, ""},
      {"", "/v1/chat/completions", endpoint::method_not_allowed, ""},
  });
}

TEST_CASE("HEAD is served as GET on the health routes", "[router]") {
  check_rows({
      {"HEAD", "/health/liveliness", endpoint::health_liveness, ""},
      {"HEAD", "/health/liveness", endpoint::health_liveness, ""},
      {"HEAD", "/health/readiness", endpoint::health_readiness, ""},
      {"HEAD", "/health", endpoint::health, ""},
  });
}

TEST_CASE("unknown paths and odd targets are not_found", "[router]") {
  check_rows({
      {"GET", "", endpoint::not_found, ""},
      {"GET", "*", endpoint::not_found, ""},
      {"OPTIONS", "*", endpoint::not_found, ""},
      {"GET", "/", endpoint::not_found, ""},
      {"GET", "?a=b", endpoint::not_found, ""},
      {"POST", "http://host/v1/chat/completions", endpoint::not_found, ""},
      {"POST", "https://serverless.tensormesh.ai/v1/chat/completions", endpoint::not_found, ""},
      {"CONNECT", "host:443", endpoint::not_found, ""},
      {"POST", "v1/chat/completions", endpoint::not_found, ""},
      {"GET", "/v2/models", endpoint::not_found, ""},
      {"GET", "/V1/models", endpoint::not_found, ""},
      {"POST", "/v1/chat%2Fcompletions", endpoint::not_found, ""},
      {"POST", "/v1/v1/chat/completions", endpoint::not_found, ""},
      {"GET", "/v1/health", endpoint::not_found, ""},
      {"GET", "/v1/metrics", endpoint::not_found, ""},
      {"GET", "/key/generate", endpoint::not_found, ""},
      {"GET", "/health/liveliness/extra", endpoint::not_found, ""},
      {"POST", "/v1/messages/count_tokens/extra", endpoint::not_found, ""},
      {"GET", "/v1/responses/a/b", endpoint::not_found, ""},
      {"POST", "/v1/chat/completions\r\nHost: x", endpoint::not_found, ""},
      {"POST", "/v1/chat/completions x", endpoint::not_found, ""},
      {"POST", "/v1/chat/compl\xC3\xA9tions", endpoint::not_found, ""},
      {"GET", "/v1/models/\xFF", endpoint::not_found, ""},
      {"GET", std::string("/v1/models\0/x", 13), endpoint::not_found, ""},
  });
}

TEST_CASE("path traversal and bad escapes are not_found", "[router]") {
  check_rows({
      {"GET", "/v1/models/../chat/completions", endpoint::not_found, ""},
      {"POST", "/v1/../v1/chat/completions", endpoint::not_found, ""},
      {"POST", "/v1/./chat/completions", endpoint::not_found, ""},
      {"GET", "/v1/models/..", endpoint::not_found, ""},
      {"GET", "/v1/models/.", endpoint::not_found, ""},
      {"GET", "/v1/models/a/../b", endpoint::not_found, ""},
      {"GET", "/v1/models/%2e%2e", endpoint::not_found, ""},
      {"GET", "/v1/models/a%2F..%2Fb", endpoint::not_found, ""},
      {"GET", "/v1/models/%2E", endpoint::not_found, ""},
      {"GET", "/v1/models/%", endpoint::not_found, ""},
      {"GET", "/v1/models/abc%2", endpoint::not_found, ""},
      {"GET", "/v1/models/%zz", endpoint::not_found, ""},
      {"GET", "/v1/models/a%00b", endpoint::not_found, ""},
      {"GET", "/v1/models/a%0D%0Ab", endpoint::not_found, ""},
      {"GET", "/v1/models/a%7Fb", endpoint::not_found, ""},
      {"POST", "/engines/%2e%2e/chat/completions", endpoint::not_found, ""},
      {"DELETE", "/v1/responses/%00", endpoint::not_found, ""},
      // A dot inside a segment is an ordinary character.
      {"GET", "/v1/models/Qwen/Qwen3.5-397B-A17B-FP8", endpoint::model_get, "Qwen/Qwen3.5-397B-A17B-FP8"},
      {"GET", "/v1/models/...", endpoint::model_get, "..."},
  });
}

TEST_CASE("very long and deeply nested targets are handled without crashing", "[router]") {
  std::string deep = "/v1/models";
  for (int i = 0; i < 40; ++i) deep += "/x";
  CHECK(match_route("GET", deep).ep == endpoint::not_found);  // beyond the segment limit

  std::string long_id = "/v1/models/" + std::string(100000, 'a');
  const auto m = match_route("GET", long_id);
  CHECK(m.ep == endpoint::model_get);
  CHECK(m.param.size() == 100000);

  std::string escapes = "/v1/models/";
  for (int i = 0; i < 1000; ++i) escapes += "%41";
  CHECK(match_route("GET", escapes).param == std::string(1000, 'A'));

  CHECK(match_route("GET", std::string(5000, '/')).ep == endpoint::not_found);
  CHECK(match_route("GET", std::string(5000, '?')).ep == endpoint::not_found);
}

TEST_CASE("only liveness and readiness are public", "[router]") {
  CHECK(is_public(endpoint::health_liveness));
  CHECK(is_public(endpoint::health_readiness));
  for (endpoint ep : {endpoint::chat_completions, endpoint::completions, endpoint::responses_create,
                      endpoint::responses_get, endpoint::responses_delete, endpoint::responses_input_items,
                      endpoint::responses_cancel, endpoint::messages, endpoint::messages_count_tokens,
                      endpoint::models_list, endpoint::model_get, endpoint::health, endpoint::metrics,
                      endpoint::spend_logs, endpoint::not_found, endpoint::method_not_allowed}) {
    INFO(endpoint_name(ep));
    CHECK_FALSE(is_public(ep));
  }
}

TEST_CASE("endpoint names are the enumerator names", "[router]") {
  CHECK(endpoint_name(endpoint::chat_completions) == "chat_completions");
  CHECK(endpoint_name(endpoint::responses_input_items) == "responses_input_items");
  CHECK(endpoint_name(endpoint::messages_count_tokens) == "messages_count_tokens");
  CHECK(endpoint_name(endpoint::health_liveness) == "health_liveness");
  CHECK(endpoint_name(endpoint::spend_logs) == "spend_logs");
  CHECK(endpoint_name(endpoint::method_not_allowed) == "method_not_allowed");
}
