#include "client/url.hpp"

#include <charconv>

namespace gb::client {

std::string url_parts::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    h += ':';
    h += std::to_string(port);
  }
  return h;
}

result<url_parts> parse_url(std::string_view url) {
  url_parts u;
  const std::string quoted = "'" + std::string(url) + "'";
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    u.tls = true;
    rest.remove_prefix(8);
  } else {
    return fail("URL ", quoted, " must start with http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return fail("URL ", quoted, " must not contain a query or fragment (give the base URL)");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return fail("a URL must not contain credentials (user:password@host): use a header");
  }
  std::string_view host;
  std::string_view port;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail("URL ", quoted, " has an unterminated IPv6 literal");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        return fail("URL ", quoted, " has junk after the IPv6 literal");
      }
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (host.empty()) {
    return fail("URL ", quoted, " has no host");
  }
  u.host = std::string(host);
  u.port = u.tls ? 443 : 80;
  if (!port.empty() || authority.ends_with(":")) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc{} || p != port.data() + port.size() || v == 0 || v > 65535) {
      return fail("URL ", quoted, " has a bad port '", std::string(port),
                  "' (write a number 1-65535)");
    }
    u.port = static_cast<std::uint16_t>(v);
  }
  while (path.ends_with("/")) {
    path.remove_suffix(1);
  }
  u.prefix = std::string(path);
  return u;
}

}  // namespace gb::client
