#pragma once
// YAML (LiteLLM format) → config::config.
//
// Rules (product.md §1; every key, default and variable: docs/configuration.md):
// - Sections: model_list, general_settings, litellm_settings, router_settings,
//   environment_variables. Other top-level keys (callback_settings, guardrails, include, …) are
//   kept in `ignored_keys`. A document of several YAML documents (---) is an error.
// - Any scalar meshgate reads that is exactly `os.environ/NAME` is replaced by that variable,
//   looked up first in the `environment_variables` section, then through `env`. An unset
//   variable is an error naming the YAML path and the variable. The section is consulted the
//   same way for every variable the loader reads itself (LITELLM_MASTER_KEY, DATABASE_URL,
//   provider variables, GRACEFUL_SHUTDOWN_TIMEOUT), as LiteLLM exports it before reading them.
//   Values under ignored keys are never resolved (nor used).
// - A key meshgate does not act on inside a known section goes to `ignored_keys` (YAML path,
//   file order). A key that belongs elsewhere is an error saying where: a settings key known in
//   another settings section ("litellm_settings.master_key: belongs in general_settings"), a
//   deployment key meshgate reads in the other deployment block ("model_list[0].model_info.
//   api_base: belongs in model_list[0].litellm_params"), a section name below the top level
//   ("belongs at the top level").
// - Wrong types (a list where a map is expected, a non-number timeout) are errors. Numbers may
//   be written as strings ("600", "3e-7"); booleans as true/false/yes/no/on/off. Timeouts must
//   be in (0, 31536000] seconds. Duplicate keys are errors; `<<: *anchor` merge keys work.
// - The master key comes from general_settings.master_key, else env LITELLM_MASTER_KEY (an empty
//   value counts as missing). An empty or missing key is an error unless
//   general_settings.allow_unauthenticated is true.
// - Provider resolution per deployment: `tensormesh/` → api_base from litellm_params, else env
//   TENSORMESH_SERVERLESS_BASE_URL, else https://serverless.tensormesh.ai/v1; key from
//   litellm_params, else env TENSORMESH_INFERENCE_API_KEY (may stay empty: requests then fail
//   with a message naming `api_key_env`). `hosted_vllm/` needs an api_base (litellm_params or
//   env HOSTED_VLLM_API_BASE; key env HOSTED_VLLM_API_KEY). `openai/` defaults to env
//   OPENAI_BASE_URL, then OPENAI_API_BASE, then https://api.openai.com/v1, with env
//   OPENAI_API_KEY. Other providers and wildcard models are errors. api_base must be an http://
//   or https:// URL with a host and no credentials, query or fragment; trailing '/'s are removed.
// - Error message format: "<file>:<line>: <yaml.path>: <what is wrong>", e.g.
//   "config.yaml:7: model_list[0].litellm_params.api_key: environment variable
//   TENSORMESH_KEY is not set". Line numbers are 1-based; an error with no place in the file
//   (a missing master key, a bad environment variable) is "<file>: <what>". YAML syntax errors:
//   "<file>:<line>: invalid YAML: <parser message> (column N)". Only the first error is reported.
//   Messages never contain a key's value.
//
// Never throws except std::bad_alloc.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshgate/config/config.hpp"

namespace meshgate::config {

using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the real process environment (std::getenv; call it at start-up, before threads).
env_lookup process_env();

struct load_error {
  std::string message;
};

// Reads a regular file of at most 16 MiB; errors name `path` as given.
std::variant<config, load_error> load_file(const std::string& path, const env_lookup& env);
// `source_name` stands for the file in messages and config::source_path.
std::variant<config, load_error> load_string(std::string_view yaml_text, std::string_view source_name,
                                              const env_lookup& env);

}  // namespace meshgate::config
