// config loader: what a valid config turns into (errors are in loader_errors_test.cpp).
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

config load_ok(std::string_view yaml, const env_lookup& env = master_only) {
  auto r = load_string(yaml, "config.yaml", env);
  if (const auto* e = std::get_if<load_error>(&r)) FAIL("unexpected load error: " << e->message);
  return std::get<config>(std::move(r));
}

std::filesystem::path repo_root() { return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".."; }

constexpr std::string_view one_model = R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/openai/gpt-oss-120b
)";

}  // namespace

TEST_CASE("every key meshgate uses round-trips from a full config file") {
  auto r = load_file((repo_root() / "tests/fixtures/config/full.yaml").string(),
                     env_of({{"OUTER_TENANT", "tenant-7"}, {"LITELLM_MASTER_KEY", "sk-env-loses"}}));
  if (const auto* e = std::get_if<load_error>(&r)) FAIL(e->message);
  const config& c = std::get<config>(r);

  REQUIRE(c.deployments.size() == 2);
  const deployment& a = c.deployments[0];
  CHECK(a.model_name == "gpt-oss");
  CHECK(a.model == "tensormesh/openai/gpt-oss-120b");
  CHECK(a.provider == "tensormesh");
  CHECK(a.upstream_model == "openai/gpt-oss-120b");
  CHECK(a.api_base == "https://tm.example.com/v1");
  CHECK(a.api_key == "tm-secret");
  CHECK(a.api_key_env == "TM_KEY");
  using headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(a.extra_headers == headers{{"X-User-Id", "tenant-7"}, {"X-Trace", "on"}});
  CHECK(a.timeout_s == 42.5);
  CHECK(a.stream_timeout_s == 30);
  CHECK(a.max_retries == 1);
  CHECK_FALSE(a.ssl_verify);
  CHECK(a.responses_mode == "bridge");
  CHECK(a.input_cost_per_token == 3e-7);
  CHECK(a.output_cost_per_token == 1.2e-6);
  CHECK(a.cache_read_input_token_cost == 0);
  CHECK(a.id == "tm-gptoss-1");
  CHECK(a.mode == "completion");
  CHECK(a.base_model == "tensormesh/openai/gpt-oss-20b");
  CHECK(a.health_check_mode == "chat");
  CHECK(a.health_check_timeout_s == 5);

  const deployment& b = c.deployments[1];
  CHECK(b.provider == "hosted_vllm");
  CHECK(b.upstream_model == "served-model");
  CHECK(b.api_base == "http://10.0.0.7:8000/v1");
  CHECK(b.api_key.empty());
  CHECK(b.api_key_env == "HOSTED_VLLM_API_KEY");
  CHECK(b.input_cost_per_token == 1e-7);
  CHECK(b.output_cost_per_token == 2e-7);
  CHECK(b.id.size() == 64);
  CHECK(c.model_group_count() == 1);

  const settings& g = c.general;
  CHECK(g.master_key == "sk-from-yaml");
  CHECK_FALSE(g.allow_unauthenticated);
  CHECK(g.max_request_size_bytes == 8ull << 20);
  CHECK(g.max_response_size_bytes == 512ull << 10);
  CHECK(g.disable_spend_logs);
  CHECK(g.spend_logs_path == "/var/lib/meshgate/spend.db");
  CHECK(g.database_url == "postgresql://u@db/spend");
  CHECK(g.key_header_name == "x-my-key");
  CHECK(g.num_retries == 1);
  CHECK(g.json_logs);
  CHECK(g.include_cost_in_streaming_usage);
  CHECK(g.model_group_alias == headers{{"oss", "gpt-oss"}});
  CHECK(g.timeout.connect == 3);
  CHECK(g.timeout.request == 120);
  CHECK(g.timeout.stream == 60);
  CHECK(g.timeout.stream_idle == 45);
  CHECK(g.timeout.downstream_read == 11);
  CHECK(g.timeout.downstream_write == 12);
  CHECK(g.timeout.keepalive_idle == 90);
  CHECK(g.timeout.health_check == 7);
  CHECK(g.timeout.graceful_shutdown == 30);

  CHECK(c.environment_variables == headers{{"TM_KEY", "tm-secret"}, {"TENANT", "tenant-7"}});
  CHECK(c.ignored_keys == std::vector<std::string>{"model_list[0].litellm_params.rpm",
                                                   "model_list[0].model_info.max_input_tokens",
                                                   "general_settings.background_health_checks",
                                                   "litellm_settings.callbacks", "router_settings.routing_strategy",
                                                   "guardrails"});
  CHECK(c.source_path.ends_with("full.yaml"));
}

