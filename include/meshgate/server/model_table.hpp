#pragma once
// Model aliases → deployments, built once from the config. Picks a deployment of a group for
// each attempt (round-robin from a per-request start, so retries move to the next deployment).
//
// Thread-safe: immutable after construction except an atomic counter.
#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "meshgate/config/config.hpp"
#include "meshgate/upstream/endpoint.hpp"
#include "meshgate/usage/pricing.hpp"

namespace meshgate::server {

struct routed_deployment {
  const config::deployment* dep = nullptr;
  upstream::endpoint endpoint;
  // usage::price_table::builtin().for_deployment(*dep), looked up once: nullopt = no price.
  std::optional<usage::model_price> price;
};

class model_table {
 public:
  explicit model_table(const config::config& cfg);

  // The deployments of `alias` (after router_settings.model_group_alias), or nullptr.
  const std::vector<routed_deployment>* find(std::string_view alias) const;

  // Aliases in config order, without duplicates.
  const std::vector<std::string>& aliases() const { return aliases_; }

  // A per-request starting point for round-robin.
  std::size_t next_start() const { return counter_.fetch_add(1, std::memory_order_relaxed); }

  const std::vector<routed_deployment>& all() const { return all_; }

 private:
  std::vector<routed_deployment> all_;
  std::unordered_map<std::string, std::vector<routed_deployment>> groups_;
  std::unordered_map<std::string, std::string> group_alias_;
  std::vector<std::string> aliases_;
  mutable std::atomic<std::size_t> counter_{0};
};

}  // namespace meshgate::server
