#include "meshgate/translate/responses_native.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "meshgate/translate/responses_common.hpp"
#include "meshgate/translate/upstream_body.hpp"

namespace meshgate::translate {

namespace {

using core::json;

bool is_terminal(std::string_view type) { return type == "response.completed" || type == "response.incomplete"; }

}  // namespace

native_restamper::native_restamper(const response_id_codec& codec, std::string alias, std::string deployment_id,
                                   std::string caller_key_hash)
    : codec_(&codec),
      alias_(std::move(alias)),
      deployment_id_(std::move(deployment_id)),
      caller_key_hash_(std::move(caller_key_hash)) {}

usage::token_usage native_restamper::restamp(core::json& response) const {
  if (!response.is_object()) return {};
  response["model"] = alias_;
  for (const char* key : {"id", "previous_response_id"}) {
    auto it = response.find(key);
    if (it != response.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      *it = codec_->encode(deployment_id_, it->get_ref<const std::string&>(), caller_key_hash_);
    }
  }
  // LiteLLM coerces created_at to an integer; some servers send a float timestamp.
  if (auto c = response.find("created_at"); c != response.end() && c->is_number_float()) {
    double d = c->get<double>();
    if (std::isfinite(d) && d >= 0 && d < 9.0e18) *c = static_cast<std::int64_t>(d);
  }
  if (auto u = response.find("usage"); u != response.end() && u->is_object()) return normalise_responses_usage(*u);
  return {};
}

std::variant<std::string, core::api_error> native_restamper::restamp_body(std::string_view upstream_body,
                                                                          usage::token_usage& usage_out) const {
  usage_out = usage::token_usage{};
  auto parsed = parse_upstream_object(upstream_body);
  if (auto* e = std::get_if<core::api_error>(&parsed)) return *std::move(e);
  json& j = std::get<json>(parsed);
  auto id = j.find("id");
  if (id == j.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    if (const std::string* message = upstream_error_message(j)) {
      return upstream_invalid("an error object instead of a response: " + clip(*message));
    }
    return upstream_invalid("missing \"id\"");
  }
  if (auto output = j.find("output"); output != j.end() && !output->is_array()) {
    return upstream_invalid("\"output\" is not an array");
  }
  usage_out = restamp(j);
  return core::dump_json(j);
}

native_stream_rewriter::native_stream_rewriter(native_restamper restamper) : restamper_(std::move(restamper)) {}

std::optional<core::api_error> native_stream_rewriter::first_event_error(const sse::event& ev) {
  if (ev.data.find("\"error\"") == std::string::npos) return std::nullopt;
  auto parsed = core::parse_json(ev.data);
  auto* j = std::get_if<json>(&parsed);
  if (j == nullptr) return std::nullopt;
  return stream_error_of(*j);
}

native_stream_rewriter::step native_stream_rewriter::on_event(const sse::event& ev, std::string& out) {
  if (closed_) return step::failed;
  if (ev.data == "[DONE]") {
    out += sse::format_event("[DONE]");
    return step::done;
  }
  auto parsed = core::parse_json(ev.data);
  auto* j = std::get_if<json>(&parsed);
  if (j == nullptr || !j->is_object()) {
    fail("upstream sent an invalid stream event", 502, out);
    return step::failed;
  }
  if (auto seq = j->find("sequence_number"); seq != j->end() && seq->is_number_integer()) {
    last_sequence_ = std::max(last_sequence_, seq->get<std::int64_t>());
  }
  if (auto err = stream_error_of(*j)) {
    fail(err->message, err->status, out);
    return step::failed;
  }
  std::string type = ev.type;
  if (auto t = j->find("type"); type.empty() && t != j->end() && t->is_string()) type = t->get<std::string>();

  auto response = j->find("response");
  if (response == j->end() || !response->is_object()) {
    out += sse::format_event(ev.data, type);
    return step::more;
  }
  auto counts = restamper_.restamp(*response);
  if (counts.known()) usage_ = counts;
  const bool failed = type == "response.failed";
  if (is_terminal(type) || failed) {
    finished_ = true;
    if (decorate_usage_) {
      if (auto u = response->find("usage"); u != response->end() && u->is_object()) decorate_usage_(*u);
    }
  }
  if (!finished_) snapshot_ = *response;  // kept only to fail the stream later, if need be
  out += sse::format_event(core::dump_json(*j), type);
  if (failed) return step::failed;
  return is_terminal(type) ? step::done : step::more;
}

void native_stream_rewriter::on_abnormal_end(std::string_view what, int status, std::string& out) {
  if (finished_ || closed_) return;
  fail(what, status, out);
}

void native_stream_rewriter::fail(std::string_view message, int status, std::string& out) {
  closed_ = true;
  finished_ = true;
  json error = json::object();
  error["code"] = std::string(responses_error_code(status));
  error["message"] = std::string(message);
  json event = json::object();
  if (last_sequence_ < std::numeric_limits<std::int64_t>::max()) ++last_sequence_;
  event["sequence_number"] = last_sequence_;
  if (snapshot_.is_object()) {
    json response = snapshot_;
    response["status"] = "failed";
    response["error"] = std::move(error);
    event["type"] = "response.failed";
    event["response"] = std::move(response);
  } else {
    // No response object to fail yet: OpenAI's stream-level `error` event.
    event["type"] = "error";
    event["code"] = std::string(responses_error_code(status));
    event["message"] = std::string(message);
    event["param"] = nullptr;
  }
  append_responses_frame(out, event);
}

}  // namespace meshgate::translate