TEST_CASE("a minimal deployment gets the tensormesh defaults and every setting its default") {
  const config c = load_ok(one_model);
  REQUIRE(c.deployments.size() == 1);
  const deployment& d = c.deployments[0];
  CHECK(d.provider == "tensormesh");
  CHECK(d.upstream_model == "openai/gpt-oss-120b");
  CHECK(d.api_base == "https://serverless.tensormesh.ai/v1");
  CHECK(d.api_key.empty());
  CHECK(d.api_key_env == "TENSORMESH_INFERENCE_API_KEY");
  CHECK(d.extra_headers.empty());
  CHECK_FALSE(d.timeout_s);
  CHECK_FALSE(d.stream_timeout_s);
  CHECK_FALSE(d.max_retries);
  CHECK(d.ssl_verify);
  CHECK(d.mode == "chat");
  CHECK(d.health_check_mode.empty());
  CHECK_FALSE(d.health_check_timeout_s);
  CHECK(d.responses_mode == "native");
  CHECK_FALSE(d.input_cost_per_token);
  CHECK_FALSE(d.output_cost_per_token);
  CHECK_FALSE(d.cache_read_input_token_cost);
  CHECK(d.base_model.empty());

  const settings& g = c.general;
  CHECK(g.master_key == "sk-test");
  CHECK(g.max_request_size_bytes == 32ull << 20);
  CHECK(g.max_response_size_bytes == 64ull << 20);
  CHECK(g.num_retries == 2);
  CHECK(g.spend_logs_path == "./meshgate.db");
  CHECK(g.database_url.empty());
  CHECK(g.key_header_name.empty());
  CHECK_FALSE(g.json_logs);
  CHECK_FALSE(g.disable_spend_logs);
  CHECK(g.timeout.connect == 10);
  CHECK(g.timeout.request == 600);
  CHECK(g.timeout.stream == 600);
  CHECK(g.timeout.stream_idle == 120);
  CHECK(g.timeout.downstream_read == 30);
  CHECK(g.timeout.downstream_write == 60);
  CHECK(g.timeout.keepalive_idle == 75);
  CHECK(g.timeout.health_check == 10);
  CHECK(g.timeout.graceful_shutdown == 30);
  CHECK(c.ignored_keys.empty());
  CHECK(c.environment_variables.empty());
  CHECK(c.source_path == "config.yaml");
}

TEST_CASE("only the first segment of litellm_params.model names the provider") {
  const config c = load_ok(R"(model_list:
  - model_name: a
    litellm_params: {model: tensormesh/Qwen/Qwen3-Coder-30B-A3B-Instruct}
  - model_name: b
    litellm_params: {model: tensormesh/served-coding-model}
  - model_name: c
    litellm_params: {model: openai/gpt-4o}
)");
  CHECK(c.deployments[0].upstream_model == "Qwen/Qwen3-Coder-30B-A3B-Instruct");
  CHECK(c.deployments[1].upstream_model == "served-coding-model");
  CHECK(c.deployments[2].provider == "openai");
  CHECK(c.deployments[2].upstream_model == "gpt-4o");
  CHECK(c.model_group_count() == 3);
}

