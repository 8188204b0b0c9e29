#include "meshgate/upstream/pool.hpp"

namespace meshgate::upstream {

pool::pool(executor ex, pool_limits limits) : ex_(std::move(ex)), limits_(limits) {}

net::ssl::context& pool::tls_context(const endpoint& ep) {
  auto& slot = ep.verify ? verifying_tls_ : trusting_tls_;
  if (!slot) {
    slot = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    slot->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    if (ep.verify) {
      // The system CA store; SSL_CERT_FILE / SSL_CERT_DIR override it as in every OpenSSL client.
      beast::error_code ec;
      slot->set_default_verify_paths(ec);
    }
  }
  return *slot;
}

std::unique_ptr<connection> pool::take(const endpoint& ep) {
  auto it = idle_.find(ep.pool_key());
  if (it != idle_.end()) {
    auto& list = it->second;
    const auto now = std::chrono::steady_clock::now();
    while (!list.empty()) {
      std::unique_ptr<connection> c = std::move(list.back());
      list.pop_back();
      if (now - c->idle_since <= limits_.max_idle_age && c->idle_and_alive()) {
        c->reused = true;
        return c;
      }
      c->close();
    }
  }
  return std::make_unique<connection>(ex_, ep, ep.tls ? &tls_context(ep) : nullptr);
}

void pool::give_back(std::unique_ptr<connection> c) {
  auto& list = idle_[c->key()];
  if (list.size() >= limits_.max_idle_per_key) {
    c->close();
    return;
  }
  c->idle_since = std::chrono::steady_clock::now();
  list.push_back(std::move(c));
}

std::size_t pool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [k, v] : idle_) n += v.size();
  return n;
}

}  // namespace meshgate::upstream
