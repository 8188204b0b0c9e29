#include "meshgate/server/router.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <utility>

namespace meshgate::server {

namespace {

// Far more than any real route or model id needs; longer paths are not_found without a
// heap allocation per segment.
constexpr std::size_t max_segments = 32;

struct segment_list {
  std::array<std::string_view, max_segments> items{};
  std::size_t size = 0;
  std::span<const std::string_view> view() const { return {items.data(), size}; }
};

// "{}" captures one segment, "{+}" one or more (LiteLLM's `{name:path}`).
constexpr std::string_view one_segment = "{}";
constexpr std::string_view many_segments = "{+}";

struct route {
  std::string_view method;
  std::string_view pattern;  // without the leading '/'
  endpoint ep;
  bool v1_optional = false;  // also answers under "/v1/"
  bool head_as_get = false;
};

// Order matters only where two patterns can match one path: the chat form of the /engines and
// /openai/deployments aliases is listed before the completions form, so that
// "/engines/m/chat/completions" is chat with model "m", not completions with model "m/chat".
constexpr route routes[] = {
    {"POST", "chat/completions", endpoint::chat_completions, true},
    {"POST", "engines/{+}/chat/completions", endpoint::chat_completions},
    {"POST", "openai/deployments/{+}/chat/completions", endpoint::chat_completions},
    {"POST", "completions", endpoint::completions, true},
    {"POST", "engines/{+}/completions", endpoint::completions},
    {"POST", "openai/deployments/{+}/completions", endpoint::completions},
    {"POST", "responses", endpoint::responses_create, true},
    {"GET", "responses/{}", endpoint::responses_get, true},
    {"DELETE", "responses/{}", endpoint::responses_delete, true},
    {"GET", "responses/{}/input_items", endpoint::responses_input_items, true},
    {"POST", "responses/{}/cancel", endpoint::responses_cancel, true},
    {"POST", "messages", endpoint::messages, true},
    {"POST", "messages/count_tokens", endpoint::messages_count_tokens, true},
    {"GET", "models", endpoint::models_list, true},
    {"GET", "models/{+}", endpoint::model_get, true},
    {"GET", "health/liveliness", endpoint::health_liveness, false, true},
    {"GET", "health/liveness", endpoint::health_liveness, false, true},
    {"GET", "health/readiness", endpoint::health_readiness, false, true},
    {"GET", "health", endpoint::health, false, true},
    {"GET", "metrics", endpoint::metrics},
    {"GET", "spend/logs", endpoint::spend_logs},
};

// Splits on '/'; false when a segment is empty or there are too many.
bool split(std::string_view s, segment_list& out) {
  out.size = 0;
  while (true) {
    const std::size_t slash = s.find('/');
    const std::string_view seg = s.substr(0, slash);
    if (seg.empty() || out.size == max_segments) return false;
    out.items[out.size++] = seg;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

// The path of an origin-form target, or nullopt for anything else.
std::optional<std::string_view> path_of(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  }
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

struct path_match {
  bool matched = false;
  bool has_param = false;
  std::string_view raw_param;
};

path_match match_segments(std::span<const std::string_view> pattern, std::span<const std::string_view> path) {
  std::optional<std::size_t> capture;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == one_segment || pattern[i] == many_segments) capture = i;
  }
  if (!capture) {
    if (path.size() != pattern.size()) return {};
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i] != path[i]) return {};
    }
    return {true, false, {}};
  }
  const std::size_t at = *capture;
  const bool many = pattern[at] == many_segments;
  if (many ? path.size() < pattern.size() : path.size() != pattern.size()) return {};
  const std::size_t taken = path.size() - pattern.size() + 1;  // path segments in the capture
  for (std::size_t i = 0; i < at; ++i) {
    if (pattern[i] != path[i]) return {};
  }
  for (std::size_t i = at + 1; i < pattern.size(); ++i) {
    if (pattern[i] != path[i - 1 + taken]) return {};
  }
  // Segments are views into one path, so the capture is the span from its first to its last.
  const std::string_view first = path[at];
  const std::string_view last = path[at + taken - 1];
  const auto length = static_cast<std::size_t>(last.data() + last.size() - first.data());
  return {true, true, std::string_view(first.data(), length)};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode_param(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out.push_back(raw[i]);
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    const int hi = hex_value(raw[i + 1]);
    const int lo = hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const auto byte = static_cast<unsigned char>(hi * 16 + lo);
    if (byte < 0x20 || byte == 0x7f) return std::nullopt;
    out.push_back(static_cast<char>(byte));
    i += 2;
  }
  // A decoded "%2e%2e" must not smuggle a dot segment past the raw-path check.
  std::string_view rest = out;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg == "." || seg == "..") return std::nullopt;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

// Each route's pattern split once, in the order of `routes`, rather than on every request.
const std::array<segment_list, std::size(routes)>& route_patterns() {
  static const auto patterns = [] {
    std::array<segment_list, std::size(routes)> out;
    for (std::size_t i = 0; i < std::size(routes); ++i) split(routes[i].pattern, out[i]);
    return out;
  }();
  return patterns;
}

bool method_allowed(const route& r, std::string_view method) {
  return method == r.method || (r.head_as_get && method == "HEAD");
}

}  // namespace

route_match match_route(std::string_view method, std::string_view target) {
  route_match result;
  const auto path = path_of(target);
  if (!path) return result;
  segment_list segs;
  if (!split(path->substr(1), segs)) return result;
  for (std::string_view s : segs.view()) {
    if (s == "." || s == "..") return result;
  }
  const auto full = segs.view();
  const bool has_v1 = !full.empty() && full.front() == "v1";

  bool path_known = false;
  const auto& patterns = route_patterns();
  for (std::size_t i = 0; i < std::size(routes); ++i) {
    const route& r = routes[i];
    const auto pattern = patterns[i].view();
    path_match m = match_segments(pattern, full);
    if (!m.matched && r.v1_optional && has_v1) m = match_segments(pattern, full.subspan(1));
    if (!m.matched) continue;
    std::string param;
    if (m.has_param) {
      auto decoded = decode_param(m.raw_param);
      if (!decoded) continue;
      param = std::move(*decoded);
    }
    if (!method_allowed(r, method)) {
      path_known = true;
      continue;
    }
    result.ep = r.ep;
    result.param = std::move(param);
    return result;
  }
  if (path_known) result.ep = endpoint::method_not_allowed;
  return result;
}

bool is_public(endpoint ep) { return ep == endpoint::health_liveness || ep == endpoint::health_readiness; }

std::string_view endpoint_name(endpoint ep) {
  switch (ep) {
    case endpoint::chat_completions: return "chat_completions";
    case endpoint::completions: return "completions";
    case endpoint::responses_create: return "responses_create";
    case endpoint::responses_get: return "responses_get";
    case endpoint::responses_delete: return "responses_delete";
    case endpoint::responses_input_items: return "responses_input_items";
    case endpoint::responses_cancel: return "responses_cancel";
    case endpoint::messages: return "messages";
    case endpoint::messages_count_tokens: return "messages_count_tokens";
    case endpoint::models_list: return "models_list";
    case endpoint::model_get: return "model_get";
    case endpoint::health_liveness: return "health_liveness";
    case endpoint::health_readiness: return "health_readiness";
    case endpoint::health: return "health";
    case endpoint::metrics: return "metrics";
    case endpoint::spend_logs: return "spend_logs";
    case endpoint::not_found: return "not_found";
    case endpoint::method_not_allowed: return "method_not_allowed";
  }
  return "unknown";
}

}  // namespace meshgate::server
