#include "protocol/sse_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "alloc_counter.hpp"

namespace gb::protocol {
namespace {

struct ev {
  std::string event;
  std::string data;
  bool operator==(const ev&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ev& e) {
  return os << "{event='" << e.event << "' data='" << e.data << "'}";
}

// Feeds `pieces` in order, draining events after each feed. With `view`, each piece goes
// through feed_view() from a temporary buffer that is overwritten once drained, so a view the
// reader kept into it shows up as wrong events.
std::vector<ev> read_all(sse_reader& r, const std::vector<std::string_view>& pieces,
                         bool view = false) {
  std::vector<ev> out;
  sse_event e;
  for (std::string_view p : pieces) {
    std::string tmp(p);
    if (view) {
      r.feed_view(tmp);
    } else {
      r.feed(tmp);
    }
    sse_status st;
    while ((st = r.next(e)) == sse_status::event) {
      out.push_back({std::string(e.event), std::string(e.data)});
    }
    EXPECT_EQ(st, sse_status::need_more);
    std::fill(tmp.begin(), tmp.end(), '#');
  }
  return out;
}

struct sse_case {
  const char* name;
  std::string wire;
  std::vector<ev> events;
  bool truncated = false;  // bytes of an unfinished event remain at the end
};

std::vector<sse_case> sse_cases() {
  return {
      {"lf", "data: hello\n\n", {{"", "hello"}}},
      {"crlf", "data: hello\r\n\r\n", {{"", "hello"}}},
      {"cr", "data: hello\r\r", {{"", "hello"}}},
      {"mixed_endings", "data: a\r\n\ndata: b\r\rdata: c\n\r\n", {{"", "a"}, {"", "b"}, {"", "c"}}},
      {"no_space_after_colon", "data:x\n\n", {{"", "x"}}},
      {"only_one_space_removed", "data:  two\n\n", {{"", " two"}}},
      {"colon_in_value", "data: {\"a\":\"b:c\"}\n\n", {{"", "{\"a\":\"b:c\"}"}}},
      {"multi_line_data", "data: a\ndata: b\ndata:\ndata: c\n\n", {{"", "a\nb\n\nc"}}},
      {"event_field", "event: ping\ndata: {}\n\n", {{"ping", "{}"}}},
      {"event_field_not_carried_over",
       "event: one\ndata: 1\n\ndata: 2\n\n",
       {{"one", "1"}, {"", "2"}}},
      {"comments_ignored", ": keep-alive\n:\ndata: x\n: inside\n\n", {{"", "x"}}},
      {"unknown_fields_ignored", "id: 7\nretry: 10\nfoo: bar\ndata: x\n\n", {{"", "x"}}},
      {"field_without_colon", "data\n\n", {{"", ""}}},
      {"event_without_data_not_dispatched", "event: x\n\ndata: y\n\n", {{"", "y"}}},
      {"blank_lines_only", "\n\n\r\n\r\r", {}},
      {"byte_order_mark",
       "\xEF\xBB\xBF"
       "data: x\n\n",
       {{"", "x"}}},
      {"bom_only_at_start", "data: \xEF\xBB\xBF\n\n", {{"", "\xEF\xBB\xBF"}}},
      {"openai_stream",
       "data: {\"choices\":[]}\n\ndata: [DONE]\n\n",
       {{"", "{\"choices\":[]}"}, {"", "[DONE]"}}},
      {"anthropic_stream",
       "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
       "event: ping\ndata: {\"type\": \"ping\"}\n\n"
       "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
       {{"message_start", "{\"type\":\"message_start\"}"},
        {"ping", "{\"type\": \"ping\"}"},
        {"message_stop", "{\"type\":\"message_stop\"}"}}},
      {"trailing_unfinished_event", "data: a\n\ndata: b\n", {{"", "a"}}, true},
      {"trailing_partial_line", "data: a\n\ndata: b", {{"", "a"}}, true},
      {"invalid_utf8_passed_through", "data: \xff\xfe\n\n", {{"", "\xff\xfe"}}},
      {"nul_byte_in_data", std::string("data: a\0b\n\n", 11), {{"", std::string("a\0b", 3)}}},
  };
}

class sse_table : public ::testing::TestWithParam<sse_case> {};

TEST_P(sse_table, WholeInput) {
  const sse_case& c = GetParam();
  for (const bool view : {false, true}) {
    sse_reader r;
    EXPECT_EQ(read_all(r, {c.wire}, view), c.events) << "view " << view;
    EXPECT_EQ(r.pending_bytes() != 0, c.truncated) << "view " << view;
    EXPECT_EQ(r.truncated(), c.truncated) << "view " << view;
  }
}

TEST_P(sse_table, EverySplitPoint) {
  const sse_case& c = GetParam();
  const std::string_view w = c.wire;
  for (const bool view : {false, true}) {
    for (std::size_t i = 0; i <= w.size(); ++i) {
      sse_reader r;
      EXPECT_EQ(read_all(r, {w.substr(0, i), w.substr(i)}, view), c.events)
          << "split at " << i << " view " << view;
      EXPECT_EQ(r.pending_bytes() != 0, c.truncated) << "split at " << i << " view " << view;
    }
  }
}

TEST_P(sse_table, EveryPairOfSplitPoints) {
  const sse_case& c = GetParam();
  const std::string_view w = c.wire;
  for (const bool view : {false, true}) {
    for (std::size_t i = 0; i <= w.size(); ++i) {
      for (std::size_t j = i; j <= w.size(); ++j) {
        sse_reader r;
        EXPECT_EQ(read_all(r, {w.substr(0, i), w.substr(i, j - i), w.substr(j)}, view), c.events)
            << "splits at " << i << "," << j << " view " << view;
      }
    }
  }
}

TEST_P(sse_table, OneByteAtATime) {
  const sse_case& c = GetParam();
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < c.wire.size(); ++i) {
    pieces.push_back(std::string_view(c.wire).substr(i, 1));
  }
  for (const bool view : {false, true}) {
    sse_reader r;
    EXPECT_EQ(read_all(r, pieces, view), c.events) << "view " << view;
  }
}

TEST(sse_reader, FeedAndFeedViewMixKeepTheOrder) {
  // A copied feed, then views, then a copy again, splitting events anywhere.
  const std::string w = "event: a\ndata: 1\ndata: 2\n\ndata: 3\n\n: c\ndata: 4\n\n";
  for (std::size_t i = 0; i <= w.size(); ++i) {
    for (std::size_t j = i; j <= w.size(); ++j) {
      sse_reader r;
      std::vector<ev> got;
      sse_event e;
      std::string pieces[3] = {w.substr(0, i), w.substr(i, j - i), w.substr(j)};
      for (int k = 0; k < 3; ++k) {
        if (k == 1) {
          r.feed_view(pieces[k]);
        } else {
          r.feed(pieces[k]);
        }
        while (r.next(e) == sse_status::event) {
          got.push_back({std::string(e.event), std::string(e.data)});
        }
        std::fill(pieces[k].begin(), pieces[k].end(), '#');
      }
      EXPECT_EQ(got, (std::vector<ev>{{"a", "1\n2"}, {"", "3"}, {"", "4"}}))
          << "splits at " << i << "," << j;
      EXPECT_EQ(r.pending_bytes(), 0u);
    }
  }
}

TEST(sse_reader, FeedViewOfWholeEventsNeverAllocates) {
  // What keeps idle streams small: events that arrive whole are parsed in place, so a fresh
  // reader holds no buffer at all.
  const std::string one =
      "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a "
      "longer token text\"}}]}\n\n";
  const std::string two =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0}\n\n";
  test::count_allocations counter;
  sse_reader r;
  sse_event e;
  int events = 0;
  for (int i = 0; i < 100; ++i) {
    r.feed_view(i % 2 == 0 ? one : two);
    while (r.next(e) == sse_status::event) {
      ++events;
    }
  }
  EXPECT_EQ(events, 100);
  EXPECT_EQ(counter.count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(cases, sse_table, ::testing::ValuesIn(sse_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(sse_reader, CrAtEndOfFeedThenLfIsOneLineEnd) {
  sse_reader r;
  // "\r" ends a line; the "\n" arriving next belongs to it, not a second (dispatching) line.
  EXPECT_EQ(read_all(r, {"data: a\r", "\ndata: b\r", "\n\r", "\n"}),
            (std::vector<ev>{{"", "a\nb"}}));
}

TEST(sse_reader, EventTooLargeIsStickyUntilReset) {
  sse_reader r(64);
  sse_event e;
  r.feed("data: " + std::string(100, 'x') + "\n\n");
  EXPECT_EQ(r.next(e), sse_status::too_large);
  r.feed("data: ok\n\n");
  EXPECT_EQ(r.next(e), sse_status::too_large);
  r.reset();
  r.feed("data: ok\n\n");
  ASSERT_EQ(r.next(e), sse_status::event);
  EXPECT_EQ(e.data, "ok");
}

TEST(sse_reader, TooLargeWithoutLineEnd) {
  sse_reader r(64);
  sse_event e;
  r.feed(std::string(64 + 64, 'x'));  // the limit plus the allowance for a field name
  EXPECT_EQ(r.next(e), sse_status::need_more);
  r.feed("x");
  EXPECT_EQ(r.next(e), sse_status::too_large);
}

TEST(sse_reader, TooLargeAcrossManyDataLines) {
  sse_reader r(64);
  sse_event e;
  for (int i = 0; i < 20; ++i) {
    r.feed("data: 0123456789\n");
  }
  EXPECT_EQ(r.next(e), sse_status::too_large);
}

TEST(sse_reader, EventAtTheLimitIsAccepted) {
  sse_reader r(10);
  sse_event e;
  r.feed("data: 0123456789\n\n");
  ASSERT_EQ(r.next(e), sse_status::event);
  EXPECT_EQ(e.data.size(), 10u);
}

TEST(sse_reader, ManyCommentsDoNotCountTowardsTheLimit) {
  sse_reader r(32);
  sse_event e;
  for (int i = 0; i < 100; ++i) {
    r.feed(": keep-alive ping\n");
    EXPECT_EQ(r.next(e), sse_status::need_more);
  }
  r.feed("data: x\n\n");
  EXPECT_EQ(r.next(e), sse_status::event);
}

TEST(sse_reader, ResetForgetsPartialEvent) {
  sse_reader r;
  sse_event e;
  r.feed("event: x\ndata: partial");
  EXPECT_EQ(r.next(e), sse_status::need_more);
  EXPECT_GT(r.pending_bytes(), 0u);
  r.reset();
  EXPECT_EQ(r.pending_bytes(), 0u);
  r.feed("data: y\n\n");
  ASSERT_EQ(r.next(e), sse_status::event);
  EXPECT_EQ(e.event, "");
  EXPECT_EQ(e.data, "y");
}

TEST(sse_reader, NoAllocationPerEventOnceWarm) {
  const std::string one =
      "data: "
      "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok\"}}]}\n\n";
  const std::string two = "event: content_block_delta\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n";
  sse_reader r;
  sse_event e;
  auto pump = [&](int n) {
    int events = 0;
    for (int i = 0; i < n; ++i) {
      const std::string& w = (i % 2 == 0) ? one : two;
      r.feed(std::string_view(w).substr(0, 17));  // split mid-event, like TCP reads do
      while (r.next(e) == sse_status::event) {
        ++events;
      }
      r.feed(std::string_view(w).substr(17));
      while (r.next(e) == sse_status::event) {
        ++events;
      }
    }
    return events;
  };
  EXPECT_EQ(pump(10), 10);
  test::count_allocations counter;
  EXPECT_EQ(pump(1000), 1000);
  EXPECT_EQ(counter.count(), 0u);
}

}  // namespace
}  // namespace gb::protocol
