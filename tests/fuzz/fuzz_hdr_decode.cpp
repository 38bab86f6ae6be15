// libFuzzer target: the HdrHistogram decoders (metrics/hdr_codec.hpp) on hostile bytes.
//
// Input layout: byte 0 selects the decoder (mod 3): 0 decode_v2, 1 decode_compressed,
// 2 decode_base64 (the rest as text). The rest is the encoded histogram.
//
// Checks: never crash, never allocate past the limits (libFuzzer's -rss_limit_mb and
// -malloc_limit_mb catch that); whatever decodes re-encodes and decodes back to the same
// counts, and its statistics are self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "metrics/hdr_codec.hpp"

namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

bool same_counts(const gb::metrics::histogram& a, const gb::metrics::histogram& b) {
  if (!a.same_layout(b) || a.total_count() != b.total_count()) {
    return false;
  }
  for (std::size_t i = 0; i < a.counts_len(); ++i) {
    if (a.count_at_index(i) != b.count_at_index(i)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  // 1 Mi counts (8 MiB) keeps every iteration cheap; the default limit is only larger.
  gb::metrics::decode_limits limits;
  limits.max_counts_len = std::size_t{1} << 20;
  const std::span<const std::uint8_t> rest(bytes + 1, size - 1);
  gb::result<gb::metrics::histogram> decoded = [&]() {
    switch (bytes[0] % 3) {
      case 0:
        return gb::metrics::decode_v2(rest, limits);
      case 1:
        return gb::metrics::decode_compressed(rest, limits);
      default:
        return gb::metrics::decode_base64(
            std::string_view(reinterpret_cast<const char*>(rest.data()), rest.size()), limits);
    }
  }();
  if (!decoded) {
    check(!decoded.message().empty());
    return 0;
  }
  const gb::metrics::histogram& h = *decoded;
  check(h.total_count() >= 0);
  if (h.total_count() > 0) {
    check(h.min() <= h.max());
    check(h.value_at_percentile(0) <= h.value_at_percentile(100));
    check(h.value_at_percentile(50) <= h.max() || h.max() == 0);
  }
  // Round trips: what we decode, we encode, and decode back identically.
  const auto v2 = gb::metrics::encode_v2(h);
  auto back = gb::metrics::decode_v2(v2, limits);
  check(back.ok() && same_counts(h, *back));
  auto back64 = gb::metrics::decode_base64(gb::metrics::encode_base64(h), limits);
  check(back64.ok() && same_counts(h, *back64));
  return 0;
}
