#pragma once
// Internal to the server: what a generation request becomes before its response starts.
// Included by session.cpp and admission.cpp (it pulls in Beast's message type).

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>

#include "plan.hpp"
#include "request.hpp"
#include "wire.hpp"
#include "worker.hpp"

namespace gb::mock {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

/// A request admitted for generation, or the error to answer at once.
struct admission {
  std::optional<error_spec> error;  // answer this at once (the extra headers still apply)
  std::optional<gen_request> g;     // set when admitted
  response_plan plan;
  std::string id;     // 24 hex digits, unique per worker and request
  std::string extra;  // response header lines ("Name: value\r\n"): request id, rate limits
};

/// Parses the x-mock-* headers and the body of `req` for dialect d, plans the response (drawing
/// latency and rate-based faults from w's generator), applies w's rate limiter, and turns
/// limiter refusals and immediate faults (429, 5xx, 529, insufficient_quota) into an error,
/// counting each in w's counters. Never throws but for allocation.
admission admit(worker& w, protocol::dialect d, const http_request& req);

/// Whether a fault kind is answered with an error status before any byte of a response.
bool is_immediate_error(fault_kind k) noexcept;

}  // namespace gb::mock
