#include "request_log.hpp"
#include "request.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "util/clock.hpp"

namespace gb::mock {

bool is_secret_header(std::string_view name) noexcept {
  std::string lower(name);
  for (auto& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "cookie" || lower == "set-cookie") {
    return true;
  }
  for (const char* word : {"key", "token", "secret", "password", "auth"}) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

result<std::unique_ptr<request_log>> request_log::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) {
    return fail("cannot open request log '", path, "' for writing");
  }
  return std::unique_ptr<request_log>(new request_log(f));
}

request_log::~request_log() {
  std::fclose(f_);
}

void request_log::write(std::string_view method, std::string_view target,
                        const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                        std::string_view body) noexcept {
  try {
    using json = nlohmann::json;
    json line = json::object();
    line["ts"] = static_cast<double>(wall_ns()) / 1e9;
    line["method"] = std::string(method);
    line["path"] = std::string(target);
    json h = json::object();
    for (const auto& [name, value] : headers) {
      std::string key(name);
      for (auto& c : key) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      std::string v = is_secret_header(name) ? std::string("[REDACTED]") : std::string(value);
      if (h.contains(key)) {
        h[key] = h[key].get<std::string>() + ", " + v;
      } else {
        h[key] = v;
      }
    }
    line["headers"] = std::move(h);
    json b = json_nests_too_deep(body) ? json(json::value_t::discarded)
                                       : json::parse(body, nullptr, false);
    if (b.is_discarded()) {
      line["body"] = json(std::string(body));
      line["body_is_json"] = false;
    } else {
      line["body"] = std::move(b);
      line["body_is_json"] = true;
    }
    std::string text = line.dump(-1, ' ', false, json::error_handler_t::replace);
    text.push_back('\n');
    std::lock_guard lock(mu_);
    std::fwrite(text.data(), 1, text.size(), f_);
    std::fflush(f_);
  } catch (...) {
    // A request log line that cannot be built is dropped; serving goes on.
  }
}

}  // namespace gb::mock
