#include "metrics/hdr_codec.hpp"

#include <zlib.h>

#include <bit>
#include <cstring>
#include <limits>

namespace gb::metrics {

namespace {

constexpr std::size_t max_leb_bytes = 9;

void put_be(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

std::uint64_t get_be(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | in[at + static_cast<std::size_t>(i)];
  }
  return v;
}

std::int32_t get_i32(std::span<const std::uint8_t> in, std::size_t at) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(get_be(in, at, 4)));
}

std::string hex32(std::int32_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 7; i >= 0; --i) {
    s += digits[(static_cast<std::uint32_t>(v) >> (4 * i)) & 0xf];
  }
  return s;
}

// ZigZag then LEB128, at most 9 bytes (the 9th carries a full 8 bits).
void put_zigzag(std::vector<std::uint8_t>& out, std::int64_t v) {
  std::uint64_t u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  for (std::size_t i = 0; i < max_leb_bytes - 1; ++i) {
    if (u < 0x80) {
      out.push_back(static_cast<std::uint8_t>(u));
      return;
    }
    out.push_back(static_cast<std::uint8_t>((u & 0x7f) | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(u));
}

// Reads one ZigZag LEB128 value at `pos`; false when the input ends inside it.
bool get_zigzag(std::span<const std::uint8_t> in, std::size_t& pos, std::int64_t& value) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < max_leb_bytes; ++i) {
    if (pos >= in.size()) {
      return false;
    }
    const std::uint8_t b = in[pos++];
    if (i == max_leb_bytes - 1) {
      u |= static_cast<std::uint64_t>(b) << 56;
      break;
    }
    u |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      break;
    }
  }
  value = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
  return true;
}

struct v2_header {
  std::int32_t payload_len = 0;
  std::int32_t sigfigs = 0;
  std::int64_t lowest = 0;
  std::int64_t highest = 0;
  std::size_t counts_len = 0;
};

// Reads and checks the 40-byte header (bytes.size() >= 40).
result<v2_header> parse_header(std::span<const std::uint8_t> bytes, const decode_limits& limits) {
  const std::int32_t cookie = get_i32(bytes, 0);
  if (cookie != hdr_v2_cookie) {
    if (cookie == hdr_v2_compressed_cookie) {
      return fail("histogram: found the compressed cookie ", hex32(cookie),
                  " where the uncompressed V2 cookie 0x1c849313 belongs");
    }
    return fail("histogram: not a V2 HdrHistogram encoding (cookie ", hex32(cookie),
                ", expected 0x1c849313)");
  }
  v2_header h;
  h.payload_len = get_i32(bytes, 4);
  // bytes 8..11: normalizing index offset; counts are written in logical order, so it is not
  // needed (hdr-histogram-js writes 1, Java and C write 0).
  h.sigfigs = get_i32(bytes, 12);
  h.lowest = static_cast<std::int64_t>(get_be(bytes, 16, 8));
  h.highest = static_cast<std::int64_t>(get_be(bytes, 24, 8));
  // bytes 32..39: integer-to-double conversion ratio; not used for integer histograms.
  if (h.payload_len < 0) {
    return fail("histogram: negative payload length ", std::to_string(h.payload_len));
  }
  if (h.sigfigs < 1 || h.sigfigs > 5) {
    return fail("histogram: significant digits in the header must be 1 to 5, got ",
                std::to_string(h.sigfigs));
  }
  if (h.lowest < 1) {
    return fail("histogram: lowest discernible value in the header must be at least 1, got ",
                std::to_string(h.lowest));
  }
  if (h.highest / 2 < h.lowest) {
    return fail("histogram: highest trackable value in the header (", std::to_string(h.highest),
                ") must be at least twice the lowest (", std::to_string(h.lowest), ")");
  }
  h.counts_len = histogram::layout_counts_len(h.lowest, h.highest, h.sigfigs);
  if (h.counts_len == 0) {
    return fail("histogram: lowest value ", std::to_string(h.lowest), " is too large for ",
                std::to_string(h.sigfigs), " significant digits");
  }
  if (h.counts_len > limits.max_counts_len) {
    return fail("histogram: the header's layout (lowest ", std::to_string(h.lowest), ", highest ",
                std::to_string(h.highest), ", ", std::to_string(h.sigfigs), " digits) needs ",
                std::to_string(h.counts_len), " counts, more than the decoder's limit of ",
                std::to_string(limits.max_counts_len));
  }
  if (static_cast<std::size_t>(h.payload_len) > h.counts_len * max_leb_bytes) {
    return fail("histogram: payload length ", std::to_string(h.payload_len), " is more than the ",
                std::to_string(h.counts_len * max_leb_bytes), " bytes that ",
                std::to_string(h.counts_len), " counts can take");
  }
  return h;
}

