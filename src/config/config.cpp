#include "meshgate/config/config.hpp"

#include <algorithm>
#include <string_view>

namespace meshgate::config {

std::size_t config::model_group_count() const {
  std::vector<std::string_view> names;
  for (const auto& d : deployments)
    if (std::find(names.begin(), names.end(), d.model_name) == names.end()) names.push_back(d.model_name);
  return names.size();
}

}  // namespace meshgate::config
