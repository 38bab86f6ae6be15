#include "protocol/http_response.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "alloc_counter.hpp"

namespace gb::protocol {
namespace {

struct http_outcome {
  bool complete = false;
  std::string error;  // error reason, empty when none
  int status = 0;
  int version_minor = -1;
  std::string body;
  bool keep_alive = false;
  int headers_events = 0;
  std::size_t leftover = 0;  // bytes after the response, unconsumed
  http_response_head head;
};

// Feeds `pieces` with the documented loop; calls on_eof() at the end when `eof`.
http_outcome run(http_response_parser& p, const std::vector<std::string_view>& pieces, bool eof) {
  http_outcome o;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    const std::string_view in = pieces[k];
    std::size_t used = 0;
    while (true) {
      std::size_t n = 0;
      std::string_view body;
      const http_parse_status st = p.parse(in.substr(used), n, body);
      EXPECT_LE(n, in.size() - used);
      used += n;
      if (st == http_parse_status::need_more) {
        EXPECT_EQ(used, in.size());
        break;
      }
      if (st == http_parse_status::headers_complete) {
        ++o.headers_events;
        o.status = p.head().status;
        o.version_minor = p.head().version_minor;
      } else if (st == http_parse_status::body_data) {
        o.body.append(body);
      } else if (st == http_parse_status::message_complete) {
        o.complete = true;
        o.keep_alive = p.keep_alive();
        o.head = p.head();
        o.leftover = in.size() - used;
        for (std::size_t r = k + 1; r < pieces.size(); ++r) {
          o.leftover += pieces[r].size();
        }
        return o;
      } else {
        o.error = p.error_reason();
        return o;
      }
    }
  }
  if (eof) {
    const http_parse_status st = p.on_eof();
    if (st == http_parse_status::message_complete) {
      o.complete = true;
      o.keep_alive = p.keep_alive();
      o.head = p.head();
    } else {
      EXPECT_EQ(st, http_parse_status::error);
      o.error = p.error_reason();
    }
  }
  return o;
}

struct http_case {
  const char* name;
  std::string wire;
  bool eof;  // the peer closes after `wire`
  int status;
  std::string body;
  bool keep_alive;
  std::string error = {};  // expected error reason ("" = completes)
  std::size_t leftover = 0;
};

std::vector<http_case> http_cases() {
  const std::string sse_chunked =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
      "d\r\ndata: hello\n\n\r\n"
      "e\r\ndata: [DONE]\n\n\r\n"
      "0\r\n\r\n";
  return {
      {"content_length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, "hello",
       true},
      {"content_length_zero", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, 200, "", true},
      {"content_length_list_same", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab", false, 200,
       "ab", true},
      {"no_reason_phrase", "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", false, 200, "x", true},
      {"bare_lf_lines", "HTTP/1.1 200 OK\nContent-Length: 1\n\nx", false, 200, "x", true},
      {"sse_chunked", sse_chunked, false, 200, "data: hello\n\ndata: [DONE]\n\n", true},
      {"chunk_extensions_and_trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3;name=value\r\nabc\r\n"
       "2 ; x=\"y\"\r\nde\r\n"
       "0;last\r\nX-Trailer: 1\r\nOther: 2\r\n\r\n",
       false, 200, "abcde", true},
      {"chunk_size_upper_hex_leading_zeros",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00A\r\n0123456789\r\n0\r\n\r\n", false,
       200, "0123456789", true},
      {"transfer_encoding_case_and_list",
       "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, CHUNKED\r\n\r\n1\r\nz\r\n0\r\n\r\n", false, 200,
       "z", true},
      {"chunked_wins_over_content_length",
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
       "chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
       false, 200, "z", false},
      {"body_until_close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true,
       200, "until the end", false},
      {"non_chunked_transfer_encoding_reads_until_close",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nraw", true, 200, "raw", false},
      {"connection_close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
       false, 200, "ok", false},
      {"connection_close_mixed_case",
       "HTTP/1.1 200 OK\r\nCONNECTION: Upgrade, Close\r\nContent-Length: 2\r\n\r\nok", false, 200,
       "ok", false},
      {"http10_default_close", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200, "ok",
       false},
      {"http10_keep_alive",
       "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false, 200, "ok",
       true},
      {"http10_until_close", "HTTP/1.0 200 OK\r\n\r\nbody", true, 200, "body", false},
      {"continue_skipped",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false, 200,
       "x", true},
      {"two_interim_responses",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
       false, 201, "", true},
      {"no_content_has_no_body", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", false,
       204, "", true},
      {"not_modified_has_no_body", "HTTP/1.1 304 Not Modified\r\n\r\n", false, 304, "", true},
      {"error_status_with_json",
       "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n"
       "Content-Length: 2\r\n\r\n{}",
       false, 429, "{}", true},
      {"leading_empty_line", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false, 200, "x",
       true},
      {"folded_header_ignored",
       "HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 1\r\n\r\nx", false, 200, "x",
       true},
      {"extra_bytes_after_response", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxJUNK", false,
       200, "x", true, "", 4},
      // Malformed or truncated
      {"bad_status_line", "HTTP/2 200 OK\r\n\r\n", false, 0, "", false, "bad_status_line"},
      {"bad_status_code", "HTTP/1.1 2x0 OK\r\n\r\n", false, 0, "", false, "bad_status_line"},
      {"status_too_small", "HTTP/1.1 099 X\r\n\r\n", false, 0, "", false, "bad_status_line"},
      {"status_four_digits", "HTTP/1.1 2000 OK\r\n\r\n", false, 0, "", false, "bad_status_line"},
      {"not_http", "SSH-2.0-OpenSSH\r\n\r\n", false, 0, "", false, "bad_status_line"},
      {"header_without_colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", false, 0, "", false,
       "bad_header"},
      {"space_before_colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", false, 0, "", false,
       "bad_header"},
      {"bad_content_length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, 0, "", false,
       "bad_content_length"},
      {"conflicting_content_lengths",
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", false, 0, "", false,
       "bad_content_length"},
      {"content_length_list_differs", "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx", false, 0,
       "", false, "bad_content_length"},
      {"content_length_overflow",
       "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false, 0, "", false,
       "bad_content_length"},
      {"bad_chunk_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, 200,
       "", false, "bad_chunk_size"},
      {"empty_chunk_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", false, 200,
       "", false, "bad_chunk_size"},
      {"chunk_size_overflow",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", false, 200, "",
       false, "bad_chunk_size"},
      {"chunk_missing_crlf",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", false, 200, "x",
       false, "bad_chunk_terminator"},
      {"chunk_larger_than_data_then_eof",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nonly a little", true, 200,
       "only a little", false, "truncated_body"},
      {"chunked_eof_before_last_chunk",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n", true, 200, "x", false,
       "truncated_body"},
      {"chunked_eof_in_trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n", true, 200, "", false,
       "truncated_body"},
      {"content_length_short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, 200, "abc",
       false, "truncated_body"},
      {"eof_in_headers", "HTTP/1.1 200 OK\r\nContent-Le", true, 0, "", false, "truncated_headers"},
      {"eof_in_status_line", "HTTP/1.1 2", true, 0, "", false, "truncated_headers"},
      {"eof_before_any_byte", "", true, 0, "", false, "closed_before_response"},
      {"switching_protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", false, 0,
       "", false, "unexpected_upgrade"},
  };
}

class http_table : public ::testing::TestWithParam<http_case> {};

void check(const http_case& c, const http_outcome& o, const std::string& where) {
  EXPECT_EQ(o.error, c.error) << where;
  EXPECT_EQ(o.complete, c.error.empty()) << where;
  EXPECT_EQ(o.body, c.body) << where;
  if (c.error.empty()) {
    EXPECT_EQ(o.status, c.status) << where;
    EXPECT_EQ(o.headers_events, 1) << where;
    EXPECT_EQ(o.keep_alive, c.keep_alive) << where;
    EXPECT_EQ(o.leftover, c.leftover) << where;
  }
}

TEST_P(http_table, WholeInput) {
  const http_case& c = GetParam();
  http_response_parser p;
  check(c, run(p, {c.wire}, c.eof), "whole");
}

TEST_P(http_table, EverySplitPoint) {
  const http_case& c = GetParam();
  const std::string_view w = c.wire;
  for (std::size_t i = 0; i <= w.size(); ++i) {
    http_response_parser p;
    check(c, run(p, {w.substr(0, i), w.substr(i)}, c.eof), "split at " + std::to_string(i));
  }
}

TEST_P(http_table, OneByteAtATime) {
  const http_case& c = GetParam();
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < c.wire.size(); ++i) {
    pieces.push_back(std::string_view(c.wire).substr(i, 1));
  }
  http_response_parser p;
  check(c, run(p, pieces, c.eof), "bytewise");
}

INSTANTIATE_TEST_SUITE_P(cases, http_table, ::testing::ValuesIn(http_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(http_response_parser, SelectedHeaders) {
  http_response_parser p;
  p.set_split_header("X-Gateway-Arm");
  const std::string wire =
      "HTTP/1.1 429 Too Many Requests\r\ncontent-type:application/json\r\n"
      "Retry-After:  3 \r\nx-request-id: req_1\r\nX-GATEWAY-ARM: b\r\nContent-Length: 0\r\n\r\n";
  const http_outcome o = run(p, {wire}, false);
  ASSERT_TRUE(o.complete);
  EXPECT_EQ(o.head.status, 429);
  EXPECT_EQ(o.head.content_type, "application/json");
  EXPECT_EQ(o.head.retry_after, "3");
  EXPECT_EQ(o.head.request_id, "req_1");
  EXPECT_EQ(o.head.split_value, "b");
  EXPECT_EQ(o.head.content_length, 0);
  EXPECT_FALSE(o.head.chunked);
}

void expect_same_head(const http_response_head& a, const http_response_head& b,
                      const std::string& where) {
  EXPECT_EQ(a.status, b.status) << where;
  EXPECT_EQ(a.version_minor, b.version_minor) << where;
  EXPECT_EQ(a.content_type, b.content_type) << where;
  EXPECT_EQ(a.content_length, b.content_length) << where;
  EXPECT_EQ(a.chunked, b.chunked) << where;
  EXPECT_EQ(a.connection_close, b.connection_close) << where;
  EXPECT_EQ(a.retry_after, b.retry_after) << where;
  EXPECT_EQ(a.request_id, b.request_id) << where;
  EXPECT_EQ(a.split_value, b.split_value) << where;
}

// `o` (the response fed in pieces) ends exactly as `whole` (fed in one read) did.
void expect_same_outcome(const http_outcome& o, const http_outcome& whole,
                         const std::string& where) {
  EXPECT_EQ(o.complete, whole.complete) << where;
  EXPECT_EQ(o.error, whole.error) << where;
  EXPECT_EQ(o.body, whole.body) << where;
  EXPECT_EQ(o.keep_alive, whole.keep_alive) << where;
  EXPECT_EQ(o.leftover, whole.leftover) << where;
  EXPECT_EQ(o.headers_events, whole.headers_events) << where;
  expect_same_head(o.head, whole.head, where);
}

// Realistic heads (what nginx, vLLM, OpenAI and gateways send): every field of head(), the body,
// keep-alive and the bytes left over are the same for one read, for two reads split at every
// offset, for three reads split at every pair of offsets near the line ends, and byte by byte.
// (Whole heads are parsed in place, lines split across reads through the carried line: the two
// must agree exactly.)
TEST(http_response_parser, HeadFieldsAreTheSameAtEverySplit) {
  const std::vector<std::string> wires = {
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 14:09:49 GMT\r\n"
      "Content-Type: application/json\r\nContent-Length: 17\r\nConnection: keep-alive\r\n\r\n"
      "{\"id\":\"chatcmpl\"}",
      "HTTP/1.1 200 OK\r\ndate: Sun, 22 Nov 2026 08:00:00 GMT\r\n"
      "content-type: text/event-stream; charset=utf-8\r\ntransfer-encoding: chunked\r\n"
      "connection: keep-alive\r\ncache-control: no-cache\r\nx-request-id: req_0123456789\r\n"
      "x-gateway-arm:\tb \t\r\nx-ratelimit-remaining-requests: 9999\r\n\r\n"
      "d\r\ndata: hello\n\n\r\n0\r\n\r\n",
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nrequest-id: req_x\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
      "HTTP/1.0 200 OK\nConnection: Keep-Alive\nContent-Length: 3\nX-Gateway-Arm: a\n\nabc",
      "HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\nHTTP/1.1 201 Created\r\nX-Folded: a\r\n b\r\n"
      "CONTENT-LENGTH: 1\r\nTRANSFER-ENCODING: gzip, Chunked\r\n\r\n1\r\nz\r\n0\r\nT: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n",  // leftover bytes
  };
  for (const std::string& wire : wires) {
    const std::string_view w = wire;
    http_response_parser whole_parser;
    whole_parser.set_split_header("x-gateway-arm");
    const http_outcome whole = run(whole_parser, {w}, false);
    ASSERT_TRUE(whole.complete) << wire;
    ASSERT_EQ(whole.headers_events, 1) << wire;
    const auto same = [&](const std::vector<std::string_view>& pieces, const std::string& where) {
      http_response_parser p;
      p.set_split_header("X-Gateway-Arm");
      expect_same_outcome(run(p, pieces, false), whole, where);
    };
    for (std::size_t i = 0; i <= w.size(); ++i) {
      same({w.substr(0, i), w.substr(i)}, wire + " split at " + std::to_string(i));
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i] != '\n') {
        continue;
      }
      for (std::size_t j = i; j <= w.size(); ++j) {
        same({w.substr(0, i), w.substr(i, j - i), w.substr(j)},
             wire + " split at " + std::to_string(i) + "," + std::to_string(j));
      }
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < w.size(); ++i) {
      bytes.push_back(w.substr(i, 1));
    }
    same(bytes, wire + " bytewise");
  }
}

struct head_case {
  const char* name;
  std::string headers;  // header lines (CRLF-terminated) of an HTTP/1.0 200 response
  http_response_head want;
  bool keep_alive = false;  // HTTP/1.0: only with a keep-alive token
  std::string error = {};
};

// What each selected header yields (matching ignores ASCII case only: names and tokens of the
// same length that differ in any other byte are not taken for them).
std::vector<head_case> head_cases() {
  const auto head = [](auto&& set) {
    http_response_head h;
    h.status = 200;
    h.version_minor = 0;
    h.connection_close = true;
    h.content_length = 0;
    set(h);
    return h;
  };
  const auto none = [](http_response_head&) {};
  return {
      {"content_type_trimmed", "Content-Type: \t application/json \t \r\n",
       head([](auto& h) { h.content_type = "application/json"; })},
      {"content_type_any_case", "cONTENT-tYPE:text/plain\r\n",
       head([](auto& h) { h.content_type = "text/plain"; })},
      {"content_type_empty", "Content-Type:   \r\n", head(none)},
      {"same_length_other_name", "Content_Type: a\r\nContent-Typf: b\r\n", head(none)},
      {"x_request_id", "X-Request-Id: r1\r\n", head([](auto& h) { h.request_id = "r1"; })},
      {"request_id_last_wins", "request-id: r1\r\nx-request-id: r2\r\n",
       head([](auto& h) { h.request_id = "r2"; })},
      {"retry_after", "RETRY-AFTER: 120\r\n", head([](auto& h) { h.retry_after = "120"; })},
      {"split_header", "X-Gateway-Arm: b\r\n", head([](auto& h) { h.split_value = "b"; })},
      {"keep_alive_token", "Connection: KEEP-ALIVE\r\n",
       head([](auto& h) { h.connection_close = false; }), true},
      {"keep_alive_in_list", "Connection: Upgrade,keep-alive ,\r\n",
       head([](auto& h) { h.connection_close = false; }), true},
      {"keep_alive_lookalike", "Connection: keep\ralive\r\nConnection: keep_alive\r\n", head(none)},
      {"close_and_keep_alive", "Connection: keep-alive, close\r\n", head(none)},
      {"content_length_18_digits", "Content-Length: 000000000000000000\r\n", head(none)},
      {"content_length_19_digits", "Content-Length: 0000000000000000000\r\n", head(none), false,
       "bad_content_length"},
      {"content_length_empty", "Content-Length:\r\n", head(none), false, "bad_content_length"},
      {"content_length_sign", "Content-Length: +0\r\n", head(none), false, "bad_content_length"},
      {"content_length_inner_space", "Content-Length: 0 0\r\n", head(none), false,
       "bad_content_length"},
      {"content_length_list", "Content-Length: 0,0 , 0\r\n", head(none)},
      {"rare_tchars_in_name", "X!#$%&'*+.^_`|~09: v\r\n", head(none)},
      {"non_tchar_in_name", "X\x80Y: v\r\n", head(none), false, "bad_header"},
      {"slash_in_name", "Content/Type: v\r\n", head(none), false, "bad_header"},
      {"empty_name", ": v\r\n", head(none), false, "bad_header"},
      {"cr_in_name", "X\rY: v\r\n", head(none), false, "bad_header"},
      {"no_colon_name_to_end", "XYZ\r\n", head(none), false, "bad_header"},
      {"obs_fold_ignored", "X-A: 1\r\n\tContent-Type: folded\r\n", head(none)},
  };
}

TEST(http_response_parser, SelectedHeaderValues) {
  for (const head_case& c : head_cases()) {
    const std::string wire = "HTTP/1.0 200 OK\r\n" + c.headers + "Content-Length: 0\r\n\r\n";
    const std::string_view w = wire;
    for (std::size_t i = 0; i <= w.size(); ++i) {
      http_response_parser p;
      p.set_split_header("x-gateway-arm");
      const http_outcome o = run(p, {w.substr(0, i), w.substr(i)}, false);
      const std::string where = std::string(c.name) + " split at " + std::to_string(i);
      EXPECT_EQ(o.error, c.error) << where;
      if (c.error.empty()) {
        EXPECT_EQ(o.keep_alive, c.keep_alive) << where;
        expect_same_head(o.head, c.want, where);
      }
    }
  }
}

// Header names are checked 16 bytes at a time while they are letters, digits and '-', and byte
// by byte otherwise: names of every length around those blocks, with the rarer tchars and with
// bytes that are not tchars at every kind of position, give the same verdict and the same
// fields however the head is split (and so whichever way it was parsed).
TEST(http_response_parser, HeaderNamesAroundTheBlockSize) {
  struct name_case {
    std::string line;
    bool ok;
  };
  std::vector<name_case> cases;
  for (std::size_t n = 1; n <= 50; ++n) {
    const std::string name(n, 'a');
    cases.push_back({name + ": v\r\n", true});
    cases.push_back({name + ":v\r\n", true});
    cases.push_back({name + ":\r\n", true});
    cases.push_back({name + "\n", false});            // no colon
    cases.push_back({name + " : v\r\n", false});      // space before the colon
    cases.push_back({name + "_x.y~: v\r\n", true});   // rarer tchars after n bytes
    cases.push_back({name + "\x80: v\r\n", false});   // not a tchar
    cases.push_back({name + "/x: v\r\n", false});     // a separator
    cases.push_back({name + "\rx: v\r\n", false});    // a CR inside the name
    cases.push_back({"_" + name + ": v\r\n", true});  // a rarer tchar first
    cases.push_back({name + "-" + name + ": a:b\r\n", true});
  }
  cases.push_back({": v\r\n", false});
  cases.push_back({":\r\n", false});
  for (const name_case& c : cases) {
    const std::string wire = "HTTP/1.1 200 OK\r\n" + c.line + "Content-Length: 1\r\n\r\nx";
    const std::string_view w = wire;
    for (std::size_t i = 0; i <= w.size(); ++i) {
      http_response_parser p;
      const http_outcome o = run(p, {w.substr(0, i), w.substr(i)}, false);
      const std::string where = c.line + " split at " + std::to_string(i);
      EXPECT_EQ(o.complete, c.ok) << where;
      EXPECT_EQ(o.error, c.ok ? "" : "bad_header") << where;
      if (c.ok) {
        EXPECT_EQ(o.body, "x") << where;
      }
    }
  }
}

// Selected headers among many others, with every kind of whitespace and line end, a split header
// whose name is longer than a block: random heads give the same fields, keep-alive and body in
// one read, split at every offset and byte by byte.
TEST(http_response_parser, RandomHeadsAreTheSameAtEverySplit) {
  const std::vector<std::string> names = {
      "Content-Length",
      "content-type",
      "CONNECTION",
      "Transfer-Encoding",
      "x-request-id",
      "request-id",
      "Retry-After",
      "Server",
      "Date",
      "X-Long-Split-Header-Name-Here",
      "x-ratelimit-remaining-requests",
      "Cache-Control",
      "Content-Typf",
      "Content_Length",
      "x-a",
      "Access-Control-Allow-Origin-And-More-Bytes-Than-Two-Blocks"};
  const std::vector<std::string> values = {"0",
                                           "12",
                                           " 12 ",
                                           "\t7",
                                           "12, 12",
                                           "application/json",
                                           "text/event-stream; charset=utf-8",
                                           "keep-alive",
                                           "close",
                                           "Keep-Alive, Upgrade",
                                           "chunked",
                                           "gzip, chunked",
                                           "",
                                           "  ",
                                           "a:b:c",
                                           "x\ry"};
  std::uint64_t seed = 12345;
  const auto next = [&seed](std::size_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::size_t>((seed >> 33) % n);
  };
  for (int round = 0; round < 300; ++round) {
    const bool crlf = next(4) != 0;
    const std::string eol = crlf ? "\r\n" : "\n";
    std::string wire = std::string(next(3) == 0 ? "HTTP/1.0 " : "HTTP/1.1 ") +
                       (next(5) == 0 ? "404 Not Found" : "200 OK") + eol;
    const std::size_t n = next(10);
    for (std::size_t k = 0; k < n; ++k) {
      wire += names[next(names.size())] + ":" + (next(2) == 0 ? " " : "") +
              values[next(values.size())] + eol;
    }
    wire += eol + "0123456789";
    const std::string_view w = wire;
    http_response_parser whole_parser;
    whole_parser.set_split_header("x-long-split-header-name-here");
    const http_outcome whole = run(whole_parser, {w}, true);
    const auto same = [&](const std::vector<std::string_view>& pieces, const std::string& where) {
      http_response_parser p;
      p.set_split_header("X-Long-Split-Header-Name-Here");
      expect_same_outcome(run(p, pieces, true), whole, where);
    };
    for (std::size_t i = 0; i <= w.size(); ++i) {
      same({w.substr(0, i), w.substr(i)}, wire + " split at " + std::to_string(i));
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < w.size(); ++i) {
      bytes.push_back(w.substr(i, 1));
    }
    same(bytes, wire + " bytewise");
  }
}

TEST(http_response_parser, HeaderLimitAtEveryValue) {
  // Whatever the limit and the split, the head passes exactly when it fits.
  const std::string head =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sun, 22 Nov 2026 14:09:49 GMT\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n";
  const std::string wire = head + "{}";
  const std::string_view w = wire;
  for (std::size_t limit = 1; limit <= head.size() + 1; ++limit) {
    for (std::size_t i = 0; i <= w.size(); i += 7) {
      http_response_parser p(limit);
      const http_outcome o = run(p, {w.substr(0, i), w.substr(i)}, false);
      const std::string where = "limit " + std::to_string(limit) + " split " + std::to_string(i);
      if (limit >= head.size()) {
        EXPECT_TRUE(o.complete) << where;
        EXPECT_EQ(o.body, "{}") << where;
      } else {
        EXPECT_EQ(o.error, "headers_too_large") << where;
      }
    }
  }
}

TEST(http_response_parser, NoAllocationPerHeadOnceWarm) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 14:09:49 GMT\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n"
      "x-request-id: req_0123456789abcdef0123456789\r\nx-arm: b\r\n\r\n{}";
  http_response_parser p;
  p.set_split_header("x-arm");
  // One response in the given reads; the number of body bytes (no copy of anything).
  const auto feed = [&](std::string_view a, std::string_view b) {
    p.reset();
    std::size_t body_bytes = 0;
    for (const std::string_view in : {a, b}) {
      std::size_t used = 0;
      std::size_t n = 0;
      std::string_view body;
      http_parse_status st;
      while ((st = p.parse(in.substr(used), n, body)) != http_parse_status::need_more) {
        used += n;
        EXPECT_NE(st, http_parse_status::error);
        body_bytes += body.size();
        if (st == http_parse_status::message_complete) {
          return body_bytes;
        }
      }
    }
    return body_bytes;
  };
  const std::string_view w = wire;
  for (int i = 0; i < 3; ++i) {
    feed(w.substr(0, 50), w.substr(50));  // a line split across reads: warms line_ too
    feed(w, {});
  }
  test::count_allocations counter;
  std::size_t bytes = 0;
  for (int i = 0; i < 100; ++i) {
    bytes += feed(w, {});
    bytes += feed(w.substr(0, 50), w.substr(50));
  }
  EXPECT_EQ(counter.count(), 0u);
  EXPECT_EQ(bytes, 200u * 2);
  EXPECT_EQ(p.head().content_type, "application/json");
  EXPECT_EQ(p.head().request_id, "req_0123456789abcdef0123456789");
  EXPECT_EQ(p.head().split_value, "b");
}

