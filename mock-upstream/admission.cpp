// Admission of a generation request: parse and validate it, plan the response, apply the
// token-bucket limiter and the faults that answer at once (each counted by kind).
#include "admission.hpp"

#include <algorithm>

#include "util/clock.hpp"

namespace gb::mock {

namespace {

using protocol::dialect;

constexpr std::int64_t max_embedding_floats = 2 * 1024 * 1024;

}  // namespace

bool is_immediate_error(fault_kind k) noexcept {
  return k == fault_kind::rate_limit || k == fault_kind::insufficient_quota ||
         k == fault_kind::http_500 || k == fault_kind::http_502 || k == fault_kind::http_503 ||
         k == fault_kind::overloaded;
}

admission admit(worker& w, dialect d, const http_request& req) {
  const vendor v = d == dialect::anthropic_messages ? vendor::anthropic : vendor::openai;
  admission out;
  mock_headers mh;
  for (const auto& f : req) {
    take_mock_header(mh, std::string_view(f.name_string().data(), f.name_string().size()),
                     std::string_view(f.value().data(), f.value().size()));
  }
  auto ov = parse_overrides(mh);
  if (!ov) {
    const error_spec e{400, "invalid_request_error", "invalid_mock_header", ov.message(), ""};
    out.error = e;
    return out;
  }
  const std::string& body = req.body();
  auto parsed = parse_request(d, body);
  if (!parsed.request) {
    const auto& pe = parsed.error;
    const error_spec e{pe.status, pe.type, "", pe.message, pe.param};
    out.error = e;
    return out;
  }
  out.g = std::move(*parsed.request);
  const gen_request& g = *out.g;
  if (d == dialect::openai_embeddings &&
      std::max<std::int64_t>(1, g.embedding_inputs) * g.dimensions.value_or(w.cfg().embedding_dim) >
          max_embedding_floats) {
    const error_spec e{400, "invalid_request_error", "",
                       "Too many embeddings: inputs x dimensions may be at most " +
                           std::to_string(max_embedding_floats) + ".",
                       "input"};
    out.error = e;
    return out;
  }
  out.plan = make_plan(w.cfg(), g, *ov, body, w.draws());
  out.id = w.next_id();
  const response_plan& plan = out.plan;
  const std::string& id = out.id;
  std::string& extra = out.extra;
  extra.reserve(256);
  extra += v == vendor::anthropic ? "request-id: req_" : "x-request-id: req_";
  extra += id;
  extra += "\r\n";

  auto& limiter = w.shared().limiter;
  const bool limiting = limiter.enabled();
  const bool rate_fault = plan.fault == fault_kind::rate_limit;
  rate_limiter::verdict verdict;
  if (limiting) {
    verdict = limiter.admit(
        static_cast<double>(g.prompt_tokens +
                            (d == dialect::openai_embeddings ? 0 : plan.total_tokens())),
        now_ns());
  }
  const bool limited = limiting && verdict.by != rate_limiter::limited_by::none;
  std::int64_t retry_ms = plan.retry_after_ms;
  if (limited) {
    retry_ms = verdict.retry_after_ns < 0 ? 60'000 : (verdict.retry_after_ns + 999'999) / 1'000'000;
  }
  if (limiting || rate_fault) {
    const std::int64_t wall = wall_ns();
    const std::int64_t lim_r =
        limiting && verdict.limit_requests > 0 ? verdict.limit_requests : 10'000;
    const std::int64_t lim_t =
        limiting && verdict.limit_tokens > 0 ? verdict.limit_tokens : 1'000'000;
    const std::int64_t rem_r = limiting && verdict.limit_requests > 0 ? verdict.remaining_requests
                                                                      : (rate_fault ? 0 : lim_r);
    const std::int64_t rem_t =
        limiting && verdict.limit_tokens > 0 ? verdict.remaining_tokens : lim_t;
    const std::int64_t reset_r =
        limiting && verdict.limit_requests > 0 ? verdict.reset_requests_ns : retry_ms * 1'000'000;
    const std::int64_t reset_t = limiting && verdict.limit_tokens > 0 ? verdict.reset_tokens_ns : 0;
    auto hdr = [&](std::string_view name, std::string_view value) {
      extra += name;
      extra += ": ";
      extra += value;
      extra += "\r\n";
    };
    if (v == vendor::openai) {
      hdr("x-ratelimit-limit-requests", std::to_string(lim_r));
      hdr("x-ratelimit-remaining-requests", std::to_string(rem_r));
      hdr("x-ratelimit-reset-requests", openai_reset(reset_r));
      hdr("x-ratelimit-limit-tokens", std::to_string(lim_t));
      hdr("x-ratelimit-remaining-tokens", std::to_string(rem_t));
      hdr("x-ratelimit-reset-tokens", openai_reset(reset_t));
    } else {
      hdr("anthropic-ratelimit-requests-limit", std::to_string(lim_r));
      hdr("anthropic-ratelimit-requests-remaining", std::to_string(rem_r));
      hdr("anthropic-ratelimit-requests-reset", rfc3339(wall + reset_r));
      hdr("anthropic-ratelimit-tokens-limit", std::to_string(lim_t));
      hdr("anthropic-ratelimit-tokens-remaining", std::to_string(rem_t));
      hdr("anthropic-ratelimit-tokens-reset", rfc3339(wall + reset_t));
    }
  }
  auto retry_headers = [&] {
    extra += "retry-after: ";
    extra += std::to_string((retry_ms + 999) / 1000);
    extra += "\r\nretry-after-ms: ";
    extra += std::to_string(retry_ms);
    extra += "\r\n";
  };
  if (limited) {
    const bool by_tokens = verdict.by == rate_limiter::limited_by::tokens;
    worker_counters::bump(w.counters().rate_limited[by_tokens ? 1 : 0]);
    retry_headers();
    std::string what = by_tokens ? "tokens per min (TPM)" : "requests per min (RPM)";
    if (verdict.retry_after_ns < 0) {
      what = "tokens per min (TPM): the request is larger than the limit";
    }
    error_spec e = v == vendor::anthropic
                       ? error_spec{429, "rate_limit_error", "",
                                    "This request would exceed the rate limit of " + what + ".", ""}
                       : error_spec{429, by_tokens ? "tokens" : "requests", "rate_limit_exceeded",
                                    "Rate limit reached on " + what + ". Please try again in " +
                                        std::to_string(retry_ms) + "ms.",
                                    ""};
    out.error = e;
    return out;
  }
  if (is_immediate_error(plan.fault)) {
    worker_counters::bump(w.counters().faults[static_cast<std::size_t>(plan.fault)]);
    if (rate_fault) {
      retry_headers();
    }
    const error_spec e = fault_error(v, plan.fault);
    out.error = e;
    return out;
  }
  return out;
}

}  // namespace gb::mock
