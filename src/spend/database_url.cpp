#include "meshgate/spend/database_url.hpp"

#include <algorithm>
#include <functional>

#include "meshgate/core/ascii.hpp"

namespace meshgate::spend {

namespace {


bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && core::ascii_iequals(s.substr(0, prefix.size()), prefix);
}

// The pieces of scheme://[user[:password]@]host…[/path][?query]. The user info ends at the
// authority's last '@' (a password may itself contain '@' when not percent-encoded).
struct url_parts {
  std::string_view head;      // "scheme://"
  std::string_view user;      // before the ':' of the user info
  std::string_view password;  // after it
  bool has_userinfo = false;
  bool has_password = false;
  std::string_view host;   // the rest of the authority
  std::string_view path;   // from '/' up to '?'
  std::string_view query;  // after '?'
  bool has_query = false;
};

bool split(std::string_view url, url_parts& p) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  p.head = url.substr(0, scheme_end + 3);
  std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, std::min(rest.find_first_of("/?"), rest.size()));
  rest.remove_prefix(authority.size());
  const auto at = authority.rfind('@');
  p.host = authority;
  if (at != std::string_view::npos) {
    p.has_userinfo = true;
    const std::string_view userinfo = authority.substr(0, at);
    const auto colon = userinfo.find(':');
    p.user = userinfo.substr(0, colon);
    if (colon != std::string_view::npos) {
      p.has_password = true;
      p.password = userinfo.substr(colon + 1);
    }
    p.host = authority.substr(at + 1);
  }
  const auto q = rest.find('?');
  p.path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    p.has_query = true;
    p.query = rest.substr(q + 1);
  }
  return true;
}

// Calls `f(name, value, has_value)` for each &-separated query parameter.
void each_param(std::string_view query,
                const std::function<void(std::string_view, std::string_view, bool)>& f) {
  for (;;) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    const auto eq = param.find('=');
    if (eq == std::string_view::npos)
      f(param, {}, false);
    else
      f(param.substr(0, eq), param.substr(eq + 1), true);
    if (amp == std::string_view::npos) return;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

bool is_postgres_url(std::string_view url) {
  return istarts_with(url, "postgresql://") || istarts_with(url, "postgres://");
}

std::string redact_url(std::string_view url) {
  url_parts p;
  if (!split(url, p)) {
    return core::ascii_lower(url).find("password") == std::string::npos ? std::string(url) : std::string("***");
  }
  std::string out(p.head);
  if (p.has_userinfo) {
    out += p.user;
    if (p.has_password) out += ":***";
    out += '@';
  }
  out += p.host;
  out += p.path;
  if (!p.has_query) return out;
  out += '?';
  bool first = true;
  each_param(p.query, [&](std::string_view name, std::string_view value, bool has_value) {
    if (!first) out += '&';
    first = false;
    out += name;
    if (has_value) {
      out += '=';
      out += core::ascii_iequals(name, "password") ? std::string_view("***") : value;
    }
  });
  return out;
}

std::string url_password(std::string_view url) {
  url_parts p;
  if (!split(url, p)) return {};
  if (p.has_password) return std::string(p.password);
  std::string found;
  if (p.has_query)
    each_param(p.query, [&](std::string_view name, std::string_view value, bool) {
      if (found.empty() && core::ascii_iequals(name, "password")) found = value;
    });
  return found;
}

}  // namespace meshgate::spend
