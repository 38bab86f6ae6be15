#include "scenario/values.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "scenario/env.hpp"
#include "scenario/suggest.hpp"
#include "util/units.hpp"

namespace gb::scenario {

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string format_number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

template <class E>
result<E> pick(std::string_view text, std::string_view what,
               const std::vector<std::pair<std::string_view, E>>& table) {
  std::vector<std::string_view> names;
  for (const auto& [name, value] : table) {
    if (text == name) {
      return value;
    }
    names.push_back(name);
  }
  std::string msg =
      "unknown " + std::string(what) + " '" + std::string(text) + "': write " + join_choices(names);
  const std::string near = closest(text, names);
  if (!near.empty()) {
    msg += " (did you mean '" + near + "'?)";
  }
  return error{msg};
}

}  // namespace

result<double> number_value(std::string_view text) {
  const std::string t = trimmed(text);
  if (!t.empty() && t[0] == '-') {
    auto inner = number_value(std::string_view(t).substr(1));
    if (!inner) {
      return inner;
    }
    return -*inner;
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(v)) {
    return v;
  }
  auto si = parse_si_number(t);
  if (!si) {
    return fail("'", t, "' is not a number: write e.g. 100, 2.5 or 10k");
  }
  return *si;
}

result<std::int64_t> count_value(std::string_view text, std::string_view what, std::int64_t min) {
  auto v = number_value(text);
  if (!v) {
    return fail(what, ": ", v.message());
  }
  if (*v != std::floor(*v) || *v > 9.2e18) {
    return fail(what, " must be a whole number, got ", trimmed(text));
  }
  if (*v < static_cast<double>(min)) {
    return fail(what, " must be at least ", std::to_string(min), ", got ", trimmed(text));
  }
  return static_cast<std::int64_t>(*v);
}

result<double> positive_value(std::string_view text, std::string_view what) {
  auto v = number_value(text);
  if (!v) {
    return fail(what, ": ", v.message());
  }
  if (!(*v > 0)) {
    return fail(what, " must be greater than 0, got ", trimmed(text));
  }
  return *v;
}

result<std::int64_t> duration_value(std::string_view text, std::string_view what, bool allow_zero) {
  const std::string t = trimmed(text);
  if (!t.empty() && t[0] == '-') {
    return fail(what, " must not be negative, got ", t);
  }
  auto d = parse_duration_ns(t);
  if (!d) {
    auto n = number_value(t);
    if (n && *n != 0) {
      return fail(what, ": '", t, "' has no unit: write e.g. ", t, "s or ", t, "ms");
    }
    return fail(what, ": '", t, "' is not a duration: write e.g. 250ms, 30s, 2m or 1m30s");
  }
  if (*d == 0 && !allow_zero) {
    return fail(what, " must be longer than 0, e.g. 30s");
  }
  return *d;
}

result<double> share_value(std::string_view text, std::string_view what) {
  const std::string t = trimmed(text);
  auto r = parse_ratio(t);
  if (!r) {
    return fail(what, ": '", t, "' is not a share: write a fraction like 0.2 or a percentage 20%");
  }
  if (*r < 0 || *r >= 1) {
    return fail(what, " must be at least 0 and below 1 (100%), got ", t);
  }
  return *r;
}

result<protocol::dialect> dialect_value(std::string_view text) {
  using protocol::dialect;
  return pick<dialect>(text, "api",
                       {{"openai-chat", dialect::openai_chat},
                        {"openai-completions", dialect::openai_completions},
                        {"openai-embeddings", dialect::openai_embeddings},
                        {"anthropic-messages", dialect::anthropic_messages}});
}

result<load::arrival> arrival_value(std::string_view text) {
  return pick<load::arrival>(text, "arrival process",
                             {{"constant", load::arrival::constant},
                              {"poisson", load::arrival::poisson},
                              {"gamma", load::arrival::gamma}});
}

result<load::model> mode_value(std::string_view text) {
  return pick<load::model>(text, "load mode",
                           {{"closed", load::model::closed}, {"open", load::model::open}});
}

result<distribution::kind> distribution_kind_value(std::string_view text) {
  return pick<distribution::kind>(text, "distribution",
                                  {{"fixed", distribution::kind::fixed},
                                   {"uniform", distribution::kind::uniform},
                                   {"normal", distribution::kind::normal},
                                   {"lognormal", distribution::kind::lognormal}});
}

result<stage> stage_value(std::string_view text) {
  const std::string t = trimmed(text);
  const auto colon = t.find(':');
  if (colon == std::string::npos) {
    return fail("stage '", t, "' must be DURATION:TARGET, e.g. 30s:100");
  }
  auto d = duration_value(std::string_view(t).substr(0, colon), "stage duration", false);
  if (!d) {
    return d.err();
  }
  auto v = number_value(std::string_view(t).substr(colon + 1));
  if (!v) {
    return fail("stage target: ", v.message());
  }
  if (*v < 0) {
    return fail("stage target must not be negative, got ", format_number(*v));
  }
  return stage{*d, *v};
}

status check_url(std::string_view url, std::string_view shown) {
  const std::string show(shown);
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return fail("url '", show, "' must start with http:// or https://, e.g. http://127.0.0.1:8000");
  }
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail("url '", show, "': unterminated [IPv6] host");
    }
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return fail("url '", show, "': expected :PORT after the [IPv6] host");
      }
      port = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    return fail("url '", show, "' has no host: write e.g. http://127.0.0.1:8000");
  }
  if (authority.find(':') != std::string_view::npos || !port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || p < 1 ||
        p > 65535) {
      return fail("url '", show, "': the port must be a number from 1 to 65535");
    }
  }
  return {};
}

status check_header_name(std::string_view name) {
  if (name.empty()) {
    return fail("empty header name: write 'Name: value'");
  }
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) {
      return fail("header name '", std::string(name),
                  "' has a character not allowed in HTTP header names");
    }
  }
  return {};
}

status check_header_value(std::string_view name, std::string_view value) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return fail("header '", std::string(name), "': its value must not contain line breaks");
  }
  return {};
}

status check_threshold(std::string_view expression) {
  const std::string t = trimmed(expression);
  const auto colon = t.find(':');
  const auto op = colon == std::string::npos ? colon : t.find_first_of("<>=", colon);
  if (t.empty() || colon == std::string::npos || colon == 0 || op == std::string::npos ||
      op < colon || op + 1 >= t.size()) {
    return fail("threshold '", t, "' must read METRIC:STAT OP VALUE, e.g. ttft:p(95)<500ms");
  }
  return {};
}

bool is_slo_metric(std::string_view name) noexcept {
  return name == "ttft" || name == "tpot" || name == "itl" || name == "e2e" || name == "ttfb";
}

result<header> header_line_value(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return fail("a header must read 'Name: value' (this one has no ':')");
  }
  header h;
  h.name = trimmed(line.substr(0, colon));
  h.value = trimmed(line.substr(colon + 1));
  if (auto st = check_header_name(h.name); !st) {
    return error{st.message()};
  }
  if (auto st = check_header_value(h.name, h.value); !st) {
    return error{st.message()};
  }
  h.secret = is_secret_header_name(h.name);
  return h;
}

}  // namespace gb::scenario
