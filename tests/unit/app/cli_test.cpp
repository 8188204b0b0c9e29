#include <catch2/catch.hpp>

#include <map>

#include "meshgate/app/cli.hpp"

using namespace meshgate::app;

namespace {
env_fn env_of(std::map<std::string, std::string> m) {
  return [m](std::string_view k) -> std::optional<std::string> {
    auto it = m.find(std::string(k));
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}
cli_options ok(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  auto r = parse_cli(args, env_of(std::move(env)));
  REQUIRE(std::holds_alternative<cli_options>(r));
  return std::get<cli_options>(r);
}
std::string err(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  auto r = parse_cli(args, env_of(std::move(env)));
  REQUIRE(std::holds_alternative<cli_error>(r));
  return std::get<cli_error>(r).message;
}
}  // namespace

TEST_CASE("cli: litellm flags in both spellings", "[cli]") {
  auto o = ok({"--config", "c.yaml", "--host=127.0.0.1", "--port", "8080", "--num_workers=3", "--detailed_debug"});
  CHECK(o.config_path == "c.yaml");
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 8080);
  CHECK(o.num_workers == 3);
  CHECK(o.detailed_debug);
  CHECK(ok({"-c", "x.yaml"}).config_path == "x.yaml");
  CHECK(ok({"--config", "x.yaml", "--validate_config"}).validate_config);
}

TEST_CASE("cli: defaults and environment fallbacks, flags winning", "[cli]") {
  auto d = ok({"--config", "c.yaml"});
  CHECK(d.host == "0.0.0.0");
  CHECK(d.port == 4000);
  CHECK(d.num_workers == 0);
  auto e = ok({"--config", "c.yaml"}, {{"HOST", "::1"}, {"PORT", "5000"}, {"NUM_WORKERS", "2"}, {"DETAILED_DEBUG", "true"}});
  CHECK(e.host == "::1");
  CHECK(e.port == 5000);
  CHECK(e.num_workers == 2);
  CHECK(e.detailed_debug);
  CHECK(ok({"--config", "c.yaml", "--port", "6000"}, {{"PORT", "5000"}}).port == 6000);
  CHECK(ok({}, {{"CONFIG_FILE_PATH", "env.yaml"}}).config_path == "env.yaml");
}

TEST_CASE("cli: mistakes are errors that say what is wrong", "[cli]") {
  CHECK(err({}) == "--config FILE is required");
  CHECK(err({"--config"}) == "--config needs a value");
  CHECK(err({"--config", "c", "--port", "99999"}).find("--port must be a number") != std::string::npos);
  CHECK(err({"--config", "c", "--port", "abc"}).find("--port") != std::string::npos);
  CHECK(err({"--config", "c", "--num_workers", "0"}).find("--num_workers") != std::string::npos);
  CHECK(err({"--config", "c", "--bogus"}) == "unknown argument '--bogus'");
  CHECK(err({"--config", "c", "--ssl_keyfile_path", "k"}).find("together") != std::string::npos);
  CHECK(ok({"--version"}).show_version);
  CHECK(ok({"--help"}).show_help);
}
