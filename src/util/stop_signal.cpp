#include "util/stop_signal.hpp"

#include <csignal>

namespace gb {
namespace {

volatile std::sig_atomic_t g_requests = 0;
volatile std::sig_atomic_t g_first = 0;

extern "C" void on_stop_signal(int sig) {
  if (g_first == 0) {
    g_first = sig;
  }
  g_requests = g_requests + 1;
}

}  // namespace

bool install_stop_handlers() noexcept {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  return ::sigaction(SIGINT, &sa, nullptr) == 0 && ::sigaction(SIGTERM, &sa, nullptr) == 0;
}

std::int64_t stop_requests() noexcept {
  return g_requests;
}

int first_stop_signal() noexcept {
  return g_first;
}

const char* first_stop_signal_name() noexcept {
  switch (g_first) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "";
  }
}

}  // namespace gb
