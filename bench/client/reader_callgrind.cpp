// The response side of one request, counted exactly: feeds the response nginx gives
// bench/client/callgrind_per_request.py (status line, 5 headers, peer_bench.py's 243-byte chat
// completion, all in one read) N times through client::response_reader (HTTP head, framing,
// decode_body, the request record).
//   valgrind --tool=callgrind --toggle-collect='gb::client::response_reader::feed*'
//       build/bench/client/reader_callgrind 20000   (one command line)
// Collected / N = instructions of response_reader::feed per response: the response side alone,
// with nothing of the event loop or of how many sockets each epoll_wait returned (which moves
// callgrind_per_request.py's whole-path count by a few per cent between runs), so compare
// parsing changes here. Exits 1 unless every response is ok and reusable.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "client/response_reader.hpp"

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  const std::string body =
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"hello"},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,)"
      R"("total_tokens":10}})";
  const std::string wire =
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 19:55:52 GMT\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\nConnection: keep-alive\r\n\r\n" + body;
  gb::client::response_reader rd;
  gb::metrics::request_record rec;
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    rd.begin(gb::protocol::dialect::openai_chat, rec);
    if (rd.feed(wire, i) && rd.reusable() && rec.fate.kind == gb::metrics::outcome::ok) {
      ++ok;
    }
  }
  std::printf("%d of %d responses ok\n", ok, n);
  return ok == n ? 0 : 1;
}
