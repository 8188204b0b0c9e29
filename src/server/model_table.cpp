#include "meshgate/server/model_table.hpp"

namespace meshgate::server {

model_table::model_table(const config::config& cfg) {
  for (const auto& d : cfg.deployments) {
    // The loader validated api_base; an unparseable one cannot reach here.
    auto ep = upstream::parse_endpoint(d.api_base, d.ssl_verify);
    routed_deployment r{&d, ep.value_or(upstream::endpoint{}), usage::price_table::builtin().for_deployment(d)};
    all_.push_back(r);
    auto [it, inserted] = groups_.try_emplace(d.model_name);
    if (inserted) aliases_.push_back(d.model_name);
    it->second.push_back(r);
  }
  for (const auto& [from, to] : cfg.general.model_group_alias) group_alias_.emplace(from, to);
}

const std::vector<routed_deployment>* model_table::find(std::string_view alias) const {
  std::string key(alias);
  if (auto a = group_alias_.find(key); a != group_alias_.end()) key = a->second;
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace meshgate::server
