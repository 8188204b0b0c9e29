#include "meshgate/translate/upstream_errors.hpp"

#include <cstddef>
#include <initializer_list>
#include <utility>
#include <variant>

#include "meshgate/core/ascii.hpp"
#include "meshgate/core/json.hpp"

namespace meshgate::translate {

namespace {

constexpr std::size_t max_text_bytes = 2048;
constexpr std::size_t max_retry_after_bytes = 64;
constexpr std::string_view redacted = "[redacted]";
constexpr std::string_view replacement_char = "\xEF\xBF\xBD";
constexpr std::string_view default_label = "Tensormesh";

void redact(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
    text.replace(pos, secret.size(), redacted);
    pos += redacted.size();
  }
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at s[i] (i < s.size(), s[i] >= 0x80),
// or 0 when it is not one (overlong forms, surrogates and values above U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = at(i);
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (!is_continuation(at(i + k))) return 0;
  }
  return len;
}

// Text fit for a single-line message: no control characters, valid UTF-8.
std::string clean(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool after_break = false;  // the last byte written is a space standing for a line break or tab
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c == '\t' || c == '\n' || c == '\r') {
        // A break and the spaces around it become one space: "a\r\n  b" reads "a b".
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
        after_break = true;
      } else if (c == ' ') {
        if (!after_break) out.push_back(' ');
      } else if (c > 0x20 && c != 0x7f) {
        out.push_back(static_cast<char>(c));
        after_break = false;
      }
      ++i;
      continue;
    }
    after_break = false;
    const std::size_t len = utf8_sequence_length(in, i);
    if (len == 0) {
      out.append(replacement_char);
      ++i;
      continue;
    }
    const bool c1_control = len == 2 && c == 0xC2 && static_cast<unsigned char>(in[i + 1]) < 0xA0;
    if (!c1_control) out.append(in.substr(i, len));
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::size_t lead = 0;
  while (lead < out.size() && out[lead] == ' ') ++lead;
  out.erase(0, lead);
  return out;
}

void truncate(std::string& text) {
  if (text.size() <= max_text_bytes) return;
  std::size_t cut = max_text_bytes;
  while (cut > 0 && is_continuation(static_cast<unsigned char>(text[cut]))) --cut;
  text.resize(cut);
  text.append("...");
}

// Redaction runs before cleaning (so cutting cannot expose part of the secret) and again after
// (so a secret split by a stripped control character cannot reassemble unredacted).
std::string safe_text(std::string_view raw, std::string_view secret) {
  std::string text(raw);
  redact(text, secret);
  text = clean(text);
  if (!secret.empty()) redact(text, clean(secret));
  truncate(text);
  return text;
}


bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool says_context_too_long(std::string_view lower) {
  constexpr std::string_view phrases[] = {
      "maximum context length",
      "model's maximum context limit",
      "string too long. expected a string with maximum length",
      "longer than the model's context length",
      "longer than the maximum model length",
      "exceeds the available context size",
      "context_length_exceeded",
  };
  for (std::string_view p : phrases) {
    if (contains(lower, p)) return true;
  }
  return false;
}

bool says_content_policy(std::string_view lower) {
  return contains(lower, "content_policy_violation") ||
         (contains(lower, "invalid prompt") && contains(lower, "violating our usage policy")) ||
         contains(lower, "request was rejected as a result of the safety system");
}

struct upstream_fields {
  std::string text;
  std::optional<std::string> type;
  std::optional<std::string> param;
};

std::string as_text(const core::json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  return core::dump_json(v);
}

std::optional<std::string> string_field(const core::json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get_ref<const std::string&>();
}

// The first present, non-null field among `keys`, as text.
std::optional<std::string> text_field(const core::json& obj, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    auto it = obj.find(key);
    if (it != obj.end() && !it->is_null()) return as_text(*it);
  }
  return std::nullopt;
}

upstream_fields extract(std::string_view body) {
  upstream_fields f;
  auto parsed = core::parse_json(body);
  const auto* j = std::get_if<core::json>(&parsed);
  if (j == nullptr) {
    f.text = std::string(body);
    return f;
  }
  if (!j->is_object()) {
    f.text = as_text(*j);
    return f;
  }
  auto err = j->find("error");
  const bool err_object = err != j->end() && err->is_object();
  if (err_object) {
    if (auto m = text_field(*err, {"message"})) f.text = std::move(*m);
    f.type = string_field(*err, "type");
    f.param = string_field(*err, "param");
  } else {
    // vLLM's flat shape: {"object":"error","message":…,"type":"BadRequestError",…}
    f.type = string_field(*j, "type");
    if (f.type == "error") f.type.reset();
    f.param = string_field(*j, "param");
  }
  if (f.text.empty()) {
    if (auto m = text_field(*j, {"message", "detail"})) {
      f.text = std::move(*m);
    } else if (err != j->end() && err->is_string()) {
      f.text = err->get_ref<const std::string&>();
    } else {
      f.text = core::dump_json(*j);
    }
  }
  return f;
}

