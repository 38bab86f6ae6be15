#include "protocol/json_walk.hpp"

#include <vector>

#include "util/utf8.hpp"

namespace gb::protocol::detail {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// The four hex digits at p as a code unit, or -1 (the padding keeps the reads in bounds: a NUL
// is not a hex digit).
std::int32_t hex4(const char* p) noexcept {
  std::int32_t v = 0;
  for (int k = 0; k < 4; ++k) {
    const int h = hex_value(p[k]);
    if (h < 0) {
      return -1;
    }
    v = (v << 4) | h;
  }
  return v;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence at p (a byte >= 0x80) within [text, end), or 0.
std::size_t utf8_length(const char* text, const char* end, const char* p) noexcept {
  const utf8_step st =
      utf8_sequence_at(std::string_view(text, static_cast<std::size_t>(end - text)),
                       static_cast<std::size_t>(p - text));
  return st.valid ? st.length : 0;
}

// The escape at p (p[0] == '\\'): appends its value to `out` when `decode`. Returns the byte
// after it, or nullptr when it is not a valid escape.
const char* escape(const char* p, bool decode, std::string& out) {
  const char e = p[1];
  char plain = 0;
  switch (e) {
    case '"':
    case '\\':
    case '/':
      plain = e;
      break;
    case 'b':
      plain = '\b';
      break;
    case 'f':
      plain = '\f';
      break;
    case 'n':
      plain = '\n';
      break;
    case 'r':
      plain = '\r';
      break;
    case 't':
      plain = '\t';
      break;
    case 'u': {
      const std::int32_t unit = hex4(p + 2);
      if (unit < 0) {
        return nullptr;
      }
      p += 6;
      auto cp = static_cast<std::uint32_t>(unit);
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        const std::int32_t lo = (p[0] == '\\' && p[1] == 'u') ? hex4(p + 2) : -1;
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(lo) - 0xDC00);
        } else {
          cp = 0xFFFD;  // lone high surrogate
        }
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;  // lone low surrogate
      }
      if (decode) {
        append_utf8(cp, out);
      }
      return p;
    }
    default:
      return nullptr;
  }
  if (decode) {
    out.push_back(plain);
  }
  return p + 2;
}

}  // namespace

const char* json_padded_copy(std::string_view text) {
  thread_local std::vector<char> buffer;
  const std::size_t need = text.size() + k_json_padding;
  if (buffer.size() < need) {
    buffer.resize(need);
  }
  if (!text.empty()) {
    std::memcpy(buffer.data(), text.data(), text.size());
  }
  buffer[text.size()] = '\0';
  return buffer.data();
}

std::int64_t json_long_count(const char* p, const char* end) noexcept {
  std::int64_t v = 0;
  for (; p != end; ++p) {
    const int d = *p - '0';
    if (v > (INT64_MAX - d) / 10) {
      return -1;
    }
    v = v * 10 + d;
  }
  return v;
}

const char* json_number_tail(const char* p) noexcept {
  auto digits = [](const char* q) {
    if (static_cast<unsigned>(*q - '0') > 9) {
      return static_cast<const char*>(nullptr);
    }
    while (static_cast<unsigned>(*q - '0') <= 9) {
      ++q;
    }
    return q;
  };
  if (*p == '.') {
    p = digits(p + 1);
    if (p == nullptr) {
      return nullptr;
    }
  }
  if (*p == 'e' || *p == 'E') {
    ++p;
    p += (*p == '+' || *p == '-') ? 1 : 0;
    p = digits(p);
  }
  return p;
}

const char* json_string_rest(const char* text, const char* end, const char* origin,
                             const char* start, const char* at, bool decode, std::string& scratch,
                             std::string_view& out) {
  const char* p = at;
  // No escapes so far: the value may still be a view of the text.
  for (;;) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') {
      out = std::string_view(origin + (start - text), static_cast<std::size_t>(p - start));
      return p + 1;
    }
    if (c == '\\') {
      break;
    }
    if (c < 0x80) {
      return nullptr;  // a control character, or the NUL at the end: unterminated
    }
    const std::size_t len = utf8_length(text, end, p);
    if (len == 0) {
      return nullptr;
    }
    p = json_skip_plain(p + len);
  }
  if (decode) {
    scratch.assign(start, p);
  }
  for (;;) {
    const char* const plain_end = json_skip_plain(p);
    if (decode) {
      scratch.append(p, plain_end);
    }
    p = plain_end;
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') {
      if (decode) {
        out = scratch;
      }
      return p + 1;
    }
    if (c == '\\') {
      p = escape(p, decode, scratch);
    } else if (c >= 0x80) {
      const std::size_t len = utf8_length(text, end, p);
      if (len != 0 && decode) {
        scratch.append(p, len);
      }
      p = len == 0 ? nullptr : p + len;
    } else {
      return nullptr;  // a control character, or the NUL at the end: unterminated
    }
    if (p == nullptr) {
      return nullptr;
    }
  }
}

}  // namespace gb::protocol::detail
