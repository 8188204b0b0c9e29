#include "meshgate/translate/chat_passthrough.hpp"

#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

#include "meshgate/translate/request_fields.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;

std::optional<core::api_error> check_model(const json& body, std::string_view path_model, openai_request& req) {
  if (!path_model.empty()) {
    req.model = std::string(path_model);
    return std::nullopt;
  }
  return read_model(body, req.model);
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
  if (auto e = read_retry_controls(body, req.timeout_s, req.num_retries)) return e;
  if (const json* user = present(body, "user"); user != nullptr && user->is_string()) {
    req.user = user->get<std::string>();
  }
  return std::nullopt;
}

std::optional<core::api_error> validate(json& j, openai_route route, std::string_view path_model,
                                       openai_request& req) {
  if (auto e = check_request_object(j)) return e;
  if (auto e = check_model(j, path_model, req)) return e;
  if (auto e = route == openai_route::chat ? check_messages(j) : check_prompt(j)) return e;
  if (auto e = check_stream(j, req)) return e;
  if (auto e = check_token_limits(j)) return e;
  if (auto e = check_tools(j)) return e;
  return read_litellm_controls(j, req);
}

// Members the checks read in full; each is small in any sane request (tools may be a few KB).
bool read_in_full(std::string_view key) {
  return key == "model" || key == "stream" || key == "stream_options" || key == "max_tokens" ||
         key == "max_completion_tokens" || key == "tools" || key == "timeout" || key == "num_retries" ||
         key == "user";
}

// A scanned member's value as nlohmann would parse it. The usual small values (a plain string,
// an integer, a boolean, null) are built directly: json::parse costs a lexer and a parser per
// call, which was a third of reading a small request.
json small_value(const core::json_member& m) {
  const std::string_view v = m.value;
  switch (m.kind) {
    case core::json_kind::string:
      // Without a backslash (and the scan checked the UTF-8) the text between the quotes is the value.
      if (v.find('\\') == std::string_view::npos) return json(std::string(v.substr(1, v.size() - 2)));
      break;
    case core::json_kind::boolean: return json(v == "true");
    case core::json_kind::null: return json(nullptr);
    case core::json_kind::number:
      // nlohmann reads an integer as unsigned when it has no sign, signed when negative; a
      // fraction, an exponent or an integer too large for 64 bits goes through its parser.
      if (v.find_first_of(".eE") == std::string_view::npos) {
        if (v.front() == '-') {
          std::int64_t n = 0;
          auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
          if (ec == std::errc() && end == v.data() + v.size()) return json(n);
        } else {
          std::uint64_t n = 0;
          auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
          if (ec == std::errc() && end == v.data() + v.size()) return json(n);
        }
      }
      break;
    default: break;
  }
  return json::parse(v, nullptr, false);
}

// The spliced form, when the body allows it: one scan, then the usual checks run on an object
// holding only the small members they read, with `messages`/`prompt` stood in for by a value of
// the same verdict. Anything unusual (invalid JSON, not an object, `extra_body`, repeated,
// escaped or forbidden keys, a malformed `messages`) returns nullopt, and the parsed form
// decides, so every error keeps its one wording.
std::optional<openai_request> parse_spliced(std::shared_ptr<const std::string> raw, openai_route route,
                                            std::string_view path_model) {
  openai_request req;
  const std::string_view body = *raw;
  core::json_scan_result scan;
  if (!core::scan_json(body, scan) || scan.kind != core::json_kind::object || !scan.plain_keys) return std::nullopt;
  json small = json::object();
  for (const auto& m : scan.members) {
    if (m.key == "extra_body" || is_forbidden_key(m.key)) return std::nullopt;
    if (read_in_full(m.key)) {
      small[std::string(m.key)] = small_value(m);
    } else if (m.key == "messages" && m.kind != core::json_kind::null) {
      if (m.kind != core::json_kind::array) return std::nullopt;
      if (m.elements == 0 || !m.all_objects) return std::nullopt;
      small["messages"] = json::array({json::object()});
    } else if (m.key == "prompt" && m.kind != core::json_kind::null) {
      if (m.kind == core::json_kind::string) small["prompt"] = "";
      else if (m.kind == core::json_kind::array) small["prompt"] = json::array();
      else return std::nullopt;
    }
  }
  if (validate(small, route, path_model, req)) return std::nullopt;
  req.raw = std::move(raw);
  req.members = std::move(scan.members);
  return req;
}

