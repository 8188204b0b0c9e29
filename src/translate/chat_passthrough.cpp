#include "meshgate/translate/chat_passthrough.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace meshgate::translate {

namespace {

using core::json;

// Keys that would let a client pick the upstream or its credentials (SSRF, key exfiltration:
// user-expectations §4). meshgate never reads them, but refusing is clearer than dropping.
constexpr std::array<std::string_view, 7> forbidden_keys = {
    "api_base", "base_url", "api_key", "api_version", "custom_llm_provider", "litellm_params", "azure_ad_token"};
constexpr std::array<std::string_view, 3> forbidden_prefixes = {"aws_", "vertex_", "azure_"};

// LiteLLM's own request controls: meaningful to LiteLLM, noise (or a rejection) to vLLM.
// Also the pricing overrides (prices come from config only) and `extra_headers` (upstream
// headers come from the deployment only).
constexpr std::array<std::string_view, 25> consumed_keys = {
    "metadata", "tags", "fallbacks", "num_retries", "mock_response", "caching", "timeout", "cache",
    "guardrails", "drop_params", "additional_drop_params", "mock_testing_fallbacks", "mock_timeout",
    "mock_tool_calls", "context_window_fallback_dict", "content_policy_fallbacks", "disable_fallbacks",
    "max_retries", "input_cost_per_token", "output_cost_per_token", "proxy_server_request", "secret_fields",
    "model_list", "no-log", "extra_headers"};
constexpr std::array<std::string_view, 2> consumed_prefixes = {"litellm_", "user_api_key"};

bool matches(std::string_view key, const auto& exact, const auto& prefixes) {
  for (std::string_view k : exact) {
    if (key == k) return true;
  }
  for (std::string_view p : prefixes) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

bool is_forbidden(std::string_view key) { return matches(key, forbidden_keys, forbidden_prefixes); }
bool is_consumed(std::string_view key) { return matches(key, consumed_keys, consumed_prefixes); }

std::string in_quotes(std::string_view name) {
  std::string s;
  s.reserve(name.size() + 2);
  s += '"';
  s += name;
  s += '"';
  return s;
}

core::api_error field_error(std::string_view field, std::string_view what) {
  return core::bad_request(in_quotes(field) + " " + std::string(what), std::string(field));
}

core::api_error forbidden_key_error(std::string_view shown_name, std::string_view param) {
  return core::bad_request(
      in_quotes(shown_name) + " is not allowed in the request body: the upstream is fixed by the gateway's config",
      std::string(param));
}

// Absent and JSON null are the same to every OpenAI SDK; neither is a type error.
const json* present(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

// Python clients serialise some ints as 12.0; vLLM accepts those, so we do too.
std::optional<std::int64_t> integral(const json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9.0e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> seconds(const json& v) {
  double d = 0;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(d) || d <= 0) return std::nullopt;
  return d;
}

bool has_visible_text(const json& v) {
  if (!v.is_string()) return false;
  for (char c : v.get_ref<const std::string&>()) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
  }
  return false;
}

// The OpenAI SDK merges `extra_body` into the top level before sending, and LiteLLM forwards it
// the same way; clients that post raw JSON copy that habit. Merging here (extra_body winning, as
// in the SDK) means every later check, including routing on `model`, sees what goes upstream.
std::optional<core::api_error> merge_extra_body(json& body) {
  auto it = body.find("extra_body");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) {
    body.erase(it);
    return std::nullopt;
  }
  if (!it->is_object()) return field_error("extra_body", "must be an object");
  json extra = std::move(*it);
  body.erase("extra_body");
  for (auto& [key, value] : extra.items()) {
    if (is_forbidden(key)) return forbidden_key_error("extra_body." + key, "extra_body");
    body[key] = std::move(value);
  }
  return std::nullopt;
}

std::optional<core::api_error> check_model(const json& body, std::string_view path_model, openai_request& req) {
  if (!path_model.empty()) {
    req.model = std::string(path_model);
    return std::nullopt;
  }
  const json* model = present(body, "model");
  if (model == nullptr) return field_error("model", "is required");
  if (!model->is_string() || model->get_ref<const std::string&>().empty()) {
    return field_error("model", "must be a non-empty string");
  }
  req.model = model->get<std::string>();
  return std::nullopt;
}

std::optional<core::api_error> check_messages(const json& body) {
  const json* messages = present(body, "messages");
  if (messages == nullptr) return field_error("messages", "is required");
  if (!messages->is_array() || messages->empty()) return field_error("messages", "must be a non-empty array");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    if (!(*messages)[i].is_object()) {
      return core::bad_request("messages[" + std::to_string(i) + "] must be an object", "messages");
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> check_prompt(const json& body) {
  const json* prompt = present(body, "prompt");
  if (prompt == nullptr) return field_error("prompt", "is required");
  if (!prompt->is_string() && !prompt->is_array()) return field_error("prompt", "must be a string or an array");
  return std::nullopt;
}

std::optional<core::api_error> check_stream(const json& body, openai_request& req) {
  if (const json* stream = present(body, "stream")) {
    if (!stream->is_boolean()) return field_error("stream", "must be a boolean");
    req.stream = stream->get<bool>();
  }
  if (const json* options = present(body, "stream_options")) {
    if (!options->is_object()) return field_error("stream_options", "must be an object");
    if (const json* include = present(*options, "include_usage")) {
      if (!include->is_boolean()) {
        return core::bad_request(R"("stream_options.include_usage" must be a boolean)", "stream_options");
      }
      req.client_wants_usage = include->get<bool>();
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> check_token_limits(const json& body) {
  for (std::string_view field : {std::string_view("max_tokens"), std::string_view("max_completion_tokens")}) {
    const json* v = present(body, field);
    if (v == nullptr) continue;
    auto n = integral(*v);
    // vLLM rejects anything below 1; saying so here names the field the client actually sent.
    if (!n || *n < 1) return field_error(field, "must be a positive integer");
  }
  return std::nullopt;
}

std::optional<core::api_error> check_tools(const json& body) {
  const json* tools = present(body, "tools");
  if (tools == nullptr) return std::nullopt;
  if (!tools->is_array()) return field_error("tools", "must be an array");
  for (std::size_t i = 0; i < tools->size(); ++i) {
    const json& tool = (*tools)[i];
    std::string where = "tools[" + std::to_string(i) + "]";
    if (!tool.is_object()) return core::bad_request(where + " must be an object", "tools");
    const json* type = present(tool, "type");
    if (type != nullptr && !(type->is_string() && type->get_ref<const std::string&>() == "function")) continue;
    const json* function = present(tool, "function");
    if (function != nullptr && function->is_object()) {
      if (const json* name = present(*function, "name"); name != nullptr && name->is_string()) {
        where += " (" + in_quotes(name->get_ref<const std::string&>()) + ")";
      }
    }
    if (function == nullptr || !function->is_object()) {
      return core::bad_request(where + ": function must be an object", "tools");
    }
    const json* description = present(*function, "description");
    if (description == nullptr || !has_visible_text(*description)) {
      return core::bad_request(where + ": function.description is required by Tensormesh and must be non-empty",
                               "tools");
    }
  }
  return std::nullopt;
}

std::optional<core::api_error> read_litellm_controls(const json& body, openai_request& req) {
  if (const json* timeout = present(body, "timeout")) {
    req.timeout_s = seconds(*timeout);
    if (!req.timeout_s) return field_error("timeout", "must be a positive number of seconds");
  }
  if (const json* retries = present(body, "num_retries")) {
    auto n = integral(*retries);
    if (!n || *n < 0 || *n > std::numeric_limits<int>::max()) {
      return field_error("num_retries", "must be a non-negative integer");
    }
    req.num_retries = static_cast<int>(*n);
  }
  if (const json* user = present(body, "user"); user != nullptr && user->is_string()) {
    req.user = user->get<std::string>();
  }
  return std::nullopt;
}

// Keeps a quoted upstream message short and cuts it on a UTF-8 boundary.
std::string clip(const std::string& text, std::size_t limit = 200) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

core::api_error upstream_invalid(std::string reason) {
  core::api_error e;
  e.status = 502;
  e.type = "api_error";
  e.message = "upstream returned an invalid response: " + std::move(reason);
  return e;
}

}  // namespace

std::variant<openai_request, core::api_error> parse_openai_request(std::string_view body, openai_route route,
                                                                   std::string_view path_model) {
  auto parsed = core::parse_json(body);
  if (auto* err = std::get_if<core::json_parse_error>(&parsed)) {
    return core::bad_request("Malformed JSON in request body: " + err->message);
  }
  openai_request req;
  req.body = std::move(std::get<json>(parsed));
  json& j = req.body;
  if (!j.is_object()) {
    return core::bad_request(std::string("Request body must be a JSON object, got ") + j.type_name());
  }
  if (auto e = merge_extra_body(j)) return *std::move(e);
  for (const auto& [key, value] : j.items()) {
    if (is_forbidden(key)) return forbidden_key_error(key, key);
  }
  if (auto e = check_model(j, path_model, req)) return *std::move(e);
  if (auto e = route == openai_route::chat ? check_messages(j) : check_prompt(j)) return *std::move(e);
  if (auto e = check_stream(j, req)) return *std::move(e);
  if (auto e = check_token_limits(j)) return *std::move(e);
  if (auto e = check_tools(j)) return *std::move(e);
  if (auto e = read_litellm_controls(j, req)) return *std::move(e);
  return req;
}

std::string build_upstream_body(openai_request& req, const config::deployment& d) {
  json& j = req.body;
  if (!j.is_object()) j = json::object();
  j["model"] = d.upstream_model;

  if (auto mct = j.find("max_completion_tokens"); mct != j.end()) {
    auto mt = j.find("max_tokens");
    if (mt == j.end() || mt->is_null()) j["max_tokens"] = std::move(*mct);
    j.erase("max_completion_tokens");
  }

  std::vector<std::string> drop;
  for (const auto& [key, value] : j.items()) {
    if (is_consumed(key)) drop.push_back(key);
  }
  for (const auto& key : drop) j.erase(key);

  if (req.stream) {
    json& options = j["stream_options"];
    if (!options.is_object()) options = json::object();
    options["include_usage"] = true;
  } else {
    // Meaningless without streaming, and vLLM rejects it ("only ... when stream=True").
    j.erase("stream_options");
  }
  return core::dump_json(j);
}

std::variant<std::string, core::api_error> restamp_response(std::string_view upstream_body, std::string_view alias,
                                                            usage::token_usage& usage_out) {
  usage_out = usage::token_usage{};
  auto parsed = core::parse_json(upstream_body);
  if (auto* err = std::get_if<core::json_parse_error>(&parsed)) return upstream_invalid(err->message);
  json& j = std::get<json>(parsed);
  if (!j.is_object()) return upstream_invalid(std::string("expected a JSON object, got ") + j.type_name());

  auto choices = j.find("choices");
  if (choices == j.end()) {
    // vLLM-style servers sometimes put an error object under a 2xx; its text is the useful part.
    if (auto error = j.find("error"); error != j.end() && error->is_object()) {
      if (auto msg = error->find("message"); msg != error->end() && msg->is_string()) {
        return upstream_invalid("an error object instead of \"choices\": " + clip(msg->get<std::string>()));
      }
    }
    return upstream_invalid("missing \"choices\"");
  }
  if (!choices->is_array()) return upstream_invalid("\"choices\" is not an array");

  j["model"] = std::string(alias);
  if (auto u = j.find("usage"); u != j.end()) usage_out = usage::from_json(*u);
  return core::dump_json(j);
}

}  // namespace meshgate::translate
