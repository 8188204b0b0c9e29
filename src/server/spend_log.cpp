#include "meshgate/server/spend_log.hpp"

#include <boost/url/parse.hpp>

#include "meshgate/core/ids.hpp"
#include "meshgate/obs/log.hpp"
#include "meshgate/spend/database_url.hpp"
#include "meshgate/spend/postgres_sink.hpp"
#include "meshgate/spend/sqlite_sink.hpp"

namespace meshgate::server {

namespace {
std::string_view call_type(endpoint ep) {
  switch (ep) {
    case endpoint::completions: return "atext_completion";
    case endpoint::messages: return "anthropic_messages";
    case endpoint::responses_create: return "aresponses";
    default: return "acompletion";
  }
}

std::int64_t system_ms(clock::time_point steady, const request_context& ctx) {
  // Rows carry wall-clock times; the context measures with the steady clock from `start`.
  return ctx.started_at_ms + std::chrono::duration_cast<std::chrono::milliseconds>(steady - ctx.start).count();
}

std::shared_ptr<spend::store> open_store(const config::config& cfg, std::string& error) {
  const std::string& url = cfg.general.database_url;
  if (spend::is_postgres_url(url)) {
    auto opened = spend::postgres_sink::open(url);
    if (auto* e = std::get_if<std::string>(&opened)) {
      error = "spend log: " + *e;
      return nullptr;
    }
    auto& o = std::get<spend::postgres_sink::opened>(opened);
    if (!o.warning.empty())
      obs::warn("spend log: PostgreSQL at " + o.sink->display_url() + " is not available (" + o.warning +
                "); serving anyway, spend rows are dropped (and counted) until it is");
    else
      obs::info("spend log: PostgreSQL at " + o.sink->display_url());
    return o.sink;
  }
  if (!url.empty())
    obs::warn("spend log: database_url " + spend::redact_url(url) +
              " is not a postgresql:// URL and is ignored; spend logs go to " + cfg.general.spend_logs_path);
  auto opened = spend::sqlite_sink::open(cfg.general.spend_logs_path);
  if (auto* e = std::get_if<std::string>(&opened)) {
    error = "spend log: " + *e;
    return nullptr;
  }
  return std::get<std::shared_ptr<spend::sqlite_sink>>(opened);
}
}  // namespace

std::unique_ptr<spend_log> spend_log::open(const config::config& cfg, std::string& error,
                                           spend::writer_options options) {
  error.clear();
  if (cfg.general.disable_spend_logs) return nullptr;
  auto store = open_store(cfg, error);
  if (!store) return nullptr;
  auto log = std::unique_ptr<spend_log>(new spend_log());
  log->sink_ = std::move(store);
  log->writer_ = std::make_unique<spend::spend_writer>(log->sink_, options);
  return log;
}

void spend_log::record(const request_context& ctx) {
  spend::spend_row row;
  row.request_id = ctx.call_id;
  row.call_type = std::string(call_type(ctx.ep));
  row.api_key = ctx.key_hash;
  row.spend = ctx.cost.value_or(0);
  row.prompt_tokens = ctx.usage.prompt_tokens.value_or(0);
  row.completion_tokens = ctx.usage.completion_tokens.value_or(0);
  row.total_tokens = ctx.usage.total();
  row.start_time_ms = ctx.started_at_ms;
  row.end_time_ms = system_ms(clock::now(), ctx);
  if (ctx.first_token) row.completion_start_time_ms = system_ms(*ctx.first_token, ctx);
  if (ctx.dep) {
    row.model = ctx.dep->dep->upstream_model;
    row.model_id = ctx.dep->dep->id;
    row.api_base = ctx.dep->dep->api_base;
    row.custom_llm_provider = ctx.dep->dep->provider;
  }
  row.model_group = ctx.model_alias;
  row.user = ctx.user;
  row.status = ctx.status >= 200 && ctx.status < 300 && ctx.error_summary.empty() && !ctx.client_gone ? "success" : "failure";
  writer_->submit(std::move(row));
}

std::variant<core::json, core::api_error> spend_log::query(std::string_view target) const {
  std::string api_key, request_id, start_date, end_date;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return core::bad_request("Malformed query string.");
  for (auto p : parsed->params()) {
    if (p.key == "api_key") api_key = p.value;
    else if (p.key == "request_id") request_id = p.value;
    else if (p.key == "start_date") start_date = p.value;
    else if (p.key == "end_date") end_date = p.value;
  }
  // Rows store the SHA-256 of the caller's key; accept the key itself as well as its hash.
  const bool is_hash = api_key.size() == 64 && std::all_of(api_key.begin(), api_key.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (!api_key.empty() && !is_hash) api_key = core::sha256_hex(api_key);
  auto filter = spend::make_filter(api_key, request_id, start_date, end_date);
  if (auto* e = std::get_if<core::api_error>(&filter)) return *e;
  return sink_->query(std::get<spend::spend_filter>(filter));
}

}  // namespace meshgate::server