TEST_CASE("tensormesh base and key come from the environment when litellm_params has none") {
  const config c = load_ok(one_model, env_of({{"LITELLM_MASTER_KEY", "sk"},
                                              {"TENSORMESH_SERVERLESS_BASE_URL", "https://eu.tensormesh.example/v1/"},
                                              {"TENSORMESH_INFERENCE_API_KEY", "tm-env-key"}}));
  CHECK(c.deployments[0].api_base == "https://eu.tensormesh.example/v1");
  CHECK(c.deployments[0].api_key == "tm-env-key");
  CHECK(c.deployments[0].api_key_env == "TENSORMESH_INFERENCE_API_KEY");
}

TEST_CASE("litellm_params api_base and api_key win over the provider's environment") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
      api_base: http://127.0.0.1:9000/v1//
      api_key: literal-key
)",
                           env_of({{"LITELLM_MASTER_KEY", "sk"},
                                   {"TENSORMESH_SERVERLESS_BASE_URL", "https://other/v1"},
                                   {"TENSORMESH_INFERENCE_API_KEY", "env-key"}}));
  CHECK(c.deployments[0].api_base == "http://127.0.0.1:9000/v1");
  CHECK(c.deployments[0].api_key == "literal-key");
  CHECK(c.deployments[0].api_key_env.empty());
}

TEST_CASE("an empty literal api_key falls back to the provider's variable") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x, api_key: "", api_base: ""}
)",
                           env_of({{"LITELLM_MASTER_KEY", "sk"}, {"TENSORMESH_INFERENCE_API_KEY", "env-key"}}));
  CHECK(c.deployments[0].api_key == "env-key");
  CHECK(c.deployments[0].api_base == "https://serverless.tensormesh.ai/v1");
}

TEST_CASE("an os.environ api_key that is set but empty stays empty and names its variable") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x, api_key: os.environ/MY_TM_KEY}
)",
                           env_of({{"LITELLM_MASTER_KEY", "sk"}, {"MY_TM_KEY", ""}, {"TENSORMESH_INFERENCE_API_KEY", "other"}}));
  CHECK(c.deployments[0].api_key.empty());
  CHECK(c.deployments[0].api_key_env == "MY_TM_KEY");
}

TEST_CASE("openai deployments default to api.openai.com and OPENAI_API_KEY") {
  const std::string_view yaml = R"(model_list:
  - model_name: m
    litellm_params: {model: openai/gpt-4o-mini}
)";
  const config c = load_ok(yaml, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"OPENAI_API_KEY", "oa"}}));
  CHECK(c.deployments[0].api_base == "https://api.openai.com/v1");
  CHECK(c.deployments[0].api_key == "oa");
  CHECK(c.deployments[0].api_key_env == "OPENAI_API_KEY");
  const config via_env = load_ok(yaml, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"OPENAI_API_BASE", "http://proxy:1/v1"}}));
  CHECK(via_env.deployments[0].api_base == "http://proxy:1/v1");
}

TEST_CASE("hosted_vllm takes its api_base from HOSTED_VLLM_API_BASE when litellm_params has none") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: hosted_vllm/meta/llama}
)",
                           env_of({{"LITELLM_MASTER_KEY", "sk"}, {"HOSTED_VLLM_API_BASE", "http://vllm:8000/v1/"}}));
  CHECK(c.deployments[0].api_base == "http://vllm:8000/v1");
  CHECK(c.deployments[0].upstream_model == "meta/llama");
}

