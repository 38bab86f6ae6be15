// sysmon against processes with known behaviour: a shell running two known_load helpers (each
// allocating 32 MiB and spinning a quarter of a core). The target tree's RSS must rise by about
// 64 MiB over its idle baseline, its CPU must be about half a core, and all three processes must
// be counted. Tolerances allow for a shared 2-core machine.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "sysmon/sampler.hpp"
#include "sysmon/target_process.hpp"

namespace gb::sysmon {
namespace {

void sleep_s(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

TEST(sysmon_known_load, tree_rss_and_cores_match_what_the_helpers_do) {
  const char* helper = std::getenv("KNOWN_LOAD");
  ASSERT_NE(helper, nullptr) << "KNOWN_LOAD (path of known_load) is not set";
  const std::string one = std::string(helper) + " --mib 32 --share 0.25 --delay 1.2 --seconds 6";
  target_command cmd;
  cmd.command = one + " & " + one + " & wait";
  cmd.settle_ns = 200'000'000;
  auto target = target_process::start(cmd);
  ASSERT_TRUE(target.ok()) << target.message();
  ASSERT_TRUE(target->wait_ready().ok());

  sampler s({.interval_ns = 250'000'000, .target_pid = target->pid(), .harness_threads = 1});
  ASSERT_TRUE(s.start().ok());
  sleep_s(0.7);  // idle readings (helpers allocate at 1.2 s)
  s.set_phase("main");
  sleep_s(1.2);  // the helpers allocate during the first half second of this
  const auto live = s.latest();
  ASSERT_TRUE(live.target.has_value());
  EXPECT_EQ(live.target->processes, 3);  // sh + two helpers
  sleep_s(2.5);
  s.stop();
  target->stop();
  const resource_report r = s.report(1000);

  const double mib = 1024.0 * 1024.0;
  ASSERT_GT(r.target.idle_rss_bytes, 0);
  ASSERT_GT(r.target.steady_rss_bytes, 0);
  const double grown =
      static_cast<double>(r.target.steady_rss_bytes - r.target.idle_rss_bytes) / mib;
  EXPECT_NEAR(grown, 64.0, 64.0 * 0.15)
      << "idle " << r.target.idle_rss_bytes / mib << " MiB, steady "
      << r.target.steady_rss_bytes / mib << " MiB";
  EXPECT_GE(r.target.peak_hwm_bytes, r.target.steady_rss_bytes);
  EXPECT_GE(r.target.peak_rss_bytes, r.target.steady_rss_bytes);
  // Half a core in total over the load phase (which started before the helpers spun for
  // ~0.5 s of its ~3.7 s, so expect a little less).
  EXPECT_NEAR(r.target.mean_cores, 0.45, 0.2) << "mean cores";
  EXPECT_GT(r.target.peak_cores, 0.3);
  EXPECT_LT(r.target.peak_cores, 1.2);
  EXPECT_GT(r.target.cpu_seconds_per_1k_requests, 0.8);  // ~1.6 CPU-s over 1000 requests
  EXPECT_LT(r.target.cpu_seconds_per_1k_requests, 3.0);
  EXPECT_GE(r.target.max_threads, 3);
  // The harness was sampled too and is far from client-bound.
  EXPECT_GT(r.harness.samples, 10);
  EXPECT_GT(r.harness.peak_rss_bytes, 0);
  EXPECT_FALSE(r.client_bound.flagged) << r.client_bound.reason;
  EXPECT_EQ(r.harness_samples.back().phase, "after");
}

TEST(sysmon_known_load, exited_children_cpu_is_still_counted) {
  // The shell runs a helper that burns ~0.6 CPU-s and exits; the shell reaps it, so its CPU
  // moves into the shell's cutime and must still appear in the tree's total.
  const char* helper = std::getenv("KNOWN_LOAD");
  ASSERT_NE(helper, nullptr);
  target_command cmd;
  cmd.command = std::string(helper) + " --mib 1 --share 1 --seconds 0.6; sleep 30";
  cmd.settle_ns = 0;
  auto target = target_process::start(cmd);
  ASSERT_TRUE(target.ok());
  sampler s({.interval_ns = 100'000'000, .target_pid = target->pid(), .sample_harness = false});
  ASSERT_TRUE(s.start().ok());
  s.set_phase("main");
  sleep_s(1.5);
  s.stop();
  target->stop();
  const auto r = s.report(0);
  EXPECT_GT(r.target.load_cpu_seconds, 0.2);  // ~0.6 on an idle machine
  EXPECT_LT(r.target.load_cpu_seconds, 0.85);
}

}  // namespace
}  // namespace gb::sysmon
