// config loader: every refusal, with its exact message and line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "meshgate/config/loader.hpp"

using namespace meshgate::config;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const env_lookup master_only = env_of({{"LITELLM_MASTER_KEY", "sk-test"}});

std::string load_err(std::string_view yaml, const env_lookup& env = master_only) {
  auto r = load_string(yaml, "config.yaml", env);
  if (std::holds_alternative<config>(r)) FAIL("config loaded, an error was expected");
  return std::get<load_error>(r).message;
}

// One valid deployment followed by whatever a test appends (lines 1-4).
std::string with_model(std::string_view rest) {
  return std::string("model_list:\n  - model_name: m\n    litellm_params:\n      model: tensormesh/x\n") +
         std::string(rest);
}

}  // namespace

TEST_CASE("an unset env var names the yaml path and the variable") {
  CHECK(load_err(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
      api_key: os.environ/TENSORMESH_KEY
)") == "config.yaml:5: model_list[0].litellm_params.api_key: environment variable TENSORMESH_KEY is not set");
}

TEST_CASE("an unset env var inside extra_headers names the header's path") {
  CHECK(load_err(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
      extra_headers:
        X-User-Id: os.environ/TENSORMESH_ON_DEMAND_USER_ID
)") == "config.yaml:6: model_list[0].litellm_params.extra_headers.X-User-Id: environment variable "
       "TENSORMESH_ON_DEMAND_USER_ID is not set");
}

TEST_CASE("os.environ/ without a name is an error") {
  CHECK(load_err(with_model("general_settings:\n  master_key: os.environ/\n")) ==
        "config.yaml:6: general_settings.master_key: os.environ/ must be followed by a variable name");
}

TEST_CASE("an os.environ master_key that is unset is an error even with allow_unauthenticated") {
  CHECK(load_err(with_model("general_settings:\n  allow_unauthenticated: true\n  master_key: os.environ/LITELLM_MASTER_KEY\n"),
                 env_of({})) ==
        "config.yaml:7: general_settings.master_key: environment variable LITELLM_MASTER_KEY is not set");
}

TEST_CASE("a missing master key refuses to start with the documented message") {
  CHECK(load_err(with_model(""), env_of({})) ==
        "config.yaml: no master key: set general_settings.master_key or LITELLM_MASTER_KEY (or "
        "general_settings.allow_unauthenticated: true to run without authentication)");
}

TEST_CASE("an empty master key from the environment is a missing master key") {
  CHECK(load_err(with_model("general_settings:\n  master_key: os.environ/MK\n"), env_of({{"MK", ""}})) ==
        "config.yaml:6: general_settings.master_key: no master key: set general_settings.master_key or "
        "LITELLM_MASTER_KEY (or general_settings.allow_unauthenticated: true to run without authentication)");
  CHECK(load_err(with_model(""), env_of({{"LITELLM_MASTER_KEY", ""}})).starts_with("config.yaml: no master key:"));
}

TEST_CASE("allow_unauthenticated: false still requires a master key") {
  CHECK(load_err(with_model("general_settings: {allow_unauthenticated: false}\n"), env_of({}))
            .starts_with("config.yaml: no master key:"));
}

TEST_CASE("a master key with a newline is refused") {
  CHECK(load_err(with_model(""), env_of({{"LITELLM_MASTER_KEY", "sk-abc\n"}})) ==
        "config.yaml: environment variable LITELLM_MASTER_KEY must not contain control characters (it could never "
        "match a request header)");
}

TEST_CASE("a key known in another section says where it belongs") {
  CHECK(load_err(with_model("litellm_settings:\n  drop_params: true\n  master_key: sk-1\n")) ==
        "config.yaml:7: litellm_settings.master_key: belongs in general_settings");
  CHECK(load_err(with_model("general_settings:\n  num_retries: 3\n")) ==
        "config.yaml:6: general_settings.num_retries: belongs in litellm_settings or router_settings");
  CHECK(load_err(with_model("general_settings:\n  json_logs: true\n")) ==
        "config.yaml:6: general_settings.json_logs: belongs in litellm_settings");
  CHECK(load_err(with_model("litellm_settings:\n  timeout: 30\n")) ==
        "config.yaml:6: litellm_settings.timeout: belongs in router_settings");
  CHECK(load_err(with_model("router_settings:\n  request_timeout: 30\n")) ==
        "config.yaml:6: router_settings.request_timeout: belongs in litellm_settings");
}

TEST_CASE("a settings key at the top level says which section it belongs in") {
  CHECK(load_err(with_model("master_key: sk-1\n")) == "config.yaml:5: master_key: belongs in general_settings");
}

TEST_CASE("a section nested inside another block belongs at the top level") {
  CHECK(load_err(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
    general_settings:
      master_key: sk-1
)") == "config.yaml:5: model_list[0].general_settings: belongs at the top level");
  CHECK(load_err(with_model("litellm_settings:\n  router_settings: {}\n")) ==
        "config.yaml:6: litellm_settings.router_settings: belongs at the top level");
}

TEST_CASE("a deployment key in the wrong block names the right block") {
  CHECK(load_err(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
    model_info:
      api_base: https://x/v1
)") == "config.yaml:6: model_list[0].model_info.api_base: belongs in model_list[0].litellm_params");
  CHECK(load_err(R"(model_list:
  - model_name: m
    model: tensormesh/x
    litellm_params: {}
)") == "config.yaml:3: model_list[0].model: belongs in model_list[0].litellm_params");
  CHECK(load_err(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
      id: tm-1
)") == "config.yaml:5: model_list[0].litellm_params.id: belongs in model_list[0].model_info");
  CHECK(load_err(R"(model_list:
  - model_name: m
    input_cost_per_token: 1
    litellm_params: {model: tensormesh/x}
)") == "config.yaml:3: model_list[0].input_cost_per_token: belongs in model_list[0].litellm_params or "
       "model_list[0].model_info");
}

TEST_CASE("model_list must be a non-empty list") {
  const std::string msg = "model_list: must be a non-empty list of deployments";
  CHECK(load_err("general_settings: {master_key: sk}\n") == "config.yaml: " + msg);
  CHECK(load_err("") == "config.yaml: " + msg);
  CHECK(load_err("model_list: []\n") == "config.yaml:1: " + msg);
  CHECK(load_err("model_list:\n") == "config.yaml:1: " + msg);
  CHECK(load_err("model_list:\n  m: {}\n") == "config.yaml:1: " + msg);
}

TEST_CASE("the top level must be a map") {
  CHECK(load_err("- a\n- b\n") ==
        "config.yaml:1: the top level must be a map of sections (model_list, general_settings, ...)");
}

TEST_CASE("a deployment needs model_name, litellm_params and litellm_params.model") {
  CHECK(load_err("model_list:\n  - litellm_params: {model: tensormesh/x}\n") ==
        "config.yaml:2: model_list[0].model_name: is required");
  CHECK(load_err("model_list:\n  - model_name:\n    litellm_params: {model: tensormesh/x}\n") ==
        "config.yaml:2: model_list[0].model_name: is required");
  CHECK(load_err("model_list:\n  - model_name: m\n") == "config.yaml:2: model_list[0].litellm_params: is required");
  CHECK(load_err("model_list:\n  - model_name: m\n    litellm_params:\n      api_key: k\n") ==
        "config.yaml:3: model_list[0].litellm_params.model: is required");
  CHECK(load_err("model_list:\n  - model_name: \"\"\n    litellm_params: {model: tensormesh/x}\n") ==
        "config.yaml:2: model_list[0].model_name: must not be empty");
  CHECK(load_err("model_list:\n  - just-a-string\n") ==
        "config.yaml:2: model_list[0]: must be a map with model_name and litellm_params");
}

TEST_CASE("an unsupported provider is an error") {
  CHECK(load_err("model_list:\n  - model_name: m\n    litellm_params:\n      model: anthropic/claude-3\n") ==
        "config.yaml:4: model_list[0].litellm_params.model: provider 'anthropic' is not supported (use tensormesh/, "
        "hosted_vllm/ or openai/)");
}

TEST_CASE("a model without a provider prefix is an error") {
  CHECK(load_err("model_list:\n  - model_name: m\n    litellm_params:\n      model: gpt-oss-120b\n") ==
        "config.yaml:4: model_list[0].litellm_params.model: 'gpt-oss-120b' has no provider prefix; write "
        "<provider>/<model id>, e.g. tensormesh/openai/gpt-oss-120b");
  CHECK(load_err("model_list:\n  - model_name: m\n    litellm_params:\n      model: tensormesh/\n") ==
        "config.yaml:4: model_list[0].litellm_params.model: 'tensormesh/' names no model after the provider");
}

TEST_CASE("wildcard models are refused") {
  CHECK(load_err("model_list:\n  - model_name: \"*\"\n    litellm_params:\n      model: tensormesh/*\n") ==
        "config.yaml:4: model_list[0].litellm_params.model: wildcard models are not supported; list each model");
}

TEST_CASE("custom_llm_provider must agree with the model prefix") {
  CHECK(load_err(with_model("      custom_llm_provider: openai\n")) ==
        "config.yaml:5: model_list[0].litellm_params.custom_llm_provider: 'openai' does not match the provider "
        "prefix of model ('tensormesh/'); meshgate takes the provider from model");
}

TEST_CASE("hosted_vllm without an api_base is an error") {
  CHECK(load_err("model_list:\n  - model_name: m\n    litellm_params:\n      model: hosted_vllm/llama\n") ==
        "config.yaml:3: model_list[0].litellm_params.api_base: is required for hosted_vllm/ models (or set "
        "HOSTED_VLLM_API_BASE)");
}

TEST_CASE("api_base must be a plain http or https URL") {
  const std::string prefix = "config.yaml:5: model_list[0].litellm_params.api_base: ";
  CHECK(load_err(with_model("      api_base: ftp://x/v1\n")) == prefix + "must be an http:// or https:// URL");
  CHECK(load_err(with_model("      api_base: serverless.tensormesh.ai/v1\n")) ==
        prefix + "must be an http:// or https:// URL");
  CHECK(load_err(with_model("      api_base: https://x y/v1\n")) == prefix + "must be an http:// or https:// URL");
  CHECK(load_err(with_model("      api_base: \"https:///v1\"\n")) ==
        prefix + "must be an http:// or https:// URL with a host");
  CHECK(load_err(with_model("      api_base: https://u:p@x/v1\n")) ==
        prefix + "must not carry credentials (user:password@); use api_key");
  CHECK(load_err(with_model("      api_base: https://x/v1?a=1\n")) == prefix + "must not have a query or fragment");
}

TEST_CASE("a bad base URL from the environment names the variable") {
  CHECK(load_err(with_model(""), env_of({{"LITELLM_MASTER_KEY", "sk"}, {"TENSORMESH_SERVERLESS_BASE_URL", "nope"}})) ==
        "config.yaml:3: model_list[0].litellm_params.api_base: environment variable TENSORMESH_SERVERLESS_BASE_URL "
        "must be an http:// or https:// URL");
}

TEST_CASE("wrong types name the path") {
  CHECK(load_err(with_model("general_settings:\n  - master_key: sk\n")) ==
        "config.yaml:5: general_settings: must be a map");
  CHECK(load_err(with_model("      timeout: soon\n")) ==
        "config.yaml:5: model_list[0].litellm_params.timeout: must be a number of seconds");
  CHECK(load_err(with_model("      timeout: [1]\n")) ==
        "config.yaml:5: model_list[0].litellm_params.timeout: must be a number of seconds");
  CHECK(load_err(with_model("      timeout: 0\n")) ==
        "config.yaml:5: model_list[0].litellm_params.timeout: must be greater than 0 and at most 31536000 seconds");
  CHECK(load_err(with_model("      max_retries: 1.5\n")) ==
        "config.yaml:5: model_list[0].litellm_params.max_retries: must be a whole number");
  CHECK(load_err(with_model("router_settings: {num_retries: -1}\n")) ==
        "config.yaml:5: router_settings.num_retries: must be between 0 and 100");
  CHECK(load_err(with_model("      ssl_verify: /etc/ssl/ca.pem\n")) ==
        "config.yaml:5: model_list[0].litellm_params.ssl_verify: must be true or false");
  CHECK(load_err(with_model("      extra_headers: [X-A]\n")) ==
        "config.yaml:5: model_list[0].litellm_params.extra_headers: must be a map");
  CHECK(load_err(with_model("      api_key: {a: b}\n")) ==
        "config.yaml:5: model_list[0].litellm_params.api_key: must be a string");
  CHECK(load_err(with_model("      input_cost_per_token: cheap\n")) ==
        "config.yaml:5: model_list[0].litellm_params.input_cost_per_token: must be a number (USD per token)");
  CHECK(load_err(with_model("      output_cost_per_token: -1e-7\n")) ==
        "config.yaml:5: model_list[0].litellm_params.output_cost_per_token: must not be negative");
  CHECK(load_err(with_model("general_settings: {max_request_size_mb: 0}\n")) ==
        "config.yaml:5: general_settings.max_request_size_mb: must be greater than 0 and at most 1048576 megabytes");
  CHECK(load_err(with_model("general_settings: {spend_logs_path: \"\"}\n")) ==
        "config.yaml:5: general_settings.spend_logs_path: must not be empty");
  CHECK(load_err(with_model("general_settings: {litellm_key_header_name: \"my key\"}\n")) ==
        "config.yaml:5: general_settings.litellm_key_header_name: is not a valid HTTP header name");
  CHECK(load_err(with_model("litellm_settings: {json_logs: maybe}\n")) ==
        "config.yaml:5: litellm_settings.json_logs: must be true or false");
  CHECK(load_err(with_model("general_settings: {stream_idle_timeout: .inf}\n")) ==
        "config.yaml:5: general_settings.stream_idle_timeout: must be a number of seconds");
}

TEST_CASE("responses_mode and health_check_mode accept only their values") {
  CHECK(load_err(with_model("      responses_mode: translate\n")) ==
        "config.yaml:5: model_list[0].litellm_params.responses_mode: must be native or bridge");
  CHECK(load_err(with_model("    model_info:\n      health_check_mode: ping\n")) ==
        "config.yaml:6: model_list[0].model_info.health_check_mode: must be chat (or omitted for the free GET "
        "/models probe)");
}

TEST_CASE("extra_headers refuse framing headers, credentials and line breaks") {
  CHECK(load_err(with_model("      extra_headers: {Content-Length: 5}\n")) ==
        "config.yaml:5: model_list[0].litellm_params.extra_headers.Content-Length: is set by meshgate; remove it");
  CHECK(load_err(with_model("      extra_headers: {Authorization: Bearer x}\n")) ==
        "config.yaml:5: model_list[0].litellm_params.extra_headers.Authorization: the upstream credential comes from "
        "litellm_params.api_key; remove it");
  CHECK(load_err(with_model("      extra_headers: {\"X A\": v}\n")) ==
        "config.yaml:5: model_list[0].litellm_params.extra_headers.X A: is not a valid HTTP header name");
  CHECK(load_err(with_model("      extra_headers: {X-A: \"v\\r\\nX-Evil: 1\"}\n")) ==
        "config.yaml:5: model_list[0].litellm_params.extra_headers.X-A: must not contain CR, LF or NUL");
  CHECK(load_err(with_model("      extra_headers:\n        X-A: 1\n        x-a: 2\n")) ==
        "config.yaml:7: model_list[0].litellm_params.extra_headers.x-a: duplicate header (also at line 6)");
  CHECK(load_err(with_model("      extra_headers: {X-A: }\n")) ==
        "config.yaml:5: model_list[0].litellm_params.extra_headers.X-A: must be a string");
}

TEST_CASE("an api_key with a line break is refused without echoing it") {
  CHECK(load_err(with_model("      api_key: \"sk-1\\n\"\n")) ==
        "config.yaml:5: model_list[0].litellm_params.api_key: must not contain CR, LF or NUL");
}

TEST_CASE("duplicate keys are an error naming both lines") {
  CHECK(load_err(with_model("general_settings:\n  master_key: a\n  master_key: b\n")) ==
        "config.yaml:7: general_settings.master_key: duplicate key (first at line 6)");
}

TEST_CASE("duplicate model_info ids are an error") {
  CHECK(load_err(R"(model_list:
  - model_name: a
    litellm_params: {model: tensormesh/x}
    model_info: {id: same}
  - model_name: b
    litellm_params: {model: tensormesh/y}
    model_info:
      id: same
)") == "config.yaml:8: model_list[1].model_info.id: duplicate id 'same' (also model_list[0])");
}

TEST_CASE("model_group_alias must point at an existing model_name") {
  CHECK(load_err(with_model("router_settings:\n  model_group_alias:\n    fast: nope\n")) ==
        "config.yaml:7: router_settings.model_group_alias.fast: no model_list entry has model_name 'nope'");
  CHECK(load_err(with_model("router_settings:\n  model_group_alias:\n    m: m\n")) ==
        "config.yaml:7: router_settings.model_group_alias.m: 'm' is already a model_name; an alias must be a new name");
  CHECK(load_err(with_model("router_settings:\n  model_group_alias:\n    fast: [m]\n")) ==
        "config.yaml:7: router_settings.model_group_alias.fast: must be a model_name or a map with model");
  CHECK(load_err(with_model("router_settings:\n  model_group_alias:\n    fast: {hidden: true}\n")) ==
        "config.yaml:7: router_settings.model_group_alias.fast.model: is required");
}

TEST_CASE("environment_variables values must be scalars") {
  CHECK(load_err(with_model("environment_variables:\n  A: [1]\n")) ==
        "config.yaml:6: environment_variables.A: must be a string");
  CHECK(load_err(with_model("environment_variables:\n  A:\n")) ==
        "config.yaml:6: environment_variables.A: must be a string");
  CHECK(load_err(with_model("environment_variables:\n  B: os.environ/NOT_SET_ANYWHERE\n")) ==
        "config.yaml:6: environment_variables.B: environment variable NOT_SET_ANYWHERE is not set");
}

TEST_CASE("a bad GRACEFUL_SHUTDOWN_TIMEOUT is an error") {
  const std::string msg =
      "config.yaml: environment variable GRACEFUL_SHUTDOWN_TIMEOUT must be a number of seconds between 0 and 31536000";
  CHECK(load_err(with_model(""), env_of({{"LITELLM_MASTER_KEY", "sk"}, {"GRACEFUL_SHUTDOWN_TIMEOUT", "soon"}})) == msg);
  CHECK(load_err(with_model(""), env_of({{"LITELLM_MASTER_KEY", "sk"}, {"GRACEFUL_SHUTDOWN_TIMEOUT", "-1"}})) == msg);
}

TEST_CASE("a YAML syntax error gives its line") {
  CHECK(load_err("model_list:\n  - model_name: m\n    litellm_params: [a, b\n") ==
        "config.yaml:4: invalid YAML: end of sequence flow not found (column 1)");
  CHECK(load_err("model_list:\n\t- model_name: m\n").starts_with("config.yaml:2: invalid YAML: "));
}

TEST_CASE("a second YAML document is refused, not silently dropped") {
  CHECK(load_err(with_model("---\ngeneral_settings: {master_key: sk}\n")) ==
        "config.yaml:6: the file holds more than one YAML document (---); use one");
  auto trailing = load_string(with_model("---\n"), "config.yaml", master_only);
  CHECK(std::holds_alternative<config>(trailing));
}

TEST_CASE("YAML that stalls yaml-cpp's parser is an error, not a hang") {
  // A stray top-level ',' makes yaml-cpp 0.7 report empty documents forever without consuming
  // anything (yaml-cpp issue #1040); LoadAll then never returns. Found by tests/fuzz/config_loader.
  CHECK(load_err(",!mode# E").starts_with("config.yaml:1: invalid YAML: "));
  CHECK(load_err(",").starts_with("config.yaml:1: invalid YAML: "));
  // Empty documents after the first are still fine, and a later one with content still refused.
  CHECK(std::holds_alternative<config>(load_string(with_model("---\n---\n---\n"), "config.yaml", master_only)));
  CHECK(load_err(with_model("---\n---\nx: 1\n")) ==
        "config.yaml:7: the file holds more than one YAML document (---); use one");
}

TEST_CASE("a broken merge key is an error") {
  CHECK(load_err(with_model("general_settings:\n  <<: [1]\n")) ==
        "config.yaml:6: general_settings.<<: must be a map or a list of maps");
}

TEST_CASE("load_file reports an unreadable path") {
  auto r = load_file("/nonexistent/meshgate/config.yaml", master_only);
  REQUIRE(std::holds_alternative<load_error>(r));
  CHECK(std::get<load_error>(r).message.starts_with("/nonexistent/meshgate/config.yaml: cannot read the config file: "));
  auto dir = load_file(std::filesystem::temp_directory_path().string(), master_only);
  REQUIRE(std::holds_alternative<load_error>(dir));
  CHECK(std::get<load_error>(dir).message.ends_with(": cannot read the config file: not a regular file"));
}

TEST_CASE("the shipped config refuses to start without LITELLM_MASTER_KEY") {
  const auto path = (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "config/config.yaml").string();
  auto r = load_file(path, env_of({}));
  REQUIRE(std::holds_alternative<load_error>(r));
  const std::string& msg = std::get<load_error>(r).message;
  CHECK(msg.starts_with(path + ":"));
  CHECK(msg.ends_with(": general_settings.master_key: environment variable LITELLM_MASTER_KEY is not set"));
}

TEST_CASE("an alias bomb in litellm_params cannot blow up the deployment id") {
  std::string yaml = "x: &l0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i <= 8; ++i)
    yaml += "y" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]\n";
  const std::string deployment = "model_list:\n  - model_name: m\n    litellm_params:\n      model: tensormesh/x\n      tags: *l8\n";
  CHECK(load_err(yaml + deployment) ==
        "config.yaml:12: model_list[0].litellm_params: too large to derive a deployment id from; set model_info.id");
  auto with_id = load_string(yaml + deployment + "    model_info: {id: m-1}\n", "config.yaml", master_only);
  REQUIRE(std::holds_alternative<config>(with_id));
  CHECK(std::get<config>(with_id).deployments[0].id == "m-1");
}

TEST_CASE("absurdly deep nesting is a YAML error, not a crash") {
  const std::string deep = "model_list: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  CHECK(load_err(deep).starts_with("config.yaml:1: invalid YAML: "));
}