TEST_CASE("os.environ references resolve anywhere meshgate reads a value") {
  const config c = load_ok(R"(model_list:
  - model_name: os.environ/ALIAS
    litellm_params:
      model: os.environ/MODEL
      timeout: os.environ/TIMEOUT
      input_cost_per_token: os.environ/PRICE
general_settings:
  master_key: os.environ/MY_MASTER
  disable_spend_logs: os.environ/NO_SPEND
)",
                           env_of({{"ALIAS", "fast"},
                                   {"MODEL", "tensormesh/openai/gpt-oss-20b"},
                                   {"TIMEOUT", "15"},
                                   {"PRICE", "7e-08"},
                                   {"MY_MASTER", "sk-m"},
                                   {"NO_SPEND", "true"}}));
  const deployment& d = c.deployments[0];
  CHECK(d.model_name == "fast");
  CHECK(d.upstream_model == "openai/gpt-oss-20b");
  CHECK(d.timeout_s == 15);
  CHECK(d.input_cost_per_token == 7e-8);
  CHECK(c.general.master_key == "sk-m");
  CHECK(c.general.disable_spend_logs);
}

TEST_CASE("os.environ inside extra_headers resolves per header") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/served-coding-model
      api_base: https://ondemand.example/v1
      extra_headers: {X-User-Id: os.environ/TENSORMESH_ON_DEMAND_USER_ID, X-Plain: 42}
)",
                           env_of({{"LITELLM_MASTER_KEY", "sk"}, {"TENSORMESH_ON_DEMAND_USER_ID", "7d1c"}}));
  using headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(c.deployments[0].extra_headers == headers{{"X-User-Id", "7d1c"}, {"X-Plain", "42"}});
}

TEST_CASE("litellm_params.headers merge into extra_headers, extra_headers winning") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
      headers: {X-A: from-headers, X-B: b}
      extra_headers: {x-a: from-extra, X-C: c}
)");
  using headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(c.deployments[0].extra_headers == headers{{"x-a", "from-extra"}, {"X-B", "b"}, {"X-C", "c"}});
}

TEST_CASE("environment_variables feed os.environ resolution and are returned") {
  const config c = load_ok(R"(environment_variables:
  TM_KEY: from-section
  PORT_NUM: 8080
model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x, api_key: os.environ/TM_KEY}
)",
                           env_of({{"LITELLM_MASTER_KEY", "sk"}, {"TM_KEY", "from-process"}}));
  CHECK(c.deployments[0].api_key == "from-section");
  CHECK(c.deployments[0].api_key_env == "TM_KEY");
  using vars = std::vector<std::pair<std::string, std::string>>;
  CHECK(c.environment_variables == vars{{"TM_KEY", "from-section"}, {"PORT_NUM", "8080"}});
}

TEST_CASE("environment_variables also provide the master key and the provider's variables") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x}
environment_variables:
  LITELLM_MASTER_KEY: sk-section
  TENSORMESH_INFERENCE_API_KEY: tm-section
  TENSORMESH_SERVERLESS_BASE_URL: http://local:1/v1
  DATABASE_URL: postgresql://db/x
  GRACEFUL_SHUTDOWN_TIMEOUT: "5"
)",
                           env_of({}));
  CHECK(c.general.master_key == "sk-section");
  CHECK(c.deployments[0].api_key == "tm-section");
  CHECK(c.deployments[0].api_base == "http://local:1/v1");
  CHECK(c.general.database_url == "postgresql://db/x");
  CHECK(c.general.timeout.graceful_shutdown == 5);
}

TEST_CASE("an ignored key is listed by its yaml path and not acted on") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x, rpm: 10, temperature: 0.2}
    model_info: {supports_vision: true, access_groups: [a]}
    extra_entry_key: 1
general_settings:
  master_key: sk
  background_health_checks: true
  totally_unknown: 1
litellm_settings:
  drop_params: true
  allowed_fails: 3
  callbacks: [langfuse]
router_settings:
  routing_strategy: least-busy
  cooldown_time: 5
  model_group_alias: {long: {model: m, hidden: true}}
