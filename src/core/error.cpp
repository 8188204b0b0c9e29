#include "meshgate/core/error.hpp"

#include "meshgate/core/json.hpp"

namespace meshgate::core {

namespace {
api_error make(int status, std::string message, std::string type, std::optional<std::string> param = std::nullopt) {
  api_error e;
  e.status = status;
  e.message = std::move(message);
  e.type = std::move(type);
  e.param = std::move(param);
  return e;
}
}  // namespace

api_error bad_request(std::string message, std::optional<std::string> param) {
  return make(400, std::move(message), "invalid_request_error", std::move(param));
}
api_error auth_failed(std::string message) { return make(401, std::move(message), "auth_error", "None"); }
api_error not_found(std::string message) { return make(404, std::move(message), "not_found_error"); }
api_error payload_too_large(std::string message) { return make(413, std::move(message), "invalid_request_error"); }
api_error internal_error(std::string message) { return make(500, std::move(message), "internal_server_error"); }
api_error service_unavailable(std::string message) { return make(503, std::move(message), "service_unavailable"); }

std::string render_openai(const api_error& e) {
  // Field order as OpenAI and LiteLLM send it: message, type, param, code.
  nlohmann::ordered_json err;
  err["message"] = e.message;
  err["type"] = e.type.empty() ? std::string("None") : e.type;
  err["param"] = e.param ? nlohmann::ordered_json(*e.param) : nlohmann::ordered_json(nullptr);
  err["code"] = std::to_string(e.status);
  nlohmann::ordered_json body;
  body["error"] = std::move(err);
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return "api_error";
  }
}

std::string render_anthropic(const api_error& e) {
  nlohmann::ordered_json err;
  err["type"] = std::string(anthropic_error_type(e.status));
  err["message"] = e.message;
  nlohmann::ordered_json body;
  body["type"] = "error";
  body["error"] = std::move(err);
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string render(const api_error& e, dialect d) {
  return d == dialect::anthropic ? render_anthropic(e) : render_openai(e);
}

}  // namespace meshgate::core
