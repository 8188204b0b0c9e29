// Native Responses rewriting (src/translate/responses_native.cpp, responses_id.cpp,
// responses_request.cpp).
//
// Mode (byte 0, see fuzz_support.hpp): 0 a non-streaming upstream body through restamp_body
// (ids become opaque ids that decode back to the upstream's); 1 an upstream Responses SSE stream
// through native_stream_rewriter; 2 arbitrary text through response_id_codec::decode, and
// encode/decode round trips; 3 a client body through parse_responses_request and
// build_native_body.
#include "fuzz_support.hpp"
#include "meshgate/translate/request_fields.hpp"
#include "meshgate/translate/responses_id.hpp"
#include "meshgate/translate/responses_native.hpp"
#include "meshgate/translate/responses_request.hpp"

using meshgate::core::api_error;
using meshgate::core::json;
namespace tr = meshgate::translate;
using namespace meshgate_fuzz;

namespace {

constexpr std::string_view alias = "native-fuzz";
constexpr std::string_view deployment_id = "dep-1";
constexpr std::string_view caller = "caller-hash";

const tr::response_id_codec& codec() {
  static const tr::response_id_codec c(tr::response_id_codec::derive_key("sk-master-fuzz"));
  return c;
}

tr::native_restamper restamper() {
  return tr::native_restamper(codec(), std::string(alias), std::string(deployment_id), std::string(caller));
}

// A restamped response: the alias as model, and an id this gateway minted for this caller.
void check_restamped(const json& r) {
  FUZZ_CHECK(r.value("model", json()) == alias);
  if (r.contains("id") && r["id"].is_string() && !r["id"].get<std::string>().empty()) {
    auto id = codec().decode(r["id"].get<std::string>(), caller);
    FUZZ_CHECK(id.has_value());
    FUZZ_CHECK(id->deployment_id == deployment_id);
    FUZZ_CHECK(!codec().decode(r["id"].get<std::string>(), "another-caller"));
  }
}

void response(std::string_view body) {
  meshgate::usage::token_usage usage;
  auto r = restamper().restamp_body(body, usage);
  if (auto* e = std::get_if<api_error>(&r)) {
    check_api_error(*e, 502);
    return;
  }
  const json j = must_parse(std::get<std::string>(r));
  FUZZ_CHECK(j.is_object());
  check_restamped(j);
  // The opaque id carries the upstream's id.
  const json up = must_parse(body);
  FUZZ_CHECK(codec().decode(j["id"].get<std::string>(), caller)->upstream_id == up["id"].get<std::string>());
}

void stream(std::string_view upstream) {
  const auto events = sse_events(upstream);
  if (events.empty()) return;
  if (auto e = tr::native_stream_rewriter::first_event_error(events.front())) {
    check_api_error(*e);
    return;
  }
  tr::native_stream_rewriter rw{restamper()};
  std::string out;
  for (const auto& ev : events) {
    const auto s = rw.on_event(ev, out);
    if (s != tr::native_stream_rewriter::step::more) FUZZ_CHECK(rw.finished());
  }
  rw.on_abnormal_end("upstream closed the stream", 502, out);
  FUZZ_CHECK(rw.finished());
  for (const json& ev : check_client_stream(out, false)) {
    if (ev.contains("response") && ev["response"].is_object()) check_restamped(ev["response"]);
  }
}

void ids(std::string_view text) {
  // Decoding never accepts what was not minted for this caller, and what it accepts re-encodes
  // to the same id.
  if (auto d = codec().decode(text, caller)) {
    FUZZ_CHECK(codec().encode(d->deployment_id, d->upstream_id, caller) == text);
  }
  // Round trip of arbitrary parts (the text cut in thirds).
  const std::size_t a = text.size() / 3;
  const std::string_view dep = text.substr(0, a);
  const std::string_view up = text.substr(a, a);
  const std::string_view who = text.substr(2 * a);
  const std::string id = codec().encode(dep, up, who);
  auto back = codec().decode(id, who);
  if (id.size() <= tr::response_id_codec::max_id_length) {
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(back->deployment_id == dep && back->upstream_id == up);
    if (who != caller) FUZZ_CHECK(!codec().decode(id, caller));
    // Any single changed character breaks the tag (or the encoding).
    std::string tampered = id;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    FUZZ_CHECK(!codec().decode(tampered, who));
  } else {
    FUZZ_CHECK(!back.has_value());
  }
}

void request(std::string_view body) {
  auto parsed = tr::parse_responses_request(body);
  if (auto* e = std::get_if<api_error>(&parsed)) {
    check_api_error(*e, 400);
    return;
  }
  auto& req = std::get<tr::responses_request>(parsed);
  const json up = must_parse(tr::build_native_body(req, "up-model", "resp_upstream_prev"));
  FUZZ_CHECK(up.is_object());
  FUZZ_CHECK(up.value("model", json()) == "up-model");
  for (const auto& [k, v] : up.items()) FUZZ_CHECK(!tr::is_gateway_only_key(k));
  if (req.previous_response_id) FUZZ_CHECK(up["previous_response_id"] == "resp_upstream_prev");
  // Building again (a retry on another deployment) gives the same body for that deployment.
  const json again = must_parse(tr::build_native_body(req, "up-model", "resp_upstream_prev"));
  FUZZ_CHECK(again == up);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = split_mode(data, size, 4);
  switch (in.mode) {
    case 0: response(in.rest); break;
    case 1: stream(in.rest); break;
    case 2: ids(in.rest); break;
    default: request(in.rest); break;
  }
  return 0;
}