callback_settings: {}
include: [other.yaml]
)");
  CHECK(c.ignored_keys == std::vector<std::string>{
                              "model_list[0].extra_entry_key",
                              "model_list[0].litellm_params.rpm",
                              "model_list[0].litellm_params.temperature",
                              "model_list[0].model_info.supports_vision",
                              "model_list[0].model_info.access_groups",
                              "general_settings.background_health_checks",
                              "general_settings.totally_unknown",
                              "litellm_settings.drop_params",
                              "litellm_settings.allowed_fails",
                              "litellm_settings.callbacks",
                              "router_settings.routing_strategy",
                              "router_settings.cooldown_time",
                              "router_settings.model_group_alias.long.hidden",
                              "callback_settings",
                              "include",
                          });
  using aliases = std::vector<std::pair<std::string, std::string>>;
  CHECK(c.general.model_group_alias == aliases{{"long", "m"}});
}

TEST_CASE("ignored values are not resolved, so an unset os.environ there is harmless") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x}
litellm_settings:
  cache_params: {password: os.environ/REDIS_PASSWORD_NOT_SET}
)");
  CHECK(c.ignored_keys == std::vector<std::string>{"litellm_settings.cache_params"});
}

TEST_CASE("generated deployment ids are stable 64-hex hashes of the entry as written") {
  const std::string_view yaml = R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x, api_key: os.environ/K}
  - model_name: m
    litellm_params: {model: tensormesh/y, api_key: os.environ/K}
  - model_name: n
    litellm_params: {model: tensormesh/x, api_key: os.environ/K}
)";
  const config first = load_ok(yaml, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"K", "one"}}));
  const config again = load_ok(yaml, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"K", "rotated"}}));
  const std::string& id = first.deployments[0].id;
  CHECK(id.size() == 64);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(again.deployments[0].id == id);  // key rotation does not change the id
  CHECK(first.deployments[1].id != id);  // another model
  CHECK(first.deployments[2].id != id);  // another model_name
}

TEST_CASE("a generated id follows LiteLLM's model_name + key + value concatenation") {
  // sha256("m" "model" "tensormesh/x" "timeout" "5")
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params:
      model: tensormesh/x
      timeout: 5
)");
  CHECK(c.deployments[0].id == "1ebf61eaa5839f532bfd57a19ad122f1e2ceaf691a4719ec0aba086180295bd6");
}

TEST_CASE("model_info.id is used as the deployment id when given") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x}
    model_info: {id: tm-1}
  - model_name: m
    litellm_params: {model: tensormesh/x}
    model_info: {id: 2}
)");
  CHECK(c.deployments[0].id == "tm-1");
  CHECK(c.deployments[1].id == "2");
}

TEST_CASE("prices may be strings; litellm_params wins over model_info") {
  const config c = load_ok(R"(model_list:
  - model_name: a
    litellm_params: {model: tensormesh/x, input_cost_per_token: "3e-7", output_cost_per_token: "0.0000012"}
    model_info: {input_cost_per_token: 9, output_cost_per_token: 9, cache_read_input_token_cost: "1e-8"}
  - model_name: b
    litellm_params: {model: tensormesh/y}
    model_info: {input_cost_per_token: " 1.5e-07 ", output_cost_per_token: +6e-07}
)");
  CHECK(c.deployments[0].input_cost_per_token == 3e-7);
  CHECK(c.deployments[0].output_cost_per_token == 1.2e-6);
  CHECK(c.deployments[0].cache_read_input_token_cost == 1e-8);
  CHECK(c.deployments[1].input_cost_per_token == 1.5e-7);
  CHECK(c.deployments[1].output_cost_per_token == 6e-7);
}

TEST_CASE("numbers written as strings are accepted everywhere") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x, timeout: "600", max_retries: "3"}
general_settings: {max_request_size_mb: "1", connect_timeout: "2.5"}
router_settings: {num_retries: "0"}
)");
  CHECK(c.deployments[0].timeout_s == 600);
  CHECK(c.deployments[0].max_retries == 3);
  CHECK(c.general.max_request_size_bytes == 1u << 20);
  CHECK(c.general.timeout.connect == 2.5);
  CHECK(c.general.num_retries == 0);
}

