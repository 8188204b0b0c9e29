#include "meshgate/server/gateway.hpp"

#include <stdexcept>

#include <openssl/rand.h>

#include "meshgate/obs/log.hpp"
#include "meshgate/server/session.hpp"

namespace meshgate::server {

namespace {
translate::response_id_codec::key_type response_id_key(const std::string& master_key) {
  if (!master_key.empty()) return translate::response_id_codec::derive_key(master_key);
  // Without a master key anyone could compute the derived key; random bytes keep ids
  // unforgeable for the life of this process.
  translate::response_id_codec::key_type key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw std::runtime_error("no random bytes for the response id key");
  return key;
}
}  // namespace

gateway_state::gateway_state(std::shared_ptr<const config::config> c, spend::writer_options spend_writer)
    : cfg(std::move(c)),
      auth(cfg->general.master_key, cfg->general.allow_unauthenticated),
      master_key_hash(cfg->general.master_key.empty() ? std::string()
                                                      : auth::authenticator::hash_for_logs(cfg->general.master_key)),
      models(*cfg),
      response_ids(response_id_key(cfg->general.master_key)) {
  std::string error;
  spend = spend_log::open(*cfg, error, spend_writer);
  if (!error.empty()) throw std::runtime_error(error);
}

void gateway_state::request_finished() {
  if (in_flight.fetch_sub(1, std::memory_order_acq_rel) == 1 && draining.load()) {
    std::lock_guard lock(idle_mutex_);
    idle_cv_.notify_all();
  }
}

bool gateway_state::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(idle_mutex_);
  return idle_cv_.wait_until(lock, deadline, [&] { return in_flight.load() == 0; });
}

worker::worker(gateway_state& st) : st_(st), pool_(ctx_.get_executor()) {}

void worker::run() {
  auto guard = net::make_work_guard(ctx_);
  arm_timer_anchor();
  ctx_.run();
}

void worker::arm_timer_anchor() {
  timer_anchor_.expires_after(std::chrono::seconds(1));
  timer_anchor_.async_wait([this](const beast::error_code& ec) {
    if (!ec) arm_timer_anchor();
  });
}

gateway::gateway(std::shared_ptr<const config::config> cfg, server_options opts)
    : state_(std::move(cfg), opts.spend_writer), opts_(std::move(opts)) {
  unsigned n = opts_.num_workers ? opts_.num_workers : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<worker>(state_));
}

gateway::~gateway() { stop(); }

unsigned short gateway::start() {
  if (!opts_.ssl_certfile.empty() || !opts_.ssl_keyfile.empty()) {
    if (opts_.ssl_certfile.empty() || opts_.ssl_keyfile.empty())
      throw std::runtime_error("--ssl_keyfile_path and --ssl_certfile_path must be given together");
    tls_ = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->use_certificate_chain_file(opts_.ssl_certfile, ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate " + opts_.ssl_certfile + ": " + ec.message());
    tls_->use_private_key_file(opts_.ssl_keyfile, net::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS key " + opts_.ssl_keyfile + ": " + ec.message());
  }

  auto& ctx = workers_.front()->context();
  beast::error_code ec;
  auto address = net::ip::make_address(opts_.host, ec);
  if (ec) {
    tcp_resolver resolver(ctx);
    auto results = resolver.resolve(opts_.host, "", ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve --host " + opts_.host);
    address = results.begin()->endpoint().address();
  }
  net::ip::tcp::endpoint ep(address, opts_.port);
  acceptor_ = std::make_unique<tcp_acceptor>(ctx);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + opts_.host + ":" + std::to_string(opts_.port) + ": " + ec.message());
  const unsigned short port = acceptor_->local_endpoint().port();

  net::co_spawn(ctx, accept_loop(), net::detached);
  for (auto& w : workers_) threads_.emplace_back([p = w.get()] { p->run(); });
  return port;
}

task<void> gateway::accept_loop() {
  for (;;) {
    auto& target = *workers_[next_worker_++ % workers_.size()];
    auto [ec, socket] = co_await acceptor_->async_accept(target.context(), net::as_tuple(use_task));
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_->is_open()) co_return;
      // EMFILE and friends: keep serving the connections we have.
      obs::warn("accept failed: " + ec.message());
      steady_timer pause(acceptor_->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(net::as_tuple(use_task));
      continue;
    }
    start_session(target, std::move(socket), tls_.get());
  }
}

void gateway::begin_drain() {
  if (state_.draining.exchange(true)) return;
  net::post(workers_.front()->context(), [this] {
    beast::error_code ec;
    if (acceptor_) acceptor_->close(ec);
  });
}

bool gateway::wait_drained(std::chrono::steady_clock::duration timeout) {
  return state_.wait_idle(std::chrono::steady_clock::now() + timeout);
}

void gateway::stop(std::chrono::milliseconds spend_flush_timeout) {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) w->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  if (state_.spend && !state_.spend->flush_and_stop(spend_flush_timeout))
    obs::warn("spend log: queued rows could not all be written before the shutdown deadline");
}

}  // namespace meshgate::server