TEST(http_response_parser, AnthropicRequestIdHeader) {
  http_response_parser p;
  const http_outcome o =
      run(p, {"HTTP/1.1 200 OK\r\nrequest-id: req_abc\r\nContent-Length: 0\r\n\r\n"}, false);
  EXPECT_EQ(o.head.request_id, "req_abc");
}

TEST(http_response_parser, HeadersTooLarge) {
  http_response_parser p(128);
  std::string wire = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 10; ++i) {
    wire += "X-Pad: 0123456789\r\n";
  }
  wire += "\r\n";
  EXPECT_EQ(run(p, {wire}, false).error, "headers_too_large");
}

TEST(http_response_parser, HeaderLimitIsTheSameAtEverySplit) {
  // A header block of exactly the limit passes however it is split; one byte more fails.
  const std::string wire = "HTTP/1.1 200 OK\r\nX-Pad: abcdefgh\r\nContent-Length: 0\r\n\r\n";
  for (std::size_t limit : {wire.size(), wire.size() - 1}) {
    for (std::size_t i = 0; i <= wire.size(); ++i) {
      http_response_parser p(limit);
      const std::string_view w = wire;
      const http_outcome o = run(p, {w.substr(0, i), w.substr(i)}, false);
      EXPECT_EQ(o.complete, limit == wire.size()) << "limit " << limit << " split " << i;
    }
  }
}