TEST_CASE("litellm_settings.request_timeout sets both first-byte timeouts when router_settings is silent") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x}
litellm_settings: {request_timeout: 90, num_retries: 5}
)");
  CHECK(c.general.timeout.request == 90);
  CHECK(c.general.timeout.stream == 90);
  CHECK(c.general.num_retries == 5);
}

TEST_CASE("router_settings timeouts and retries win over litellm_settings") {
  const config c = load_ok(R"(model_list:
  - model_name: m
    litellm_params: {model: tensormesh/x}
litellm_settings: {request_timeout: 90, num_retries: 5}
router_settings: {timeout: 30, num_retries: 1}
)");
  CHECK(c.general.timeout.request == 30);
  CHECK(c.general.timeout.stream == 30);
  CHECK(c.general.num_retries == 1);
}

TEST_CASE("GRACEFUL_SHUTDOWN_TIMEOUT sets the drain time, zero included") {
  const config c = load_ok(one_model, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"GRACEFUL_SHUTDOWN_TIMEOUT", "0"}}));
  CHECK(c.general.timeout.graceful_shutdown == 0);
  const config d = load_ok(one_model, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"GRACEFUL_SHUTDOWN_TIMEOUT", "12.5"}}));
  CHECK(d.general.timeout.graceful_shutdown == 12.5);
}

TEST_CASE("DATABASE_URL is the fallback for general_settings.database_url") {
  const config from_env = load_ok(one_model, env_of({{"LITELLM_MASTER_KEY", "sk"}, {"DATABASE_URL", "postgresql://env/db"}}));
  CHECK(from_env.general.database_url == "postgresql://env/db");
  const config from_yaml = load_ok(std::string(one_model) + "general_settings: {database_url: postgresql://yaml/db}\n",
                                   env_of({{"LITELLM_MASTER_KEY", "sk"}, {"DATABASE_URL", "postgresql://env/db"}}));
  CHECK(from_yaml.general.database_url == "postgresql://yaml/db");
}

TEST_CASE("general_settings.master_key wins over LITELLM_MASTER_KEY; an empty one falls back to it") {
  const config yaml_key = load_ok(std::string(one_model) + "general_settings: {master_key: sk-yaml}\n");
  CHECK(yaml_key.general.master_key == "sk-yaml");
  const config empty_key = load_ok(std::string(one_model) + "general_settings: {master_key: \"\"}\n");
  CHECK(empty_key.general.master_key == "sk-test");
}

TEST_CASE("allow_unauthenticated: true starts without a master key") {
  const config c = load_ok(std::string(one_model) + "general_settings: {allow_unauthenticated: true}\n", env_of({}));
  CHECK(c.general.master_key.empty());
  CHECK(c.general.allow_unauthenticated);
}

TEST_CASE("litellm_settings.ssl_verify is the default for deployments that do not set it") {
  const config c = load_ok(R"(model_list:
  - model_name: a
    litellm_params: {model: tensormesh/x}
  - model_name: b
    litellm_params: {model: tensormesh/y, ssl_verify: true}
litellm_settings: {ssl_verify: false}
)");
  CHECK_FALSE(c.deployments[0].ssl_verify);
  CHECK(c.deployments[1].ssl_verify);
}

TEST_CASE("booleans accept YAML 1.1 spellings and quoted forms") {
  const config c = load_ok(std::string(one_model) + R"(general_settings: {disable_spend_logs: "yes"}
litellm_settings: {json_logs: On, include_cost_in_streaming_usage: "TRUE"}
)");
  CHECK(c.general.disable_spend_logs);
  CHECK(c.general.json_logs);
  CHECK(c.general.include_cost_in_streaming_usage);
}

