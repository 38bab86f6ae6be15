#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "report/report.hpp"

namespace gb::report {

host_info detect_host() {
  host_info h;
  h.cpu_model = "unknown";
  h.kernel = "unknown";
  h.arch = "unknown";
  h.hostname = "unknown";
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        h.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
        break;
      }
    }
  }
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  h.cores = n > 0 ? n : 0;
  struct utsname u {};
  if (::uname(&u) == 0) {
    h.kernel = std::string(u.sysname) + " " + u.release;
    h.arch = u.machine;
    h.hostname = u.nodename;
  }
  return h;
}

}  // namespace gb::report
