// libFuzzer target: the SSE reader fed arbitrary bytes split at arbitrary points. Oracle: the
// events, the too_large verdict and the truncation verdict are the same as for one single read,
// and for one byte per read.
// Input: [limit byte][split count byte][split seeds...][wire bytes].

#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_split.hpp"
#include "protocol/sse_reader.hpp"

namespace {

struct outcome {
  std::vector<std::string> events;  // "event\x01data"
  bool too_large = false;
  bool truncated = false;
  bool operator==(const outcome&) const = default;
};

outcome run(std::size_t limit, const std::vector<std::string_view>& pieces) {
  gb::protocol::sse_reader r(limit);
  outcome o;
  gb::protocol::sse_event e;
  for (std::string_view p : pieces) {
    r.feed(p);
    gb::protocol::sse_status st;
    while ((st = r.next(e)) == gb::protocol::sse_status::event) {
      std::string s(e.event);
      s.push_back('\x01');
      s.append(e.data);
      o.events.push_back(std::move(s));
    }
    if (st == gb::protocol::sse_status::too_large) {
      o.too_large = true;
      return o;
    }
  }
  o.truncated = r.truncated();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const std::size_t limit = 8 + gb::fuzz::take_byte(data);
  const std::size_t nsplits = gb::fuzz::take_byte(data) % 8;
  const std::string_view seeds = data.substr(0, std::min(nsplits, data.size()));
  data.remove_prefix(seeds.size());

  const outcome whole = run(limit, {data});
  if (!(run(limit, gb::fuzz::split(data, seeds)) == whole)) {
    std::abort();  // the outcome depends on where reads were split
  }
  if (data.size() <= 512) {
    std::vector<std::string_view> bytewise;
    for (std::size_t i = 0; i < data.size(); ++i) {
      bytewise.push_back(data.substr(i, 1));
    }
    if (!(run(limit, bytewise) == whole)) {
      std::abort();
    }
  }
  return 0;
}
