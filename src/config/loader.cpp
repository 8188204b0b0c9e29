#include "meshgate/config/loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "meshgate/config/sections.hpp"

namespace meshgate::config {

namespace {

// A config is a few kilobytes; anything this large is a wrong path, not a config.
constexpr std::uintmax_t max_config_bytes = 16u << 20;

constexpr std::string_view no_master_key =
    "no master key: set general_settings.master_key or LITELLM_MASTER_KEY (or "
    "general_settings.allow_unauthenticated: true to run without authentication)";

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

class config_builder {
 public:
  config_builder(std::string_view source, const env_lookup& env) : rd_(std::string(source), env) {
    cfg_.source_path = std::string(source);
  }

  std::variant<config, load_error> build(const YAML::Node& root) {
    read_top_level(root);
    if (rd_.ok()) finish();
    if (!rd_.ok()) return load_error{rd_.error()};
    return std::move(cfg_);
  }

 private:
  void read_top_level(const YAML::Node& root) {
    if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
      rd_.fail(line_of(root, 1), "", "the top level must be a map of sections (model_list, general_settings, ...)");
      return;
    }
    auto entries = rd_.entries(slot{root, "", 1});
    if (!entries) return;

    // environment_variables first: every os.environ/ reference may name one of them.
    for (const auto& e : *entries) {
      if (e.key != "environment_variables") continue;
      auto vars = parse_environment_variables(rd_, e.value);
      if (!vars) return;
      cfg_.environment_variables = *vars;
      rd_.set_section_variables(std::move(*vars));
    }

    for (const auto& e : *entries) {
      if (e.key == "model_list") {
        read_model_list(e.value);
      } else if (e.key == "general_settings") {
        parse_general_settings(rd_, e.value, draft_, cfg_.ignored_keys);
      } else if (e.key == "litellm_settings") {
        parse_litellm_settings(rd_, e.value, draft_, cfg_.ignored_keys);
      } else if (e.key == "router_settings") {
        parse_router_settings(rd_, e.value, draft_, cfg_.ignored_keys);
      } else if (e.key != "environment_variables") {
        other_key(rd_, section::top_level, e, {}, cfg_.ignored_keys);
      }
      if (!rd_.ok()) return;
    }
    if (!saw_model_list_) rd_.fail(0, "model_list", "must be a non-empty list of deployments");
  }

  void read_model_list(const slot& s) {
    saw_model_list_ = true;
    constexpr std::string_view what = "must be a non-empty list of deployments";
    auto items = rd_.items(s, what);
    if (!items) return;
    if (items->empty()) {
      rd_.fail(s, what);
      return;
    }
    for (const auto& item : *items) {
      auto d = parse_deployment(rd_, item, cfg_.ignored_keys);
      if (!d) return;
      deployments_.push_back(std::move(*d));
    }
  }

  void finish() {
    settings& g = draft_.out;
    timeouts& t = g.timeout;
    t.request = draft_.router_timeout.value_or(draft_.litellm_request_timeout.value_or(t.request));
    t.stream = draft_.router_stream_timeout.value_or(t.request);
    g.num_retries = draft_.router_num_retries.value_or(draft_.litellm_num_retries.value_or(g.num_retries));

    for (std::size_t i = 0; i < deployments_.size(); ++i) {
      deployment_draft& d = deployments_[i];
      d.dep.ssl_verify = d.ssl_verify.value_or(draft_.ssl_verify.value_or(true));
      if (!d.explicit_id) continue;
      for (std::size_t j = 0; j < i; ++j) {
        if (deployments_[j].dep.id == d.dep.id) {
          rd_.fail(d.id_line, d.id_path, "duplicate id '" + d.dep.id + "' (also " + deployments_[j].path + ")");
          return;
        }
      }
    }

    for (const auto& a : draft_.aliases) {
      if (has_model_name(a.name)) {
        rd_.fail(a.line, a.path, "'" + a.name + "' is already a model_name; an alias must be a new name");
        return;
      }
      if (!has_model_name(a.target)) {
        rd_.fail(a.line, a.path, "no model_list entry has model_name '" + a.target + "'");
        return;
      }
      g.model_group_alias.emplace_back(a.name, a.target);
    }

    read_master_key(g);
    if (!rd_.ok()) return;

    if (g.database_url.empty()) g.database_url = rd_.lookup("DATABASE_URL").value_or("");

    if (auto v = rd_.lookup("GRACEFUL_SHUTDOWN_TIMEOUT"); v && !v->empty()) {
      auto secs = parse_number(*v);
      if (!secs || *secs < 0 || *secs > max_timeout_seconds) {
        rd_.fail(0, "", "environment variable GRACEFUL_SHUTDOWN_TIMEOUT must be a number of seconds between 0 and 31536000");
        return;
      }
      t.graceful_shutdown = *secs;
    }

    cfg_.general = std::move(g);
    for (auto& d : deployments_) cfg_.deployments.push_back(std::move(d.dep));
  }

