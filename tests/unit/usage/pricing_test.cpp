// pricing: the price table, deployment lookup, exact cost and its text form.
#include "meshgate/usage/pricing.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <utility>

#include "meshgate/config/loader.hpp"

using namespace meshgate::usage;
using meshgate::config::deployment;

namespace {

std::filesystem::path repo_root() { return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".."; }

token_usage usage_of(std::int64_t prompt, std::int64_t completion, std::optional<std::int64_t> cached = std::nullopt) {
  token_usage u;
  u.prompt_tokens = prompt;
  u.completion_tokens = completion;
  u.cached_tokens = cached;
  return u;
}

deployment tensormesh(std::string upstream) {
  deployment d;
  d.model_name = upstream;
  d.provider = "tensormesh";
  d.upstream_model = upstream;
  d.model = "tensormesh/" + upstream;
  return d;
}

price_table parse_ok(std::string_view text) {
  auto r = price_table::parse(text);
  if (auto* e = std::get_if<price_table::load_error>(&r)) FAIL("unexpected error: " << e->message);
  return std::get<price_table>(std::move(r));
}

std::string parse_error(std::string_view text) {
  auto r = price_table::parse(text);
  if (std::holds_alternative<price_table>(r)) return "(parsed)";
  return std::get<price_table::load_error>(r).message;
}

// Deployments from a YAML model_list, as the real config loader builds them.
std::vector<deployment> from_yaml(std::string_view yaml) {
  auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "LITELLM_MASTER_KEY") return std::string("sk-test");
    return std::nullopt;
  };
  auto r = meshgate::config::load_string(yaml, "config.yaml", env);
  if (auto* e = std::get_if<meshgate::config::load_error>(&r)) FAIL("config error: " << e->message);
  return std::get<meshgate::config::config>(std::move(r)).deployments;
}

// A deployment's cost as the gateway computes it: its price (for_deployment), then compute_cost.
std::optional<double> deployment_cost(const price_table& t, const deployment& d, const token_usage& u) {
  auto p = t.for_deployment(d);
  return p ? compute_cost(*p, u) : std::nullopt;
}

std::string cost_text(const price_table& t, const deployment& d, const token_usage& u) {
  auto c = deployment_cost(t, d, u);
  return c ? format_cost(*c) : "none";
}

}  // namespace

TEST_CASE("pricing: the worked example (gpt-oss-120b, P=1000 H=200 C=500) is exactly 0.00042") {
  const auto& t = price_table::builtin();
  auto c = deployment_cost(t, tensormesh("openai/gpt-oss-120b"), usage_of(1000, 500, 200));
  REQUIRE(c);
  CHECK(*c == 0.00042);
  CHECK(format_cost(*c) == "0.00042");
  // The reason for integer arithmetic: the float64 sum LiteLLM does is one ulp off.
  double naive = 800 * 1.5e-07 + 200 * 0.0 + 500 * 6e-07;
  CHECK(format_cost(naive) == "0.00041999999999999996");
}