TEST_CASE("merge keys apply anchored defaults, explicit keys winning") {
  const config c = load_ok(R"(x-defaults: &tm
  api_base: https://tm.example/v1
  timeout: 10
model_list:
  - model_name: a
    litellm_params:
      <<: *tm
      model: tensormesh/x
      timeout: 20
)");
  CHECK(c.deployments[0].api_base == "https://tm.example/v1");
  CHECK(c.deployments[0].timeout_s == 20);
  CHECK(c.ignored_keys == std::vector<std::string>{"x-defaults"});
}

TEST_CASE("model_group_alias maps new names to existing model_names") {
  const config c = load_ok(R"(model_list:
  - model_name: openai/gpt-oss-120b
    litellm_params: {model: tensormesh/openai/gpt-oss-120b}
router_settings:
  model_group_alias:
    gpt-oss: openai/gpt-oss-120b
    big: {model: openai/gpt-oss-120b}
)");
  using aliases = std::vector<std::pair<std::string, std::string>>;
  CHECK(c.general.model_group_alias == aliases{{"gpt-oss", "openai/gpt-oss-120b"}, {"big", "openai/gpt-oss-120b"}});
}

TEST_CASE("model_group_count counts distinct model names") {
  const config c = load_ok(R"(model_list:
  - {model_name: a, litellm_params: {model: tensormesh/x}}
  - {model_name: a, litellm_params: {model: tensormesh/y}}
  - {model_name: b, litellm_params: {model: tensormesh/z}}
)");
  CHECK(c.deployments.size() == 3);
  CHECK(c.model_group_count() == 2);
}

TEST_CASE("the shipped config/config.yaml loads with only LITELLM_MASTER_KEY set") {
  auto r = load_file((repo_root() / "config/config.yaml").string(), master_only);
  if (const auto* e = std::get_if<load_error>(&r)) FAIL(e->message);
  const config& c = std::get<config>(r);
  const std::vector<std::string> price_table{
      "Qwen/Qwen3.5-397B-A17B-FP8",   "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", "Qwen/Qwen3.6-27B-FP8",
      "lukealonso/GLM-5.1-NVFP4-MTP", "deepseek-ai/DeepSeek-V4-Flash",           "moonshotai/Kimi-K2.6",
      "MiniMaxAI/MiniMax-M2.5",       "google/gemma-4-31B-it",                   "openai/gpt-oss-120b",
      "openai/gpt-oss-20b"};
  REQUIRE(c.deployments.size() == price_table.size());
  CHECK(c.model_group_count() == price_table.size());
  for (const auto& id : price_table) {
    INFO(id);
    auto it = std::find_if(c.deployments.begin(), c.deployments.end(),
                           [&](const deployment& d) { return d.model_name == id; });
    REQUIRE(it != c.deployments.end());
    CHECK(it->model == "tensormesh/" + id);
    CHECK(it->upstream_model == id);
    CHECK(it->api_base == "https://serverless.tensormesh.ai/v1");
    CHECK(it->api_key.empty());
    CHECK(it->api_key_env == "TENSORMESH_INFERENCE_API_KEY");
  }
  CHECK(c.general.master_key == "sk-test");
  CHECK(c.ignored_keys.empty());
}

TEST_CASE("the shipped config picks up TENSORMESH_INFERENCE_API_KEY when it is set") {
  auto r = load_file((repo_root() / "config/config.yaml").string(),
                     env_of({{"LITELLM_MASTER_KEY", "sk"}, {"TENSORMESH_INFERENCE_API_KEY", "tm-live"}}));
  REQUIRE(std::holds_alternative<config>(r));
  for (const auto& d : std::get<config>(r).deployments) CHECK(d.api_key == "tm-live");
}

TEST_CASE("process_env reads the real environment") {
  const env_lookup env = process_env();
  CHECK(env("PATH").has_value());
  CHECK_FALSE(env("MESHGATE_CONFIG_TEST_SURELY_UNSET_VARIABLE").has_value());
}
