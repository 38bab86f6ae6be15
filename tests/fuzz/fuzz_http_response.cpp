// libFuzzer target: the HTTP/1.x response parser fed arbitrary bytes split at arbitrary points,
// then (optionally) EOF. Oracle: status, de-chunked body, completion, keep-alive and the error
// reason are the same as for one single read; consumed never exceeds the input.
// Input: [flags byte][split count byte][split seeds...][wire bytes].

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_split.hpp"
#include "protocol/http_response.hpp"

namespace {

using gb::protocol::http_parse_status;

struct outcome {
  int status = 0;
  int headers = 0;
  std::string body;
  bool complete = false;
  bool keep_alive = false;
  std::string error;
  bool operator==(const outcome&) const = default;
};

outcome run(std::size_t max_header, bool eof, const std::vector<std::string_view>& pieces) {
  gb::protocol::http_response_parser p(max_header);
  p.set_split_header("x-arm");
  outcome o;
  for (std::string_view in : pieces) {
    std::size_t used = 0;
    while (true) {
      std::size_t n = 0;
      std::string_view body;
      const http_parse_status st = p.parse(in.substr(used), n, body);
      if (n > in.size() - used) {
        std::abort();
      }
      used += n;
      switch (st) {
        case http_parse_status::need_more:
          if (used != in.size()) {
            std::abort();
          }
          break;
        case http_parse_status::headers_complete:
          ++o.headers;
          o.status = p.head().status;
          continue;
        case http_parse_status::body_data:
          o.body.append(body);
          continue;
        case http_parse_status::message_complete:
          o.complete = true;
          o.keep_alive = p.keep_alive();
          return o;
        case http_parse_status::error:
          if (std::strlen(p.error_reason()) == 0) {
            std::abort();  // every error names its reason
          }
          o.error = p.error_reason();
          return o;
      }
      break;
    }
  }
  if (eof) {
    if (p.on_eof() == http_parse_status::message_complete) {
      o.complete = true;
      o.keep_alive = p.keep_alive();
    } else {
      o.error = p.error_reason();
    }
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const std::uint8_t flags = gb::fuzz::take_byte(data);
  const bool eof = (flags & 1) != 0;
  const std::size_t max_header = (flags & 2) != 0 ? 64 + (flags >> 2) : 64 * 1024;
  const std::size_t nsplits = gb::fuzz::take_byte(data) % 8;
  const std::string_view seeds = data.substr(0, std::min(nsplits, data.size()));
  data.remove_prefix(seeds.size());

  const outcome whole = run(max_header, eof, {data});
  if (whole.complete && whole.headers != 1) {
    std::abort();
  }
  if (!(run(max_header, eof, gb::fuzz::split(data, seeds)) == whole)) {
    std::abort();  // the outcome depends on where reads were split
  }
  if (data.size() <= 256) {
    std::vector<std::string_view> bytewise;
    for (std::size_t i = 0; i < data.size(); ++i) {
      bytewise.push_back(data.substr(i, 1));
    }
    if (!(run(max_header, eof, bytewise) == whole)) {
      std::abort();
    }
  }
  return 0;
}
