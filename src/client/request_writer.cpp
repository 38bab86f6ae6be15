#include "client/request_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "protocol/request_builder.hpp"

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

constexpr std::string_view id_prefix = "x-request-id: gb-";
constexpr std::string_view length_prefix = "\r\nContent-Length: ";
constexpr std::string_view head_end = "\r\n\r\n";
static_assert(length_prefix.size() + head_end.size() == 22);  // request_writer::most_head

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
  fixed_.append(id_prefix);
}

void request_writer::write_head(std::size_t body_len, std::uint64_t request_id,
                                std::string& out) const {
  out.resize(most_head());
  out.resize(write_head(body_len, request_id, out.data(), out.size()));
}

std::size_t request_writer::write_head(std::size_t body_len, std::uint64_t request_id, char* out,
                                       std::size_t cap) const noexcept {
  // Check the room once: both numbers take at most 20 digits, and protocol::write_decimal may
  // store a few bytes beyond its digits, within the 24 counted for each here.
  if (most_head() > cap) {
    return 0;
  }
  char* p = out;
  std::memcpy(p, fixed_.data(), fixed_.size());  // ends with "x-request-id: gb-"
  p = protocol::write_decimal(p + fixed_.size(), request_id);
  std::memcpy(p, length_prefix.data(), length_prefix.size());
  p = protocol::write_decimal(p + length_prefix.size(), body_len);
  std::memcpy(p, head_end.data(), head_end.size());
  return static_cast<std::size_t>(p + head_end.size() - out);
}

}  // namespace gb::client
