#pragma once
// A validating JSON walker for the decoders' hot path (internal to protocol).
//
// walk_json() checks a whole document against RFC 8259 in one loop with an explicit container
// stack (no call per token) and reports only what its visitor asked for. The visitor names the
// places it cares about with small integer ids: the root value has an id, and the visitor maps
// (object id, key) and (array id, element index) to the id of the value there; id 0 means "not
// interesting", and everything below an uninteresting value is validated without a callback
// (its keys are not even decoded). Invalid JSON is always detected, whatever the visitor does.
//
// Speed: the text is first copied into a per-thread buffer followed by a NUL byte and padding,
// so the walk needs no bounds checks (a NUL can only end the text or make it invalid: JSON
// holds no raw NUL outside strings, and none inside them either), and strings are scanned
// 16 bytes at a time. Nesting is bounded (k_max_depth) so hostile input cannot exhaust
// anything. Bytes inside strings must be well-formed UTF-8 (gb::utf8_sequence_at); \u escapes
// are decoded to UTF-8 with lone surrogates replaced by U+FFFD. Never throws except
// std::bad_alloc (the per-thread copy and the scratch string grow to the largest text seen).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "protocol/json_bytes.hpp"

namespace gb::protocol::detail {

/// Deepest nesting of objects and arrays a document may have.
constexpr int k_json_max_depth = 64;

/// Readable bytes after the copy's end (a NUL first): enough for a 16-byte load at the end and
/// for comparing a literal of up to 5 bytes there.
constexpr std::size_t k_json_padding = 32;

/// What a byte can start where a value is expected (walk_json dispatches on it through one
/// jump table instead of a chain of comparisons).
enum class json_start : std::uint8_t { invalid, space, object, array, string, number, t, f, n };

constexpr auto k_json_start = [] {
  std::array<json_start, 256> t{};
  for (const char c : {' ', '\t', '\n', '\r'}) {
    t[static_cast<unsigned char>(c)] = json_start::space;
  }
  for (char c = '0'; c <= '9'; ++c) {
    t[static_cast<unsigned char>(c)] = json_start::number;
  }
  t['-'] = json_start::number;
  t['{'] = json_start::object;
  t['['] = json_start::array;
  t['"'] = json_start::string;
  t['t'] = json_start::t;
  t['f'] = json_start::f;
  t['n'] = json_start::n;
  return t;
}();

/// Copies `text` into this thread's walk buffer, followed by a NUL and k_json_padding - 1 more
/// readable bytes. Returns the copy's first byte; valid until the next call on this thread.
const char* json_padded_copy(std::string_view text);

/// First byte at or after p that a JSON string cannot hold as itself or that needs a closer
/// look: '"', '\\', a control character (the NUL after the text is one) or a non-ASCII byte.
/// Requires the padding of json_padded_copy (it reads up to 15 bytes past the byte it returns).
inline const char* json_skip_plain(const char* p) noexcept {
#if defined(__SSE2__)
  for (;; p += 16) {
    if (const unsigned mask = json_nonplain_mask16(p); mask != 0) {
      return p + std::countr_zero(mask);
    }
  }
#else
  while (is_json_plain(*p)) {
    ++p;
  }
  return p;
#endif
}

/// The rest of a string whose plain run stopped at `at` (not at its closing quote): escapes,
/// UTF-8 sequences, or the end of the text. `start` is the string's first byte, [text, end)
/// the padded copy, `origin` the text it copies. When `decode`, `out` is set to the string's
/// value (a view of `origin` when it has no escapes, else of `scratch`). Returns the byte after the
/// closing quote, or nullptr when the string is invalid or unterminated.
const char* json_string_rest(const char* text, const char* end, const char* origin,
                             const char* start, const char* at, bool decode, std::string& scratch,
                             std::string_view& out);

/// A run of more than 18 digits [p, end): its value when it fits in int64, else -1.
std::int64_t json_long_count(const char* p, const char* end) noexcept;

/// The fraction and exponent of a number from p (at '.', 'e' or 'E'); returns the byte after
/// the number, or nullptr when they are malformed.
const char* json_number_tail(const char* p) noexcept;

/// Validates the number at p (RFC 8259 grammar); returns the byte after it, or nullptr. `count`
/// is its value when it is a non-negative integer that fits in int64, else -1.
inline const char* json_number(const char* p, std::int64_t& count) noexcept {
  const bool negative = *p == '-';
  p += negative ? 1 : 0;
  const char* const digits = p;
  std::uint64_t v = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
  if (v > 9) {
    return nullptr;
  }
  ++p;
  if (v != 0) {  // a leading 0 stands alone: a digit after it ends the number (and the text)
    for (std::uint64_t d; (d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0')) <= 9;
         ++p) {
      v = v * 10 + d;
    }
  }
  if (*p == '.' || *p == 'e' || *p == 'E') {
    count = -1;
    return json_number_tail(p);
  }
  if (negative) {
    count = -1;
  } else if (p - digits <= 18) {
    count = static_cast<std::int64_t>(v);
  } else {
    count = json_long_count(digits, p);
  }
  return p;
}

/// The first byte at or after p that is not JSON whitespace.
inline const char* json_skip_ws(const char* p) noexcept {
  while (static_cast<unsigned char>(*p) <= ' ' &&
         (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
    ++p;
  }
  return p;
}

/// `s` itself when it is a view of `text` (walk_json gives those for strings without escapes),
/// else `s` copied into `owned` and a view of that: for a value that must outlive the walk's next
/// escaped string (walk_json decodes all of those into one scratch string). Allocates only when
/// `owned` must grow.
inline std::string_view json_keep(std::string_view s, std::string_view text, std::string& owned) {
  const std::less_equal<const char*> at_or_before;  // a total order, unlike <= on pointers
  if (at_or_before(text.data(), s.data()) &&
      at_or_before(s.data() + s.size(), text.data() + text.size())) {
    return s;
  }
  owned.assign(s);
  return owned;
}

/// Walks the JSON document `text`, calling the visitor `v` for the values whose id is not 0:
///   int  V::key(int object_id, std::string_view key)   id of that member's value
///   int  V::element(int array_id, std::uint32_t index)  id of that element (index from 0)
///   int  V::open_object(int id) / V::open_array(int id) id under which its members/elements
///                                                       are looked up (0: none of them)
///   void V::string(int id, std::string_view value)     a view of `text` when the string has
///                                                       no escapes, else of `scratch`
///   void V::number(int id, std::int64_t count)         json_number's count
///   void V::literal(int id, char first)                't', 'f' or 'n'
/// The root value has id `root`. Returns whether `text` is exactly one valid JSON value
/// (surrounded by optional whitespace); the callbacks made before an error was found stand.
/// `scratch` holds decoded strings with escapes.
template <class V>
bool walk_json(std::string_view text, V& v, int root, std::string& scratch) {
  const char* const begin = json_padded_copy(text);
  const char* const end = begin + text.size();
  // A string of the copy at [from, to) as a view of `text` (the copy is byte for byte the same):
  // its address moved by the distance between the two (one addition).
  const std::uintptr_t shift =
      reinterpret_cast<std::uintptr_t>(text.data()) - reinterpret_cast<std::uintptr_t>(begin);
  const auto text_view = [shift](const char* from, const char* to) {
    return std::string_view(
        reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(from) + shift),
        static_cast<std::size_t>(to - from));
  };
  // The string whose first byte is `start`; p moves past it. False when it is invalid.
  const char* p = begin;
  const auto read_string = [&](const char* start, bool decode, std::string_view& out) {
    const char* const stop = json_skip_plain(start);
    if (*stop == '"') {
      p = stop + 1;
      out = text_view(start, stop);
      return true;
    }
    std::string_view rest;
    p = json_string_rest(begin, end, text.data(), start, stop, decode, scratch, rest);
    out = rest;
    return p != nullptr;
  };
  int ids[k_json_max_depth + 1];
  std::uint32_t index[k_json_max_depth + 1];
  std::uint64_t objects = 0;  // bit d-1: the container at depth d is an object
  bool in_object = false;     // the innermost container is an object (bit depth-1 of objects)
  int depth = 0;
  int id = root;
value:
  switch (k_json_start[static_cast<unsigned char>(*p)]) {
    case json_start::space:
      p = json_skip_ws(p);
      goto value;
    case json_start::object:
      if (depth == k_json_max_depth) {
        return false;
      }
      ++depth;
      objects |= std::uint64_t{1} << (depth - 1);
      in_object = true;
      ids[depth] = id != 0 ? v.open_object(id) : 0;
      p = json_skip_ws(p + 1);
      if (*p == '}') {
        ++p;
        goto close;
      }
      goto member;
    case json_start::array:
      if (depth == k_json_max_depth) {
        return false;
      }
      ++depth;
      objects &= ~(std::uint64_t{1} << (depth - 1));
      in_object = false;
      ids[depth] = id != 0 ? v.open_array(id) : 0;
      index[depth] = 0;
      p = json_skip_ws(p + 1);
      if (*p == ']') {
        ++p;
        goto close;
      }
      id = ids[depth] != 0 ? v.element(ids[depth], 0) : 0;
      goto value;
    case json_start::string: {
      std::string_view s;
      if (!read_string(p + 1, id != 0, s)) {
        return false;
      }
      if (id != 0) {
        v.string(id, s);
      }
      goto after_value;
    }
    case json_start::t:
    case json_start::n: {
      // Both literals are four bytes; the padding makes the load safe at the end.
      std::uint32_t word;
      std::memcpy(&word, p, 4);
      std::uint32_t want;
      std::memcpy(&want, *p == 't' ? "true" : "null", 4);
      if (word != want) {
        return false;
      }
      if (id != 0) {
        v.literal(id, *p);
      }
      p += 4;
      goto after_value;
    }
    case json_start::f:
      if (std::memcmp(p, "false", 5) != 0) {
        return false;
      }
      if (id != 0) {
        v.literal(id, 'f');
      }
      p += 5;
      goto after_value;
    case json_start::number: {
      std::int64_t count = -1;
      p = json_number(p, count);
      if (p == nullptr) {
        return false;
      }
      if (id != 0) {
        v.number(id, count);
      }
      goto after_value;
    }
    case json_start::invalid:
      return false;  // not a value (also the NUL at the end: a value is missing)
  }
  return false;
close:
  // The container at `depth` ended (its closing byte consumed).
  --depth;
  in_object = depth > 0 && ((objects >> (depth - 1)) & 1) != 0;
after_value:
  if (depth == 0) {
    p = json_skip_ws(p);
    return p == end;
  }
  if (static_cast<unsigned char>(*p) <= ' ') {
    p = json_skip_ws(p);
  }
  if (*p == ',') {
    ++p;
    if (in_object) {
      goto member;  // a '}' here (trailing comma) is not a key: rejected there
    }
    ++index[depth];
    id = ids[depth] != 0 ? v.element(ids[depth], index[depth]) : 0;
    goto value;  // a ']' here (trailing comma) is not a value: rejected there
  }
  if (*p != (in_object ? '}' : ']')) {
    return false;
  }
  ++p;
  goto close;
member:
  if (*p != '"') {
    p = json_skip_ws(p);
    if (*p != '"') {
      return false;
    }
  }
  {
    std::string_view key;
    if (!read_string(p + 1, ids[depth] != 0, key)) {
      return false;
    }
    if (*p != ':') {
      p = json_skip_ws(p);
      if (*p != ':') {
        return false;
      }
    }
    ++p;
    id = ids[depth] != 0 ? v.key(ids[depth], key) : 0;
  }
  goto value;
}

}  // namespace gb::protocol::detail
