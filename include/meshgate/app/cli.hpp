#pragma once
// Command line and environment (product.md §1): LiteLLM's flags, `--flag value` or
// `--flag=value`, with HOST, PORT, NUM_WORKERS, DETAILED_DEBUG, SSL_KEYFILE_PATH,
// SSL_CERTFILE_PATH and CONFIG_FILE_PATH as fallbacks. Flags win over the environment.
//
// Contract: pure (the environment is injected), never throws except std::bad_alloc.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace meshgate::app {

struct cli_options {
  std::string config_path;
  std::string host = "0.0.0.0";
  unsigned short port = 4000;
  unsigned num_workers = 0;  // 0 = hardware threads
  bool detailed_debug = false;
  std::string ssl_keyfile;
  std::string ssl_certfile;
  bool validate_config = false;
  bool show_version = false;
  bool show_help = false;
};

struct cli_error {
  std::string message;
};

using env_fn = std::function<std::optional<std::string>(std::string_view)>;

std::variant<cli_options, cli_error> parse_cli(const std::vector<std::string>& args, const env_fn& env);

std::string usage_text();

}  // namespace meshgate::app
