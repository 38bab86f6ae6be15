#pragma once
// Byte-level building blocks of the mock's responses: JSON strings and numbers, HTTP/1.1
// response heads, chunked framing, and the vendors' error bodies.

#include <cstdint>
#include <string>
#include <string_view>

#include "faults.hpp"

namespace gb::mock {

/// Appends s as a quoted JSON string (escaping quotes, backslashes and control characters;
/// bytes >= 0x80 pass through).
void append_json_string(std::string& out, std::string_view s);
/// Appends s escaped as the inside of a JSON string (no quotes).
void append_json_escaped(std::string& out, std::string_view s);
/// Appends a decimal integer.
void append_int(std::string& out, std::int64_t v);

/// The reason phrase of an HTTP status ("OK", "Too Many Requests", ...; "Unknown" otherwise).
std::string_view reason_phrase(int status) noexcept;

/// Appends "HTTP/1.1 STATUS REASON\r\n", Content-Type, Content-Length (or Transfer-Encoding:
/// chunked when content_length < 0 and chunked; nothing when close-delimited), Connection: close
/// when !keep_alive, the extra header lines (each "Name: value\r\n"), and the blank line.
void append_head(std::string& out, int status, std::string_view content_type,
                 std::int64_t content_length, bool chunked, bool keep_alive,
                 std::string_view extra_headers);

/// Appends payload as one HTTP chunk ("<hex>\r\n<payload>\r\n"); nothing for an empty payload.
void append_chunk(std::string& out, std::string_view payload);
/// The last chunk of a chunked body.
inline constexpr std::string_view last_chunk = "0\r\n\r\n";

/// Vendor families of error shapes.
enum class vendor : std::uint8_t { openai, anthropic };

/// An error response: status, vendor error type, OpenAI code (empty: null), message, param.
struct error_spec {
  int status = 400;
  std::string type;
  std::string code;
  std::string message;
  std::string param;
};

/// OpenAI: {"error":{"message":…,"type":…,"param":…|null,"code":…|null}}
/// Anthropic: {"type":"error","error":{"type":…,"message":…}}
std::string error_body(vendor v, const error_spec& e);

/// The error an injected fault answers with before any byte of a response (rate_limit,
/// insufficient_quota, http_500/502/503, overloaded, and stream_error for non-stream requests).
error_spec fault_error(vendor v, fault_kind k);

/// OpenAI's reset format: "250ms", "1s", "1.5s", "6m0s".
std::string openai_reset(std::int64_t ns);
/// RFC 3339 UTC time of wall-clock ns, e.g. "2026-11-22T08:33:58Z".
std::string rfc3339(std::int64_t wall_ns);

}  // namespace gb::mock
