// GET /v1/models and /v1/models/{id}.
#include <catch2/catch.hpp>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_fixture.hpp"
#include "support/test_client.hpp"

using namespace meshgate;
using namespace meshgate::testing;
using core::json;

TEST_CASE("models are listed in LiteLLM's shape and fetched by id", "[models]") {
  fake_upstream up([](const recorded_request&) { return reply::json(200, "{}"); });
  std::string extra = "  - model_name: openai/gpt-oss-20b\n    litellm_params:\n      model: tensormesh/openai/gpt-oss-20b\n"
                      "      api_key: k\n";
  std::string yaml = basic_config(up.base_url());
  yaml.insert(yaml.find("general_settings:"), extra);
  gateway_fixture gw(yaml);
  test_client c(gw.port());
  const testing::header_list auth{{"Authorization", std::string("Bearer ") + master_key}};
  auto list = c.request("GET", "/v1/models", auth);
  REQUIRE(list.status == 200);
  auto body = json::parse(list.body);
  CHECK(body["object"] == "list");
  REQUIRE(body["data"].size() == 2);
  CHECK(body["data"][0] == json{{"id", "test-model"}, {"object", "model"}, {"created", 1677610602}, {"owned_by", "openai"}});
  CHECK(body["data"][1]["id"] == "openai/gpt-oss-20b");

  auto one = c.request("GET", "/v1/models/openai/gpt-oss-20b", auth);
  CHECK(one.status == 200);
  CHECK(json::parse(one.body)["id"] == "openai/gpt-oss-20b");
  CHECK(c.request("GET", "/models", auth).status == 200);
  CHECK(c.request("GET", "/v1/models/unknown", auth).status == 404);
  CHECK(up.request_count() == 0);
}
