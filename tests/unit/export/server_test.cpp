// The live endpoint: address parsing, GET /metrics serving the published text, 404s, stop.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "export/metrics_server.hpp"

namespace gb::exporter {
namespace {

std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(listen_address, parses_and_rejects) {
  struct row {
    const char* text;
    const char* host;
    int port;
  };
  for (const row& r : {row{"127.0.0.1:9464", "127.0.0.1", 9464}, row{"localhost:0", "localhost", 0},
                       row{"[::1]:8080", "::1", 8080}}) {
    auto a = parse_listen_address(r.text);
    ASSERT_TRUE(a.ok()) << r.text << ": " << a.message();
    EXPECT_EQ(a->host, r.host);
    EXPECT_EQ(a->port, r.port);
  }
  for (const char* bad : {"9464", ":9464", "host:", "host:70000", "host:x", "[::1]9464"}) {
    auto a = parse_listen_address(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_NE(a.message().find("--metrics-addr"), std::string::npos);
  }
}

TEST(metrics_server, serves_what_was_published) {
  auto srv = metrics_server::start("127.0.0.1:0");
  ASSERT_TRUE(srv.ok()) << srv.message();
  const auto port = (*srv)->port();
  ASSERT_NE(port, 0);
  auto first = http_get(port, "/metrics");
  EXPECT_NE(first.find("HTTP/1.1 200"), std::string::npos) << first;
  EXPECT_NE(first.find("text/plain; version=0.0.4"), std::string::npos);
  (*srv)->publish("gatebench_requests_started_total{testid=\"a\"} 5\n");
  auto second = http_get(port, "/metrics?x=1");
  EXPECT_NE(second.find("gatebench_requests_started_total{testid=\"a\"} 5\n"), std::string::npos);
  EXPECT_EQ((*srv)->scrapes(), 2);
  EXPECT_NE(http_get(port, "/nope").find("HTTP/1.1 404"), std::string::npos);
  (*srv)->stop();
  EXPECT_EQ(http_get(port, "/metrics"), "connect failed");
}

TEST(metrics_server, busy_port_is_an_error_naming_the_address) {
  auto a = metrics_server::start("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  const std::string addr = "127.0.0.1:" + std::to_string((*a)->port());
  auto b = metrics_server::start(addr);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find(addr), std::string::npos) << b.message();
}

}  // namespace
}  // namespace gb::exporter
