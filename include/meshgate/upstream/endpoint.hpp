#pragma once
// Where a deployment's requests go: an `api_base` URL split into what connecting needs.
#include <optional>
#include <string>
#include <string_view>

namespace meshgate::upstream {

struct endpoint {
  bool tls = true;
  std::string host;       // name or address, without brackets
  std::string port;       // "443", "80", or explicit
  std::string base_path;  // path of api_base without trailing '/', e.g. "/v1" (may be empty)
  bool verify = true;     // certificate + host-name verification (https only)

  // Value for the Host header ("host" or "host:port" when the port is not the default).
  std::string host_header() const;
  // Key identifying interchangeable connections in a pool.
  std::string pool_key() const;
};

// Parses an http:// or https:// URL; nullopt for anything else (other schemes, userinfo,
// missing host).
std::optional<endpoint> parse_endpoint(std::string_view api_base, bool verify = true);

}  // namespace meshgate::upstream
