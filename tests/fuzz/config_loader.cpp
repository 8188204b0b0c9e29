// Config loader (src/config) through load_string: never throws (yaml-cpp's exceptions stay
// inside), errors name the source, and a loaded config keeps the promises of config.hpp.
//
// The environment the loader sees is fixed: the provider variables are set (their values
// marked secret), a few others are set, the rest are unset.
#include <algorithm>
#include <map>

#include "fuzz_support.hpp"
#include "meshgate/config/loader.hpp"

namespace cfg = meshgate::config;

namespace {

constexpr std::string_view secret_marker = "sk-env-secret";

std::optional<std::string> env(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> vars = {
      {"LITELLM_MASTER_KEY", "sk-env-secret-master"},
      {"TENSORMESH_INFERENCE_API_KEY", "sk-env-secret-tensormesh"},
      {"OPENAI_API_KEY", "sk-env-secret-openai"},
      {"HOSTED_VLLM_API_KEY", "sk-env-secret-vllm"},
      {"HOSTED_VLLM_API_BASE", "http://vllm.invalid:8000/v1/"},
      {"TENSORMESH_SERVERLESS_BASE_URL", "https://tm.invalid/v1"},
      {"GRACEFUL_SHUTDOWN_TIMEOUT", "12"},
      {"EMPTY", ""},
      {"HEADER", "a\r\nInjected: yes"},
      {"NUM", "3e-7"},
  };
  if (auto it = vars.find(name); it != vars.end()) return it->second;
  return std::nullopt;
}

bool has_control_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

bool timeout_ok(double t) { return t > 0 && t <= 31536000; }

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = cfg::load_string(text, "fuzz.yaml", env);
  if (auto* e = std::get_if<cfg::load_error>(&r)) {
    FUZZ_CHECK(e->message.starts_with("fuzz.yaml"));
    // Secret values that only the environment knows never reach a message.
    if (text.find("sk-") == std::string_view::npos) FUZZ_CHECK(e->message.find(secret_marker) == std::string::npos);
    return 0;
  }
  const cfg::config& c = std::get<cfg::config>(r);
  FUZZ_CHECK(c.source_path == "fuzz.yaml");
  if (!c.general.allow_unauthenticated) FUZZ_CHECK(!c.general.master_key.empty());
  const auto& t = c.general.timeout;
  for (double v : {t.connect, t.request, t.stream, t.stream_idle, t.downstream_read, t.downstream_write,
                   t.keepalive_idle, t.health_check})
    FUZZ_CHECK(timeout_ok(v));
  FUZZ_CHECK(c.general.key_header_name == lower(c.general.key_header_name));
  for (const cfg::deployment& d : c.deployments) {
    FUZZ_CHECK(!d.model_name.empty());
    FUZZ_CHECK(d.provider == "tensormesh" || d.provider == "hosted_vllm" || d.provider == "openai");
    FUZZ_CHECK(!d.upstream_model.empty());
    FUZZ_CHECK(d.api_base.starts_with("http://") || d.api_base.starts_with("https://"));
    FUZZ_CHECK(!d.api_base.ends_with("/"));
    FUZZ_CHECK(d.api_base.find_first_of("?#@") == std::string::npos);
    FUZZ_CHECK(!has_control_break(d.api_key));
    FUZZ_CHECK(!d.id.empty());
    FUZZ_CHECK(d.responses_mode == "native" || d.responses_mode == "bridge");
    if (d.timeout_s) FUZZ_CHECK(timeout_ok(*d.timeout_s));
    if (d.stream_timeout_s) FUZZ_CHECK(timeout_ok(*d.stream_timeout_s));
    for (const auto& [name, value] : d.extra_headers) {
      const std::string n = lower(name);
      FUZZ_CHECK(!name.empty());
      FUZZ_CHECK(n != "host" && n != "content-length" && n != "transfer-encoding" && n != "connection" &&
                 n != "authorization");
      FUZZ_CHECK(!has_control_break(name) && !has_control_break(value));
      FUZZ_CHECK(name.find_first_of(" :") == std::string::npos);
    }
  }
  FUZZ_CHECK(c.model_group_count() <= c.deployments.size());
  return 0;
}
