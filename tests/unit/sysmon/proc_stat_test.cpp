// /proc parsing with fixture text (proc(5) formats), process trees, summaries, the client-bound
// verdict and URL host:port extraction.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sysmon/probe.hpp"
#include "sysmon/proc_stat.hpp"
#include "sysmon/summary.hpp"
#include "sysmon/target_process.hpp"
#include "util/clock.hpp"

namespace gb::sysmon {
namespace {

// A real line from a Linux 6.1 /proc/PID/stat (nginx worker), 52 fields.
constexpr const char* nginx_stat =
    "4242 (nginx) S 4241 4241 4241 0 -1 4194624 3080 0 0 0 157 42 7 3 20 0 1 0 123456 "
    "58961920 1234 18446744073709551615 1 1 0 0 0 0 0 1073745920 402745863 0 0 0 17 1 0 0 0 0 "
    "0 0 0 0 0 0 0 0 0\n";

TEST(proc_stat, parses_the_fields_sysmon_uses) {
  auto st = parse_proc_stat(nginx_stat);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(st->pid, 4242);
  EXPECT_EQ(st->comm, "nginx");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 4241);
  EXPECT_EQ(st->pgrp, 4241);
  EXPECT_EQ(st->utime_ticks, 157);
  EXPECT_EQ(st->stime_ticks, 42);
  EXPECT_EQ(st->cutime_ticks, 7);
  EXPECT_EQ(st->cstime_ticks, 3);
  EXPECT_EQ(st->num_threads, 1);
  EXPECT_EQ(st->starttime_ticks, 123456);
  EXPECT_EQ(st->rss_pages, 1234);
}

TEST(proc_stat, comm_with_spaces_and_parentheses) {
  auto st =
      parse_proc_stat("77 (my (odd) proc) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 4 0 99 100 10 0\n");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(st->comm, "my (odd) proc");
  EXPECT_EQ(st->state, 'R');
  EXPECT_EQ(st->ppid, 1);
  EXPECT_EQ(st->utime_ticks, 5);
  EXPECT_EQ(st->num_threads, 4);
  EXPECT_EQ(st->rss_pages, 10);
}

TEST(proc_stat, malformed_lines_are_errors_naming_the_problem) {
  struct row {
    const char* text;
    const char* expect;
  };
  for (const row& r :
       {row{"", "comm"}, row{"12 nginx S 1", "comm"}, row{"12 (x) S 1 2 3", "truncated"},
        row{"x (a) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 9 9 9 0", "pid"},
        row{"1 (a) S 1 1 1 0 -1 0 0 0 0 0 1x 1 0 0 20 0 1 0 9 9 9 0", "utime"},
        row{"1 (a) SS 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 9 9 9 0", "state"}}) {
    auto st = parse_proc_stat(r.text);
    ASSERT_FALSE(st.ok()) << r.text;
    EXPECT_NE(st.message().find(r.expect), std::string::npos) << st.message();
  }
}

constexpr const char* status_fixture =
    "Name:\tgatebench-mock\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t900\nPid:\t900\n"
    "VmPeak:\t  300000 kB\nVmSize:\t  290000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n"
    "RssAnon:\t    8000 kB\nThreads:\t3\nvoluntary_ctxt_switches:\t10\n";

TEST(proc_status, parses_rss_hwm_threads) {
  auto ps = parse_proc_status(status_fixture);
  ASSERT_TRUE(ps.ok()) << ps.message();
  EXPECT_EQ(ps->vm_rss_bytes, 10240 * 1024);
  EXPECT_EQ(ps->vm_hwm_bytes, 20480 * 1024);
  EXPECT_EQ(ps->threads, 3);
}

TEST(proc_status, zombie_without_vm_lines_gives_unknown) {
  auto ps = parse_proc_status("Name:\tz\nState:\tZ (zombie)\nThreads:\t1\n");
  ASSERT_TRUE(ps.ok());
  EXPECT_EQ(ps->vm_rss_bytes, -1);
  EXPECT_EQ(ps->vm_hwm_bytes, -1);
  EXPECT_EQ(ps->threads, 1);
}

TEST(proc_status, malformed_numbers_and_units_are_errors) {
  for (const char* text :
       {"VmRSS:\t12 MB\n", "VmRSS:\tabc kB\n", "VmHWM:\t-5 kB\n", "Threads:\tmany\n"}) {
    auto ps = parse_proc_status(text);
    EXPECT_FALSE(ps.ok()) << text;
  }
}

TEST(proc_files, reads_this_process) {
  auto st = read_proc_stat(static_cast<int>(::getpid()));
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(st->pid, ::getpid());
  EXPECT_EQ(st->ppid, ::getppid());
  auto ps = read_proc_status(static_cast<int>(::getpid()));
  ASSERT_TRUE(ps.ok());
  EXPECT_GT(ps->vm_rss_bytes, 0);
  EXPECT_GE(ps->vm_hwm_bytes, ps->vm_rss_bytes);
  EXPECT_GE(count_open_fds(static_cast<int>(::getpid())), 3);
  EXPECT_FALSE(read_proc_stat(0x7ffffff0).ok());
  EXPECT_EQ(count_open_fds(0x7ffffff0), -1);
}

TEST(process_tree, descendants_breadth_first_and_ignores_others) {
  const std::vector<pid_parent> table = {{1, 0},   {10, 1}, {11, 10}, {12, 10},
                                         {13, 11}, {20, 1}, {21, 20}};
  EXPECT_EQ(descendants_of(10, table), (std::vector<int>{10, 11, 12, 13}));
  EXPECT_EQ(descendants_of(13, table), (std::vector<int>{13}));
  EXPECT_TRUE(descendants_of(99, table).empty());
  // A cycle (impossible in /proc, but a race can show one) terminates.
  EXPECT_EQ(descendants_of(5, {{5, 6}, {6, 5}}), (std::vector<int>{5, 6}));
}

sample at(double t_s, const char* phase, std::int64_t rss_mib, double cores, double cpu_s) {
  sample s;
  s.t_ns = static_cast<std::int64_t>(t_s * 1e9);
  s.phase = phase;
  s.rss_bytes = rss_mib << 20;
  s.hwm_bytes = s.rss_bytes;
  s.cores = cores;
  s.cpu_seconds = cpu_s;
  s.threads = 4;
  s.fds = 10;
  s.processes = 1;
  return s;
}

TEST(summary, idle_peak_steady_after_and_cpu) {
  std::vector<sample> ss = {
      at(0, "idle", 10, 0, 0),      at(1, "warmup", 40, 0.5, 0.5), at(2, "main", 50, 1.0, 1.5),
      at(3, "main", 70, 1.0, 2.5),  at(4, "main", 60, 2.0, 4.5),   at(5, "cooldown", 55, 0.5, 5.0),
      at(6, "after", 30, 0.0, 5.0),
  };
  auto r = summarize(ss, 2000);
  EXPECT_EQ(r.samples, 7);
  EXPECT_EQ(r.idle_rss_bytes, 10 << 20);
  EXPECT_EQ(r.peak_rss_bytes, 70 << 20);
  EXPECT_EQ(r.steady_rss_bytes, 60 << 20);  // median of 50, 70, 60
  EXPECT_EQ(r.after_rss_bytes, 30 << 20);
  EXPECT_DOUBLE_EQ(r.load_cpu_seconds, 5.0);  // from the idle reading to the last load one
  EXPECT_DOUBLE_EQ(r.mean_cores, 1.0);        // 5 CPU-s over 5 s
  EXPECT_DOUBLE_EQ(r.peak_cores, 2.0);
  EXPECT_DOUBLE_EQ(r.cpu_seconds_per_1k_requests, 2.5);
  EXPECT_EQ(r.max_threads, 4);
}

TEST(summary, empty_and_no_requests_leave_unknowns) {
  auto r = summarize({}, 100);
  EXPECT_EQ(r.samples, 0);
  EXPECT_EQ(r.peak_rss_bytes, -1);
  EXPECT_EQ(r.steady_rss_bytes, -1);
  EXPECT_EQ(r.mean_cores, -1);
  auto only_idle = summarize({at(0, "idle", 5, 0, 0)}, 0);
  EXPECT_EQ(only_idle.idle_rss_bytes, 5 << 20);
  EXPECT_EQ(only_idle.cpu_seconds_per_1k_requests, -1);
  EXPECT_EQ(only_idle.load_cpu_seconds, -1);
}

TEST(summary, gone_target_samples_are_skipped_and_no_main_uses_all_load) {
  sample gone = at(3, "warmup", 0, 0, 0);
  gone.processes = 0;
  auto r = summarize(
      {at(0, "idle", 1, 0, 0), at(1, "warmup", 20, 1, 1), at(2, "warmup", 40, 1, 2), gone}, 0);
  EXPECT_EQ(r.steady_rss_bytes, 40 << 20);  // median of {20, 40}: the upper middle
  EXPECT_EQ(r.peak_rss_bytes, 40 << 20);
}

TEST(client_bound, cpu_share_must_hold_for_the_window) {
  client_bound_rule rule;
  rule.window_ns = 3'000'000'000;
  std::vector<sample> busy = {at(0, "idle", 1, 0, 0)};
  for (int i = 1; i <= 5; ++i) {
    busy.push_back(at(i, "main", 1, 1.9, 0));  // 95% of 2 cores for 5 s
  }
  auto v = judge_client_bound(busy, {}, 2.0, rule);
  EXPECT_TRUE(v.flagged);
  EXPECT_TRUE(v.by_cpu);
  EXPECT_EQ(v.longest_busy_ns, 5'000'000'000);
  EXPECT_NE(v.reason.find("80%"), std::string::npos) << v.reason;

  std::vector<sample> spiky = {at(0, "idle", 1, 0, 0)};
  for (int i = 1; i <= 8; ++i) {
    spiky.push_back(at(i, "main", 1, i % 3 == 0 ? 0.5 : 1.9, 0));  // never 3 s in a row
  }
  EXPECT_FALSE(judge_client_bound(spiky, {}, 2.0, rule).flagged);
  // Busy only outside load (idle/after) never counts.
  std::vector<sample> after = {at(0, "idle", 1, 0, 0)};
  for (int i = 1; i <= 5; ++i) {
    after.push_back(at(i, "after", 1, 2.0, 0));
  }
  EXPECT_FALSE(judge_client_bound(after, {}, 2.0, rule).flagged);
}

TEST(client_bound, schedule_lag_in_consecutive_intervals) {
  client_bound_rule rule;  // 50 ms, 3 intervals
  const std::int64_t ms = 1'000'000;
  EXPECT_FALSE(judge_client_bound({}, {60 * ms, 70 * ms, 1 * ms, 80 * ms}, 2, rule).flagged);
  auto v = judge_client_bound({}, {1 * ms, 60 * ms, 70 * ms, 90 * ms}, 2, rule);
  EXPECT_TRUE(v.by_lag);
  EXPECT_EQ(v.peak_lag_ns, 90 * ms);
  EXPECT_NE(v.reason.find("schedule lag"), std::string::npos);
}

TEST(probe, reads_this_process_and_counts_cpu) {
  auto p = probe::create(0, probe_scope::process_only);
  ASSERT_TRUE(p.ok()) << p.message();
  const auto first = p->read(now_ns());
  EXPECT_EQ(first.processes, 1);
  EXPECT_GT(first.rss_bytes, 0);
  EXPECT_GE(first.threads, 1);
  EXPECT_EQ(first.cores, 0.0);
  // Spin until this process used 300 ms more CPU (however long that takes on a busy machine);
  // the probe must see the same CPU, within the 10 ms tick and the reads' own cost.
  auto cpu_now = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double cpu0 = cpu_now();
  volatile std::uint64_t x = 0;
  while (cpu_now() - cpu0 < 0.3) {
    x = x + 1;
  }
  const double used = cpu_now() - cpu0;
  const std::int64_t t1 = now_ns();
  const auto second = p->read(t1);
  EXPECT_NEAR(second.cpu_seconds, used, 0.03);
  const double wall = static_cast<double>(t1 - first.t_ns) / 1e9;
  EXPECT_NEAR(second.cores, used / wall, 0.03 / wall);
  EXPECT_LE(second.cores, 1.05);
  EXPECT_FALSE(probe::create(0x7ffffff0, probe_scope::process_tree).ok());
}

TEST(url, host_and_port) {
  struct row {
    const char* url;
    const char* host;
    int port;
  };
  for (const row& r : {row{"http://127.0.0.1:8000/v1", "127.0.0.1", 8000},
                       row{"http://localhost/v1", "localhost", 80},
                       row{"https://api.example.com", "api.example.com", 443},
                       row{"http://[::1]:9000/x", "::1", 9000}}) {
    auto hp = host_port_of_url(r.url);
    ASSERT_TRUE(hp.ok()) << r.url << ": " << hp.message();
    EXPECT_EQ(hp->host, r.host);
    EXPECT_EQ(hp->port, r.port);
  }
  for (const char* bad :
       {"ftp://x", "http://:80", "http://h:0", "http://h:99999", "http://h:x", "http://[::1"}) {
    EXPECT_FALSE(host_port_of_url(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace gb::sysmon
