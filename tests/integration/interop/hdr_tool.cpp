// hdr_tool: the C++ half of the HdrHistogram interop test (run by interop_test.py).
//
//   hdr_tool encode        one JSON line per data set: {"name","b64","stats"} (our encoding and
//                          the statistics of our own in-memory histogram)
//   hdr_tool decode        reads base64 strings, one a line, from stdin; prints one JSON line of
//                          statistics for each, or {"error": "..."} when decoding fails
//   hdr_tool hgrm RATIO    reads one base64 string from stdin, prints its .hgrm text
//   hdr_tool hlog          prints a .hlog with one interval per data set
//
// The data sets (interop_datasets) are generated identically in interop.js.

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "metrics/hdr_codec.hpp"
#include "metrics/hdr_text.hpp"
#include "metrics/histogram.hpp"

namespace {

using gb::metrics::histogram;

struct dataset {
  std::string name;
  histogram h;
};

// Park-Miller minimal standard generator: exact in JavaScript doubles too.
struct park_miller {
  std::int64_t state;
  std::int64_t next() {
    state = state * 48271 % 2147483647;
    return state;
  }
};

histogram make(std::int64_t lo, std::int64_t hi, int sf) {
  return histogram::create(lo, hi, sf).value();
}

std::vector<dataset> datasets() {
  std::vector<dataset> out;
  {
    histogram h = histogram::for_latency();  // 1 ns .. 1 h, 3 digits
    park_miller r{12345};
    std::int64_t pow10[13] = {1};
    for (int i = 1; i < 13; ++i) {
      pow10[i] = pow10[i - 1] * 10;
    }
    for (int i = 0; i < 20000; ++i) {
      const std::int64_t x = r.next();
      h.record((x % 1000 + 1) * pow10[x % 10]);  // 1 .. 1e12: many buckets
    }
    out.push_back({"spread", std::move(h)});
  }
  {
    histogram h = histogram::for_latency();
    h.record(0, 100);
    for (std::int64_t v = 1; v <= 50; ++v) {
      h.record(v * 7);
    }
    out.push_back({"zeros", std::move(h)});
  }
  {
    histogram h = histogram::for_latency();
    h.record(123456789);
    out.push_back({"single", std::move(h)});
  }
  {
    histogram h = histogram::for_latency();
    const std::int64_t top = h.highest_trackable();
    for (const std::int64_t v :
         {std::int64_t{5}, std::int64_t{3'600'000'000'000}, top - 1000, top}) {
      h.record(v, 3);
    }
    out.push_back({"near-top", std::move(h)});
  }
  {
    histogram h = histogram::for_latency();
    park_miller r{777};
    for (int i = 0; i < 3000; ++i) {
      const std::int64_t value = r.next() % 5'000'000 + 1;  // in this order, as interop.js
      h.record(value, r.next() % 1'000'000'000 + 1);        // huge counts
    }
    out.push_back({"big-counts", std::move(h)});
  }
  {
    histogram h = make(1000, 3'600'000'000'000, 2);  // unit magnitude 9
    park_miller r{4242};
    for (int i = 0; i < 5000; ++i) {
      h.record(r.next() * 997 % 100'000'000'000);
    }
    out.push_back({"lowest-1000", std::move(h)});
  }
  {
    histogram h = make(1, 10'000'000, 5);
    park_miller r{99};
    for (int i = 0; i < 5000; ++i) {
      h.record(r.next() % 10'000'000);
    }
    out.push_back({"sigfigs-5", std::move(h)});
  }
  {
    histogram h = make(1, 100'000, 1);
    for (std::int64_t v = 0; v <= 100'000; v += 37) {
      h.record(v);
    }
    out.push_back({"sigfigs-1", std::move(h)});
  }
  return out;
}

std::string stats_json(const histogram& h) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"count\":%lld,\"min\":%lld,\"max\":%lld,\"mean\":%.17g,\"p50\":%lld,"
                "\"p90\":%lld,\"p99\":%lld,\"p99.9\":%lld,\"p100\":%lld}",
                static_cast<long long>(h.total_count()), static_cast<long long>(h.min()),
                static_cast<long long>(h.max()), h.mean(),
                static_cast<long long>(h.value_at_percentile(50)),
                static_cast<long long>(h.value_at_percentile(90)),
                static_cast<long long>(h.value_at_percentile(99)),
                static_cast<long long>(h.value_at_percentile(99.9)),
                static_cast<long long>(h.value_at_percentile(100)));
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "encode") {
    for (const auto& d : datasets()) {
      std::cout << "{\"name\":" << json_string(d.name)
                << ",\"b64\":" << json_string(gb::metrics::encode_base64(d.h))
                << ",\"stats\":" << stats_json(d.h) << "}\n";
    }
    return 0;
  }
  if (cmd == "decode") {
    std::string line;
    while (std::getline(std::cin, line)) {
      const auto h = gb::metrics::decode_base64(line);
      if (h) {
        std::cout << stats_json(*h) << "\n";
      } else {
        std::cout << "{\"error\":" << json_string(h.message()) << "}\n";
      }
    }
    return 0;
  }
  if (cmd == "hgrm" && argc > 2) {
    std::string line;
    std::getline(std::cin, line);
    const auto h = gb::metrics::decode_base64(line);
    if (!h) {
      std::cerr << h.message() << "\n";
      return 1;
    }
    const auto text = gb::metrics::write_hgrm(*h, std::stod(argv[2]));
    if (!text) {
      std::cerr << text.message() << "\n";
      return 1;
    }
    std::cout << *text;
    return 0;
  }
  if (cmd == "hlog") {
    std::cout << gb::metrics::hlog_header(1700000000.0);
    double t = 0;
    for (const auto& d : datasets()) {
      std::cout << gb::metrics::hlog_line(d.h, t, 1.0, t == 0 ? "" : "set").value();
      t += 1.0;
    }
    return 0;
  }
  std::cerr << "usage: hdr_tool encode | decode | hgrm RATIO | hlog\n";
  return 2;
}