result<histogram> decode_payload(const v2_header& hdr, std::span<const std::uint8_t> payload) {
  auto created = histogram::create(hdr.lowest, hdr.highest, hdr.sigfigs);
  if (!created) {
    return fail("histogram: ", created.message());
  }
  histogram h = std::move(created).value();
  std::size_t pos = 0;
  std::size_t index = 0;
  std::int64_t total = 0;
  while (pos < payload.size()) {
    const std::size_t at = pos;
    std::int64_t v = 0;
    if (!get_zigzag(payload, pos, v)) {
      return fail("histogram: payload ends inside a count at byte ", std::to_string(at));
    }
    if (v < 0) {
      // -n stands for n zero counts; n may be 2^63 for INT64_MIN, so work unsigned.
      const std::uint64_t run = static_cast<std::uint64_t>(-(v + 1)) + 1;
      if (run > h.counts_len() - index) {
        return fail("histogram: a run of ", std::to_string(run), " zero counts at index ",
                    std::to_string(index), " runs past the end of the counts array (length ",
                    std::to_string(h.counts_len()), ")");
      }
      index += static_cast<std::size_t>(run);
      continue;
    }
    if (index >= h.counts_len()) {
      return fail("histogram: count at index ", std::to_string(index),
                  " is past the end of the counts array (length ", std::to_string(h.counts_len()),
                  ")");
    }
    if (v > std::numeric_limits<std::int64_t>::max() - total) {
      return fail("histogram: counts add up to more than 2^63-1 (at index ", std::to_string(index),
                  ")");
    }
    total += v;
    if (v > 0) {
      h.set_count_at_index(index, v);
    }
    ++index;
  }
  return h;
}

}  // namespace

