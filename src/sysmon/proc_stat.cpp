#include "sysmon/proc_stat.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

namespace gb::sysmon {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool to_int64(std::string_view s, std::int64_t& out) {
  if (s.empty()) {
    return false;
  }
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

/// Splits on single spaces (the stat format), skipping empty pieces.
std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n') {
      ++i;
    }
    if (i > start) {
      out.push_back(s.substr(start, i - start));
    }
  }
  return out;
}

result<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail("cannot open ", path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return fail("cannot read ", path);
  }
  return ss.str();
}

}  // namespace

result<proc_stat> parse_proc_stat(std::string_view text) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return fail("/proc stat: no '(comm)' field");
  }
  proc_stat st;
  std::int64_t pid = 0;
  if (!to_int64(trim(text.substr(0, open)), pid)) {
    return fail("/proc stat: malformed pid '", std::string(trim(text.substr(0, open))), "'");
  }
  st.pid = static_cast<int>(pid);
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields after comm, numbered from 3 (state) as in proc(5).
  const auto f = split_fields(text.substr(close + 1));
  constexpr std::size_t needed = 24 - 2;  // up to field 24 (rss)
  if (f.size() < needed) {
    return fail("/proc stat: truncated (", std::to_string(f.size() + 2), " fields, need 24)");
  }
  if (f[0].size() != 1) {
    return fail("/proc stat: malformed state '", std::string(f[0]), "'");
  }
  st.state = f[0][0];
  auto get = [&](std::size_t number, const char* name, std::int64_t& out) -> status {
    if (!to_int64(f[number - 3], out)) {
      return fail("/proc stat: malformed ", name, " '", std::string(f[number - 3]), "'");
    }
    return {};
  };
  std::int64_t ppid = 0;
  std::int64_t pgrp = 0;
  for (auto s : {get(4, "ppid", ppid), get(5, "pgrp", pgrp), get(14, "utime", st.utime_ticks),
                 get(15, "stime", st.stime_ticks), get(16, "cutime", st.cutime_ticks),
                 get(17, "cstime", st.cstime_ticks), get(20, "num_threads", st.num_threads),
                 get(22, "starttime", st.starttime_ticks), get(24, "rss", st.rss_pages)}) {
    if (!s.ok()) {
      return error{s.message()};
    }
  }
  st.ppid = static_cast<int>(ppid);
  st.pgrp = static_cast<int>(pgrp);
  return st;
}

result<proc_status> parse_proc_status(std::string_view text) {
  proc_status ps;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string_view key = line.substr(0, colon);
    std::int64_t* target = nullptr;
    bool in_kb = true;
    if (key == "VmRSS") {
      target = &ps.vm_rss_bytes;
    } else if (key == "VmHWM") {
      target = &ps.vm_hwm_bytes;
    } else if (key == "Threads") {
      target = &ps.threads;
      in_kb = false;
    } else {
      continue;
    }
    std::string_view value = trim(line.substr(colon + 1));
    if (in_kb) {
      if (value.size() < 3 || value.substr(value.size() - 2) != "kB") {
        return fail("/proc status: ", std::string(key), " has no kB unit: '", std::string(value),
                    "'");
      }
      value = trim(value.substr(0, value.size() - 2));
    }
    std::int64_t n = 0;
    if (!to_int64(value, n) || n < 0) {
      return fail("/proc status: malformed ", std::string(key), " '", std::string(value), "'");
    }
    *target = in_kb ? n * 1024 : n;
  }
  return ps;
}

result<proc_stat> read_proc_stat(int pid) {
  auto text = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) {
    return fail("process ", std::to_string(pid), " does not exist");
  }
  return parse_proc_stat(*text);
}

result<proc_status> read_proc_status(int pid) {
  auto text = read_small_file("/proc/" + std::to_string(pid) + "/status");
  if (!text) {
    return fail("process ", std::to_string(pid), " does not exist");
  }
  return parse_proc_status(*text);
}

std::int64_t count_open_fds(int pid) noexcept {
  const std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) {
    return -1;
  }
  std::int64_t n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') {
      ++n;
    }
  }
  ::closedir(d);
  return n;
}

std::vector<int> list_pids() {
  std::vector<int> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) {
    return out;
  }
  while (const dirent* e = ::readdir(d)) {
    std::int64_t pid = 0;
    if (to_int64(e->d_name, pid) && pid > 0) {
      out.push_back(static_cast<int>(pid));
    }
  }
  ::closedir(d);
  return out;
}

result<std::vector<int>> read_children(int pid) {
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(task_dir.c_str());
  if (d == nullptr) {
    return fail("process ", std::to_string(pid), " does not exist");
  }
  std::vector<int> out;
  bool any_file = false;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') {
      continue;
    }
    std::ifstream in(task_dir + "/" + e->d_name + "/children");
    if (!in) {
      continue;
    }
    any_file = true;
    for (long child = 0; in >> child;) {
      out.push_back(static_cast<int>(child));
    }
  }
  ::closedir(d);
  if (!any_file) {
    return fail("/proc/", std::to_string(pid), "/task/*/children is not available");
  }
  return out;
}

std::int64_t clock_ticks_per_second() noexcept {
  const long t = ::sysconf(_SC_CLK_TCK);
  return t > 0 ? t : 100;
}

std::vector<int> descendants_of(int root, const std::vector<pid_parent>& table) {
  std::vector<int> out;
  bool root_present = false;
  for (const auto& p : table) {
    if (p.pid == root) {
      root_present = true;
      break;
    }
  }
  if (!root_present) {
    return out;
  }
  std::set<int> seen{root};
  std::deque<int> queue{root};
  while (!queue.empty()) {
    const int parent = queue.front();
    queue.pop_front();
    out.push_back(parent);
    for (const auto& p : table) {
      if (p.ppid == parent && seen.insert(p.pid).second) {
        queue.push_back(p.pid);
      }
    }
  }
  return out;
}

}  // namespace gb::sysmon
