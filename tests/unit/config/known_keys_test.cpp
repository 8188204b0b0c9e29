// Which keys belong where (config/known_keys.hpp).
#include <catch2/catch.hpp>

#include "meshgate/config/known_keys.hpp"

using namespace meshgate::config;

TEST_CASE("keys meshgate reads are used in their own section only") {
  CHECK(is_used(section::general_settings, "master_key"));
  CHECK(is_used(section::general_settings, "keepalive_timeout"));
  CHECK(is_used(section::litellm_settings, "num_retries"));
  CHECK(is_used(section::router_settings, "num_retries"));
  CHECK(is_used(section::litellm_params, "api_base"));
  CHECK(is_used(section::model_info, "health_check_mode"));
  CHECK_FALSE(is_used(section::litellm_settings, "master_key"));
  CHECK_FALSE(is_used(section::litellm_settings, "callbacks"));
  CHECK_FALSE(is_used(section::litellm_params, "rpm"));
}

TEST_CASE("known-but-unused keys are known without being used") {
  CHECK(is_known(section::litellm_settings, "callbacks"));
  CHECK(is_known(section::general_settings, "background_health_checks"));
  CHECK(is_known(section::router_settings, "routing_strategy"));
  CHECK(is_known(section::model_info, "supports_function_calling"));
  CHECK_FALSE(is_known(section::general_settings, "callbacks"));
}

TEST_CASE("a global key known elsewhere is placed in every section that knows it") {
  CHECK(home_of(section::litellm_settings, "master_key").sections == std::vector{section::general_settings});
  CHECK(home_of(section::general_settings, "num_retries").sections ==
        std::vector{section::litellm_settings, section::router_settings});
  CHECK(home_of(section::top_level, "fallbacks").sections ==
        std::vector{section::litellm_settings, section::router_settings});
  CHECK(home_of(section::general_settings, "drop_params").sections == std::vector{section::litellm_settings});
}

TEST_CASE("keys LiteLLM accepts in two sections are at home in both") {
  CHECK_FALSE(home_of(section::litellm_settings, "allowed_fails").misplaced());
  CHECK_FALSE(home_of(section::router_settings, "allowed_fails").misplaced());
  CHECK_FALSE(home_of(section::router_settings, "set_verbose").misplaced());
  CHECK_FALSE(home_of(section::litellm_settings, "num_retries").misplaced());
}

TEST_CASE("unknown keys are not misplaced") {
  CHECK_FALSE(home_of(section::general_settings, "no_such_key").misplaced());
  CHECK_FALSE(home_of(section::top_level, "guardrails").misplaced());
  CHECK_FALSE(home_of(section::litellm_params, "temperature").misplaced());
  CHECK_FALSE(home_of(section::environment_variables, "master_key").misplaced());
}

TEST_CASE("deployment blocks only flag keys meshgate reads in the other block") {
  CHECK(home_of(section::model_info, "api_key").sections == std::vector{section::litellm_params});
  CHECK(home_of(section::litellm_params, "health_check_timeout").sections == std::vector{section::model_info});
  // max_tokens is a completion default in litellm_params and metadata in model_info.
  CHECK_FALSE(home_of(section::litellm_params, "max_tokens").misplaced());
  // Metadata LiteLLM knows in model_info but meshgate ignores is not worth an error elsewhere.
  CHECK_FALSE(home_of(section::litellm_params, "max_output_tokens").misplaced());
  CHECK(home_of(section::deployment, "output_cost_per_token").sections ==
        std::vector{section::litellm_params, section::model_info});
}

TEST_CASE("a section name below the top level belongs at the top level") {
  CHECK(home_of(section::litellm_params, "general_settings").top_level);
  CHECK(home_of(section::deployment, "model_list").top_level);
  CHECK(home_of(section::router_settings, "litellm_settings").top_level);
  CHECK_FALSE(home_of(section::top_level, "general_settings").misplaced());
}

TEST_CASE("section names print as they are written in YAML") {
  CHECK(section_name(section::general_settings) == "general_settings");
  CHECK(section_name(section::litellm_params) == "litellm_params");
  CHECK(section_name(section::model_info) == "model_info");
}
