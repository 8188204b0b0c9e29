#include "meshgate/server/upstream_call.hpp"

#include <random>

#include "meshgate/translate/upstream_errors.hpp"

namespace meshgate::server {

namespace {

using net::as_tuple;

std::chrono::steady_clock::duration secs(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

bool retryable_status(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// Retry-After as seconds: delta-seconds or an HTTP-date.
std::optional<double> parse_retry_after(std::string_view v) {
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    try {
      return std::stod(std::string(v));
    } catch (...) {
      return std::nullopt;
    }
  }
  std::tm tm{};
  std::string s(v);
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return std::nullopt;
  const std::time_t when = timegm(&tm);
  const double delta = std::difftime(when, std::time(nullptr));
  return std::max(0.0, delta);
}

core::api_error client_gone_error() {
  core::api_error e;
  e.status = 499;  // nginx's "client closed request": logged, never sent
  e.message = "client disconnected";
  return e;
}

double backoff_s(int attempt) {
  // 0.5 s, 1 s, 2 s, ... capped at 8 s, with ±25 % jitter so that clients do not retry in step.
  thread_local std::mt19937 rng{std::random_device{}()};
  const double base = std::min(8.0, 0.5 * static_cast<double>(1u << std::min(attempt, 5)));
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  return base * jitter(rng);
}

}  // namespace

std::string provider_label(const config::deployment& d) {
  std::string label = d.provider;
  if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  return label;
}

double first_byte_timeout_s(const gateway_state& st, const config::deployment& d, const call_plan& plan) {
  if (plan.timeout_s && *plan.timeout_s > 0) return *plan.timeout_s;
  const auto& t = st.cfg->general.timeout;
  if (plan.stream) return d.stream_timeout_s.value_or(d.timeout_s.value_or(t.stream));
  return d.timeout_s.value_or(t.request);
}

task<std::variant<std::unique_ptr<upstream::exchange>, core::api_error>> open_upstream(
    handler_env env, request_context& ctx, const call_plan& plan) {
  const std::size_t start = plan.pinned ? 0 : env.st.models.next_start();
  auto pick = [&](int attempt) -> const routed_deployment& {
    if (plan.pinned) return *plan.pinned;
    const auto& group = *plan.group;
    return group[(start + static_cast<std::size_t>(attempt)) % group.size()];
  };
  const auto& first = *pick(0).dep;
  const int retries = std::max(0, plan.num_retries.value_or(first.max_retries.value_or(env.st.cfg->general.num_retries)));
  const auto deadline = clock::now() + secs(first_byte_timeout_s(env.st, first, plan));

  core::api_error last;
  for (int attempt = 0;; ++attempt) {
    const routed_deployment& rd = pick(attempt);
    const config::deployment& d = *rd.dep;
    ctx.dep = &rd;
    ctx.attempted_retries = attempt;
    const std::string label = provider_label(d);
    const translate::upstream_context uctx{label, ctx.model_alias, d.api_key};

    if (d.api_key.empty() && d.provider == "tensormesh") {
      core::api_error e = translate::map_upstream_status(
          401, "no API key configured for this deployment: set " + (d.api_key_env.empty() ? std::string("api_key") : d.api_key_env) +
                   " or litellm_params.api_key", uctx);
      co_return e;
    }

    upstream::request_spec spec;
    spec.method = plan.method;
    spec.target = rd.endpoint.base_path + (plan.path_for ? plan.path_for(d) : plan.path);
    if (plan.body_for) spec.body = plan.body_for(d);
    if (!d.api_key.empty()) spec.headers.emplace_back("Authorization", "Bearer " + d.api_key);
    for (const auto& h : d.extra_headers) spec.headers.push_back(h);
    if (plan.stream) spec.headers.emplace_back("Accept", "text/event-stream");

    auto x = std::make_unique<upstream::exchange>(env.w.pool(), rd.endpoint);
    ctx.active_exchange = x.get();
    const double budget = std::max(0.001, std::chrono::duration<double>(deadline - clock::now()).count());
    const auto t0 = clock::now();
    upstream::outcome r =
        co_await x->start(spec, secs(std::min(budget, env.st.cfg->general.timeout.connect)), secs(budget));
    ctx.upstream_time += clock::now() - t0;

    std::optional<double> retry_after;
    bool retry = false;
    if (ctx.client_gone || r.kind == upstream::failure::aborted) {
      ctx.active_exchange = nullptr;
      co_return client_gone_error();
    }
    if (!r) {
      last = r.kind == upstream::failure::timeout ? translate::map_timeout(r.what, uctx)
                                                   : translate::map_connection_error(r.what, uctx);
      retry = true;
    } else {
      ctx.upstream_headers.clear();
      for (const auto& f : x->header()) ctx.upstream_headers.insert(f.name_string(), f.value());
      const int status = x->status();
      if (status >= 200 && status < 300) {
        co_return x;
      }
      std::string body;
      const auto t1 = clock::now();
      co_await x->read_all(body, 1u << 20, secs(std::min(budget, 30.0)));
      ctx.upstream_time += clock::now() - t1;
      x->finish();
      std::optional<std::string_view> ra;
      if (auto it = x->header().find(http::field::retry_after); it != x->header().end()) {
        ra = it->value();
        retry_after = parse_retry_after(it->value());
      }
      last = translate::map_upstream_status(status, body, uctx, ra);
      retry = retryable_status(status);
    }
    ctx.active_exchange = nullptr;
    if (ctx.client_gone) co_return client_gone_error();
    if (!retry || attempt >= retries) co_return last;

    const double wait = retry_after.value_or(backoff_s(attempt));
    if (clock::now() + secs(wait) >= deadline) co_return last;
    steady_timer timer(co_await net::this_coro::executor, secs(wait));
    ctx.active_timer = &timer;
    co_await timer.async_wait(as_tuple(use_task));
    ctx.active_timer = nullptr;
    if (ctx.client_gone) co_return client_gone_error();
  }
}

}  // namespace meshgate::server
