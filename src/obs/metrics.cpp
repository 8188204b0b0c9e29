#include "meshgate/obs/metrics.hpp"

#include <charconv>

#include <fmt/format.h>

namespace meshgate::obs {

namespace {
const std::vector<double> latency_bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
const std::vector<double> overhead_bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1};

// Label values come from clients (model names): escape as the exposition format requires.
std::string esc(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v.substr(0, 200)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

std::string num(double v) { return fmt::format("{}", v); }
}  // namespace

metrics::histogram metrics::make_histogram(const std::vector<double>& bounds) {
  histogram h;
  h.bounds = bounds;
  h.counts.assign(bounds.size(), 0);
  return h;
}

void metrics::histogram::observe(double v) {
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (v <= bounds[i]) {
      ++counts[i];
      break;
    }
  sum += v;
  ++count;
}

void metrics::observe(const request_sample& s) {
  char status_text[16];
  const auto status_end = std::to_chars(status_text, status_text + sizeof status_text, s.status).ptr;
  const std::array<std::string_view, 3> labels{s.route, s.model, std::string_view(status_text, status_end - status_text)};
  std::lock_guard lock(m_);
  auto it = requests_.find(labels);
  if (it == requests_.end())
    it = requests_.emplace(std::array<std::string, 3>{std::string(labels[0]), std::string(labels[1]), std::string(labels[2])}, 0).first;
  ++it->second;
  auto route = routes_.find(s.route);
  if (route == routes_.end())
    route = routes_.emplace(std::string(s.route), route_series{make_histogram(latency_bounds), make_histogram(overhead_bounds)}).first;
  route->second.duration.observe(s.duration_s);
  route->second.overhead.observe(s.overhead_s);
  if (s.model.empty()) return;
  auto model = models_.find(s.model);
  if (model == models_.end()) model = models_.emplace(std::string(s.model), model_series{}).first;
  model_series& m = model->second;
  if (s.ttft_s) {
    if (!m.ttft) m.ttft = make_histogram(latency_bounds);
    m.ttft->observe(*s.ttft_s);
  }
  m.prompt_tokens += s.prompt_tokens;
  m.completion_tokens += s.completion_tokens;
  if (s.cost) m.spend = m.spend.value_or(0.0) + *s.cost;
}

std::string metrics::render(std::int64_t in_flight_requests, const std::optional<spend_counters>& spend) const {
  std::string out;
  // One histogram series per map entry that has one; `pick` returns it (or null to skip the entry).
  auto histograms = [&out](const char* name, const char* help, const char* label, const auto& series, auto pick) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    for (const auto& [key, entry] : series) {
      const histogram* h = pick(entry);
      if (!h) continue;
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h->bounds.size(); ++i) {
        cumulative += h->counts[i];
        out += fmt::format("{}_bucket{{{}=\"{}\",le=\"{}\"}} {}\n", name, label, esc(key), num(h->bounds[i]), cumulative);
      }
      out += fmt::format("{}_bucket{{{}=\"{}\",le=\"+Inf\"}} {}\n", name, label, esc(key), h->count);
      out += fmt::format("{}_sum{{{}=\"{}\"}} {}\n", name, label, esc(key), num(h->sum));
      out += fmt::format("{}_count{{{}=\"{}\"}} {}\n", name, label, esc(key), h->count);
    }
  };
  // One counter line per model that has a value; `pick` returns it.
  auto counters = [&out, this](const char* name, const char* help, auto pick) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    for (const auto& [model, m] : models_)
      if (const std::optional<double> v = pick(m)) out += fmt::format("{}{{model=\"{}\"}} {}\n", name, esc(model), num(*v));
  };
  std::lock_guard lock(m_);
  out += "# HELP meshgate_requests_total Requests answered, by route, model alias and status.\n";
  out += "# TYPE meshgate_requests_total counter\n";
  for (const auto& [k, v] : requests_)
    out += fmt::format("meshgate_requests_total{{route=\"{}\",model=\"{}\",status=\"{}\"}} {}\n", esc(k[0]), esc(k[1]),
                       k[2], v);
  histograms("meshgate_request_duration_seconds", "Whole request duration.", "route", routes_,
             [](const route_series& r) { return &r.duration; });
  histograms("meshgate_overhead_duration_seconds", "Time spent in meshgate itself (not waiting on upstream).", "route",
             routes_, [](const route_series& r) { return &r.overhead; });
  histograms("meshgate_time_to_first_token_seconds", "Time to the first streamed event.", "model", models_,
             [](const model_series& m) { return m.ttft ? &*m.ttft : nullptr; });
  counters("meshgate_prompt_tokens_total", "Prompt tokens reported by upstream.",
           [](const model_series& m) { return std::optional<double>(static_cast<double>(m.prompt_tokens)); });
  counters("meshgate_completion_tokens_total", "Completion tokens reported by upstream.",
           [](const model_series& m) { return std::optional<double>(static_cast<double>(m.completion_tokens)); });
  counters("meshgate_spend_usd_total", "Cost of requests in USD.", [](const model_series& m) { return m.spend; });
  out += "# HELP meshgate_in_flight_requests Requests being handled.\n# TYPE meshgate_in_flight_requests gauge\n";
  out += fmt::format("meshgate_in_flight_requests {}\n", in_flight_requests);
  out += "# HELP meshgate_in_flight_streams Streams being relayed.\n# TYPE meshgate_in_flight_streams gauge\n";
  out += fmt::format("meshgate_in_flight_streams {}\n", in_flight_streams.load());
  if (spend) {
    out += "# HELP meshgate_spend_log_rows_written_total Spend rows stored.\n# TYPE meshgate_spend_log_rows_written_total counter\n";
    out += fmt::format("meshgate_spend_log_rows_written_total {}\n", spend->written);
    out += "# HELP meshgate_spend_log_rows_dropped_total Spend rows dropped because the queue was full.\n"
           "# TYPE meshgate_spend_log_rows_dropped_total counter\n";
    out += fmt::format("meshgate_spend_log_rows_dropped_total {}\n", spend->dropped);
    out += "# HELP meshgate_spend_log_rows_failed_total Spend rows lost to storage errors (store down or refusing).\n"
           "# TYPE meshgate_spend_log_rows_failed_total counter\n";
    out += fmt::format("meshgate_spend_log_rows_failed_total {}\n", spend->failed);
    out += "# HELP meshgate_spend_log_rows_queued Spend rows held in memory, waiting or being written.\n"
           "# TYPE meshgate_spend_log_rows_queued gauge\n";
    out += fmt::format("meshgate_spend_log_rows_queued {}\n", spend->queued);
  }
  return out;
}

}  // namespace meshgate::obs
