// meshgate: argv, config, signals, workers; nothing else.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

#include "meshgate/app/cli.hpp"
#include "meshgate/config/loader.hpp"
#include "meshgate/core/net.hpp"
#include "meshgate/core/version_info.hpp"
#include "meshgate/obs/log.hpp"
#include "meshgate/server/gateway.hpp"

namespace {

std::optional<std::string> getenv_opt(std::string_view name) {
  if (const char* v = std::getenv(std::string(name).c_str())) return std::string(v);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace meshgate;
  std::signal(SIGPIPE, SIG_IGN);

  auto parsed = app::parse_cli(std::vector<std::string>(argv + 1, argv + argc), getenv_opt);
  if (auto* e = std::get_if<app::cli_error>(&parsed)) {
    std::cerr << "meshgate: " << e->message << "\n" << app::usage_text();
    return 2;
  }
  const auto& opts = std::get<app::cli_options>(parsed);
  if (opts.show_help) {
    std::cout << app::usage_text();
    return 0;
  }
  if (opts.show_version) {
    std::cout << "meshgate " << core::version_string << "\n";
    return 0;
  }

  auto loaded = config::load_file(opts.config_path, config::process_env());
  if (auto* e = std::get_if<config::load_error>(&loaded)) {
    std::cerr << "meshgate: " << e->message << "\n";
    return 1;
  }
  auto cfg = std::make_shared<const config::config>(std::move(std::get<config::config>(loaded)));
  if (opts.validate_config) {
    std::cout << "config OK (" << cfg->model_group_count() << " models)\n";
    return 0;
  }
  for (const auto& [name, value] : cfg->environment_variables) ::setenv(name.c_str(), value.c_str(), 1);

  obs::init_logging(cfg->general.json_logs, opts.detailed_debug);
  for (const auto& k : cfg->ignored_keys) obs::warn("config key ignored (not used by meshgate): " + k);
  if (cfg->general.master_key.empty())
    obs::warn("AUTHENTICATION IS DISABLED (general_settings.allow_unauthenticated: true): anyone who can reach "
              "this port can spend your provider credits");
  std::map<std::string, std::vector<std::string>> keyless;  // variable → aliases needing it
  for (const auto& d : cfg->deployments)
    if (d.api_key.empty() && d.provider == "tensormesh")
      keyless[d.api_key_env.empty() ? std::string("litellm_params.api_key") : d.api_key_env].push_back(d.model_name);
  for (const auto& [var, aliases] : keyless)
    obs::warn(std::to_string(aliases.size()) + " deployment(s) have no API key (first: " + aliases.front() +
              "): their requests fail until " + var + " is set");

  server::server_options so;
  so.host = opts.host;
  so.port = opts.port;
  so.num_workers = opts.num_workers;
  so.ssl_keyfile = opts.ssl_keyfile;
  so.ssl_certfile = opts.ssl_certfile;

  net::io_context signals_ctx(1);
  net::signal_set signals(signals_ctx, SIGINT, SIGTERM);

  server::gateway gw(cfg, so);
  unsigned short port = 0;
  try {
    port = gw.start();
  } catch (const std::exception& e) {
    obs::error(e.what());
    return 1;
  }
  const std::string scheme = so.ssl_certfile.empty() ? "http" : "https";
  const std::string host = so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host;
  std::cout << "meshgate listening on " << scheme << "://" << host << ":" << port << std::endl;
  obs::info("meshgate " + std::string(core::version_string) + " serving " + std::to_string(cfg->model_group_count()) +
            " models on " + scheme + "://" + host + ":" + std::to_string(port));

  int received = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) received = sig;
  });
  signals_ctx.run();

  obs::info("signal " + std::to_string(received) + " received: draining (up to " +
            std::to_string(cfg->general.timeout.graceful_shutdown) + " s)");
  gw.begin_drain();
  const bool drained = gw.wait_drained(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(cfg->general.timeout.graceful_shutdown)));
  if (!drained) obs::warn("graceful shutdown timeout reached with requests still in flight");
  gw.stop();
  obs::info("stopped");
  return 0;
}
