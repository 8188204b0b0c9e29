#include "meshgate/obs/metrics.hpp"

#include <catch2/catch.hpp>

#include <string>

using meshgate::obs::metrics;
using meshgate::obs::request_sample;

namespace {
bool has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }
}  // namespace

TEST_CASE("metrics: a series appears only for the labels that fed it", "[obs][metrics]") {
  metrics m;
  request_sample stream{.route = "chat_completions", .model = "fast", .status = 200, .duration_s = 0.2,
                        .overhead_s = 0.0002, .ttft_s = 0.03, .prompt_tokens = 10, .completion_tokens = 5, .cost = 0.5};
  m.observe(stream);
  m.observe(stream);
  m.observe({.route = "chat_completions", .model = "unpriced", .status = 200, .duration_s = 1.5, .overhead_s = 0.003,
             .prompt_tokens = 7, .completion_tokens = 1});
  m.observe({.route = "models", .status = 401, .duration_s = 0.001, .overhead_s = 0.001});  // no model
  const std::string text = m.render(3, std::nullopt);

  CHECK(has(text, R"(meshgate_requests_total{route="chat_completions",model="fast",status="200"} 2)"));
  CHECK(has(text, R"(meshgate_requests_total{route="models",model="",status="401"} 1)"));
  // Per route: both histograms, whatever the model.
  CHECK(has(text, R"(meshgate_request_duration_seconds_count{route="chat_completions"} 3)"));
  CHECK(has(text, R"(meshgate_request_duration_seconds_bucket{route="chat_completions",le="0.25"} 2)"));
  CHECK(has(text, R"(meshgate_request_duration_seconds_bucket{route="chat_completions",le="2.5"} 3)"));
  CHECK(has(text, R"(meshgate_overhead_duration_seconds_count{route="models"} 1)"));
  CHECK(has(text, R"(meshgate_overhead_duration_seconds_bucket{route="chat_completions",le="0.00025"} 2)"));
  // Per model: time to first token only for the model that streamed, spend only where priced.
  CHECK(has(text, R"(meshgate_time_to_first_token_seconds_count{model="fast"} 2)"));
  CHECK(text.find(R"(meshgate_time_to_first_token_seconds_count{model="unpriced"})") == std::string::npos);
  CHECK(has(text, R"(meshgate_prompt_tokens_total{model="fast"} 20)"));
  CHECK(has(text, R"(meshgate_completion_tokens_total{model="unpriced"} 1)"));
  CHECK(has(text, R"(meshgate_spend_usd_total{model="fast"} 1)"));
  CHECK(text.find(R"(meshgate_spend_usd_total{model="unpriced"})") == std::string::npos);
  // A request without a model feeds no per-model series.
  CHECK(text.find(R"({model=""})") == std::string::npos);
  CHECK(has(text, "meshgate_in_flight_requests 3"));
}
