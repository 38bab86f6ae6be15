#pragma once
// The live metrics endpoint (--metrics-addr HOST:PORT): a small HTTP/1.1 server on its own
// thread and io_context that answers GET /metrics with the latest published exposition. The
// main thread publishes a new text once per interval; workers never touch it.
//
//   auto srv = gb::exporter::metrics_server::start("127.0.0.1:9464");
//   if (!srv) { ... srv.message() ... }
//   (*srv)->publish(gb::exporter::render_prometheus(view));   // once per interval
//   (*srv)->stop();                                            // or let it go out of scope

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gb::exporter {

/// HOST:PORT as given to --metrics-addr. HOST may be a name, an IPv4 address or "[v6]".
struct listen_address {
  std::string host;
  std::uint16_t port = 0;  // 0: any free port
};
/// Parses "HOST:PORT" ("127.0.0.1:9464", "[::1]:0", "localhost:9464"). An error names the text.
result<listen_address> parse_listen_address(std::string_view text);

class metrics_server {
 public:
  /// Binds HOST:PORT and starts serving on a new thread. Until the first publish(), /metrics
  /// answers with an empty body. Fails (naming the address) when it cannot be bound.
  static result<std::unique_ptr<metrics_server>> start(std::string_view host_port);

  ~metrics_server();  // stops
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  /// Replaces the body served on GET /metrics. Thread-safe; a short copy under a mutex.
  void publish(std::string body);
  /// The bound port (the chosen one when 0 was asked for).
  std::uint16_t port() const noexcept;
  /// Stops accepting, closes connections and joins the thread. Idempotent.
  void stop();
  /// Scrapes served so far.
  std::int64_t scrapes() const noexcept;

  struct impl;

 private:
  explicit metrics_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace gb::exporter
