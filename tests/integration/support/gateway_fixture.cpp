#include "support/gateway_fixture.hpp"

#include <stdexcept>

#include "meshgate/config/loader.hpp"

namespace meshgate::testing {

std::string basic_config(const std::string& base_url, const std::string& extra_general, const std::string& extra_yaml,
                         const std::string& extra_params) {
  std::string y;
  y += "model_list:\n";
  y += "  - model_name: test-model\n";
  y += "    litellm_params:\n";
  y += "      model: tensormesh/openai/gpt-oss-120b\n";
  y += "      api_base: " + base_url + "\n";
  y += "      api_key: " + std::string(upstream_key) + "\n";
  y += extra_params;
  y += "    model_info:\n";
  y += "      id: dep-1\n";
  y += "general_settings:\n";
  y += "  master_key: " + std::string(master_key) + "\n";
  // Tests that look at the spend log set their own spend_logs_path or database_url; the rest keep none.
  if (extra_general.find("spend_logs_path") == std::string::npos && extra_general.find("database_url") == std::string::npos)
    y += "  disable_spend_logs: true\n";
  y += extra_general;
  y += "router_settings:\n";
  y += "  num_retries: 0\n";
  y += extra_yaml;
  return y;
}

gateway_fixture::gateway_fixture(const std::string& yaml, std::map<std::string, std::string> env,
                                 spend::writer_options spend_writer) {
  auto lookup = [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto loaded = config::load_string(yaml, "test.yaml", lookup);
  if (auto* e = std::get_if<config::load_error>(&loaded)) throw std::runtime_error("test config: " + e->message);
  cfg_ = std::make_shared<const config::config>(std::move(std::get<config::config>(loaded)));
  server::server_options so;
  so.host = "127.0.0.1";
  so.port = 0;
  so.num_workers = 2;
  so.spend_writer = spend_writer;
  gw_ = std::make_unique<server::gateway>(cfg_, so);
  port_ = gw_->start();
}

gateway_fixture::~gateway_fixture() {
  gw_->begin_drain();
  gw_->wait_drained(std::chrono::seconds(5));
  gw_->stop();
}

}  // namespace meshgate::testing