TEST(http_response_parser, EndlessHeaderLineIsBounded) {
  http_response_parser p(1024);
  const std::string junk(100, 'a');
  std::size_t n = 0;
  std::string_view body;
  http_parse_status st = p.parse("HTTP/1.1 200 OK\r\nX: ", n, body);
  for (int i = 0; i < 20 && st == http_parse_status::need_more; ++i) {
    st = p.parse(junk, n, body);
  }
  EXPECT_EQ(st, http_parse_status::error);
  EXPECT_STREQ(p.error_reason(), "headers_too_large");
}

TEST(http_response_parser, EndlessInterimResponsesAreBounded) {
  http_response_parser p(1024);
  std::size_t n = 0;
  std::string_view body;
  http_parse_status st = http_parse_status::need_more;
  for (int i = 0; i < 100 && st == http_parse_status::need_more; ++i) {
    st = p.parse("HTTP/1.1 100 Continue\r\n\r\n", n, body);
  }
  EXPECT_EQ(st, http_parse_status::error);
  EXPECT_STREQ(p.error_reason(), "headers_too_large");
}

TEST(http_response_parser, ChunkSizeLineIsBounded) {
  http_response_parser p;
  std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(10000, 'e') + "\r\n";
  EXPECT_EQ(run(p, {wire}, false).error, "bad_chunk_size");
}

