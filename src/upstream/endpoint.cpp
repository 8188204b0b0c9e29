#include "meshgate/upstream/endpoint.hpp"

#include <boost/url/parse.hpp>

namespace meshgate::upstream {

std::string endpoint::host_header() const {
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + port;
}

std::string endpoint::pool_key() const {
  return std::string(tls ? "https://" : "http://") + host + ":" + port + (verify ? "" : "#noverify");
}

std::optional<endpoint> parse_endpoint(std::string_view api_base, bool verify) {
  auto parsed = boost::urls::parse_uri(api_base);
  if (!parsed) return std::nullopt;
  const auto& u = *parsed;
  endpoint ep;
  if (u.scheme() == "https") {
    ep.tls = true;
  } else if (u.scheme() == "http") {
    ep.tls = false;
  } else {
    return std::nullopt;
  }
  if (u.has_userinfo() || u.encoded_host().empty()) return std::nullopt;
  ep.host = std::string(u.host_address());
  if (ep.host.empty()) return std::nullopt;
  ep.port = u.has_port() ? std::string(u.port()) : (ep.tls ? "443" : "80");
  std::string path(u.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  ep.base_path = std::move(path);
  ep.verify = verify;
  return ep;
}

}  // namespace meshgate::upstream
