#pragma once
// Prometheus metrics (text exposition format 0.0.4), updated once per request at its end and
// rendered by GET /metrics. One mutex-guarded registry: a request touches it once, off the
// streaming path, so contention is negligible next to a network round trip.
//
// Series (labels in brackets):
//   meshgate_requests_total{route,model,status}            counter
//   meshgate_request_duration_seconds{route}               histogram (whole request)
//   meshgate_overhead_duration_seconds{route}              histogram (time not spent upstream)
//   meshgate_time_to_first_token_seconds{model}            histogram (streams)
//   meshgate_prompt_tokens_total{model}, meshgate_completion_tokens_total{model}  counters
//   meshgate_spend_usd_total{model}                        counter
//   meshgate_in_flight_requests, meshgate_in_flight_streams gauges
//   meshgate_spend_log_rows_{written,dropped,failed}_total counters (from the spend writer)
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::obs {

struct request_sample {
  std::string_view route;
  std::string_view model;
  int status = 0;
  double duration_s = 0;
  double overhead_s = 0;
  std::optional<double> ttft_s;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::optional<double> cost;
};

struct spend_counters {
  std::uint64_t written = 0, dropped = 0, failed = 0;
  std::uint64_t queued = 0;  // rows held in memory now (bounded by the writer's queue size)
};

class metrics {
 public:
  void observe(const request_sample& s);
  std::atomic<std::int64_t> in_flight_streams{0};

  // `in_flight_requests` is the gateway's own counter, passed in to avoid keeping two.
  std::string render(std::int64_t in_flight_requests, const std::optional<spend_counters>& spend) const;

 private:
  struct histogram {
    std::vector<double> bounds;
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative
    double sum = 0;
    std::uint64_t count = 0;
    void observe(double v);
  };
  static histogram make_histogram(const std::vector<double>& bounds);

  // Transparent ordering, so observe() looks labels up by view and allocates only for a label
  // seen for the first time.
  struct labels_less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                          [](std::string_view x, std::string_view y) { return x < y; });
    }
  };

  // Everything labelled by route, and everything labelled by model, kept together: a request
  // costs one lookup per label set, not one per series.
  struct route_series {
    histogram duration, overhead;
  };
  struct model_series {
    std::optional<histogram> ttft;  // only for models that streamed
    std::int64_t prompt_tokens = 0, completion_tokens = 0;
    std::optional<double> spend;    // only for models with a known price
  };

  mutable std::mutex m_;
  std::map<std::array<std::string, 3>, std::uint64_t, labels_less> requests_;  // route, model, status
  std::map<std::string, route_series, std::less<>> routes_;
  std::map<std::string, model_series, std::less<>> models_;
};

}  // namespace meshgate::obs