TEST(http_response_parser, KeepAliveReuseAfterReset) {
  http_response_parser p;
  p.set_split_header("x-arm");
  const std::string a =
      "HTTP/1.1 200 OK\r\nx-arm: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
  const std::string b = "HTTP/1.1 503 Unavailable\r\nx-arm: b\r\nContent-Length: 3\r\n\r\nbye";
  for (int round = 0; round < 3; ++round) {
    http_outcome o = run(p, {a}, false);
    ASSERT_TRUE(o.complete);
    EXPECT_EQ(o.body, "hi");
    EXPECT_TRUE(o.keep_alive);
    EXPECT_EQ(o.head.split_value, "a");
    p.reset();
    o = run(p, {b}, false);
    ASSERT_TRUE(o.complete);
    EXPECT_EQ(o.status, 503);
    EXPECT_EQ(o.body, "bye");
    EXPECT_EQ(o.head.split_value, "b");
    EXPECT_FALSE(o.head.chunked);
    p.reset();
  }
}

TEST(http_response_parser, ParseAfterCompleteAndEofAfterComplete) {
  http_response_parser p;
  const http_outcome o = run(p, {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}, false);
  ASSERT_TRUE(o.complete);
  std::size_t n = 9;
  std::string_view body;
  EXPECT_EQ(p.parse("", n, body), http_parse_status::need_more);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(p.on_eof(), http_parse_status::message_complete);
  EXPECT_EQ(p.parse("x", n, body), http_parse_status::error);
  EXPECT_STREQ(p.error_reason(), "data_after_response");
}

TEST(http_response_parser, NoAllocationPerChunkOnceWarm) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk = "1c\r\ndata: {\"choices\":[\"tok\"]}\n\n\r\n";
  http_response_parser p;
  std::size_t n = 0;
  std::string_view body;
  auto feed = [&](std::string_view in) {
    std::size_t used = 0;
    std::size_t bytes = 0;
    http_parse_status st;
    while ((st = p.parse(in.substr(used), n, body)) != http_parse_status::need_more) {
      used += n;
      EXPECT_NE(st, http_parse_status::error);
      bytes += body.size();
    }
    return bytes;
  };
  feed(head);
  for (int i = 0; i < 10; ++i) {
    feed(std::string_view(chunk).substr(0, 3));  // the size line split across reads
    feed(std::string_view(chunk).substr(3));
  }
  test::count_allocations counter;
  std::size_t bytes = 0;
  for (int i = 0; i < 1000; ++i) {
    bytes += feed(std::string_view(chunk).substr(0, 3));
    bytes += feed(std::string_view(chunk).substr(3));
  }
  EXPECT_EQ(bytes, 1000u * 0x1c);
  EXPECT_EQ(counter.count(), 0u);
}

}  // namespace
}  // namespace gb::protocol