  // general_settings.master_key (an empty value counts as unset), else LITELLM_MASTER_KEY.
  void read_master_key(settings& g) {
    const bool from_yaml = draft_.master_key && !draft_.master_key->empty();
    if (from_yaml) {
      g.master_key = *draft_.master_key;
      if (has_control(g.master_key))
        rd_.fail(draft_.master_key_line, draft_.master_key_path,
                 "must not contain control characters (it could never match a request header)");
      return;
    }
    g.master_key = rd_.lookup("LITELLM_MASTER_KEY").value_or("");
    if (has_control(g.master_key)) {
      rd_.fail(0, "",
               "environment variable LITELLM_MASTER_KEY must not contain control characters (it could never "
               "match a request header)");
      return;
    }
    if (g.master_key.empty() && !g.allow_unauthenticated) {
      if (draft_.master_key)
        rd_.fail(draft_.master_key_line, draft_.master_key_path, no_master_key);
      else
        rd_.fail(0, "", no_master_key);
    }
  }

  bool has_model_name(std::string_view name) const {
    for (const auto& d : deployments_)
      if (d.dep.model_name == name) return true;
    return false;
  }

  yaml_reader rd_;
  config cfg_;
  settings_draft draft_;
  std::vector<deployment_draft> deployments_;
  bool saw_model_list_ = false;
};

// Walks the documents of a YAML stream through the parser's events, without building nodes, to
// learn whether a second document holds anything. yaml-cpp 0.7's LoadAll loops forever on some
// invalid input (a stray top-level ',' as in ",!a": the parser reports an empty document without
// consuming the token, again and again, each one allocating; yaml-cpp issue #1040, fixed upstream
// after 0.8), so the walk is bounded and a stuck parser is reported as invalid YAML.
class document_scan final : public YAML::EventHandler {
 public:
  struct result {
    int second_document_line = 0;  // 1-based line of the first document after the first that has content
    bool stuck = false;            // gave up: the parser kept reporting empty documents
    YAML::Mark stuck_at;
  };

  static result scan(const std::string& text) {
    // Far more empty documents than any real file has, few enough to stop at once.
    constexpr int max_documents = 64;
    std::istringstream in(text);
    YAML::Parser parser(in);
    document_scan h;
    result r;
    for (int n = 0; n < max_documents; ++n) {
      h.content_line_ = 0;
      if (!parser.HandleNextDocument(h)) return r;
      if (n > 0 && h.content_line_ > 0) {
        r.second_document_line = h.content_line_;
        return r;
      }
    }
    r.stuck = true;
    r.stuck_at = h.last_mark_;
    return r;
  }

  void OnDocumentStart(const YAML::Mark& mark) override { last_mark_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { last_mark_ = mark; }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { content(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    content(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnMapEnd() override {}

 private:
  void content(const YAML::Mark& mark) {
    last_mark_ = mark;
    if (content_line_ == 0) content_line_ = mark.line >= 0 ? mark.line + 1 : 1;
  }

  int content_line_ = 0;
  YAML::Mark last_mark_;
};

std::string yaml_error(std::string_view source_name, const YAML::Mark& mark, std::string_view what) {
  std::string msg(source_name);
  if (mark.line >= 0) msg += ":" + std::to_string(mark.line + 1);
  msg += ": invalid YAML: ";
  msg += what;
  if (mark.column >= 0) msg += " (column " + std::to_string(mark.column + 1) + ")";
  return msg;
}

std::variant<config, load_error> load_node(std::string_view yaml_text, std::string_view source_name,
                                           const env_lookup& env) {
  const std::string text(yaml_text);
  YAML::Node first;
  try {
    const auto scan = document_scan::scan(text);
    if (scan.stuck) return load_error{yaml_error(source_name, scan.stuck_at, "cannot parse this")};
    if (scan.second_document_line > 0) {
      // LiteLLM's yaml.safe_load refuses these too; silently using the first would hide the rest.
      // (Empty documents after the first, such as a stray trailing ---, are fine.)
      return load_error{std::string(source_name) + ":" + std::to_string(scan.second_document_line) +
                        ": the file holds more than one YAML document (---); use one"};
    }
    first = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return load_error{yaml_error(source_name, e.mark, e.msg)};
  }
  return config_builder(source_name, env).build(first);
}

}  // namespace

env_lookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    if (const char* v = std::getenv(key.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::variant<config, load_error> load_string(std::string_view yaml_text, std::string_view source_name,
                                              const env_lookup& env) {
  try {
    return load_node(yaml_text, source_name, env);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const YAML::Exception& e) {
    // Only reachable through a yaml-cpp behaviour the parsers do not expect; still name the spot.
    std::string msg(source_name);
    if (e.mark.line >= 0) msg += ":" + std::to_string(e.mark.line + 1);
    return load_error{msg + ": cannot read the YAML: " + e.msg};
  } catch (const std::exception& e) {
    return load_error{std::string(source_name) + ": cannot load the config: " + e.what()};
  }
}

std::variant<config, load_error> load_file(const std::string& path, const env_lookup& env) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    return load_error{path + ": cannot read the config file: " +
                      (ec ? ec.message() : std::string("no such file"))};
  if (!std::filesystem::is_regular_file(status)) return load_error{path + ": cannot read the config file: not a regular file"};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return load_error{path + ": cannot read the config file: " + ec.message()};
  if (size > max_config_bytes) return load_error{path + ": the config file is larger than 16 MiB"};

  std::ifstream in(path, std::ios::binary);
  if (!in) return load_error{path + ": cannot read the config file: open failed"};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return load_error{path + ": cannot read the config file: read failed"};
  return load_string(text, path, env);
}

}  // namespace meshgate::config
