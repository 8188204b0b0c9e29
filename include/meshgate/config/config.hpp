#pragma once
// The typed, immutable configuration meshgate runs with, loaded from LiteLLM's YAML format
// (`litellm --config config.yaml`). One `config` is built at start-up and shared read-only by
// every worker thread.
//
// Loading contract (see config/loader.hpp): every `os.environ/NAME` string is resolved at load;
// every error names the file, the line and the YAML path; nothing here changes after load.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshgate::config {

// One `model_list[]` entry.
struct deployment {
  std::string model_name;       // the public alias clients send as `model`
  std::string model;            // litellm_params.model as written, e.g. "tensormesh/openai/gpt-oss-120b"
  std::string provider;         // first segment of `model`: "tensormesh", "hosted_vllm", "openai"
  std::string upstream_model;   // `model` minus that first segment: "openai/gpt-oss-120b"
  std::string api_base;         // litellm_params.api_base, else the provider's env var, else its default;
                                // no trailing '/'
  std::string api_key;          // litellm_params.api_key, else the provider's env var; may be empty
  std::string api_key_env;      // the env var the key came from (or would have): NAME of an
                                // `os.environ/NAME` api_key, else the provider's variable; empty
                                // for a literal key. Names the variable when api_key is empty.
  // litellm_params.headers then litellm_params.extra_headers (which replaces a header of the same
  // name), in file order, os.environ/ resolved. Never Host, Content-Length, Transfer-Encoding,
  // Connection or Authorization; no CR/LF/NUL in values.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::optional<double> timeout_s;         // litellm_params.timeout
  std::optional<double> stream_timeout_s;  // litellm_params.stream_timeout
  std::optional<int> max_retries;          // litellm_params.max_retries
  bool ssl_verify = true;                  // litellm_params.ssl_verify, else litellm_settings.ssl_verify
  // model_info.id, else 64 lower-case hex: SHA-256 of model_name followed by each litellm_params
  // key and value as written (os.environ/ references unresolved, so rotating a secret keeps the id).
  std::string id;
  // Pricing overrides (litellm_params first, then model_info); strings like "3e-7" accepted.
  std::optional<double> input_cost_per_token;
  std::optional<double> output_cost_per_token;
  std::optional<double> cache_read_input_token_cost;
  std::string base_model;         // model_info.base_model, else litellm_params.base_model: price-table lookup name
  std::string mode = "chat";      // model_info.mode
  std::string health_check_mode;  // model_info.health_check_mode: "" (GET /models) or "chat"
  std::optional<double> health_check_timeout_s;  // model_info.health_check_timeout
  std::string responses_mode = "native";         // litellm_params.responses_mode: native | bridge
};

// Every timeout, in seconds. Where LiteLLM has a key it is used; the rest are meshgate's own
// `general_settings` keys (docs/configuration.md).
struct timeouts {
  double connect = 10;             // general_settings.connect_timeout
  double request = 600;            // first upstream byte, non-streaming: router_settings.timeout,
                                   // litellm_settings.request_timeout (deployment `timeout` wins)
  double stream = 600;             // first upstream byte, streaming: router_settings.stream_timeout,
                                   // else `request` (deployment `stream_timeout` wins)
  double stream_idle = 120;        // gap between upstream stream events: general_settings.stream_idle_timeout
  double downstream_read = 30;     // client header+body: general_settings.request_read_timeout
  double downstream_write = 60;    // one write to the client: general_settings.response_write_timeout
  double keepalive_idle = 75;      // idle client connection: general_settings.keepalive_timeout
  double health_check = 10;        // one /health probe: general_settings.health_check_timeout
  double graceful_shutdown = 30;   // env GRACEFUL_SHUTDOWN_TIMEOUT
};

struct settings {
  std::string master_key;                 // general_settings.master_key, else env LITELLM_MASTER_KEY
  bool allow_unauthenticated = false;     // general_settings.allow_unauthenticated
  std::uint64_t max_request_size_bytes = 32ull << 20;    // general_settings.max_request_size_mb
  std::uint64_t max_response_size_bytes = 64ull << 20;   // general_settings.max_response_size_mb
  int num_retries = 2;                    // router_settings.num_retries, else litellm_settings.num_retries
  timeouts timeout;
  bool json_logs = false;                            // litellm_settings.json_logs
  bool include_cost_in_streaming_usage = false;      // litellm_settings.include_cost_in_streaming_usage
  bool disable_spend_logs = false;                   // general_settings.disable_spend_logs
  std::string spend_logs_path = "./meshgate.db";     // general_settings.spend_logs_path
  std::string database_url;               // general_settings.database_url, else env DATABASE_URL
  std::string key_header_name;            // general_settings.litellm_key_header_name (lower-cased)
  std::vector<std::pair<std::string, std::string>> model_group_alias;  // router_settings.model_group_alias
};

struct config {
  std::string source_path;                 // the file it came from ("<string>" in tests)
  std::vector<deployment> deployments;     // in file order
  settings general;
  // `environment_variables` section, already applied to os.environ/ resolution; main() also
  // exports them into the process environment.
  std::vector<std::pair<std::string, std::string>> environment_variables;
  // Keys meshgate does not use, as YAML paths ("litellm_settings.callbacks"); logged once at start.
  std::vector<std::string> ignored_keys;

  // Number of distinct model_name values (what `--validate_config` prints).
  std::size_t model_group_count() const;
};

}  // namespace meshgate::config
