#include "meshgate/config/known_keys.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace meshgate::config {

namespace {

struct key_entry {
  std::string_view name;
  bool used;
};

// general_settings: litellm-reference §1.3, plus meshgate's own keys (marked).
constexpr std::array general_keys{
    key_entry{"master_key", true},
    key_entry{"allow_unauthenticated", true},  // meshgate
    key_entry{"database_url", true},
    key_entry{"disable_spend_logs", true},
    key_entry{"spend_logs_path", true},  // meshgate
    key_entry{"litellm_key_header_name", true},
    key_entry{"max_request_size_mb", true},
    key_entry{"max_response_size_mb", true},
    key_entry{"connect_timeout", true},         // meshgate
    key_entry{"stream_idle_timeout", true},     // meshgate
    key_entry{"request_read_timeout", true},    // meshgate
    key_entry{"response_write_timeout", true},  // meshgate
    key_entry{"keepalive_timeout", true},       // meshgate
    key_entry{"health_check_timeout", true},    // meshgate
    key_entry{"database_connection_pool_limit", false},
    key_entry{"database_connection_timeout", false},
    key_entry{"disable_spend_updates", false},
    key_entry{"store_prompts_in_spend_logs", false},
    key_entry{"allow_requests_on_db_unavailable", false},
    key_entry{"background_health_checks", false},
    key_entry{"health_check_interval", false},
    key_entry{"health_check_details", false},
    key_entry{"completion_model", false},
    key_entry{"forward_client_headers_to_llm_api", false},
    key_entry{"max_parallel_requests", false},
    key_entry{"global_max_parallel_requests", false},
    key_entry{"always_include_stream_usage", false},
    key_entry{"proxy_batch_write_at", false},
    key_entry{"maximum_spend_logs_retention_period", false},
    key_entry{"disable_master_key_return", false},
    key_entry{"disable_adding_master_key_hash_to_db", false},
    key_entry{"allowed_ips", false},
    key_entry{"use_x_forwarded_for", false},
    key_entry{"public_routes", false},
    key_entry{"admin_only_routes", false},
};

// litellm_settings: §1.4. allowed_fails and cooldown_time also appear here in LiteLLM's own
// reliability examples, so they are known in both this section and router_settings.
constexpr std::array litellm_keys{
    key_entry{"num_retries", true},
    key_entry{"request_timeout", true},
    key_entry{"json_logs", true},
    key_entry{"include_cost_in_streaming_usage", true},
    key_entry{"ssl_verify", true},  // default for every deployment's litellm_params.ssl_verify
    key_entry{"drop_params", false},
    key_entry{"modify_params", false},
    key_entry{"fallbacks", false},
    key_entry{"default_fallbacks", false},
    key_entry{"context_window_fallbacks", false},
    key_entry{"content_policy_fallbacks", false},
    key_entry{"callbacks", false},
    key_entry{"success_callback", false},
    key_entry{"failure_callback", false},
    key_entry{"service_callbacks", false},
    key_entry{"cache", false},
    key_entry{"cache_params", false},
    key_entry{"turn_off_message_logging", false},
    key_entry{"set_verbose", false},
    key_entry{"force_ipv4", false},
    key_entry{"require_auth_for_metrics_endpoint", false},
    key_entry{"use_chat_completions_url_for_anthropic_messages", false},
    key_entry{"allowed_fails", false},
    key_entry{"cooldown_time", false},
};

// router_settings: §1.5 plus the other Router() arguments LiteLLM forwards from this section.
constexpr std::array router_keys{
    key_entry{"num_retries", true},
    key_entry{"timeout", true},
    key_entry{"stream_timeout", true},
    key_entry{"model_group_alias", true},
    key_entry{"routing_strategy", false},
    key_entry{"routing_strategy_args", false},
    key_entry{"allowed_fails", false},
    key_entry{"allowed_fails_policy", false},
    key_entry{"cooldown_time", false},
    key_entry{"disable_cooldowns", false},
    key_entry{"retry_policy", false},
    key_entry{"model_group_retry_policy", false},
    key_entry{"retry_after", false},
    key_entry{"fallbacks", false},
    key_entry{"context_window_fallbacks", false},
    key_entry{"content_policy_fallbacks", false},
    key_entry{"default_fallbacks", false},
    key_entry{"max_fallbacks", false},
    key_entry{"enable_pre_call_checks", false},
    key_entry{"optional_pre_call_checks", false},
    key_entry{"enable_tag_filtering", false},
    key_entry{"default_litellm_params", false},
    key_entry{"default_max_parallel_requests", false},
    key_entry{"redis_host", false},
    key_entry{"redis_port", false},
    key_entry{"redis_password", false},
    key_entry{"redis_url", false},
    key_entry{"cache_responses", false},
    key_entry{"cache_kwargs", false},
    key_entry{"caching_groups", false},
    key_entry{"client_ttl", false},
    key_entry{"polling_interval", false},
    key_entry{"set_verbose", false},
    key_entry{"debug_level", false},
    key_entry{"alerting_config", false},
    key_entry{"provider_budget_config", false},
    key_entry{"router_general_settings", false},
};

constexpr std::array deployment_keys{
    key_entry{"model_name", true},
    key_entry{"litellm_params", true},
    key_entry{"model_info", true},
};

// litellm_params: §1.2, plus meshgate's ssl_verify (also a LiteLLM parameter) and responses_mode.
constexpr std::array litellm_params_keys{
    key_entry{"model", true},
    key_entry{"api_key", true},
    key_entry{"api_base", true},
    key_entry{"extra_headers", true},
    key_entry{"headers", true},
    key_entry{"timeout", true},
    key_entry{"stream_timeout", true},
    key_entry{"max_retries", true},
    key_entry{"ssl_verify", true},
    key_entry{"responses_mode", true},  // meshgate
    key_entry{"input_cost_per_token", true},
    key_entry{"output_cost_per_token", true},
    key_entry{"cache_read_input_token_cost", true},
    key_entry{"base_model", true},
    key_entry{"custom_llm_provider", true},
    key_entry{"rpm", false},
    key_entry{"tpm", false},
    key_entry{"organization", false},
    key_entry{"api_version", false},
    key_entry{"drop_params", false},
    key_entry{"additional_drop_params", false},
    key_entry{"max_parallel_requests", false},
    key_entry{"order", false},
    key_entry{"weight", false},
    key_entry{"tags", false},
    key_entry{"region_name", false},
    key_entry{"max_tokens", false},
};

constexpr std::array model_info_keys{
    key_entry{"id", true},
    key_entry{"mode", true},
    key_entry{"input_cost_per_token", true},
    key_entry{"output_cost_per_token", true},
    key_entry{"cache_read_input_token_cost", true},
    key_entry{"base_model", true},
    key_entry{"health_check_mode", true},  // meshgate
    key_entry{"health_check_timeout", true},
    key_entry{"max_tokens", false},
    key_entry{"max_input_tokens", false},
    key_entry{"max_output_tokens", false},
    key_entry{"health_check_model", false},
    key_entry{"disable_background_health_check", false},
};

constexpr std::array<std::string_view, 5> section_names{
    "model_list", "general_settings", "litellm_settings", "router_settings", "environment_variables"};

std::span<const key_entry> table(section s) {
  switch (s) {
    case section::general_settings: return general_keys;
    case section::litellm_settings: return litellm_keys;
    case section::router_settings: return router_keys;
    case section::deployment: return deployment_keys;
    case section::litellm_params: return litellm_params_keys;
    case section::model_info: return model_info_keys;
    case section::top_level:
    case section::environment_variables: break;
  }
  return {};
}

const key_entry* find(section s, std::string_view key) {
  auto t = table(s);
  auto it = std::find_if(t.begin(), t.end(), [&](const key_entry& e) { return e.name == key; });
  return it == t.end() ? nullptr : &*it;
}

constexpr std::array global_sections{section::general_settings, section::litellm_settings,
                                     section::router_settings};

}  // namespace