// The spliced form of build_upstream_body: the same edits, member by member, on the client's text.
std::string splice_upstream_body(const openai_request& req, const config::deployment& d) {
  const core::json_member* max_tokens = nullptr;
  const core::json_member* max_completion_tokens = nullptr;
  for (const auto& m : req.members) {
    if (m.key == "max_tokens") max_tokens = &m;
    else if (m.key == "max_completion_tokens") max_completion_tokens = &m;
  }
  // An existing non-null max_tokens wins; otherwise max_completion_tokens takes its place.
  const bool rename = max_completion_tokens != nullptr && (max_tokens == nullptr || max_tokens->kind == core::json_kind::null);

  std::string out;
  out.reserve(req.raw->size() + d.upstream_model.size() + 64);
  core::object_writer w(out);
  bool have_model = false;
  bool have_options = false;
  for (const auto& m : req.members) {
    const std::string_view key = m.key;
    if (key == "model") {
      w.replace_with_string(m, d.upstream_model);
      have_model = true;
    } else if (key == "max_completion_tokens") {
      if (rename) w.add("max_tokens", m.value);
    } else if (key == "max_tokens") {
      if (!rename) w.keep(m);
    } else if (key == "stream_options") {
      // Meaningless without streaming, and vLLM rejects it ("only ... when stream=True").
      if (!req.stream) continue;
      json options = json::parse(m.value, nullptr, false);
      if (!options.is_object()) options = json::object();
      options["include_usage"] = true;
      w.replace(m, core::dump_json(options));
      have_options = true;
    } else if (key == "metadata" || is_gateway_only_key(key)) {
      // `metadata` is LiteLLM's here; only the Responses API gives it a meaning upstream.
      continue;
    } else {
      w.keep(m);
    }
  }
  if (!have_model) w.add_string("model", d.upstream_model);
  if (req.stream && !have_options) w.add("stream_options", R"({"include_usage":true})");
  w.close();
  return out;
}

// restamp_response on the upstream's text: one scan, `usage` parsed on its own, the new `model`
// spliced in. nullopt when the body is not a plain object with a `choices` array; the parsed
// path then decides (and words any error).
std::optional<std::string> splice_response(std::string_view body, std::string_view alias,
                                           usage::token_usage& usage_out) {
  core::json_scan_result scan;
  if (!core::scan_json(body, scan) || scan.kind != core::json_kind::object || !scan.plain_keys) return std::nullopt;
  const core::json_member* choices = scan.find("choices");
  if (choices == nullptr || choices->kind != core::json_kind::array) return std::nullopt;
  if (const core::json_member* u = scan.find("usage")) usage_out = usage::from_json_text(u->value);
  std::string out;
  out.reserve(body.size() + alias.size() + 16);
  core::object_writer w(out);
  bool have_model = false;
  for (const auto& m : scan.members) {
    if (m.key == "model") {
      w.replace_with_string(m, alias);
      have_model = true;
    } else {
      w.keep(m);
    }
  }
  if (!have_model) w.add_string("model", alias);
  w.close();
  return out;
}

}  // namespace

std::variant<openai_request, core::api_error> parse_openai_request(std::string text, openai_route route,
                                                                   std::string_view path_model) {
  auto raw = std::make_shared<const std::string>(std::move(text));
  if (auto fast = parse_spliced(raw, route, path_model)) return *std::move(fast);
  auto parsed = parse_request_json(*raw);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  openai_request req;
  req.body = std::get<json>(std::move(parsed));
  if (auto e = validate(req.body, route, path_model, req)) return *std::move(e);
  return req;
}

std::string build_upstream_body(openai_request& req, const config::deployment& d) {
  if (req.raw) return splice_upstream_body(req, d);
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
    // `metadata` is LiteLLM's here; only the Responses API gives it a meaning upstream.
    if (key == "metadata" || is_gateway_only_key(key)) drop.push_back(key);
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
  if (auto spliced = splice_response(upstream_body, alias, usage_out)) return *std::move(spliced);
  auto parsed = parse_upstream_object(upstream_body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  json& j = std::get<json>(parsed);
  if (auto e = check_choices(j)) return *std::move(e);
  j["model"] = std::string(alias);
  usage_out = chat_usage_of(j);
  return core::dump_json(j);
}

}  // namespace meshgate::translate
