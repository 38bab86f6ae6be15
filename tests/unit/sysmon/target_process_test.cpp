// --target-cmd processes: started in their own group, waited for, torn down with the group.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sysmon/proc_stat.hpp"
#include "sysmon/target_process.hpp"

namespace gb::sysmon {
namespace {

TEST(target_process, starts_in_own_group_and_stops_whole_tree) {
  target_command cmd;
  cmd.command = "sleep 30 & sleep 30 & wait";
  cmd.settle_ns = 100'000'000;
  auto t = target_process::start(cmd);
  ASSERT_TRUE(t.ok()) << t.message();
  ASSERT_TRUE(t->wait_ready().ok());
  const pid_t pid = t->pid();
  auto st = read_proc_stat(pid);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->pgrp, pid);  // leads its own process group
  EXPECT_TRUE(process_group_alive(pid));
  const std::string how = t->stop();
  EXPECT_FALSE(how.empty());
  EXPECT_FALSE(process_group_alive(pid));  // the whole group is gone (both sleeps too)
}

TEST(target_process, ignoring_sigterm_gets_sigkill_after_grace) {
  target_command cmd;
  cmd.command = "trap '' TERM; sleep 30";
  cmd.settle_ns = 100'000'000;
  cmd.term_grace_ns = 300'000'000;
  auto t = target_process::start(cmd);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->wait_ready().ok());
  const pid_t pid = t->pid();
  t->stop();
  EXPECT_FALSE(process_group_alive(pid));
}

TEST(target_process, exiting_before_ready_is_an_error_with_status) {
  target_command cmd;
  cmd.command = "exit 3";
  cmd.ready_host = "127.0.0.1";
  cmd.ready_port = 1;  // nothing listens on port 1
  cmd.ready_timeout_ns = 5'000'000'000;
  auto t = target_process::start(cmd);
  ASSERT_TRUE(t.ok());
  auto st = t->wait_ready();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("exited 3"), std::string::npos) << st.message();
}

TEST(target_process, waits_for_the_port) {
  // Reserve a free port, then have the target listen on it after a delay using python3.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  if (::access("/usr/bin/python3", X_OK) != 0) {
    GTEST_SKIP() << "python3 missing";
  }
  target_command cmd;
  cmd.command =
      "sleep 0.3; exec python3 -c 'import socket,time; s=socket.socket(); "
      "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\"," +
      std::to_string(port) + ")); s.listen(); time.sleep(30)'";
  cmd.ready_host = "127.0.0.1";
  cmd.ready_port = static_cast<std::uint16_t>(port);
  cmd.settle_ns = 0;
  auto t = target_process::start(cmd);
  ASSERT_TRUE(t.ok());
  auto st = t->wait_ready();
  EXPECT_TRUE(st.ok()) << st.message();
  t->stop();
}

TEST(target_process, empty_command_is_refused) {
  EXPECT_FALSE(target_process::start(target_command{}).ok());
}

}  // namespace
}  // namespace gb::sysmon
