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

namespace {
// The entry for `key`, made by `make()` only when the key is new.
template <class Map, class Make>
typename Map::mapped_type& entry(Map& map, std::string_view key, Make make) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), make()).first;
  return it->second;
}
}  // namespace

void metrics::observe(const request_sample& s) {
  char status_text[16];
  const auto status_end = std::to_chars(status_text, status_text + sizeof status_text, s.status).ptr;
  const std::array<std::string_view, 3> labels{s.route, s.model, std::string_view(status_text, status_end - status_text)};
  std::lock_guard lock(m_);
  auto it = requests_.find(labels);
  if (it == requests_.end())
    it = requests_.emplace(std::array<std::string, 3>{std::string(labels[0]), std::string(labels[1]), std::string(labels[2])}, 0).first;
  ++it->second;
  entry(duration_, s.route, [] { return make_histogram(latency_bounds); }).observe(s.duration_s);
  entry(overhead_, s.route, [] { return make_histogram(overhead_bounds); }).observe(s.overhead_s);
  if (s.model.empty()) return;
  if (s.ttft_s) entry(ttft_, s.model, [] { return make_histogram(latency_bounds); }).observe(*s.ttft_s);
  entry(prompt_tokens_, s.model, [] { return std::int64_t{0}; }) += s.prompt_tokens;
  entry(completion_tokens_, s.model, [] { return std::int64_t{0}; }) += s.completion_tokens;
  if (s.cost) entry(spend_, s.model, [] { return 0.0; }) += *s.cost;
}

std::string metrics::render(std::int64_t in_flight_requests, const std::optional<spend_counters>& spend) const {
  std::string out;
  auto histograms = [&out](const char* name, const char* help, const char* label,
                           const std::map<std::string, histogram, std::less<>>& series) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    for (const auto& [key, h] : series) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h.bounds.size(); ++i) {
        cumulative += h.counts[i];
        out += fmt::format("{}_bucket{{{}=\"{}\",le=\"{}\"}} {}\n", name, label, esc(key), num(h.bounds[i]), cumulative);
      }
      out += fmt::format("{}_bucket{{{}=\"{}\",le=\"+Inf\"}} {}\n", name, label, esc(key), h.count);
      out += fmt::format("{}_sum{{{}=\"{}\"}} {}\n", name, label, esc(key), num(h.sum));
      out += fmt::format("{}_count{{{}=\"{}\"}} {}\n", name, label, esc(key), h.count);
    }
  };
  std::lock_guard lock(m_);
  out += "# HELP meshgate_requests_total Requests answered, by route, model alias and status.\n";
  out += "# TYPE meshgate_requests_total counter\n";
  for (const auto& [k, v] : requests_)
    out += fmt::format("meshgate_requests_total{{route=\"{}\",model=\"{}\",status=\"{}\"}} {}\n", esc(k[0]), esc(k[1]),
                       k[2], v);
  histograms("meshgate_request_duration_seconds", "Whole request duration.", "route", duration_);
  histograms("meshgate_overhead_duration_seconds", "Time spent in meshgate itself (not waiting on upstream).", "route",
             overhead_);
  histograms("meshgate_time_to_first_token_seconds", "Time to the first streamed event.", "model", ttft_);
  auto counters = [&out](const char* name, const char* help, const auto& series) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    for (const auto& [model, v] : series) out += fmt::format("{}{{model=\"{}\"}} {}\n", name, esc(model), num(static_cast<double>(v)));
  };
  counters("meshgate_prompt_tokens_total", "Prompt tokens reported by upstream.", prompt_tokens_);
  counters("meshgate_completion_tokens_total", "Completion tokens reported by upstream.", completion_tokens_);
  counters("meshgate_spend_usd_total", "Cost of requests in USD.", spend_);
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