std::vector<std::uint8_t> encode_v2(const histogram& h) {
  std::vector<std::uint8_t> out;
  const std::size_t n = h.used_len();
  out.reserve(hdr_v2_header_bytes + n * 2);
  put_be(out, static_cast<std::uint32_t>(hdr_v2_cookie), 4);
  put_be(out, 0, 4);  // payload length, filled in below
  put_be(out, 0, 4);  // normalizing index offset
  put_be(out, static_cast<std::uint32_t>(h.sigfigs()), 4);
  put_be(out, static_cast<std::uint64_t>(h.lowest()), 8);
  put_be(out, static_cast<std::uint64_t>(h.highest()), 8);
  put_be(out, std::bit_cast<std::uint64_t>(1.0), 8);  // integer-to-double conversion ratio
  std::size_t i = 0;
  while (i < n) {
    const std::int64_t c = h.count_at_index(i);
    if (c != 0) {
      put_zigzag(out, c);
      ++i;
      continue;
    }
    std::size_t run = 1;
    while (i + run < n && h.count_at_index(i + run) == 0) {
      ++run;
    }
    put_zigzag(out, run > 1 ? -static_cast<std::int64_t>(run) : 0);
    i += run;
  }
  const auto payload = static_cast<std::uint32_t>(out.size() - hdr_v2_header_bytes);
  for (int b = 0; b < 4; ++b) {
    out[4 + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(payload >> (8 * (3 - b)));
  }
  return out;
}

std::vector<std::uint8_t> encode_compressed(const histogram& h) {
  const std::vector<std::uint8_t> raw = encode_v2(h);
  uLongf zlen = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> out(8 + zlen);
  // compress2 only fails for lack of memory or a too small buffer; compressBound rules out the
  // latter, and the former is std::bad_alloc everywhere else too.
  if (compress2(out.data() + 8, &zlen, raw.data(), static_cast<uLong>(raw.size()),
                Z_DEFAULT_COMPRESSION) != Z_OK) {
    throw std::bad_alloc();
  }
  out.resize(8 + zlen);
  const auto cookie = static_cast<std::uint32_t>(hdr_v2_compressed_cookie);
  const auto len = static_cast<std::uint32_t>(zlen);
  for (int b = 0; b < 4; ++b) {
    out[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(cookie >> (8 * (3 - b)));
    out[4 + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(len >> (8 * (3 - b)));
  }
  return out;
}

std::string encode_base64(const histogram& h) {
  return base64_encode(encode_compressed(h));
}

result<histogram> decode_v2(std::span<const std::uint8_t> bytes, const decode_limits& limits) {
  if (bytes.size() < hdr_v2_header_bytes) {
    return fail("histogram: ", std::to_string(bytes.size()),
                " bytes is shorter than the 40-byte V2 header");
  }
  auto hdr = parse_header(bytes, limits);
  if (!hdr) {
    return hdr.err();
  }
  const std::size_t payload_len = static_cast<std::size_t>(hdr->payload_len);
  const std::size_t have = bytes.size() - hdr_v2_header_bytes;
  if (have < payload_len) {
    return fail("histogram: truncated: the header declares ", std::to_string(payload_len),
                " payload bytes but only ", std::to_string(have), " follow");
  }
  if (have > payload_len) {
    return fail("histogram: ", std::to_string(have - payload_len),
                " trailing bytes after the declared payload of ", std::to_string(payload_len));
  }
  return decode_payload(*hdr, bytes.subspan(hdr_v2_header_bytes));
}

namespace {

// Inflates into `out` (whose size is the amount wanted). Returns the number of bytes produced
// and whether the zlib stream ended; an error for corrupt data.
struct inflate_state {
  z_stream zs{};
  bool open = false;
  ~inflate_state() {
    if (open) {
      inflateEnd(&zs);
    }
  }
};

struct inflated {
  std::size_t produced = 0;
  bool stream_end = false;
};

result<inflated> inflate_some(inflate_state& st, std::uint8_t* out, std::size_t want) {
  st.zs.next_out = out;
  st.zs.avail_out = static_cast<uInt>(want);
  inflated r;
  while (st.zs.avail_out > 0) {
    const int rc = inflate(&st.zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      r.stream_end = true;
      break;
    }
    if (rc == Z_BUF_ERROR) {
      break;  // input exhausted before the stream ended
    }
    if (rc != Z_OK) {
      return fail("histogram: corrupt zlib data (",
                  st.zs.msg != nullptr ? st.zs.msg : "zlib error " + std::to_string(rc), ")");
    }
  }
  r.produced = want - st.zs.avail_out;
  return r;
}

}  // namespace

result<histogram> decode_compressed(std::span<const std::uint8_t> bytes,
                                    const decode_limits& limits) {
  if (bytes.size() < 8) {
    return fail("histogram: ", std::to_string(bytes.size()),
                " bytes is shorter than the 8-byte compressed header");
  }
  const std::int32_t cookie = get_i32(bytes, 0);
  if (cookie != hdr_v2_compressed_cookie) {
    return fail("histogram: not a compressed V2 HdrHistogram (cookie ", hex32(cookie),
                ", expected 0x1c849314)");
  }
  const std::int32_t zlen = get_i32(bytes, 4);
  if (zlen < 0) {
    return fail("histogram: negative compressed length ", std::to_string(zlen));
  }
  const std::size_t have = bytes.size() - 8;
  if (static_cast<std::size_t>(zlen) > have) {
    return fail("histogram: truncated: the header declares ", std::to_string(zlen),
                " compressed bytes but only ", std::to_string(have), " follow");
  }
  if (static_cast<std::size_t>(zlen) < have) {
    return fail("histogram: ", std::to_string(have - static_cast<std::size_t>(zlen)),
                " trailing bytes after the declared compressed length of ", std::to_string(zlen));
  }
  inflate_state st;
  if (inflateInit(&st.zs) != Z_OK) {
    throw std::bad_alloc();
  }
  st.open = true;
  st.zs.next_in = const_cast<Bytef*>(bytes.data() + 8);  // zlib's API is not const-correct
  st.zs.avail_in = static_cast<uInt>(zlen);

  // The header first, so that the payload size (and so the memory) is checked before inflating.
  std::vector<std::uint8_t> raw(hdr_v2_header_bytes);
  auto got = inflate_some(st, raw.data(), raw.size());
  if (!got) {
    return got.err();
  }
  if (got->produced < hdr_v2_header_bytes) {
    return fail("histogram: truncated: the zlib stream ", got->stream_end ? "ends" : "is cut off",
                " after ", std::to_string(got->produced), " of the 40 header bytes");
  }
  auto hdr = parse_header(raw, limits);
  if (!hdr) {
    return hdr.err();
  }
  const std::size_t payload_len = static_cast<std::size_t>(hdr->payload_len);
  raw.resize(hdr_v2_header_bytes + payload_len + 1);  // one spare byte detects extra output
  got = inflate_some(st, raw.data() + hdr_v2_header_bytes, payload_len + 1);
  if (!got) {
    return got.err();
  }
  if (got->produced > payload_len) {
    return fail("histogram: the zlib stream holds more than the header's ",
                std::to_string(payload_len), " payload bytes (trailing bytes)");
  }
  if (got->produced < payload_len) {
    return fail("histogram: truncated: the zlib stream ", got->stream_end ? "ends" : "is cut off",
                " after ", std::to_string(got->produced), " of ", std::to_string(payload_len),
                " payload bytes");
  }
  if (!got->stream_end) {
    // All the payload arrived; the stream must end here (its checksum is still unread).
    std::uint8_t spare = 0;
    auto tail = inflate_some(st, &spare, 1);
    if (!tail) {
      return tail.err();
    }
    if (tail->produced > 0) {
      return fail("histogram: the zlib stream holds more than the header's ",
                  std::to_string(payload_len), " payload bytes (trailing bytes)");
    }
    if (!tail->stream_end) {
      return fail("histogram: truncated zlib stream (its end and checksum are missing)");
    }
  }
  if (st.zs.avail_in != 0) {
    return fail("histogram: ", std::to_string(st.zs.avail_in),
                " trailing bytes after the end of the zlib stream");
  }
  raw.resize(hdr_v2_header_bytes + payload_len);
  return decode_payload(*hdr, std::span<const std::uint8_t>(raw).subspan(hdr_v2_header_bytes));
}

result<histogram> decode_base64(std::string_view text, const decode_limits& limits) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  if (text.empty()) {
    return fail("histogram: empty string (no encoded histogram)");
  }
  auto bytes = base64_decode(text);
  if (!bytes) {
    return fail("histogram: ", bytes.message());
  }
  return decode_compressed(*bytes, limits);
}

}  // namespace gb::metrics
