#include "plan.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "text_model.hpp"
#include "util/units.hpp"

namespace gb::mock {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) {
      return false;
    }
  }
  return true;
}

result<std::int64_t> header_int(std::string_view name, std::string_view v, std::int64_t min,
                                std::int64_t max) {
  std::int64_t x = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc{} || r.ptr != v.data() + v.size() || x < min || x > max) {
    return fail(std::string(name), ": '", std::string(v), "' is not a whole number in [",
                std::to_string(min), ", ", std::to_string(max), "]");
  }
  return x;
}

result<double> header_ms(std::string_view name, std::string_view v) {
  double x = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc{} || r.ptr != v.data() + v.size() || !(x >= 0) || x > 86'400'000) {
    return fail(std::string(name), ": '", std::string(v), "' is not a number of milliseconds >= 0");
  }
  return x;
}

}  // namespace

bool take_mock_header(mock_headers& h, std::string_view name, std::string_view value) noexcept {
  if (name.size() < 8 || !iequals(name.substr(0, 7), "x-mock-")) {
    return false;
  }
  const auto k = name.substr(7);
  struct entry {
    std::string_view key;
    std::string_view mock_headers::*field;
  };
  static constexpr entry table[] = {
      {"ttft", &mock_headers::ttft},
      {"itl", &mock_headers::itl},
      {"ttft-ms", &mock_headers::ttft_ms},
      {"itl-ms", &mock_headers::itl_ms},
      {"output-tokens", &mock_headers::output_tokens},
      {"tokens-per-event", &mock_headers::tokens_per_event},
      {"fault", &mock_headers::fault},
      {"fault-after", &mock_headers::fault_after},
      {"stall-ms", &mock_headers::stall_ms},
      {"stall-then", &mock_headers::stall_then},
      {"header-delay-ms", &mock_headers::header_delay_ms},
      {"retry-after-ms", &mock_headers::retry_after_ms},
      {"seed", &mock_headers::seed},
      {"reasoning-tokens", &mock_headers::reasoning_tokens},
      {"tool-call", &mock_headers::tool_call},
  };
  for (const auto& e : table) {
    if (iequals(k, e.key)) {
      h.*e.field = value;
      return true;
    }
  }
  return true;  // an unknown x-mock-* header is ignored
}

result<overrides> parse_overrides(const mock_headers& h) {
  overrides o;
  if (!h.ttft.empty()) {
    auto d = parse_distribution(h.ttft, dist_unit::duration_ns);
    if (!d) {
      return fail("x-mock-ttft: ", d.message());
    }
    o.ttft = *d;
  }
  if (!h.itl.empty()) {
    auto d = parse_distribution(h.itl, dist_unit::duration_ns);
    if (!d) {
      return fail("x-mock-itl: ", d.message());
    }
    o.itl = *d;
  }
  if (!h.ttft_ms.empty()) {
    auto v = header_ms("x-mock-ttft-ms", h.ttft_ms);
    if (!v) {
      return v.err();
    }
    o.ttft = distribution::fixed_value(std::round(*v * 1e6));
  }
  if (!h.itl_ms.empty()) {
    auto v = header_ms("x-mock-itl-ms", h.itl_ms);
    if (!v) {
      return v.err();
    }
    o.itl = distribution::fixed_value(std::round(*v * 1e6));
  }
  auto int_field = [&](std::string_view name, std::string_view v, std::int64_t min,
                       std::int64_t max, std::optional<std::int64_t>& out) -> status {
    if (v.empty()) {
      return {};
    }
    auto x = header_int(name, v, min, max);
    if (!x) {
      return x.err();
    }
    out = *x;
    return {};
  };
  auto ms_field = [&](std::string_view name, std::string_view v,
                      std::optional<std::int64_t>& out_ns) -> status {
    if (v.empty()) {
      return {};
    }
    auto x = header_ms(name, v);
    if (!x) {
      return x.err();
    }
    out_ns = static_cast<std::int64_t>(std::llround(*x * 1e6));
    return {};
  };
  if (auto s = int_field("x-mock-output-tokens", h.output_tokens, 1, 10'000'000, o.output_tokens);
      !s) {
    return fail(s.message());
  }
  if (auto s =
          int_field("x-mock-tokens-per-event", h.tokens_per_event, 1, 10'000, o.tokens_per_event);
      !s) {
    return fail(s.message());
  }
  if (auto s = int_field("x-mock-fault-after", h.fault_after, 0, 1'000'000'000, o.fault_after);
      !s) {
    return fail(s.message());
  }
  if (auto s = int_field("x-mock-reasoning-tokens", h.reasoning_tokens, 0, 10'000'000,
                         o.reasoning_tokens);
      !s) {
    return fail(s.message());
  }
  if (auto s = ms_field("x-mock-stall-ms", h.stall_ms, o.stall_ns); !s) {
    return fail(s.message());
  }
  if (auto s = ms_field("x-mock-header-delay-ms", h.header_delay_ms, o.header_delay_ns); !s) {
    return fail(s.message());
  }
  if (auto s =
          int_field("x-mock-retry-after-ms", h.retry_after_ms, 0, 86'400'000, o.retry_after_ms);
      !s) {
    return fail(s.message());
  }
  if (!h.fault.empty()) {
    auto k = parse_fault_kind(h.fault);
    if (!k) {
      return fail("x-mock-fault: unknown fault kind '", std::string(h.fault), "'");
    }
    o.fault = *k;
  }
  if (!h.stall_then.empty()) {
    if (h.stall_then != "continue" && h.stall_then != "close") {
      return fail("x-mock-stall-then: expected continue or close, got '", std::string(h.stall_then),
                  "'");
    }
    o.stall_close = h.stall_then == "close";
  }
  if (!h.seed.empty()) {
    auto s = header_int("x-mock-seed", h.seed, 0, INT64_MAX);
    if (!s) {
      return s.err();
    }
    o.seed = static_cast<std::uint64_t>(*s);
  }
  if (!h.tool_call.empty()) {
    if (h.tool_call == "1" || h.tool_call == "true") {
      o.tool_call = true;
    } else if (h.tool_call == "0" || h.tool_call == "false") {
      o.tool_call = false;
    } else {
      return fail("x-mock-tool-call: expected true or false, got '", std::string(h.tool_call), "'");
    }
  }
  return o;
}

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) noexcept {
  return (a + b - 1) / b;
}
}  // namespace

