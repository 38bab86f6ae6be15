#include "sysmon/target_process.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "sysmon/proc_stat.hpp"
#include "util/clock.hpp"

extern char** environ;

namespace gb::sysmon {
namespace {

void sleep_ns(std::int64_t ns) {
  std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
}

bool tcp_connects(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0) {
    return false;
  }
  bool ok = false;
  for (addrinfo* a = res; a != nullptr && !ok; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      continue;
    }
    ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return ok;
}

std::string describe(int wstatus) {
  if (WIFEXITED(wstatus)) {
    return "exited " + std::to_string(WEXITSTATUS(wstatus));
  }
  if (WIFSIGNALED(wstatus)) {
    return "killed by signal " + std::to_string(WTERMSIG(wstatus));
  }
  return "ended";
}

}  // namespace

bool process_group_alive(pid_t pgid) {
  if (::kill(-pgid, 0) != 0) {
    return false;
  }
  for (int pid : list_pids()) {
    auto st = read_proc_stat(pid);
    if (st && st->pgrp == pgid && st->state != 'Z' && st->state != 'X') {
      return true;
    }
  }
  return false;
}

result<target_process> target_process::start(target_command cmd) {
  if (cmd.command.empty()) {
    return fail("--target-cmd is empty");
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // a new group led by the shell
  char sh[] = "/bin/sh";
  char dash_c[] = "-c";
  std::string command = cmd.command;
  char* argv[] = {sh, dash_c, command.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return fail("cannot start --target-cmd '", cmd.command, "': ", std::strerror(rc));
  }
  target_process t;
  t.cmd_ = std::move(cmd);
  t.pid_ = pid;
  return t;
}

target_process::target_process(target_process&& o) noexcept
    : cmd_(std::move(o.cmd_)),
      pid_(std::exchange(o.pid_, -1)),
      reaped_(o.reaped_),
      wait_status_(o.wait_status_) {}

target_process& target_process::operator=(target_process&& o) noexcept {
  if (this != &o) {
    stop();
    cmd_ = std::move(o.cmd_);
    pid_ = std::exchange(o.pid_, -1);
    reaped_ = o.reaped_;
    wait_status_ = o.wait_status_;
  }
  return *this;
}

target_process::~target_process() {
  stop();
}

bool target_process::running() {
  if (pid_ <= 0 || reaped_) {
    return false;
  }
  int ws = 0;
  const pid_t r = ::waitpid(pid_, &ws, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    wait_status_ = ws;
    return false;
  }
  return r == 0;
}

status target_process::wait_ready() {
  const std::int64_t deadline = now_ns() + cmd_.ready_timeout_ns;
  if (cmd_.ready_port != 0) {
    for (;;) {
      if (!running()) {
        return fail("--target-cmd '", cmd_.command, "' ", describe(wait_status_),
                    " before it accepted connections on ", cmd_.ready_host, ":",
                    std::to_string(cmd_.ready_port));
      }
      if (tcp_connects(cmd_.ready_host, cmd_.ready_port)) {
        break;
      }
      if (now_ns() >= deadline) {
        return fail("--target-cmd '", cmd_.command, "' did not accept connections on ",
                    cmd_.ready_host, ":", std::to_string(cmd_.ready_port), " within ",
                    std::to_string(cmd_.ready_timeout_ns / 1'000'000), " ms");
      }
      sleep_ns(20'000'000);
    }
  }
  sleep_ns(cmd_.settle_ns);
  if (!running()) {
    return fail("--target-cmd '", cmd_.command, "' ", describe(wait_status_),
                " right after starting");
  }
  return {};
}

std::string target_process::stop() {
  if (pid_ <= 0) {
    return "not started";
  }
  const pid_t group = pid_;
  if (!reaped_ || process_group_alive(group)) {
    ::kill(-group, SIGTERM);
    const std::int64_t deadline = now_ns() + cmd_.term_grace_ns;
    for (;;) {
      running();  // reaps the shell when it exits
      if (reaped_ && !process_group_alive(group)) {
        break;
      }
      if (now_ns() >= deadline) {
        ::kill(-group, SIGKILL);
        if (!reaped_) {
          int ws = 0;
          if (::waitpid(pid_, &ws, 0) == pid_) {
            wait_status_ = ws;
          }
          reaped_ = true;
        }
        // SIGKILL is asynchronous: give the group a moment to die.
        for (int i = 0; i < 100 && process_group_alive(group); ++i) {
          sleep_ns(10'000'000);
        }
        break;
      }
      sleep_ns(10'000'000);
    }
  }
  pid_ = -1;
  return describe(wait_status_);
}

result<host_port> host_port_of_url(std::string_view url) {
  std::uint16_t port = 0;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    port = 80;
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    port = 443;
    rest.remove_prefix(8);
  } else {
    return fail("target URL '", std::string(url), "' must start with http:// or https://");
  }
  rest = rest.substr(0, rest.find('/'));
  host_port hp;
  std::string_view port_text;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return fail("target URL '", std::string(url), "': unclosed '[' in host");
    }
    hp.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (rest.starts_with(":")) {
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = rest.rfind(':');
    hp.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
    }
  }
  if (hp.host.empty()) {
    return fail("target URL '", std::string(url), "' has no host");
  }
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535) {
      return fail("target URL '", std::string(url), "': bad port '", std::string(port_text), "'");
    }
    port = static_cast<std::uint16_t>(v);
  }
  hp.port = port;
  return hp;
}

}  // namespace gb::sysmon
