#pragma once
// The optional JSON-lines log of received requests (method, path, headers with secrets
// redacted, body), one line per request, shared by all worker threads.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace gb::mock {

/// Whether a header's value is a secret: authorization, proxy-authorization, x-api-key,
/// api-key, cookie, set-cookie, and any name containing "key", "token", "secret", "password"
/// or "auth" (any case).
bool is_secret_header(std::string_view name) noexcept;

class request_log {
 public:
  /// Opens (appends to) `path`. Error names the file.
  static result<std::unique_ptr<request_log>> open(const std::string& path);
  ~request_log();
  request_log(const request_log&) = delete;
  request_log& operator=(const request_log&) = delete;

  /// Writes {"ts":…,"method":…,"path":…,"headers":{…},"body":…} and flushes. The body is
  /// embedded as JSON when it parses (and nests at most 64 deep), else as a string. Thread-safe;
  /// never throws (a failed write is dropped).
  void write(std::string_view method, std::string_view target,
             const std::vector<std::pair<std::string_view, std::string_view>>& headers,
             std::string_view body) noexcept;

 private:
  explicit request_log(std::FILE* f) : f_(f) {}
  std::mutex mu_;
  std::FILE* f_;
};

}  // namespace gb::mock
