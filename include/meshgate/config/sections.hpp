#pragma once
// Section parsers of the config loader (internal; exposed for its tests). Each reads one YAML
// block into a draft through a yaml_reader; the loader combines the drafts once every section
// is read, because some values depend on several sections (timeouts, retries, ssl_verify,
// aliases that name deployments).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshgate/config/config.hpp"
#include "meshgate/config/known_keys.hpp"
#include "meshgate/config/yaml_reader.hpp"

namespace meshgate::config {

// A key the section's parser does not read: an error when it belongs elsewhere (known_keys.hpp
// `home_of`), else its path is appended to `ignored`. `block_parent` is the entry path
// ("model_list[2]") that deployment blocks name in "belongs in model_list[2].litellm_params".
void other_key(yaml_reader& rd, section s, const map_entry& e, std::string_view block_parent,
               std::vector<std::string>& ignored);

struct deployment_draft {
  deployment dep;
  std::optional<bool> ssl_verify;  // litellm_params.ssl_verify; else litellm_settings.ssl_verify
  bool explicit_id = false;        // dep.id came from model_info.id
  std::string id_path;             // where the id was written (explicit ids only)
  int id_line = 0;
  std::string path;                // "model_list[i]"
  int line = 0;
};

// One model_list[] entry, provider resolution included (loader.hpp). nullopt after an error.
std::optional<deployment_draft> parse_deployment(yaml_reader& rd, const slot& entry,
                                                 std::vector<std::string>& ignored);

struct settings_draft {
  settings out;  // fields with a single source are written here directly
  std::optional<std::string> master_key;  // general_settings.master_key as resolved (may be "")
  std::string master_key_path;
  int master_key_line = 0;
  std::optional<double> router_timeout;
  std::optional<double> router_stream_timeout;
  std::optional<double> litellm_request_timeout;
  std::optional<int> router_num_retries;
  std::optional<int> litellm_num_retries;
  std::optional<bool> ssl_verify;  // litellm_settings.ssl_verify
  struct alias {
    std::string name;
    std::string target;
    std::string path;
    int line = 0;
  };
  std::vector<alias> aliases;  // router_settings.model_group_alias, validated by the loader
};

void parse_general_settings(yaml_reader& rd, const slot& s, settings_draft& d, std::vector<std::string>& ignored);
void parse_litellm_settings(yaml_reader& rd, const slot& s, settings_draft& d, std::vector<std::string>& ignored);
void parse_router_settings(yaml_reader& rd, const slot& s, settings_draft& d, std::vector<std::string>& ignored);

// `environment_variables`: NAME → scalar. Values may themselves be os.environ/OTHER, resolved
// against the process environment only.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_environment_variables(yaml_reader& rd,
                                                                                           const slot& s);

// RFC 9110 token: what a header name may consist of.
bool is_http_token(std::string_view s);

}  // namespace meshgate::config
