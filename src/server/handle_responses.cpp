// POST /v1/responses and the routes that take a response id (GET/DELETE /v1/responses/{id},
// GET …/{id}/input_items, POST …/{id}/cancel): natively to the deployment's /responses, or
// through the chat bridge for deployments with `litellm_params.responses_mode: bridge`.
//
// Ids handed to clients are minted by gateway_state::response_ids: they name the deployment
// and the upstream id and are bound to the caller's key, so an id only ever reaches the
// deployment that made it, and only for the key it was made for. Anything else is "not found".
#include <algorithm>

#include "meshgate/server/handlers.hpp"
#include "meshgate/server/relay.hpp"
#include "meshgate/translate/chat_stream.hpp"
#include "meshgate/translate/responses_bridge.hpp"
#include "meshgate/translate/responses_bridge_stream.hpp"
#include "meshgate/translate/responses_common.hpp"
#include "meshgate/translate/responses_native.hpp"
#include "meshgate/translate/responses_request.hpp"

namespace meshgate::server {

namespace {

bool is_bridge(const config::deployment& d) { return d.responses_mode == "bridge"; }

// relay_stream asks its translator for first_event_error(event, provider label).
struct native_relay : translate::native_stream_rewriter {
  using native_stream_rewriter::native_stream_rewriter;
  static std::optional<core::api_error> first_event_error(const sse::event& ev, std::string_view) {
    return native_stream_rewriter::first_event_error(ev);
  }
};

// Also hands the answer to `on_completed` as soon as response.completed is produced, before that
// event is written: a client that sends the next turn the moment it reads it must find this
// turn stored.
struct bridge_relay : translate::bridge_stream_translator {
  using bridge_stream_translator::bridge_stream_translator;
  std::function<void(core::json)> on_completed;
  static std::optional<core::api_error> first_event_error(const sse::event& ev, std::string_view label) {
    return translate::chat_stream_relay::first_event_error(ev, label);
  }
  step on_event(const sse::event& ev, std::string& out) {
    const bool before = completed();
    const step s = bridge_stream_translator::on_event(ev, out);
    if (!before && completed() && on_completed) on_completed(assistant_message());
    return s;
  }
};

const routed_deployment* deployment_by_id(const std::vector<routed_deployment>& list, std::string_view id) {
  for (const auto& rd : list) {
    if (rd.dep->id == id) return &rd;
  }
  return nullptr;
}

std::string clipped(std::string_view id) { return std::string(id.substr(0, 128)); }

core::api_error unknown_previous(std::string_view id) {
  return core::bad_request("Previous response with id '" + clipped(id) + "' not found.", "previous_response_id");
}

core::api_error unknown_response(std::string_view id) {
  return core::not_found("Response with id '" + clipped(id) + "' not found.");
}

// What a request's previous_response_id continues.
struct continuation {
  const routed_deployment* native_pin = nullptr;   // native: the deployment holding the turn
  std::string upstream_id;                         // native: the id that deployment knows
  const routed_deployment* bridge_origin = nullptr;  // bridge: the deployment that answered
  translate::conversation_store::history history;  // bridge: the conversation so far
};

std::variant<continuation, core::api_error> resolve_previous(gateway_state& st,
                                                             const std::vector<routed_deployment>& group,
                                                             const std::string& id, const std::string& owner) {
  // An id made for another key, another model group, or by nobody reads as unknown, so a
  // caller learns nothing about ids that are not theirs.
  auto decoded = st.response_ids.decode(id, owner);
  const routed_deployment* rd = decoded ? deployment_by_id(group, decoded->deployment_id) : nullptr;
  if (!rd) return unknown_previous(id);
  continuation c;
  if (!is_bridge(*rd->dep)) {
    c.native_pin = rd;
    c.upstream_id = std::move(decoded->upstream_id);
    return c;
  }
  auto found = st.conversations.find(id, owner);
  if (auto* e = std::get_if<core::api_error>(&found)) return *e;
  c.bridge_origin = rd;
  c.history = std::get<translate::conversation_store::history>(std::move(found));
  return c;
}

// Percent-encodes an upstream id for a path segment (ids are normally [A-Za-z0-9_-] already).
std::string path_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// DELETE answers `{"id": <upstream id>, "object": …, "deleted": true}`: only the id changes.
std::variant<std::string, core::api_error> restamp_deleted(std::string_view body, const std::string& id) {
  auto parsed = core::parse_json(body);
  auto* j = std::get_if<core::json>(&parsed);
  if (!j || !j->is_object()) return translate::invalid_upstream_response("the delete answer is not a JSON object");
  (*j)["id"] = id;
  return core::dump_json(*j);
}

std::variant<std::string, core::api_error> checked_object(std::string_view body) {
  auto parsed = core::parse_json(body);
  auto* j = std::get_if<core::json>(&parsed);
  if (!j || !j->is_object()) return translate::invalid_upstream_response("the answer is not a JSON object");
  return std::string(body);
}

std::string deleted_bridge_body(const std::string& id) {
  core::json j = core::json::object();
  j["id"] = id;
  j["object"] = "response";
  j["deleted"] = true;
  return core::dump_json(j);
}

std::string upstream_path(endpoint ep, std::string_view upstream_id, std::string_view target) {
  std::string path = "/responses/" + path_segment(upstream_id);
  if (ep == endpoint::responses_input_items) {
    path += "/input_items";
    // Pagination (after, before, limit, order, include) passes through; the router only lets
    // visible ASCII through, so the query cannot break the request line.
    if (auto q = target.find('?'); q != std::string_view::npos) path += target.substr(q);
  } else if (ep == endpoint::responses_cancel) {
    path += "/cancel";
  }
  return path;
}

http::verb method_of(endpoint ep) {
  switch (ep) {
    case endpoint::responses_delete: return http::verb::delete_;
    case endpoint::responses_cancel: return http::verb::post;
    default: return http::verb::get;
  }
}

}  // namespace

task<void> handle_responses(handler_env env, request_context& ctx) {
  auto parsed = translate::parse_responses_request(ctx.req->body());
  if (auto* e = std::get_if<core::api_error>(&parsed)) {
    co_await env.out.send_error(ctx, *e);
    co_return;
  }
  auto& req = std::get<translate::responses_request>(parsed);
  ctx.model_alias = req.model;
  ctx.user = req.user;
  const auto* group = env.st.models.find(req.model);
  if (!group) {
    co_await env.out.send_error(ctx, unknown_model_error("responses", req.model));
    co_return;
  }

  continuation prev;
  if (req.previous_response_id) {
    auto resolved = resolve_previous(env.st, *group, *req.previous_response_id, ctx.key_hash);
    if (auto* e = std::get_if<core::api_error>(&resolved)) {
      co_await env.out.send_error(ctx, *e);
      co_return;
    }
    prev = std::move(std::get<continuation>(resolved));
  }
  const bool any_native = std::any_of(group->begin(), group->end(), [](const auto& rd) { return !is_bridge(*rd.dep); });
  const auto first_bridge = std::find_if(group->begin(), group->end(), [](const auto& rd) { return is_bridge(*rd.dep); });

  // The bridge mapping can reject the input (an item chat cannot express): find out before any
  // upstream call, since a deployment's body builder cannot fail.
  const core::json prior = translate::conversation_store::messages_of(prev.history);
  std::optional<translate::bridge_request> bridge;
  if (!prev.native_pin && first_bridge != group->end()) {
    auto built = translate::build_bridge_request(req, first_bridge->dep->upstream_model, prior);
    if (auto* e = std::get_if<core::api_error>(&built)) {
      co_await env.out.send_error(ctx, *e);
      co_return;
    }
    bridge = std::move(std::get<translate::bridge_request>(built));
  }

  call_plan plan;
  plan.group = group;
  plan.stream = req.stream;
  plan.timeout_s = req.timeout_s;
  plan.num_retries = req.num_retries;
  // A native turn lives on the deployment that made it. A bridged conversation can go on from
  // any bridge deployment; in a group that mixes modes it stays where it started.
  if (prev.native_pin) plan.pinned = prev.native_pin;
  else if (prev.bridge_origin && any_native) plan.pinned = prev.bridge_origin;
  plan.path_for = [](const config::deployment& d) { return std::string(is_bridge(d) ? "/chat/completions" : "/responses"); };
  plan.body_for = [&](const config::deployment& d) -> std::string {
    if (!is_bridge(d)) return translate::build_native_body(req, d.upstream_model, prev.upstream_id);
    // The body built above serves every deployment of the same upstream model; another model
    // only changes `model`, and the input was already accepted.
    if (d.upstream_model == first_bridge->dep->upstream_model) return bridge->chat_body;
    auto built = translate::build_bridge_request(req, d.upstream_model, prior);
    auto* ok = std::get_if<translate::bridge_request>(&built);
    return ok ? std::move(ok->chat_body) : bridge->chat_body;
  };

  co_await proxy(env, ctx, plan, [&](upstream::exchange& x, double first_byte_s) -> task<void> {
    const config::deployment& d = *ctx.dep->dep;
    if (!is_bridge(d)) {
      translate::native_restamper restamper(env.st.response_ids, req.model, d.id, ctx.key_hash);
      if (req.stream) {
        native_relay tr(std::move(restamper));
        tr.set_usage_decorator(streaming_cost_decorator(env.st, ctx));
        co_await relay_stream(env, ctx, x, tr, first_byte_s);
      } else {
        co_await relay_body(env, ctx, x, first_byte_s, [&](std::string_view body, usage::token_usage& u) {
          return restamper.restamp_body(body, u);
        });
      }
      co_return;
    }

    const std::string id = env.st.response_ids.encode(d.id, translate::new_object_id("resp_"), ctx.key_hash);
    auto store_turn = [&](core::json answer) {
      if (!req.store) return;
      core::json turn = bridge->turn_messages;
      turn.push_back(std::move(answer));
      env.st.conversations.put(id, ctx.key_hash, prev.history, std::move(turn));
    };
    if (req.stream) {
      bridge_relay tr(id, req.model, bridge->response_template);
      tr.set_usage_decorator(streaming_cost_decorator(env.st, ctx));
      tr.on_completed = store_turn;
      co_await relay_stream(env, ctx, x, tr, first_byte_s);
    } else {
      co_await relay_body(env, ctx, x, first_byte_s,
                          [&](std::string_view body, usage::token_usage& u) -> std::variant<std::string, core::api_error> {
                            auto r = translate::bridge_response(body, bridge->response_template, id, req.model, u);
                            if (auto* e = std::get_if<core::api_error>(&r)) return *e;
                            auto& ok = std::get<translate::bridge_result>(r);
                            store_turn(std::move(ok.assistant_message));  // before the client can see the id
                            return std::move(ok.body);
                          });
    }
  });
}

task<void> handle_response_by_id(handler_env env, request_context& ctx, route_match route) {
  const std::string& id = route.param;
  auto decoded = env.st.response_ids.decode(id, ctx.key_hash);
  const routed_deployment* rd = decoded ? deployment_by_id(env.st.models.all(), decoded->deployment_id) : nullptr;
  if (!rd) {
    co_await env.out.send_error(ctx, unknown_response(id));
    co_return;
  }
  ctx.model_alias = rd->dep->model_name;

  if (is_bridge(*rd->dep)) {
    // The bridge keeps a turn only as chat messages for previous_response_id; there is no
    // upstream object to fetch or cancel.
    if (route.ep == endpoint::responses_delete) {
      if (env.st.conversations.erase(id, ctx.key_hash)) {
        co_await env.out.send(ctx, 200, deleted_bridge_body(id), "application/json");
      } else {
        co_await env.out.send_error(ctx, unknown_response(id));
      }
      co_return;
    }
    co_await env.out.send_error(
        ctx, core::not_found("Response with id '" + clipped(id) +
                             "' cannot be retrieved: its deployment uses responses_mode: bridge, which keeps a turn only "
                             "to continue it with previous_response_id or to delete it."));
    co_return;
  }

  call_plan plan;
  plan.pinned = rd;
  plan.method = method_of(route.ep);
  plan.path = upstream_path(route.ep, decoded->upstream_id, ctx.req->target());
  translate::native_restamper restamper(env.st.response_ids, rd->dep->model_name, rd->dep->id, ctx.key_hash);
  co_await proxy(env, ctx, plan, [&](upstream::exchange& x, double first_byte_s) -> task<void> {
    co_await relay_body(
        env, ctx, x, first_byte_s,
        [&](std::string_view body, usage::token_usage& u) -> std::variant<std::string, core::api_error> {
          switch (route.ep) {
            case endpoint::responses_delete: return restamp_deleted(body, id);
            case endpoint::responses_input_items: return checked_object(body);
            default: return restamper.restamp_body(body, u);
          }
        },
        /*priced=*/false);
  });
}

}  // namespace meshgate::server
