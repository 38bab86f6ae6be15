// run_observer: --target-cmd lifecycle, the live endpoint with resources, the report block.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "export/run_observer.hpp"
#include "util/clock.hpp"

namespace gb::exporter {
namespace {

std::string get_metrics(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "";
  }
  const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[8192];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(run_observer, target_cmd_endpoint_and_resources) {
  observer_options o;
  o.metrics_addr = "127.0.0.1:0";
  o.target_cmd = "sleep 30";
  o.resource_target = "gateway";
  o.labels = {"run-7", "obs"};
  o.sample_interval_ns = 50'000'000;
  const std::int64_t start = now_ns();
  auto obs = run_observer::start(o);
  ASSERT_TRUE(obs.ok()) << obs.message();
  ASSERT_NE((*obs)->metrics_port(), 0);
  metrics::interval_accum a;
  a.started = 3;
  a.ok = 2;
  a.errors = 1;
  a.by_outcome[static_cast<std::size_t>(metrics::outcome::ok)] = 2;
  a.by_outcome[static_cast<std::size_t>(metrics::outcome::timeout)] = 1;
  a.ttft.record(10'000'000);
  (*obs)->add_interval("gateway", "main", a);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  (*obs)->interval_end("main");
  const std::string body = get_metrics((*obs)->metrics_port());
  const std::string l = "{testid=\"run-7\",target=\"gateway\",scenario=\"obs\",phase=\"main\"";
  EXPECT_NE(body.find("gatebench_requests_total" + l + ",outcome=\"timeout\"} 1\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("gatebench_target_resident_memory_bytes" + l + "}"), std::string::npos);
  EXPECT_NE(body.find("gatebench_harness_cpu_cores" + l + "}"), std::string::npos);
  EXPECT_NE(body.find("gatebench_client_bound" + l + "} 0"), std::string::npos);
  const auto res = (*obs)->finish(start, 3);
  EXPECT_TRUE(res.target.present);
  EXPECT_TRUE(res.harness.present);
  EXPECT_GT(res.target.idle_rss_bytes, 0);
  EXPECT_GT(res.target.peak_rss_bytes, 0);
  EXPECT_NE(res.target.description.find("--target-cmd 'sleep 30'"), std::string::npos);
  EXPECT_GT(res.target.samples.size(), 2u);
  EXPECT_GE(res.target.samples.front().offset_ns, 0);
  const int pid = (*obs)->resource_report().target_pid;
  EXPECT_NE(::kill(pid, 0), 0);  // torn down by finish()
}

TEST(run_observer, bad_flags_are_errors_naming_them) {
  observer_options both;
  both.target_pid = static_cast<int>(::getpid());
  both.target_cmd = "sleep 1";
  auto a = run_observer::start(both);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.message().find("--target-pid"), std::string::npos);
  observer_options gone;
  gone.target_pid = 0x7ffffff0;
  auto b = run_observer::start(gone);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find("--target-pid"), std::string::npos) << b.message();
  observer_options addr;
  addr.metrics_addr = "nohost";
  auto c = run_observer::start(addr);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.message().find("--metrics-addr"), std::string::npos);
  observer_options dies;
  dies.target_cmd = "exit 4";
  dies.target_url = "http://127.0.0.1:1";
  auto d = run_observer::start(dies);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.message().find("exited 4"), std::string::npos) << d.message();
}

}  // namespace
}  // namespace gb::exporter