std::int64_t response_plan::events() const noexcept {
  return ceil_div(reasoning_tokens, tokens_per_event) + ceil_div(output_tokens, tokens_per_event);
}

response_plan::span response_plan::event_span(std::int64_t j) const noexcept {
  const std::int64_t re = ceil_div(reasoning_tokens, tokens_per_event);
  if (j < re) {
    const std::int64_t first = j * tokens_per_event;
    return {first, std::min(tokens_per_event, reasoning_tokens - first)};
  }
  const std::int64_t first = (j - re) * tokens_per_event;
  return {reasoning_tokens + first, std::min(tokens_per_event, output_tokens - first)};
}

response_plan make_plan(const mock_config& cfg, const gen_request& req, const overrides& ov,
                        std::string_view body, rng& draws) {
  response_plan p;
  p.key = request_key(body, ov.seed.value_or(cfg.seed));
  rng text_rng(p.key);
  const double natural_d = ov.output_tokens ? static_cast<double>(*ov.output_tokens)
                                            : cfg.output_tokens.sample(text_rng);
  const auto natural = static_cast<std::int64_t>(std::llround(natural_d));
  std::int64_t reasoning = 0;
  if (ov.reasoning_tokens) {
    reasoning = *ov.reasoning_tokens;
  } else if (req.reasoning) {
    reasoning = std::max<std::int64_t>(1, natural / 2);
  }
  const auto len = decide_length({std::max<std::int64_t>(1, natural) + reasoning, req.max_tokens,
                                  req.min_tokens, req.ignore_eos});
  // Bounded memory: a non-stream body is built whole, so it is capped (a stream is not: it is
  // written in bounded pieces and a client may ask for one that practically never ends).
  const std::int64_t cap = req.stream ? max_stream_tokens : max_body_tokens;
  const std::int64_t total = std::min(len.tokens, cap);
  p.reasoning_tokens = std::min(reasoning, total - 1);
  p.output_tokens = total - p.reasoning_tokens;
  p.hit_limit = len.hit_limit || len.tokens > cap;
  p.tool_call = ov.tool_call.value_or(req.tool_call);
  p.tokens_per_event = ov.tokens_per_event.value_or(cfg.tokens_per_event);
  p.ttft_ns = static_cast<std::int64_t>(ov.ttft.value_or(cfg.ttft).sample(draws));
  p.itl = ov.itl.value_or(cfg.itl);
  p.fault = ov.fault ? *ov.fault : cfg.faults.draw(draws);
  const std::int64_t after = ov.fault_after.value_or(cfg.fault_after);
  p.fault_after = after < 0 ? p.total_tokens() / 2 : std::min(after, p.total_tokens());
  p.stall_ns = ov.stall_ns.value_or(cfg.stall_ns);
  p.stall_close = ov.stall_close.value_or(cfg.stall_close);
  p.header_delay_ns = ov.header_delay_ns.value_or(cfg.header_delay_ns);
  p.retry_after_ms = ov.retry_after_ms.value_or(cfg.retry_after_ms);
  return p;
}

}  // namespace gb::mock