TEST_CASE("pricing: every built-in model at 1M input + 1M output costs its $/1M figures") {
  // key, $/1M in, $/1M out, both together, max tokens
  const std::vector<std::tuple<std::string, std::string, std::string, std::string, std::int64_t>> expected{
      {"Qwen/Qwen3.5-397B-A17B-FP8", "0.6", "3.6", "4.2", 262144},
      {"Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", "0.45", "1.8", "2.25", 262144},
      {"Qwen/Qwen3.6-27B-FP8", "0.32", "3.2", "3.52", 262144},
      {"lukealonso/GLM-5.1-NVFP4-MTP", "1.4", "4.4", "5.8", 202752},
      {"deepseek-ai/DeepSeek-V4-Flash", "0.14", "0.28", "0.42", 32768},
      {"moonshotai/Kimi-K2.6", "0.96", "4", "4.96", 32768},
      {"MiniMaxAI/MiniMax-M2.5", "0.3", "1.2", "1.5", 196608},
      {"google/gemma-4-31B-it", "0.14", "0.56", "0.7", 32768},
      {"openai/gpt-oss-120b", "0.15", "0.6", "0.75", 131072},
      {"openai/gpt-oss-20b", "0.07", "0.28", "0.35", 131072},
  };
  const auto& t = price_table::builtin();
  CHECK(t.size() == expected.size());
  for (const auto& [model, in, out, both, max_tokens] : expected) {
    INFO(model);
    auto d = tensormesh(model);
    CHECK(cost_text(t, d, usage_of(1'000'000, 1'000'000)) == both);
    CHECK(cost_text(t, d, usage_of(1'000'000, 0)) == in);
    CHECK(cost_text(t, d, usage_of(0, 1'000'000)) == out);
    const model_price* p = t.find("tensormesh/" + model);
    REQUIRE(p);
    CHECK(p->cache_read_atto == 0);
    CHECK(p->max_input_tokens == max_tokens);
    CHECK(p->max_output_tokens == max_tokens);
  }
  // The LiteLLM test check: cost_per_token("tensormesh/openai/gpt-oss-120b", 1M, 1M) → (0.15, 0.60).
  const model_price* oss = t.find("tensormesh/openai/gpt-oss-120b");
  REQUIRE(oss);
  CHECK(oss->input_atto == 150'000'000'000);
  CHECK(oss->output_atto == 600'000'000'000);
}

TEST_CASE("pricing: config/prices.json and the compiled-in table agree entry for entry") {
  auto r = price_table::load((repo_root() / "config/prices.json").string());
  if (auto* e = std::get_if<price_table::load_error>(&r)) FAIL(e->message);
  const auto& file = std::get<price_table>(r);
  CHECK(file.size() == 10);
  CHECK(file.entries() == price_table::builtin().entries());
}

TEST_CASE("pricing: cached prompt tokens are billed at the cache-read rate, reasoning is inside completion") {
  model_price p;
  p.input_atto = 1'000'000'000'000;     // 1e-6
  p.output_atto = 2'000'000'000'000;    // 2e-6
  p.cache_read_atto = 100'000'000'000;  // 1e-7
  auto u = usage_of(1000, 100, 400);
  u.reasoning_tokens = 60;  // already counted in the 100 completion tokens
  auto c = compute_cost(p, u);
  REQUIRE(c);
  CHECK(format_cost(*c) == "0.00084");  // 600e-6 + 400e-7 + 100 × 2e-6
  // More cached than prompt tokens: nothing uncached, every cached token at the cache rate.
  auto over = compute_cost(p, usage_of(10, 0, 30));
  REQUIRE(over);
  CHECK(format_cost(*over) == "3e-06");
}

TEST_CASE("pricing: a missing count is zero, no usage at all is no cost") {
  model_price p;
  p.input_atto = 1'000'000'000'000;
  p.output_atto = 3'000'000'000'000;
  token_usage none;
  CHECK_FALSE(compute_cost(p, none).has_value());
  CHECK_FALSE(deployment_cost(price_table::builtin(), tensormesh("openai/gpt-oss-120b"), none).has_value());
  token_usage only_prompt;
  only_prompt.prompt_tokens = 2;
  CHECK(compute_cost(p, only_prompt) == 2e-6);
  token_usage only_completion;
  only_completion.completion_tokens = 3;
  CHECK(compute_cost(p, only_completion) == 9e-6);
  CHECK(compute_cost(p, usage_of(0, 0)) == 0.0);
  CHECK(format_cost(*compute_cost(p, usage_of(0, 0))) == "0");
}

TEST_CASE("pricing: extreme token counts do not overflow") {
  model_price p;
  p.input_atto = max_price_atto;
  p.output_atto = max_price_atto;
  p.cache_read_atto = max_price_atto;
  auto c = compute_cost(p, usage_of(INT64_MAX, INT64_MAX, INT64_MAX / 2));
  REQUIRE(c);
  CHECK(*c > 1.6e20);
  CHECK(*c < 1.71e20);
}

TEST_CASE("pricing: unknown models have no price") {
  const auto& t = price_table::builtin();
  for (const char* m : {"MiniMaxAI/MiniMax-M2.7", "Qwen/Qwen3-Coder-30B-A3B-Instruct", "served-coding-model",
                        "OPENAI/GPT-OSS-120B"}) {
    INFO(m);
    CHECK_FALSE(t.for_deployment(tensormesh(m)).has_value());
    CHECK(cost_text(t, tensormesh(m), usage_of(1000, 1000)) == "none");
  }
  // Same upstream id under another provider: the key is provider-qualified.
  auto vllm = tensormesh("openai/gpt-oss-120b");
  vllm.provider = "hosted_vllm";
  CHECK_FALSE(t.for_deployment(vllm).has_value());
  CHECK(price_table{}.find("tensormesh/openai/gpt-oss-120b") == nullptr);
}

TEST_CASE("pricing: base_model redirects the lookup, with or without the provider prefix") {
  const auto& t = price_table::builtin();
  auto d = tensormesh("served-coding-model");
  d.base_model = "tensormesh/openai/gpt-oss-120b";
  CHECK(cost_text(t, d, usage_of(1'000'000, 1'000'000)) == "0.75");
  d.base_model = "openai/gpt-oss-20b";
  CHECK(cost_text(t, d, usage_of(1'000'000, 1'000'000)) == "0.35");
  // base_model wins over the upstream name, even when the upstream name is priced...
  auto known = tensormesh("openai/gpt-oss-120b");
  known.base_model = "moonshotai/Kimi-K2.6";
  CHECK(cost_text(t, known, usage_of(1'000'000, 1'000'000)) == "4.96");
  // ...and an unknown base_model is no price, not a silent fallback.
  known.base_model = "no-such-model";
  CHECK_FALSE(t.for_deployment(known).has_value());
}

TEST_CASE("pricing: deployment overrides from litellm_params and model_info replace table fields") {
  auto deps = from_yaml(R"(model_list:
  - model_name: both-in-params
    litellm_params:
      model: tensormesh/openai/gpt-oss-120b
      input_cost_per_token: 1.5e-06
      output_cost_per_token: 6.0e-06
  - model_name: strings-in-info
    litellm_params:
      model: tensormesh/Qwen/Qwen3-Coder-30B-A3B-Instruct
    model_info:
      input_cost_per_token: "3e-7"
      output_cost_per_token: " 1.2e-06 "
  - model_name: params-win
    litellm_params:
      model: tensormesh/openai/gpt-oss-120b
      input_cost_per_token: 2e-07
    model_info:
      input_cost_per_token: 9e-07
  - model_name: free-on-demand
    litellm_params:
      model: tensormesh/served-coding-model
      input_cost_per_token: 0
      output_cost_per_token: 0
  - model_name: cache-rate
    litellm_params:
      model: tensormesh/openai/gpt-oss-120b
      cache_read_input_token_cost: 1e-08
)");
  REQUIRE(deps.size() == 5);
  const auto& t = price_table::builtin();
  const auto million = usage_of(1'000'000, 1'000'000);
  CHECK(cost_text(t, deps[0], million) == "7.5");
  // Unknown to the table, priced entirely by model_info strings.
  CHECK(cost_text(t, deps[1], million) == "1.5");
  auto p1 = t.for_deployment(deps[1]);
  REQUIRE(p1);
  CHECK(p1->input_atto == 300'000'000'000);
  CHECK(p1->output_atto == 1'200'000'000'000);
  CHECK_FALSE(p1->max_input_tokens.has_value());
  // litellm_params beats model_info; the output price still comes from the table.
  CHECK(cost_text(t, deps[2], million) == "0.8");
  // An explicit zero price is a price: cost 0, not "unknown".
  CHECK(cost_text(t, deps[3], million) == "0");
  // Overriding only the cache-read rate keeps the table's input and output.
  CHECK(cost_text(t, deps[4], usage_of(1'000'000, 0, 1'000'000)) == "0.01");
  CHECK(cost_text(t, deps[4], usage_of(2'000'000, 1'000'000, 1'000'000)) == "0.76");
}

TEST_CASE("pricing: an override alone prices an unknown model, the missing side being 0") {
  const auto& t = price_table::builtin();
  auto d = tensormesh("served-coding-model");
  d.output_cost_per_token = 4e-06;
  auto p = t.for_deployment(d);
  REQUIRE(p);
  CHECK(p->input_atto == 0);
  CHECK(p->output_atto == 4'000'000'000'000);
  // A cache-read override on its own does not make a price.
  auto cache_only = tensormesh("served-coding-model");
  cache_only.cache_read_input_token_cost = 1e-08;
  CHECK_FALSE(t.for_deployment(cache_only).has_value());
  // An override too large to represent is no price rather than a wrong one.
  auto huge = tensormesh("openai/gpt-oss-120b");
  huge.input_cost_per_token = 10.0;
  CHECK_FALSE(t.for_deployment(huge).has_value());
}

TEST_CASE("pricing: format_cost is the shortest round-trip decimal") {
  CHECK(format_cost(0.00042) == "0.00042");
  CHECK(format_cost(3.6e-06) == "3.6e-06");
  CHECK(format_cost(0.75) == "0.75");
  CHECK(format_cost(0.0) == "0");
  CHECK(format_cost(1.0) == "1");
  CHECK(format_cost(0.001) == "0.001");
  CHECK(format_cost(0.0001) == "1e-04");  // shorter than 0.0001 (Python's repr would say 0.0001)
  CHECK(format_cost(1.5e-07) == "1.5e-07");
  CHECK(format_cost(123.456) == "123.456");
  CHECK(format_cost(100000.0) == "1e+05");
  CHECK(format_cost(0.00041999999999999996) == "0.00041999999999999996");
  CHECK(format_cost(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("pricing: parse_price reads decimal text exactly into atto-dollars") {
  CHECK(parse_price("1.5e-07") == 150'000'000'000);
  CHECK(parse_price("1.5E-7") == 150'000'000'000);
  CHECK(parse_price("0.00000015") == 150'000'000'000);
  CHECK(parse_price("+6e-7") == 600'000'000'000);
  CHECK(parse_price("0") == 0);
  CHECK(parse_price("0.0") == 0);
  CHECK(parse_price("1") == 1'000'000'000'000'000'000);
  CHECK(parse_price("2.") == 2'000'000'000'000'000'000);
  CHECK(parse_price(".5") == 500'000'000'000'000'000);
  CHECK(parse_price("9.223372036854775807") == INT64_MAX);
  CHECK(parse_price("1e-18") == 1);
  CHECK(parse_price("4e-19") == 0);  // below half an atto-dollar
  CHECK(parse_price("5e-19") == 1);  // half up
  CHECK(parse_price("1.23456789012345678949") == 1'234'567'890'123'456'789);
  CHECK(parse_price("1e-999999999999") == 0);
  CHECK(parse_price("0.000000150000000000000000000000000000000000000000000") == 150'000'000'000);
  for (const char* bad : {"", "-1e-7", "-0", " 1e-7", "1e-7 ", "1e", "1e+", "e5", ".", "inf", "nan", "0x10",
                          "1.2.3", "9.3", "1e19", "1e999999999999", "1,5"}) {
    INFO(bad);
    CHECK_FALSE(parse_price(bad).has_value());
  }
}

TEST_CASE("pricing: price_from_double recovers the decimal the config author wrote") {
  CHECK(price_from_double(1.5e-07) == 150'000'000'000);
  CHECK(price_from_double(6.0e-07) == 600'000'000'000);
  CHECK(price_from_double(3e-7) == 300'000'000'000);
  CHECK(price_from_double(0.0) == 0);
  CHECK(price_from_double(-0.0) == 0);
  CHECK(price_from_double(9.0) == 9'000'000'000'000'000'000);
  CHECK_FALSE(price_from_double(-1e-7).has_value());
  CHECK_FALSE(price_from_double(10.0).has_value());
  CHECK_FALSE(price_from_double(std::numeric_limits<double>::infinity()).has_value());
  CHECK_FALSE(price_from_double(std::numeric_limits<double>::quiet_NaN()).has_value());
}

TEST_CASE("pricing: price files accept numbers, strings, integers and ignore other fields") {
  auto t = parse_ok(R"({
    "a/x": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": "6e-7",
            "max_input_tokens": 131072, "max_output_tokens": 4096.0,
            "supports_reasoning": true, "supported_regions": ["eu", {"nested": [1, {"k": -1}]}],
            "tiers": {"input_cost_per_token": "not ours"}, "mode": "chat", "note": null},
    "a/y": {"input_cost_per_token": 0, "output_cost_per_token": 1, "cache_read_input_token_cost": null,
            "max_input_tokens": null}
  })");
  REQUIRE(t.size() == 2);
  const model_price* x = t.find("a/x");
  REQUIRE(x);
  CHECK(x->input_atto == 150'000'000'000);
  CHECK(x->output_atto == 600'000'000'000);
  CHECK(x->cache_read_atto == 0);
  CHECK(x->max_input_tokens == 131072);
  CHECK(x->max_output_tokens == 4096);
  const model_price* y = t.find("a/y");
  REQUIRE(y);
  CHECK(y->input_atto == 0);
  CHECK(y->output_atto == 1'000'000'000'000'000'000);
  CHECK_FALSE(y->max_input_tokens.has_value());
  CHECK(parse_ok("{}").size() == 0);
}

TEST_CASE("pricing: price file errors name the entry and the field") {
  CHECK(parse_error("") == "invalid JSON at byte 1");
  CHECK(parse_error(R"({"a": {"input_cost_per_token": 1e-7,)") == "invalid JSON at byte 37");
  CHECK(parse_error("[]") == "the top level must be a JSON object");
  CHECK(parse_error("7") == "the top level must be a JSON object");
  CHECK(parse_error(R"({"a/x": 5})") == "entry \"a/x\": must be an object");
  CHECK(parse_error(R"({"a/x": [1]})") == "entry \"a/x\": must be an object");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7}})") ==
        "entry \"a/x\": output_cost_per_token is required");
  CHECK(parse_error(R"({"a/x": {"output_cost_per_token": 1e-7, "input_cost_per_token": null}})") ==
        "entry \"a/x\": input_cost_per_token is required");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": -1e-7, "output_cost_per_token": 1e-7}})") ==
        "entry \"a/x\": input_cost_per_token: must be a non-negative number of USD per token, at most 9.22");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": -1, "output_cost_per_token": 1e-7}})") ==
        "entry \"a/x\": input_cost_per_token: must be a non-negative number of USD per token, at most 9.22");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": "cheap", "output_cost_per_token": 1e-7}})") ==
        "entry \"a/x\": input_cost_per_token: must be a non-negative number of USD per token, at most 9.22");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": [1]}})") ==
        "entry \"a/x\": output_cost_per_token: must be a non-negative number of USD per token, at most 9.22");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": 10}})") ==
        "entry \"a/x\": output_cost_per_token: must be a non-negative number of USD per token, at most 9.22");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": 1e-7,
                                "max_output_tokens": 0}})") ==
        "entry \"a/x\": max_output_tokens: must be a positive whole number of tokens");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": 1e-7,
                                "max_input_tokens": 1.5}})") ==
        "entry \"a/x\": max_input_tokens: must be a positive whole number of tokens");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": 1e-7,
                                "input_cost_per_token": 2e-7}})") == "entry \"a/x\": input_cost_per_token: appears twice");
  CHECK(parse_error(R"({"a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": 1e-7},
                       "a/x": {"input_cost_per_token": 1e-7, "output_cost_per_token": 1e-7}})") ==
        "entry \"a/x\": appears twice");
}

TEST_CASE("pricing: load names the path on failure") {
  auto r = price_table::load("/nonexistent/meshgate/prices.json");
  REQUIRE(std::holds_alternative<price_table::load_error>(r));
  CHECK(std::get<price_table::load_error>(r).message.rfind("/nonexistent/meshgate/prices.json: cannot open", 0) == 0);
}
