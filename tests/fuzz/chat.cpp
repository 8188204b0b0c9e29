// Chat and text-completion routes (src/translate/chat_passthrough.cpp, chat_stream.cpp).
//
// Mode (byte 0, see fuzz_support.hpp): 0 chat request, 1 completions request — a client body
// through parse_openai_request and build_upstream_body; 2 a non-streaming upstream body through
// restamp_response; 3 an upstream SSE stream through chat_stream_relay.
#include "fuzz_support.hpp"
#include "meshgate/translate/chat_passthrough.hpp"
#include "meshgate/translate/chat_stream.hpp"

using meshgate::core::api_error;
using meshgate::core::json;
namespace tr = meshgate::translate;
using namespace meshgate_fuzz;

namespace {

constexpr std::string_view alias = "fuzz-alias";

meshgate::config::deployment deployment() {
  meshgate::config::deployment d;
  d.model_name = std::string(alias);
  d.model = "tensormesh/openai/gpt-oss-120b";
  d.provider = "tensormesh";
  d.upstream_model = "openai/gpt-oss-120b";
  d.api_base = "https://upstream.invalid/v1";
  d.api_key = "sk-upstream-secret";
  return d;
}

// Keys a client may never choose (the upstream and its credentials are the gateway's).
bool forbidden_key(const std::string& k) {
  return k == "api_base" || k == "base_url" || k == "api_key" || k == "api_version" ||
         k == "custom_llm_provider" || k == "litellm_params" || k == "azure_ad_token" || k.starts_with("aws_") ||
         k.starts_with("vertex_") || k.starts_with("azure_") || k.starts_with("litellm_") ||
         k.starts_with("user_api_key") || k == "extra_headers";
}

void request(std::string_view body, tr::openai_route route) {
  auto parsed = tr::parse_openai_request(std::string(body), route);
  if (auto* e = std::get_if<api_error>(&parsed)) {
    check_api_error(*e, 400);
    return;
  }
  auto& req = std::get<tr::openai_request>(parsed);
  FUZZ_CHECK(!req.model.empty());
  if (req.timeout_s) FUZZ_CHECK(*req.timeout_s > 0);
  if (req.num_retries) FUZZ_CHECK(*req.num_retries >= 0);
  const bool stream = req.stream;
  const std::string out = tr::build_upstream_body(req, deployment());
  FUZZ_CHECK(out.find("sk-upstream-secret") == std::string::npos || body.find("sk-upstream-secret") != std::string_view::npos);
  const json up = check_upstream_body(out, "openai/gpt-oss-120b", stream);
  for (const auto& [k, v] : up.items()) FUZZ_CHECK(!forbidden_key(k));
  FUZZ_CHECK(!up.contains("max_completion_tokens"));
}

void response(std::string_view body) {
  meshgate::usage::token_usage usage;
  auto r = tr::restamp_response(body, alias, usage);
  if (auto* e = std::get_if<api_error>(&r)) {
    check_api_error(*e, 502);
    return;
  }
  const json j = must_parse(std::get<std::string>(r));
  FUZZ_CHECK(j.is_object());
  FUZZ_CHECK(j.value("model", json()) == alias);
  FUZZ_CHECK(j.contains("choices") && j["choices"].is_array());
}

void stream(std::string_view upstream, bool wants_usage) {
  const auto events = sse_events(upstream);
  if (events.empty()) return;
  if (auto e = tr::chat_stream_relay::first_event_error(events.front(), "Tensormesh")) {
    check_api_error(*e);
    return;
  }
  tr::chat_stream_relay relay{std::string(alias), wants_usage};
  std::string out;
  for (const auto& ev : events) {
    const auto s = relay.on_event(ev, out);
    FUZZ_CHECK((s == tr::chat_stream_relay::step::more) == !relay.finished());
  }
  if (!relay.finished()) relay.on_abnormal_end("upstream closed the stream", 502, out);
  FUZZ_CHECK(relay.finished());

  bool complete = false;
  const auto frames = sse_events(out, &complete);
  FUZZ_CHECK(complete);
  FUZZ_CHECK(!frames.empty() && frames.back().data == "[DONE]");
  for (const json& chunk : check_client_stream(out, false)) {
    if (chunk.contains("model") && !chunk.contains("error")) FUZZ_CHECK(chunk["model"] == alias);
    if (!wants_usage && chunk.contains("usage")) FUZZ_CHECK(!chunk["usage"].is_object());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = split_mode(data, size, 4);
  switch (in.mode) {
    case 0: request(in.rest, tr::openai_route::chat); break;
    case 1: request(in.rest, tr::openai_route::completions); break;
    case 2: response(in.rest); break;
    default: stream(in.rest, in.rest.size() % 2 == 0); break;
  }
  return 0;
}
