#pragma once
// Checks and conversions of single scenario values, shared by the YAML parser and the CLI
// overrides. Messages say what to write instead; callers prefix them with where the value came
// from ("file.yaml:12: " or "--rate: ").

#include <cstdint>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::scenario {

/// A number with an optional SI suffix (10k, 2.5M); negative numbers parse (for messages).
result<double> number_value(std::string_view text);

/// A whole number >= `min` (SI suffixes allowed), e.g. concurrency. `what` names the field.
result<std::int64_t> count_value(std::string_view text, std::string_view what, std::int64_t min);

/// A positive number (SI suffixes allowed), e.g. rate or weight.
result<double> positive_value(std::string_view text, std::string_view what);

/// A duration ("250ms", "30s", "1m30s"); `allow_zero` admits "0".
result<std::int64_t> duration_value(std::string_view text, std::string_view what, bool allow_zero);

/// A share in [0, 1): "0.2" or "20%".
result<double> share_value(std::string_view text, std::string_view what);

/// "openai-chat", ... (the error lists the valid names).
result<protocol::dialect> dialect_value(std::string_view text);

/// "constant", "poisson", "gamma".
result<load::arrival> arrival_value(std::string_view text);

/// "closed", "open".
result<load::model> mode_value(std::string_view text);

/// "fixed", "uniform", "normal", "lognormal".
result<distribution::kind> distribution_kind_value(std::string_view text);

/// A k6 stage "30s:100" (duration:target).
result<stage> stage_value(std::string_view text);

/// An http:// or https:// base URL with a host and an optional port (1..65535) and path.
/// `shown` is what the message may print (the template when the URL held ${ENV}).
status check_url(std::string_view url, std::string_view shown);

/// An HTTP header name (RFC 9110 token characters).
status check_header_name(std::string_view name);

/// A header value: no CR, LF or NUL.
status check_header_value(std::string_view name, std::string_view value);

/// A threshold expression's outline "METRIC:STAT OP VALUE" (the analysis module parses it
/// fully); errors show the expected form.
status check_threshold(std::string_view expression);

/// The SLO metric names: ttft, tpot, itl, e2e, ttfb.
bool is_slo_metric(std::string_view name) noexcept;

/// A header from the CLI form "Name: value" (secret when its name is an auth header).
result<header> header_line_value(std::string_view line);

}  // namespace gb::scenario
