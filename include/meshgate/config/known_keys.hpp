#pragma once
// Which keys each YAML section accepts (internal to the config loader; exposed for its tests).
//
// Three kinds of key, per section:
// - used:    meshgate acts on it (a parser reads it);
// - known:   LiteLLM defines it there (litellm-reference §1.2–1.5) but meshgate does not act on
//            it: it lands in config::ignored_keys, like any unknown key;
// - misplaced: not known here but meaningful somewhere else: a load error saying where it
//            belongs (see `home_of`).
// Pure tables; never throws.
#include <string_view>
#include <vector>

namespace meshgate::config {

enum class section {
  top_level,
  general_settings,
  litellm_settings,
  router_settings,
  environment_variables,
  deployment,      // one model_list[] entry (siblings of model_name)
  litellm_params,  // model_list[].litellm_params
  model_info,      // model_list[].model_info
};

std::string_view section_name(section s);

// The five top-level section keys (model_list, general_settings, litellm_settings,
// router_settings, environment_variables).
bool is_section_name(std::string_view key);

// meshgate reads `key` in `s`.
bool is_used(section s, std::string_view key);

// `key` is defined in `s` by LiteLLM or by meshgate (used or not). model_info also accepts any
// `supports_*` flag.
bool is_known(section s, std::string_view key);

// Where a key that is not at home in `s` belongs.
// - A section name anywhere below the top level belongs at the top level.
// - Global settings (top level, general/litellm/router_settings): the other global sections
//   that know the key (the reference lists them; a key LiteLLM accepts in two sections, such as
//   num_retries, is known in both).
// - Deployment blocks (entry, litellm_params, model_info): the other blocks that *use* the key.
//   litellm_params passes any completion() parameter and model_info is free-form metadata, so
//   only keys meshgate would act on elsewhere count as misplaced.
// Empty `sections` and `top_level == false`: not misplaced (known here, or unknown everywhere).
struct placement {
  bool top_level = false;
  std::vector<section> sections;
  bool misplaced() const { return top_level || !sections.empty(); }
};
placement home_of(section s, std::string_view key);

}  // namespace meshgate::config
