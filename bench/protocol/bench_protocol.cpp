// Micro-benchmarks of the client's per-token hot path: SSE framing, stream decoding, chunked
// transfer decoding, and request building. nlohmann/json appears as the baseline the purpose-built
// walker (detail::walk_json) was chosen over.
//
//   ninja -C build-protocol bench/protocol/bench_protocol
//   build-protocol/bench/protocol/bench_protocol --benchmark_min_time=0.5

#include <benchmark/benchmark.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "protocol/http_response.hpp"
#include "protocol/request_builder.hpp"
#include "protocol/sse_reader.hpp"
#include "protocol/stream_decoder.hpp"

namespace {

using namespace gb::protocol;

// A realistic OpenAI content chunk (as vLLM / OpenAI send it, with include_usage).
const std::string k_openai_chunk =
    R"({"id":"chatcmpl-9f8a7b6c5d4e3f2a1b0c","object":"chat.completion.chunk","created":1700000000,"model":"meta-llama/Llama-3.1-8B-Instruct","system_fingerprint":null,"choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}],"usage":null})";
const std::string k_anthropic_chunk =
    R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token"}})";

std::string openai_event() {
  return "data: " + k_openai_chunk + "\n\n";
}

void BM_sse_reader_event(benchmark::State& state) {
  // One read per event (what a streaming server's flushes usually produce).
  const std::string ev = openai_event();
  sse_reader r;
  sse_event e;
  for (auto _ : state) {
    r.feed(ev);
    while (r.next(e) == sse_status::event) {
      benchmark::DoNotOptimize(e.data.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(ev.size()));
}
BENCHMARK(BM_sse_reader_event);

void BM_sse_reader_event_split_read(benchmark::State& state) {
  // Each event arrives in two reads.
  const std::string ev = openai_event();
  const std::string_view a = std::string_view(ev).substr(0, ev.size() / 2);
  const std::string_view b = std::string_view(ev).substr(ev.size() / 2);
  sse_reader r;
  sse_event e;
  for (auto _ : state) {
    r.feed(a);
    benchmark::DoNotOptimize(r.next(e));
    r.feed(b);
    while (r.next(e) == sse_status::event) {
      benchmark::DoNotOptimize(e.data.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sse_reader_event_split_read);

void BM_sse_reader_anthropic_crlf(benchmark::State& state) {
  const std::string ev = "event: content_block_delta\r\ndata: " + k_anthropic_chunk + "\r\n\r\n";
  sse_reader r;
  sse_event e;
  for (auto _ : state) {
    r.feed(ev);
    while (r.next(e) == sse_status::event) {
      benchmark::DoNotOptimize(e.data.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sse_reader_anthropic_crlf);

void BM_openai_decode(benchmark::State& state) {
  auto dec = make_stream_decoder(dialect::openai_chat);
  const sse_event ev{"", k_openai_chunk};
  for (auto _ : state) {
    const stream_update u = dec->decode(ev);
    benchmark::DoNotOptimize(u.kind);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_openai_decode);

void BM_openai_decode_nlohmann_dom(benchmark::State& state) {
  // Baseline: parse into a DOM and pick the same fields.
  for (auto _ : state) {
    const auto j = nlohmann::json::parse(k_openai_chunk, nullptr, false);
    bool content = false;
    if (j.is_object() && j.contains("choices") && j["choices"].is_array() &&
        !j["choices"].empty()) {
      const auto& d = j["choices"][0]["delta"];
      content = d.contains("content") && d["content"].is_string() &&
                !d["content"].get_ref<const std::string&>().empty();
    }
    benchmark::DoNotOptimize(content);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_openai_decode_nlohmann_dom);

// A SAX handler that keeps nothing: the floor of what nlohmann's SAX interface can cost.
struct null_sax : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

void BM_openai_decode_nlohmann_sax_floor(benchmark::State& state) {
  null_sax sax;
  for (auto _ : state) {
    benchmark::DoNotOptimize(nlohmann::json::sax_parse(k_openai_chunk, &sax));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_openai_decode_nlohmann_sax_floor);

void BM_anthropic_decode(benchmark::State& state) {
  auto dec = make_stream_decoder(dialect::anthropic_messages);
  const sse_event ev{"content_block_delta", k_anthropic_chunk};
  for (auto _ : state) {
    const stream_update u = dec->decode(ev);
    benchmark::DoNotOptimize(u.kind);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_anthropic_decode);

void BM_http_chunked_per_chunk(benchmark::State& state) {
  // One chunk per read, each carrying one SSE event, as a streaming gateway sends them.
  const std::string ev = openai_event();
  char size_line[32];
  const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", ev.size());
  const std::string chunk = std::string(size_line, static_cast<std::size_t>(n)) + ev + "\r\n";
  http_response_parser p;
  std::size_t used = 0;
  std::string_view body;
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  p.parse(head, used, body);
  for (auto _ : state) {
    std::string_view in = chunk;
    while (p.parse(in, used, body) != http_parse_status::need_more) {
      in.remove_prefix(used);
      benchmark::DoNotOptimize(body.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(chunk.size()));
}
BENCHMARK(BM_http_chunked_per_chunk);

void BM_http_response_headers(benchmark::State& state) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nDate: Sun, 22 Nov 2026 08:00:00 GMT\r\n"
      "Content-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
      "Connection: keep-alive\r\nCache-Control: no-cache\r\nx-request-id: req_0123456789\r\n"
      "x-ratelimit-remaining-requests: 9999\r\n\r\n";
  http_response_parser p;
  std::size_t used = 0;
  std::string_view body;
  for (auto _ : state) {
    p.reset();
    benchmark::DoNotOptimize(p.parse(head, used, body));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_http_response_headers);

void BM_http_response_nginx(benchmark::State& state) {
  // A whole non-streaming response as nginx sends it (status line, 5 headers, a small JSON
  // body) in one read, parsed with the documented loop: what the client does per request.
  const std::string body = R"({"id":"chatcmpl-1","object":"chat.completion","usage":{}})";
  const std::string wire =
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 14:09:49 GMT\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\nConnection: keep-alive\r\n\r\n" + body;
  http_response_parser p;
  std::size_t used = 0;
  std::string_view piece;
  for (auto _ : state) {
    p.reset();
    std::string_view in = wire;
    http_parse_status st;
    while ((st = p.parse(in, used, piece)) != http_parse_status::need_more) {
      in.remove_prefix(used);
      benchmark::DoNotOptimize(piece.data());
      if (st == http_parse_status::message_complete || st == http_parse_status::error) {
        break;
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_http_response_nginx);

void BM_full_pipeline_per_event(benchmark::State& state) {
  // Chunk decoding + SSE framing + OpenAI decoding: the whole per-token cost in the client.
  const std::string ev = openai_event();
  char size_line[32];
  const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", ev.size());
  const std::string chunk = std::string(size_line, static_cast<std::size_t>(n)) + ev + "\r\n";
  http_response_parser p;
  sse_reader r;
  auto dec = make_stream_decoder(dialect::openai_chat);
  std::size_t used = 0;
  std::string_view body;
  p.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", used, body);
  sse_event e;
  std::int64_t content = 0;
  for (auto _ : state) {
    std::string_view in = chunk;
    while (p.parse(in, used, body) != http_parse_status::need_more) {
      in.remove_prefix(used);
      r.feed(body);
    }
    while (r.next(e) == sse_status::event) {
      content += dec->decode(e).kind == event_kind::content;
    }
  }
  benchmark::DoNotOptimize(content);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_full_pipeline_per_event);

void BM_request_builder_chat(benchmark::State& state) {
  const std::string prompt(static_cast<std::size_t>(state.range(0)), 'a');
  const chat_message msgs[] = {{"system", "You are a helpful assistant."}, {"user", prompt}};
  request_spec spec;
  spec.model = "meta-llama/Llama-3.1-8B-Instruct";
  spec.messages = msgs;
  spec.max_tokens = 128;
  std::string out;
  for (auto _ : state) {
    out.clear();
    build_body(dialect::openai_chat, spec, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_request_builder_chat)->Arg(1024)->Arg(32 * 1024);

void BM_request_builder_nlohmann(benchmark::State& state) {
  // Baseline: the same body through a DOM and dump().
  const std::string prompt(static_cast<std::size_t>(state.range(0)), 'a');
  std::size_t size = 0;
  for (auto _ : state) {
    nlohmann::json j;
    j["model"] = "meta-llama/Llama-3.1-8B-Instruct";
    j["messages"] =
        nlohmann::json::array({{{"role", "system"}, {"content", "You are a helpful assistant."}},
                               {{"role", "user"}, {"content", prompt}}});
    j["stream"] = true;
    j["stream_options"] = {{"include_usage", true}};
    j["max_tokens"] = 128;
    const std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    size = s.size();
    benchmark::DoNotOptimize(s.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}
BENCHMARK(BM_request_builder_nlohmann)->Arg(1024)->Arg(32 * 1024);

void BM_json_escape(benchmark::State& state) {
  // The prompt path of every request body: words of a synthetic prompt (plain ASCII, the common
  // case) or text with newlines, quotes and UTF-8 every ~40 bytes (range(1) == 1).
  const std::string word_pool[] = {"the ",  "quick ", "brown ", "fox ",  "jumps ", "over ",
                                   "lazy ", "dog ",   "and ",   "runs ", "away ",  "again "};
  const std::string mixed[] = {"line\n", "\"quoted\" ", "caf\xC3\xA9 ", "tab\t", "na\xC3\xAFve "};
  std::string text;
  std::size_t k = 0;
  while (text.size() < static_cast<std::size_t>(state.range(0))) {
    text += word_pool[k % 12];
    if (state.range(1) == 1 && k % 7 == 6) {
      text += mixed[(k / 7) % 5];
    }
    ++k;
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_json_escaped(text, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_json_escape)->Args({600, 0})->Args({600, 1})->Args({32 * 1024, 0});

void BM_body_decode_chat(benchmark::State& state) {
  const std::string body =
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":20,"total_tokens":29}})";
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode_body(dialect::openai_chat, body).output_tokens);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_body_decode_chat);

}  // namespace

BENCHMARK_MAIN();