std::string_view section_name(section s) {
  switch (s) {
    case section::top_level: return "top level";
    case section::general_settings: return "general_settings";
    case section::litellm_settings: return "litellm_settings";
    case section::router_settings: return "router_settings";
    case section::environment_variables: return "environment_variables";
    case section::deployment: return "model_list[]";
    case section::litellm_params: return "litellm_params";
    case section::model_info: return "model_info";
  }
  return "";
}

bool is_section_name(std::string_view key) {
  return std::find(section_names.begin(), section_names.end(), key) != section_names.end();
}

bool is_used(section s, std::string_view key) {
  const key_entry* e = find(s, key);
  return e != nullptr && e->used;
}

bool is_known(section s, std::string_view key) {
  if (s == section::top_level) return is_section_name(key);
  if (s == section::model_info && key.starts_with("supports_")) return true;
  return find(s, key) != nullptr;
}

placement home_of(section s, std::string_view key) {
  placement p;
  if (s == section::environment_variables) return p;
  if (s != section::top_level && is_section_name(key)) {
    p.top_level = true;
    return p;
  }
  if (is_known(s, key)) return p;
  switch (s) {
    case section::top_level:
    case section::general_settings:
    case section::litellm_settings:
    case section::router_settings:
      for (section g : global_sections)
        if (g != s && is_known(g, key)) p.sections.push_back(g);
      break;
    case section::deployment:
    case section::litellm_params:
    case section::model_info:
      for (section b : {section::litellm_params, section::model_info})
        if (b != s && is_used(b, key)) p.sections.push_back(b);
      break;
    case section::environment_variables: break;
  }
  return p;
}

}  // namespace meshgate::config
