#include "meshgate/obs/log.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/compile.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "meshgate/core/json.hpp"

namespace meshgate::obs {

namespace {
bool json_mode = false;

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Request paths come from clients: keep log lines single-line and bounded.
std::string clean(std::string_view s, std::size_t max = 256) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (char c : s.substr(0, max)) out.push_back(is_control(c) ? '?' : c);
  return out;
}

// The same, without a copy when nothing needs replacing (the usual case): `scratch` holds the
// cleaned text otherwise.
std::string_view clean_view(std::string_view s, std::string& scratch, std::size_t max = 256) {
  s = s.substr(0, max);
  if (std::none_of(s.begin(), s.end(), is_control)) return s;
  scratch = clean(s, max);
  return scratch;
}
}  // namespace

void init_logging(bool json, bool debug) {
  json_mode = json;
  auto logger = spdlog::stderr_logger_mt("meshgate");
  if (json) {
    logger->set_pattern("%v");  // every line is a complete JSON object built by emit()
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  }
  logger->set_level(debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

namespace {
void emit(spdlog::level::level_enum level, std::string_view message) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  if (!json_mode) {
    logger->log(level, "{}", message);
    return;
  }
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  core::json j = {{"time_ms", ms}, {"level", spdlog::level::to_string_view(level).data()}, {"message", message}};
  logger->log(level, "{}", core::dump_json(j));
}
}  // namespace

void debug(std::string_view m) { emit(spdlog::level::debug, m); }
void info(std::string_view m) { emit(spdlog::level::info, m); }
void warn(std::string_view m) { emit(spdlog::level::warn, m); }
void error(std::string_view m) { emit(spdlog::level::err, m); }
bool debug_enabled() { return spdlog::default_logger_raw()->should_log(spdlog::level::debug); }

void log_access(const access_record& r) {
  if (json_mode) {
    core::json j = {{"type", "access"},{"call_id", r.call_id},       {"method", r.method},
                    {"route", clean(r.route)},    {"model", clean(r.model)},
                    {"status", r.status},         {"duration_ms", r.duration_ms},
                    {"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens},
                    {"cost", r.cost},             {"stream", r.stream}};
    if (!r.error.empty()) j["error"] = clean(r.error, 512);
    spdlog::default_logger_raw()->info("{}", core::dump_json(j));
    return;
  }
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(spdlog::level::info)) return;
  // A compiled format: the line is formatted without parsing its format string per request.
  std::string route_scratch, model_scratch, error_scratch;
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), FMT_COMPILE("{} {} {} model={} status={} {:.2f}ms tokens={}/{} cost={} stream={}"),
                 r.call_id, r.method, clean_view(r.route, route_scratch), clean_view(r.model, model_scratch), r.status,
                 r.duration_ms, r.prompt_tokens, r.completion_tokens, r.cost, r.stream);
  if (!r.error.empty())
    fmt::format_to(std::back_inserter(line), FMT_COMPILE(" error={}"), clean_view(r.error, error_scratch, 512));
  logger->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace meshgate::obs
