#pragma once
// The running gateway: shared state, N workers (one thread + one io_context + one upstream
// pool each) and the listener that hands accepted sockets to workers round-robin.
//
// Shutdown (product.md §9): begin_drain() flips readiness/liveness to 503 and closes the
// listener; requests and streams in flight run on, and every response from then on carries
// `Connection: close` (a keep-alive client that sends one more request is served, then
// closed); wait_drained() blocks until no request is in flight or the deadline passes; stop()
// ends the workers, closing whatever connections are left.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "meshgate/auth/auth.hpp"
#include "meshgate/config/config.hpp"
#include "meshgate/core/net.hpp"
#include "meshgate/obs/metrics.hpp"
#include "meshgate/server/model_table.hpp"
#include "meshgate/server/spend_log.hpp"
#include "meshgate/translate/responses_id.hpp"
#include "meshgate/translate/responses_store.hpp"
#include "meshgate/upstream/pool.hpp"

namespace meshgate::server {

struct server_options {
  std::string host = "0.0.0.0";
  unsigned short port = 4000;  // 0 = any free port (tests)
  unsigned num_workers = 0;    // 0 = hardware threads
  std::string ssl_keyfile;     // both set → downstream TLS
  std::string ssl_certfile;
  spend::writer_options spend_writer;  // the spend log's queue bound and batching
};

// Read-mostly state shared by all workers.
struct gateway_state {
  // Throws std::runtime_error when the spend log store cannot be opened.
  explicit gateway_state(std::shared_ptr<const config::config> c, spend::writer_options spend_writer = {});

  std::shared_ptr<const config::config> cfg;
  auth::authenticator auth;
  // The spend-log fingerprint of the master key (authenticator::hash_for_logs), made once: with
  // a master key configured it is the only key accepted. Empty when the gateway runs open.
  std::string master_key_hash;
  model_table models;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> in_flight{0};  // requests between header read and response end
  obs::metrics metrics;
  std::unique_ptr<spend_log> spend;  // null when disable_spend_logs
  // Responses API: the codec that makes response ids opaque and bound to (deployment, caller),
  // keyed from the master key so every replica sharing it reads the others' ids; and the turns
  // the chat bridge keeps for previous_response_id.
  translate::response_id_codec response_ids;
  translate::conversation_store conversations;

  void request_started() { in_flight.fetch_add(1, std::memory_order_relaxed); }
  void request_finished();
  // Blocks until in_flight == 0 or `deadline`; true when drained.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex idle_mutex_;
  std::condition_variable idle_cv_;
};

class worker {
 public:
  explicit worker(gateway_state& st);
  net::io_context& context() { return ctx_; }
  upstream::pool& pool() { return pool_; }
  gateway_state& state() { return st_; }
  void run();  // blocks on this thread
  void stop() { ctx_.stop(); }

 private:
  void arm_timer_anchor();

  // Order matters for teardown: the pool's idle sockets go first, then the io_context (whose
  // destruction ends suspended sessions; their exchanges close their own connections).
  gateway_state& st_;
  net::io_context ctx_{1};
  upstream::pool pool_;
  // A timer re-armed every second, so the io_context's earliest timer is always at most a second
  // away. Asio re-programs its kernel timer (a timerfd_settime call) whenever a new timer
  // becomes the earliest; without the anchor every I/O timeout of a lone connection would, four
  // times a request. Timeouts under a second still work: they simply become the earliest.
  steady_timer timer_anchor_{ctx_};
};

class gateway {
 public:
  gateway(std::shared_ptr<const config::config> cfg, server_options opts);
  ~gateway();

  // Binds and starts serving; returns the bound port. Throws std::runtime_error with a message
  // naming the address on bind failure or unreadable TLS files.
  unsigned short start();
  void begin_drain();
  bool wait_drained(std::chrono::steady_clock::duration timeout);
  // Ends the workers, then writes out queued spend rows (bounded by `spend_flush_timeout`).
  void stop(std::chrono::milliseconds spend_flush_timeout = std::chrono::milliseconds(5000));
  gateway_state& state() { return state_; }

 private:
  task<void> accept_loop();

  gateway_state state_;
  server_options opts_;
  std::unique_ptr<net::ssl::context> tls_;  // outlives every session that uses it
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::thread> threads_;
  std::unique_ptr<tcp_acceptor> acceptor_;
  std::size_t next_worker_ = 0;
  bool stopped_ = false;
};

}  // namespace meshgate::server
