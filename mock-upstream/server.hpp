#pragma once
// gatebench-mock's server: binds, runs one io_context per thread, stops gracefully.

#include <cstdint>
#include <memory>

#include "config.hpp"
#include "util/result.hpp"

namespace gb::mock {

class server {
 public:
  /// Binds every worker's listening socket (SO_REUSEPORT; port 0 picks one), loads TLS files and
  /// opens the request log. Errors name the address or the file.
  static result<std::unique_ptr<server>> create(const mock_config& cfg);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The port actually bound.
  std::uint16_t port() const noexcept;
  /// Worker threads.
  int threads() const noexcept;

  /// Serves until SIGINT/SIGTERM (a second signal aborts in-flight responses at once); returns
  /// after every worker has stopped. Blocks the calling thread.
  void run();

 private:
  struct impl;
  explicit server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace gb::mock
