#include "client/url.hpp"

#include <gtest/gtest.h>

namespace gb::client {
namespace {

struct good_case {
  const char* url;
  bool tls;
  const char* host;
  int port;
  const char* prefix;
  const char* host_header;
};

TEST(ParseUrl, AcceptsBaseUrls) {
  const good_case cases[] = {
      {"http://127.0.0.1:8000", false, "127.0.0.1", 8000, "", "127.0.0.1:8000"},
      {"http://localhost", false, "localhost", 80, "", "localhost"},
      {"https://api.example.com/", true, "api.example.com", 443, "", "api.example.com"},
      {"https://gw.local:8443/openai/v1/", true, "gw.local", 8443, "/openai/v1", "gw.local:8443"},
      {"http://[::1]:9000/x", false, "::1", 9000, "/x", "[::1]:9000"},
      {"http://[::1]", false, "::1", 80, "", "[::1]"},
  };
  for (const auto& c : cases) {
    auto u = parse_url(c.url);
    ASSERT_TRUE(u) << c.url << ": " << u.message();
    EXPECT_EQ(u->tls, c.tls) << c.url;
    EXPECT_EQ(u->host, c.host) << c.url;
    EXPECT_EQ(u->port, c.port) << c.url;
    EXPECT_EQ(u->prefix, c.prefix) << c.url;
    EXPECT_EQ(u->host_header(), c.host_header) << c.url;
  }
}

TEST(ParseUrl, RejectsBadUrlsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"127.0.0.1:8000", "http://"},    {"ftp://x", "http://"},     {"http://", "no host"},
      {"http://:80", "no host"},        {"http://h:0", "bad port"}, {"http://h:70000", "bad port"},
      {"http://h:80x", "bad port"},     {"http://h:", "bad port"},  {"http://h/x?y=1", "query"},
      {"http://u:p@h/", "credentials"}, {"http://[::1/", "IPv6"},
  };
  for (const auto& [url, want] : cases) {
    auto u = parse_url(url);
    ASSERT_FALSE(u) << url;
    EXPECT_NE(u.message().find(want), std::string::npos) << url << ": " << u.message();
    if (std::string_view(url).find('@') == std::string_view::npos) {
      EXPECT_NE(u.message().find(url), std::string::npos) << url << ": message names the URL";
    } else {
      EXPECT_EQ(u.message().find("u:p"), std::string::npos) << "credentials are never echoed";
    }
  }
}

}  // namespace
}  // namespace gb::client