std::string label_of(const upstream_context& ctx) {
  return std::string(ctx.provider_label.empty() ? default_label : ctx.provider_label) + "Exception";
}

core::api_error finish(int status, std::string message, std::string type, const upstream_context& ctx) {
  if (!ctx.model_group.empty()) {
    message += ". Received Model Group=";
    message += clean(ctx.model_group);
  }
  core::api_error e;
  e.status = status;
  e.message = std::move(message);
  e.type = std::move(type);
  return e;
}

// Delta-seconds ("5", some servers send "1.5") or an HTTP-date; anything else is not copied into
// a response header.
std::optional<std::string> safe_retry_after(std::optional<std::string_view> value, std::string_view secret) {
  if (!value) return std::nullopt;
  std::string_view v = *value;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty() || v.size() > max_retry_after_bytes) return std::nullopt;
  for (char c : v) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alnum && c != ' ' && c != ',' && c != ':' && c != '.' && c != '-') return std::nullopt;
  }
  if (!secret.empty() && v.find(secret) != std::string_view::npos) return std::nullopt;
  return std::string(v);
}

std::string_view default_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 408: return "timeout";
    case 429: return "rate_limit_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

}  // namespace

core::api_error map_upstream_status(int status, std::string_view body, const upstream_context& ctx,
                                    std::optional<std::string_view> retry_after) {
  upstream_fields f = extract(body);
  const std::string lower = core::ascii_lower(f.text) + '\n' + core::ascii_lower(body);
  std::string text = safe_text(f.text, ctx.secret);
  if (text.empty()) {
    text = "upstream returned HTTP " + std::to_string(status) + " with an empty body";
  }
  const std::string tail = label_of(ctx) + " - " + text;

  int out_status = status;
  std::string prefix;
  switch (status) {
    case 400:
      if (says_context_too_long(lower)) {
        prefix = "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: ";
      } else if (says_content_policy(lower)) {
        prefix = "litellm.BadRequestError: litellm.ContentPolicyViolationError: ContentPolicyViolationError: ";
      } else {
        prefix = "litellm.BadRequestError: ";
      }
      break;
    case 422:
      out_status = 400;
      prefix = "litellm.BadRequestError: ";
      break;
    case 401: prefix = "litellm.AuthenticationError: AuthenticationError: "; break;
    case 403: prefix = "litellm.PermissionDeniedError: PermissionDeniedError: "; break;
    case 404: prefix = "litellm.NotFoundError: NotFoundError: "; break;
    case 408:
    case 504:
      out_status = 408;
      prefix = "litellm.Timeout: Timeout Error: ";
      break;
    case 429: prefix = "litellm.RateLimitError: RateLimitError: "; break;
    case 503: prefix = "litellm.ServiceUnavailableError: ServiceUnavailableError: "; break;
    default:
      if (status < 400 || status > 599) out_status = 502;
      prefix = "litellm.APIError: APIError: ";
      break;
  }

  std::string type;
  if (f.type) type = safe_text(*f.type, ctx.secret);
  if (type.empty()) type = std::string(default_type(out_status));

  core::api_error e = finish(out_status, prefix + tail, std::move(type), ctx);
  if (f.param) {
    std::string param = safe_text(*f.param, ctx.secret);
    if (!param.empty()) e.param = std::move(param);
  }
  if (out_status == 429 || out_status == 503) e.retry_after = safe_retry_after(retry_after, ctx.secret);
  return e;
}

core::api_error map_connection_error(std::string_view what, const upstream_context& ctx) {
  std::string text = safe_text(what, ctx.secret);
  if (text.empty()) text = "Connection error.";
  return finish(500, "litellm.APIConnectionError: APIConnectionError: " + label_of(ctx) + " - " + text,
                "api_error", ctx);
}

core::api_error map_timeout(std::string_view what, const upstream_context& ctx) {
  std::string message = "litellm.Timeout: APITimeoutError - Request timed out.";
  std::string text = safe_text(what, ctx.secret);
  if (!text.empty()) message += " Error_str: " + text;
  return finish(408, std::move(message), "timeout", ctx);
}

core::api_error invalid_upstream_response(std::string_view what) {
  std::string text = safe_text(what, {});
  if (text.empty()) text = "the body is not what the route needs";
  core::api_error e;
  e.status = 502;
  e.message = "litellm.APIError: APIError: invalid response from upstream: " + text;
  e.type = "api_error";
  return e;
}

}  // namespace meshgate::translate
