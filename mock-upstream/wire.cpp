#include "wire.hpp"

#include <cstdio>
#include <ctime>

namespace gb::mock {

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  append_json_escaped(out, s);
  out.push_back('"');
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  const bool neg = v < 0;
  auto u = neg ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (neg) {
    *--p = '-';
  }
  out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 529:
      return "Site is overloaded";
    default:
      return "Unknown";
  }
}

void append_head(std::string& out, int status, std::string_view content_type,
                 std::int64_t content_length, bool chunked, bool keep_alive,
                 std::string_view extra_headers) {
  out += "HTTP/1.1 ";
  append_int(out, status);
  out.push_back(' ');
  out += reason_phrase(status);
  out += "\r\nServer: gatebench-mock\r\nContent-Type: ";
  out += content_type;
  if (content_length >= 0) {
    out += "\r\nContent-Length: ";
    append_int(out, content_length);
  } else if (chunked) {
    out += "\r\nTransfer-Encoding: chunked";
  }
  out += keep_alive ? "\r\n" : "\r\nConnection: close\r\n";
  out += extra_headers;
  out += "\r\n";
}

void append_chunk(std::string& out, std::string_view payload) {
  if (payload.empty()) {
    return;
  }
  char buf[20];
  const int n = std::snprintf(buf, sizeof buf, "%zx\r\n", payload.size());
  out.append(buf, static_cast<std::size_t>(n));
  out += payload;
  out += "\r\n";
}

std::string error_body(vendor v, const error_spec& e) {
  std::string out;
  if (v == vendor::anthropic) {
    out += R"({"type":"error","error":{"type":)";
    append_json_string(out, e.type);
    out += R"(,"message":)";
    append_json_string(out, e.message);
    out += "}}";
    return out;
  }
  out += R"({"error":{"message":)";
  append_json_string(out, e.message);
  out += R"(,"type":)";
  append_json_string(out, e.type);
  out += R"(,"param":)";
  if (e.param.empty()) {
    out += "null";
  } else {
    append_json_string(out, e.param);
  }
  out += R"(,"code":)";
  if (e.code.empty()) {
    out += "null";
  } else {
    append_json_string(out, e.code);
  }
  out += "}}";
  return out;
}

error_spec fault_error(vendor v, fault_kind k) {
  const bool a = v == vendor::anthropic;
  const std::string note = " (injected by gatebench-mock)";
  switch (k) {
    case fault_kind::rate_limit:
      return a ? error_spec{429, "rate_limit_error", "",
                            "This request would exceed your organization's rate limit." + note, ""}
               : error_spec{429, "requests", "rate_limit_exceeded",
                            "Rate limit reached for requests." + note, ""};
    case fault_kind::insufficient_quota:
      return a ? error_spec{400, "invalid_request_error", "",
                            "Your credit balance is too low to access the Anthropic API." + note,
                            ""}
               : error_spec{429, "insufficient_quota", "insufficient_quota",
                            "You exceeded your current quota, please check your plan and billing "
                            "details." +
                                note,
                            ""};
    case fault_kind::http_502:
      return {502, a ? "api_error" : "server_error", a ? "" : "bad_gateway", "Bad gateway." + note,
              ""};
    case fault_kind::http_503:
      return {503, a ? "api_error" : "server_error", a ? "" : "service_unavailable",
              "The server is overloaded or not ready yet." + note, ""};
    case fault_kind::overloaded:
      return {529, "overloaded_error", a ? "" : "overloaded", "Overloaded" + note, ""};
    case fault_kind::stream_error:
    case fault_kind::http_500:
    default:
      return {500, a ? "api_error" : "server_error", a ? "" : "server_error",
              "The server had an error while processing your request." + note, ""};
  }
}

std::string openai_reset(std::int64_t ns) {
  char buf[48];
  if (ns < 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>((ns + 999'999) / 1'000'000));
  } else if (ns < 60'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(ns) / 1e9);
  } else {
    const long long s = ns / 1'000'000'000;
    std::snprintf(buf, sizeof buf, "%lldm%llds", s / 60, s % 60);
  }
  return buf;
}

std::string rfc3339(std::int64_t wall_ns) {
  const std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace gb::mock
