// A process with known behaviour, for checking resource figures: after --delay seconds it
// allocates --mib MiB and touches every page (so all of it is resident), then spins --share of
// one core (busy for share x 10 ms in every 10 ms period) until --seconds have passed since it
// started, or SIGTERM. Prints "ready <pid>" once the memory is resident. With --report FILE it
// writes the CPU seconds it really used (getrusage: user + system) to FILE when it ends, the
// ground truth to compare sampled CPU with on a busy machine.
//
//   known_load --mib 64 --share 0.5 --delay 1 --seconds 10 --report /tmp/cpu.txt
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_term(int) {
  stop_requested = 1;
}

double arg(int argc, char** argv, const char* name, double fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) {
      char* end = nullptr;
      const double v = std::strtod(argv[i + 1], &end);
      if (end == argv[i + 1] || *end != '\0' || v < 0) {
        std::fprintf(stderr, "known_load: bad value for %s: '%s'\n", name, argv[i + 1]);
        std::exit(2);
      }
      return v;
    }
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const double mib = arg(argc, argv, "--mib", 64);
  const double share = arg(argc, argv, "--share", 0.5);
  const double delay_s = arg(argc, argv, "--delay", 0);
  const double seconds = arg(argc, argv, "--seconds", 10);
  if (share > 1) {
    std::fprintf(stderr, "known_load: --share must be within 0..1\n");
    return 2;
  }
  std::signal(SIGTERM, on_term);
  std::signal(SIGINT, on_term);
  auto since_start = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
  while (since_start() < delay_s && stop_requested == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::size_t bytes = static_cast<std::size_t>(mib * 1024 * 1024);
  std::vector<unsigned char> block(bytes);
  const long page = ::sysconf(_SC_PAGESIZE);
  for (std::size_t i = 0; i < bytes; i += static_cast<std::size_t>(page)) {
    block[i] = static_cast<unsigned char>(i / static_cast<std::size_t>(page));  // fault it in
  }
  std::printf("ready %d\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  const auto period = std::chrono::microseconds(10'000);
  const auto busy = std::chrono::microseconds(static_cast<long>(share * 10'000));
  volatile unsigned sink = 0;
  while (since_start() < seconds && stop_requested == 0) {
    const auto t0 = clock::now();
    while (clock::now() - t0 < busy) {
      sink = sink + block[sink % bytes];
    }
    std::this_thread::sleep_until(t0 + period);
  }
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--report") == 0) {
      rusage ru{};
      ::getrusage(RUSAGE_SELF, &ru);
      const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
      if (FILE* f = std::fopen(argv[i + 1], "w")) {
        std::fprintf(f, "%.6f\n", cpu);
        std::fclose(f);
      }
    }
  }
  return sink == 0xdeadbeef ? 1 : 0;  // keeps `block` alive to the end
}
