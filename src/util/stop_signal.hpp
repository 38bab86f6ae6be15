#pragma once
// Process-wide SIGINT/SIGTERM recording. Installed once at program start, the handlers stay for
// the whole process, so a Ctrl-C is never lost (before the load starts, between sweep points or
// overhead rounds, or while the report is being written) and never kills the process half-way:
// the code polls stop_requests() at the points where it can stop cleanly.

#include <cstdint>

namespace gb {

/// Installs handlers for SIGINT and SIGTERM that only count the signal (async-signal-safe).
/// Idempotent. Returns false if sigaction failed (the default handlers then stay).
bool install_stop_handlers() noexcept;

/// How many SIGINT/SIGTERM signals arrived since start (0: none). A first one asks for a
/// graceful stop; a second one for an immediate stop.
std::int64_t stop_requests() noexcept;

/// The first stop signal's number (SIGINT or SIGTERM), 0 when none arrived.
int first_stop_signal() noexcept;

/// "SIGINT", "SIGTERM" or "" for first_stop_signal().
const char* first_stop_signal_name() noexcept;

}  // namespace gb
