#include "client/request_writer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace gb::client {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, p);
}

}  // namespace

request_writer::request_writer(const scenario::target& t, const url_parts& u,
                               const std::vector<scenario::header>& extra) {
  if (!t.path.empty()) {
    path_ = t.path.front() == '/' ? t.path : "/" + t.path;
  } else {
    std::string_view def = protocol::default_path(t.api);
    std::string prefix = u.prefix;
    if (prefix.ends_with("/v1") && def.starts_with("/v1/")) {
      prefix.resize(prefix.size() - 3);
    }
    path_ = prefix + std::string(def);
  }
  fixed_ = "POST " + path_ + " HTTP/1.1\r\n";
  append_header(fixed_, "Host", u.host_header());
  bool has_ua = false;
  bool has_accept = false;
  bool has_anthropic_version = false;
  auto add_all = [&](const std::vector<scenario::header>& hs) {
    for (const auto& h : hs) {
      if (iequals(h.name, "host") || iequals(h.name, "content-length") ||
          iequals(h.name, "transfer-encoding") || iequals(h.name, "connection")) {
        continue;  // the client owns framing and connection management
      }
      has_ua = has_ua || iequals(h.name, "user-agent");
      has_accept = has_accept || iequals(h.name, "accept");
      has_anthropic_version = has_anthropic_version || iequals(h.name, "anthropic-version");
      append_header(fixed_, h.name, h.value);
    }
  };
  add_all(t.headers);
  add_all(extra);
  if (!has_ua) {
    append_header(fixed_, "User-Agent", "gatebench");
  }
  if (!has_accept) {
    append_header(fixed_, "Accept", "application/json, text/event-stream");
  }
  if (t.api == protocol::dialect::anthropic_messages && !has_anthropic_version) {
    append_header(fixed_, "anthropic-version", "2023-06-01");
  }
  append_header(fixed_, "Content-Type", "application/json");
}

void request_writer::write_head(std::size_t body_len, std::uint64_t request_id,
                                std::string& out) const {
  out.clear();
  out.reserve(fixed_.size() + 80);  // one allocation of the right size, not a doubling series
  out.append(fixed_);
  out.append("x-request-id: gb-");
  append_number(out, request_id);
  out.append("\r\nContent-Length: ");
  append_number(out, body_len);
  out.append("\r\n\r\n");
}

std::size_t request_writer::write_head(std::size_t body_len, std::uint64_t request_id, char* out,
                                       std::size_t cap) const noexcept {
  // Both numbers take at most 20 digits: check the room once.
  constexpr std::string_view id_prefix = "x-request-id: gb-";
  constexpr std::string_view length_prefix = "\r\nContent-Length: ";
  constexpr std::string_view end = "\r\n\r\n";
  const std::size_t most =
      fixed_.size() + id_prefix.size() + length_prefix.size() + end.size() + 2 * 20;
  if (most > cap) {
    return 0;
  }
  char* p = out;
  auto put = [&](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(fixed_);
  put(id_prefix);
  p = std::to_chars(p, out + cap, request_id).ptr;
  put(length_prefix);
  p = std::to_chars(p, out + cap, body_len).ptr;
  put(end);
  return static_cast<std::size_t>(p - out);
}

}  // namespace gb::client
