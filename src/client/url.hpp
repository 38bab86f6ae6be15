#pragma once
// Base URLs of targets: scheme://host[:port][/prefix].

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gb::client {

struct url_parts {
  bool tls = false;  // https
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string prefix;  // path prefix without a trailing '/', e.g. "" or "/openai"
  /// The Host header value: host, plus ":port" when not the scheme's default.
  std::string host_header() const;
};

/// Parses "http://host:port/prefix" or "https://...". Errors name the URL and what is wrong
/// (missing scheme, unsupported scheme, empty host, bad port, query or fragment present).
result<url_parts> parse_url(std::string_view url);

}  // namespace gb::client
