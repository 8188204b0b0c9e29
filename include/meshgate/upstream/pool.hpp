#pragma once
// Per-worker keep-alive pool of upstream connections, keyed by scheme/host/port/verification.
// A connection goes back only after a complete response on a keep-alive connection with no
// error and no timeout; an idle one the server has closed is discarded on take().
//
// Thread affinity: one pool per worker, used only on that worker's io_context.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "meshgate/core/net.hpp"
#include "meshgate/upstream/connection.hpp"

namespace meshgate::upstream {

struct pool_limits {
  std::size_t max_idle_per_key = 256;
  std::chrono::steady_clock::duration max_idle_age = std::chrono::seconds(30);
};

class pool {
 public:
  explicit pool(executor ex, pool_limits limits = {});

  // An idle, still-open connection for `ep`, else a new unopened one (reused == false).
  std::unique_ptr<connection> take(const endpoint& ep);

  // Keeps `c` for reuse (drops it when over the per-key limit).
  void give_back(std::unique_ptr<connection> c);

  std::size_t idle_count() const;

 private:
  net::ssl::context& tls_context(const endpoint& ep);

  executor ex_;
  pool_limits limits_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<connection>>> idle_;
  std::unique_ptr<net::ssl::context> verifying_tls_;
  std::unique_ptr<net::ssl::context> trusting_tls_;
};

}  // namespace meshgate::upstream
