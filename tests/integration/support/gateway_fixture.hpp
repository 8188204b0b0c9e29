#pragma once
// The real gateway, in-process, on 127.0.0.1:0 with two workers, configured from YAML text.
// `{{UPSTREAM}}` in the YAML is replaced by the fake upstream's base URL.
#include <map>
#include <memory>
#include <string>

#include "meshgate/config/config.hpp"
#include "meshgate/server/gateway.hpp"

namespace meshgate::testing {

inline constexpr const char* master_key = "sk-test-master-key-0123456789";
inline constexpr const char* upstream_key = "tm-upstream-secret-key-abcdef";

// A config with one deployment `test-model` → tensormesh/openai/gpt-oss-120b at `base_url`,
// num_retries 0, plus `extra_general` lines appended under general_settings and `extra_yaml`
// appended at top level. Spend logs are disabled unless `extra_general` sets spend_logs_path or
// database_url.
std::string basic_config(const std::string& base_url, const std::string& extra_general = {},
                         const std::string& extra_yaml = {}, const std::string& extra_params = {});

class gateway_fixture {
 public:
  // `spend_writer`: the spend log's queue bound and batching (defaults as in production).
  explicit gateway_fixture(const std::string& yaml, std::map<std::string, std::string> env = {},
                           spend::writer_options spend_writer = {});
  ~gateway_fixture();
  unsigned short port() const { return port_; }
  server::gateway& gw() { return *gw_; }
  const config::config& cfg() const { return *cfg_; }

 private:
  std::shared_ptr<const config::config> cfg_;
  std::unique_ptr<server::gateway> gw_;
  unsigned short port_ = 0;
};

}  // namespace meshgate::testing
