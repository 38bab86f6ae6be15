// Unit tests of the HdrHistogram V2 codec: round trips, interop fixtures, hostile input.

#include "metrics/hdr_codec.hpp"

#include "make_histogram.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

namespace gb::metrics {
namespace {

using test_support::expect_same_histogram;
using test_support::make_histogram;

using bytes = std::vector<std::uint8_t>;

void put_be(bytes& out, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

struct header {
  std::int32_t cookie = hdr_v2_cookie;
  std::int64_t payload_len = -1;  // -1: the real length; else written as its low 32 bits
  std::int32_t sigfigs = 3;
  std::int64_t lowest = 1;
  std::int64_t highest = 3'600'000'000'000;
};

bytes v2(const header& h, const bytes& payload) {
  bytes out;
  put_be(out, static_cast<std::uint32_t>(h.cookie), 4);
  put_be(out,
         static_cast<std::uint32_t>(h.payload_len < 0 ? static_cast<std::int64_t>(payload.size())
                                                      : h.payload_len),
         4);
  put_be(out, 0, 4);
  put_be(out, static_cast<std::uint32_t>(h.sigfigs), 4);
  put_be(out, static_cast<std::uint64_t>(h.lowest), 8);
  put_be(out, static_cast<std::uint64_t>(h.highest), 8);
  put_be(out, 0x3ff0000000000000ULL, 8);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

bytes zlib(const bytes& raw) {
  uLongf n = compressBound(static_cast<uLong>(raw.size()));
  bytes z(n);
  EXPECT_EQ(compress2(z.data(), &n, raw.data(), static_cast<uLong>(raw.size()), 6), Z_OK);
  z.resize(n);
  return z;
}

bytes compressed(const bytes& zdata, std::int64_t declared = -1,
                 std::int32_t cookie = hdr_v2_compressed_cookie) {
  bytes out;
  put_be(out, static_cast<std::uint32_t>(cookie), 4);
  put_be(out, static_cast<std::uint32_t>(declared < 0 ? zdata.size() : declared), 4);
  out.insert(out.end(), zdata.begin(), zdata.end());
  return out;
}

// ZigZag LEB128 of v (same rules as the codec; written independently for the fixtures).
bytes zz(std::int64_t v) {
  std::uint64_t u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  bytes out;
  for (int i = 0; i < 8; ++i) {
    if (u < 0x80) {
      out.push_back(static_cast<std::uint8_t>(u));
      return out;
    }
    out.push_back(static_cast<std::uint8_t>(u | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(u));
  return out;
}

bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

TEST(HdrCodec, RoundTripsManyShapes) {
  std::vector<histogram> cases;
  cases.push_back(histogram::for_latency());  // empty
  {
    auto h = histogram::for_latency();
    h.record(0, 5);  // zeros only
    cases.push_back(std::move(h));
  }
  {
    auto h = histogram::for_latency();
    h.record(42);  // a single value
    cases.push_back(std::move(h));
  }
  {
    auto h = histogram::for_latency();
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> d(15, 2.5);
    for (int i = 0; i < 100000; ++i) {
      h.record(static_cast<std::int64_t>(d(rng)));
    }
    h.record(h.highest_trackable(), 1'000'000'000'000);  // near the top, a huge count
    cases.push_back(std::move(h));
  }
  {
    auto h = make_histogram(1000, 3'600'000'000'000, 2);  // unit magnitude 9
    for (std::int64_t v = 1; v < 100'000'000; v = v * 3 + 7) {
      h.record(v, v % 5 + 1);
    }
    cases.push_back(std::move(h));
  }
  {
    auto h = make_histogram(1, INT64_MAX, 5);
    h.record(1);
    h.record(INT64_MAX);
    cases.push_back(std::move(h));
  }
  // The (1, INT64_MAX, 5) layout needs 6.2 Mi counts: above the default limit, so raise it.
  const decode_limits roomy{.max_counts_len = std::size_t{1} << 23};
  for (const auto& h : cases) {
    const std::string s = encode_base64(h);
    ASSERT_EQ(s.substr(0, 8), "HISTFAAA");
    auto back = decode_base64(s, roomy);
    ASSERT_TRUE(back.ok()) << back.message();
    expect_same_histogram(h, *back);
    auto raw = decode_v2(encode_v2(h), roomy);
    ASSERT_TRUE(raw.ok()) << raw.message();
    expect_same_histogram(h, *raw);
  }
}

TEST(HdrCodec, V2BytesFollowTheSpec) {
  auto h = make_histogram(1, 3'600'000'000'000, 3);
  h.record(1, 2);
  h.record(5);
  const bytes enc = encode_v2(h);
  // counts: index0 = 0 (single zero: 0), index1 = 2, indexes 2..4 zero (run of 3: -3), index5 = 1
  const bytes expected = v2(header{}, cat({zz(0), zz(2), zz(-3), zz(1)}));
  EXPECT_EQ(enc, expected);
  EXPECT_EQ(zz(0), bytes{0});
  EXPECT_EQ(zz(-3), bytes{5});
  EXPECT_EQ(zz(2), bytes{4});
  // the 9-byte form carries 8 bits in its last byte
  EXPECT_EQ(zz(INT64_MAX).size(), 9u);
  EXPECT_EQ(zz(INT64_MAX).back(), 0xff);
}

TEST(HdrCodec, DecodesHdrHistogramJsOutput) {
  // hdr-histogram-js 3.0.1: values 0, 1, 1, 2047, 2048, 123456789, 3e12 in (1, 3.6e12, 3).
  // It writes normalizing offset 1 and the conversion ratio as the integer 1.
  const auto h = decode_base64(
      "HISTFAAAADR4nJNpmSzMwMDAx8DAwMjAwMDMAAGMDAzMbgY7FjDA+EwsP+WZmDb/ZWRa/4KRCQCThweb");
  ASSERT_TRUE(h.ok()) << h.message();
  EXPECT_EQ(h->total_count(), 7);
  EXPECT_EQ(h->min(), 0);
  EXPECT_EQ(h->max(), h->highest_equivalent(3'000'000'000'000));
  EXPECT_EQ(h->count_at_index(1), 2);
  EXPECT_EQ(h->count_at_index(h->index_of(2047)), 1);
  EXPECT_EQ(h->value_at_percentile(50), 2047);
  EXPECT_EQ(h->highest(), 3'600'000'000'000);
}

TEST(HdrCodec, BothSingleZeroEncodingsAreAccepted) {
  const auto a = decode_v2(v2(header{}, cat({zz(0), zz(3)})));
  const auto b = decode_v2(v2(header{}, cat({zz(-1), zz(3)})));
  ASSERT_TRUE(a.ok()) << a.message();
  ASSERT_TRUE(b.ok()) << b.message();
  EXPECT_EQ(a->count_at_index(1), 3);
  EXPECT_EQ(b->count_at_index(1), 3);
  expect_same_histogram(*a, *b);
}

struct hostile {
  const char* name;
  bytes input;       // compressed form (used unless text is set)
  const char* text;  // base64 text, or nullptr
  const char* says;
};

TEST(HdrCodec, HostileInputGetsClearErrors) {
  const std::size_t len = histogram::for_latency().counts_len();
  const bytes good_v2 = v2(header{}, cat({zz(0), zz(2)}));
  bytes bad_zlib = zlib(good_v2);
  bad_zlib[0] ^= 0xff;
  bytes cut_zlib = zlib(good_v2);
  cut_zlib.resize(cut_zlib.size() - 6);
  const bytes bomb = v2(header{.payload_len = 4}, bytes(10'000'000, 0));
  header wrong_cookie;
  wrong_cookie.cookie = 0x1c849301;
  header compressed_cookie_inside;
  compressed_cookie_inside.cookie = hdr_v2_compressed_cookie;
  const hostile cases[] = {
      {"empty text", {}, "  \n", "empty string"},
      {"bad base64 character", {}, "HISTFAAA*AAAAAAA", "'*' at offset 8 is not in the standard"},
      {"unpadded base64", {}, "HISTFAAAAB", "not a multiple of 4"},
      {"padding in the middle", {}, "HI=TFAAA", "'=' at offset 2"},
      {"short compressed header", {0x1c, 0x84}, nullptr, "shorter than the 8-byte"},
      {"wrong compressed cookie", compressed(zlib(good_v2), -1, 0x1c849304), nullptr,
       "cookie 0x1c849304, expected 0x1c849314"},
      {"uncompressed cookie where compressed belongs", compressed(zlib(good_v2), -1, hdr_v2_cookie),
       nullptr, "not a compressed V2"},
      {"wrong V2 cookie", compressed(zlib(v2(wrong_cookie, {}))), nullptr,
       "not a V2 HdrHistogram encoding (cookie 0x1c849301"},
      {"compressed cookie inside", compressed(zlib(v2(compressed_cookie_inside, {}))), nullptr,
       "found the compressed cookie"},
      {"declared length beyond data", compressed(zlib(good_v2), 4000), nullptr,
       "declares 4000 compressed bytes but only"},
      {"huge declared length", compressed(zlib(good_v2), 0x7fffffff), nullptr,
       "declares 2147483647 compressed bytes"},
      {"negative declared length", compressed(zlib(good_v2), 0x80000000), nullptr,
       "negative compressed length"},
      {"bytes after compressed data", cat({compressed(zlib(good_v2)), bytes{1, 2, 3}}), nullptr,
       "3 trailing bytes after the declared compressed length"},
      {"corrupt zlib", compressed(bad_zlib), nullptr, "corrupt zlib data"},
      {"truncated zlib", compressed(cut_zlib), nullptr, "truncated"},
      {"zlib stream shorter than header", compressed(zlib(bytes(20, 0))), nullptr,
       "ends after 20 of the 40 header bytes"},
      {"zlib bomb past the payload", compressed(zlib(bomb)), nullptr,
       "holds more than the header's 4 payload bytes"},
      {"second stream after the first", cat({compressed(cat({zlib(good_v2), zlib(good_v2)}))}),
       nullptr, "trailing bytes after the end of the zlib stream"},
      {"payload shorter than declared", compressed(zlib(v2(header{.payload_len = 9}, {zz(1)}))),
       nullptr, "ends after 1 of 9 payload bytes"},
      {"absurd payload length", compressed(zlib(v2(header{.payload_len = 0x7fffffff}, {}))),
       nullptr, "payload length 2147483647 is more than"},
      {"negative payload length", compressed(zlib(v2(header{.payload_len = 0x80000000}, {}))),
       nullptr, "negative payload length"},
      {"sigfigs 0", compressed(zlib(v2(header{.sigfigs = 0}, {}))), nullptr,
       "significant digits in the header must be 1 to 5, got 0"},
      {"sigfigs 9", compressed(zlib(v2(header{.sigfigs = 9}, {}))), nullptr,
       "significant digits in the header must be 1 to 5, got 9"},
      {"lowest 0", compressed(zlib(v2(header{.lowest = 0}, {}))), nullptr,
       "lowest discernible value in the header must be at least 1, got 0"},
      {"negative lowest", compressed(zlib(v2(header{.lowest = -8}, {}))), nullptr,
       "at least 1, got -8"},
      {"highest below twice lowest",
       compressed(zlib(v2(header{.lowest = 100, .highest = 150}, {}))), nullptr,
       "highest trackable value in the header (150) must be at least twice the lowest"},
      {"lowest too large for sigfigs",
       compressed(zlib(
           v2(header{.sigfigs = 5, .lowest = std::int64_t{1} << 50, .highest = INT64_MAX}, {}))),
       nullptr, "is too large for 5 significant digits"},
      {"huge highest", compressed(zlib(v2(header{.sigfigs = 5, .highest = INT64_MAX}, {}))),
       nullptr, "more than the decoder's limit of 4194304"},
      {"count past the end",
       compressed(zlib(v2(header{}, cat({zz(-static_cast<std::int64_t>(len)), zz(1)})))), nullptr,
       "count at index 33792 is past the end of the counts array (length 33792)"},
      {"zero run past the end",
       compressed(zlib(v2(header{}, cat({zz(1), zz(-static_cast<std::int64_t>(len))})))), nullptr,
       "a run of 33792 zero counts at index 1 runs past the end"},
      {"most negative value", compressed(zlib(v2(header{}, zz(INT64_MIN)))), nullptr,
       "a run of 9223372036854775808 zero counts"},
      {"count cut off", compressed(zlib(v2(header{}, bytes{0x81, 0x80}))), nullptr,
       "payload ends inside a count at byte 0"},
      {"counts overflow", compressed(zlib(v2(header{}, cat({zz(INT64_MAX), zz(1)})))), nullptr,
       "counts add up to more than 2^63-1"},
  };
  for (const auto& c : cases) {
    const auto r = c.text != nullptr ? decode_base64(c.text) : decode_compressed(c.input);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.message().find(c.says), std::string::npos)
        << c.name << ": got '" << r.message() << "'";
    EXPECT_EQ(r.message().rfind("histogram: ", 0), 0u) << r.message();
  }
}

TEST(HdrCodec, UncompressedHostileInput) {
  const bytes good = v2(header{}, cat({zz(0), zz(2)}));
  ASSERT_TRUE(decode_v2(good).ok());
  struct c {
    const char* name;
    bytes input;
    const char* says;
  };
  bytes trailing = good;
  trailing.push_back(7);
  bytes truncated = good;
  truncated.pop_back();
  const c cases[] = {
      {"too short", bytes(39, 0), "39 bytes is shorter than the 40-byte V2 header"},
      {"trailing", trailing, "1 trailing bytes after the declared payload of 2"},
      {"truncated", truncated, "declares 2 payload bytes but only 1 follow"},
  };
  for (const auto& k : cases) {
    const auto r = decode_v2(k.input);
    ASSERT_FALSE(r.ok()) << k.name;
    EXPECT_NE(r.message().find(k.says), std::string::npos) << k.name << ": " << r.message();
  }
}

TEST(HdrCodec, LimitsAreConfigurable) {
  auto h = histogram::for_latency();
  h.record(5);
  const decode_limits tight{.max_counts_len = 1000};
  const auto r = decode_base64(encode_base64(h), tight);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("needs 33792 counts, more than the decoder's limit of 1000"),
            std::string::npos)
      << r.message();
}

TEST(Base64, EncodesAndDecodesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, enc] : vectors) {
    const std::string p(plain);
    const bytes b(p.begin(), p.end());
    EXPECT_EQ(base64_encode(b), enc);
    const auto back = base64_decode(enc);
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, b);
  }
  EXPECT_FALSE(base64_decode("Zm9v\n").ok());
  EXPECT_FALSE(base64_decode("Zg=").ok());
  EXPECT_FALSE(base64_decode("Z===").ok());
}

}  // namespace
}  // namespace gb::metrics
