#include "meshgate/app/cli.hpp"

#include <charconv>

namespace meshgate::app {

namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool truthy(std::string_view v) { return v == "1" || v == "true" || v == "True" || v == "TRUE" || v == "yes"; }

}  // namespace

std::string usage_text() {
  return "usage: meshgate --config FILE [--host 0.0.0.0] [--port 4000] [--num_workers N]\n"
         "                [--detailed_debug] [--ssl_keyfile_path F --ssl_certfile_path F]\n"
         "                [--validate_config] [--version] [--help]\n"
         "\n"
         "  --config, -c FILE       LiteLLM-format YAML config (env CONFIG_FILE_PATH)\n"
         "  --host HOST             bind address (env HOST, default 0.0.0.0)\n"
         "  --port PORT             bind port (env PORT, default 4000; 0 = any free port)\n"
         "  --num_workers N         worker threads (env NUM_WORKERS, default: hardware threads)\n"
         "  --detailed_debug        debug logging (env DETAILED_DEBUG)\n"
         "  --ssl_keyfile_path F    serve HTTPS with this key (env SSL_KEYFILE_PATH)\n"
         "  --ssl_certfile_path F   and this certificate chain (env SSL_CERTFILE_PATH)\n"
         "  --validate_config       load the config, print 'config OK (N models)' and exit\n"
         "  --version, -v           print the version and exit\n"
         "  --help, -h              print this text and exit\n";
}

std::variant<cli_options, cli_error> parse_cli(const std::vector<std::string>& args, const env_fn& env) {
  cli_options o;
  std::optional<std::string> host, port, workers, key, cert, config;
  bool debug_flag = false;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    auto need = [&](std::optional<std::string>& slot) -> std::optional<cli_error> {
      auto v = value();
      if (!v) return cli_error{arg + " needs a value"};
      slot = std::move(v);
      return std::nullopt;
    };
    std::optional<cli_error> err;
    if (arg == "--config" || arg == "-c") err = need(config);
    else if (arg == "--host") err = need(host);
    else if (arg == "--port") err = need(port);
    else if (arg == "--num_workers") err = need(workers);
    else if (arg == "--ssl_keyfile_path") err = need(key);
    else if (arg == "--ssl_certfile_path") err = need(cert);
    else if (arg == "--detailed_debug") debug_flag = true;
    else if (arg == "--validate_config") o.validate_config = true;
    else if (arg == "--version" || arg == "-v") o.show_version = true;
    else if (arg == "--help" || arg == "-h") o.show_help = true;
    else return cli_error{"unknown argument '" + arg + "'"};
    if (err) return *err;
  }

  if (!config) config = env("CONFIG_FILE_PATH");
  if (!host) host = env("HOST");
  if (!port) port = env("PORT");
  if (!workers) workers = env("NUM_WORKERS");
  if (!key) key = env("SSL_KEYFILE_PATH");
  if (!cert) cert = env("SSL_CERTFILE_PATH");
  if (auto d = env("DETAILED_DEBUG"); d && truthy(*d)) debug_flag = true;

  if (config) o.config_path = *config;
  if (host && !host->empty()) o.host = *host;
  if (port && !port->empty()) {
    unsigned v = 0;
    if (!parse_number(*port, v) || v > 65535) return cli_error{"--port must be a number from 0 to 65535, got '" + *port + "'"};
    o.port = static_cast<unsigned short>(v);
  }
  if (workers && !workers->empty()) {
    unsigned v = 0;
    if (!parse_number(*workers, v) || v == 0 || v > 1024)
      return cli_error{"--num_workers must be a number from 1 to 1024, got '" + *workers + "'"};
    o.num_workers = v;
  }
  if (key) o.ssl_keyfile = *key;
  if (cert) o.ssl_certfile = *cert;
  o.detailed_debug = debug_flag;
  if (o.ssl_keyfile.empty() != o.ssl_certfile.empty())
    return cli_error{"--ssl_keyfile_path and --ssl_certfile_path must be given together"};
  if (o.config_path.empty() && !o.show_help && !o.show_version) return cli_error{"--config FILE is required"};
  return o;
}

}  // namespace meshgate::app
