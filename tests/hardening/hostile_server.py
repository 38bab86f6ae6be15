#!/usr/bin/env python3
"""A hostile upstream: an HTTP server on 127.0.0.1 that misbehaves on purpose, one behaviour per
request path (the first path segment). It answers any method; it reads the request's headers and
its Content-Length body first (so the client's request is always fully written), then plays the
behaviour. python3 stdlib only.

Run standalone:  python3 hostile_server.py [PORT]   (prints "hostile listening on PORT")
In tests:        with HostileServer() as s: ... s.port ... s.counts["/garbage"]

Each behaviour is a function (sock, request) in BEHAVIOURS; EXPECTED in test_hostile.py says
which ledger outcome each must produce.
"""

import json
import socket
import sys
import threading
import time

MODEL = "hostile"
# Five content tokens, so a well-formed stream has exactly 5 output tokens.
WORDS = ["alpha", " beta", " gamma", " delta", " eps"]


def chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk."""
    return b"%x\r\n" % len(data) + data + b"\r\n"


def openai_chunk(delta, finish=None, usage=None, choices=True) -> dict:
    c = {"id": "chatcmpl-hostile", "object": "chat.completion.chunk", "created": 1700000000,
         "model": MODEL}
    c["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else []
    c["usage"] = usage
    return c


def openai_events(newline=b"\n") -> list:
    """A complete, valid OpenAI chat stream (role chunk, 5 content chunks, final chunk, usage
    chunk, [DONE]) as a list of event byte strings, each ending in a blank line."""
    payloads = [openai_chunk({"role": "assistant", "content": ""})]
    payloads += [openai_chunk({"content": w}) for w in WORDS]
    payloads.append(openai_chunk({}, finish="stop"))
    payloads.append(openai_chunk(None, usage={"prompt_tokens": 3, "completion_tokens": 5,
                                              "total_tokens": 8}, choices=False))
    out = [b"data: " + json.dumps(p, separators=(",", ":")).encode() + newline + newline
           for p in payloads]
    out.append(b"data: [DONE]" + newline + newline)
    return out


SSE_HEADERS = (b"Content-Type: text/event-stream; charset=utf-8\r\n"
               b"Cache-Control: no-cache\r\n")


def send_stream_head(sock, version=b"HTTP/1.1", chunked=True):
    head = version + b" 200 OK\r\n" + SSE_HEADERS
    if chunked:
        head += b"Transfer-Encoding: chunked\r\n"
    head += b"Connection: close\r\n\r\n"
    sock.sendall(head)


def send_body(sock, status, body: bytes, ctype=b"application/json", version=b"HTTP/1.1"):
    sock.sendall(version + b" " + status + b"\r\nContent-Type: " + ctype +
                 b"\r\nContent-Length: " + str(len(body)).encode() +
                 b"\r\nConnection: close\r\n\r\n" + body)


# --- behaviours ------------------------------------------------------------------------------

def b_ok(sock, req):
    """A well-formed chunked stream (the control: must be ok)."""
    send_stream_head(sock)
    for ev in openai_events():
        sock.sendall(chunk(ev))
    sock.sendall(b"0\r\n\r\n")


def b_truncated_chunked(sock, req):
    """Two content events, then the connection closes: no terminating chunk, no [DONE]."""
    send_stream_head(sock)
    for ev in openai_events()[:3]:
        sock.sendall(chunk(ev))
    time.sleep(0.02)


def b_chunk_too_large(sock, req):
    """A chunk whose size line promises 4096 bytes, 40 bytes of data, then close."""
    send_stream_head(sock)
    sock.sendall(chunk(openai_events()[0]))
    sock.sendall(b"1000\r\n" + openai_events()[1][:40])
    time.sleep(0.02)


def b_huge_headers(sock, req):
    """A status line, then 1 MiB of headers (128 headers of 8 KiB), then a valid body."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + SSE_HEADERS)
    filler = b"x" * 8192
    try:
        for i in range(128):
            sock.sendall(b"X-Filler-%d: " % i + filler + b"\r\n")
        sock.sendall(b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for ev in openai_events():
            sock.sendall(chunk(ev))
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the client gave up on the headers: that is the point


def b_invalid_utf8(sock, req):
    """A well-framed stream whose content deltas carry bytes that are not UTF-8."""
    send_stream_head(sock)
    evs = openai_events()
    evs[2] = evs[2].replace(b"beta", b"b\xff\xfe\xc3(ta")
    for ev in evs:
        sock.sendall(chunk(ev))
    sock.sendall(b"0\r\n\r\n")


def b_mixed_newlines(sock, req):
    """A valid stream whose events end in CRLF, CR and LF in turn (all legal SSE)."""
    send_stream_head(sock)
    endings = [b"\r\n", b"\r", b"\n"]
    for i, ev in enumerate(openai_events()):
        nl = endings[i % 3]
        sock.sendall(chunk(ev.replace(b"\n", nl)))
    sock.sendall(b"0\r\n\r\n")


def b_one_byte(sock, req):
    """A valid stream (status line, headers, chunk framing and events) one byte per write."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = (b"HTTP/1.1 200 OK\r\n" + SSE_HEADERS +
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    data += b"".join(chunk(ev) for ev in openai_events()) + b"0\r\n\r\n"
    for i in range(len(data)):
        sock.send(data[i:i + 1])
        if i % 64 == 0:
            time.sleep(0.0005)  # let each byte leave in its own segment, mostly


def b_done_first(sock, req):
    """The role chunk, then [DONE] before any content, then (ignored) content."""
    send_stream_head(sock)
    evs = openai_events()
    sock.sendall(chunk(evs[0]))
    sock.sendall(chunk(b"data: [DONE]\n\n"))
    sock.sendall(b"0\r\n\r\n")


def b_never_ends(sock, req):
    """A stream that sends a content event every 50 ms, forever (until the client leaves)."""
    send_stream_head(sock)
    sock.sendall(chunk(openai_events()[0]))
    ev = b"data: " + json.dumps(openai_chunk({"content": " more"})).encode() + b"\n\n"
    try:
        while True:
            sock.sendall(chunk(ev))
            time.sleep(0.05)
    except OSError:
        pass


def b_silent_after_headers(sock, req):
    """The stream's headers, then nothing at all (until the client leaves)."""
    send_stream_head(sock)
    sock.settimeout(30)
    try:
        sock.recv(1)  # returns when the client closes
    except OSError:
        pass


def b_close_mid_header(sock, req):
    """Half a header block, then close."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-st")
    time.sleep(0.02)


def b_http10_stream(sock, req):
    """HTTP/1.0: no chunking, no length, the stream is delimited by the close."""
    send_stream_head(sock, version=b"HTTP/1.0", chunked=False)
    for ev in openai_events():
        sock.sendall(ev)


def b_http10_body(sock, req):
    """HTTP/1.0 non-stream completion, body until close (no Content-Length)."""
    body = json.dumps({
        "id": "chatcmpl-hostile", "object": "chat.completion", "created": 1700000000,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(WORDS)},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}}).encode()
    sock.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)


def b_json_error_200(sock, req):
    """A 200 whose body is an OpenAI error object instead of a completion or a stream."""
    body = json.dumps({"error": {"message": "upstream exploded", "type": "server_error",
                                 "param": None, "code": "internal_error"}}).encode()
    send_body(sock, b"200 OK", body)


def b_header_not_utf8(sock, req):
    """A valid stream whose X-Cache header value is Latin-1, not UTF-8 (legal in HTTP: header
    values are octets), with a control character too."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + SSE_HEADERS + b"X-Cache: caf\xe9 \x01hit\r\n"
                 b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    for ev in openai_events():
        sock.sendall(chunk(ev))
    sock.sendall(b"0\r\n\r\n")


def b_continue(sock, req):
    """An interim 100 Continue, then the real (valid) stream."""
    sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    time.sleep(0.01)
    b_ok(sock, req)


def b_garbage(sock, req):
    """Bytes that are not an HTTP status line, then close."""
    sock.sendall(b"SSH-2.0-OpenSSH_9.2 \x00\x01\x02 garbage\r\n\r\nmore garbage\r\n")
    time.sleep(0.02)


BEHAVIOURS = {
    "/ok": b_ok,
    "/truncated-chunked": b_truncated_chunked,
    "/chunk-too-large": b_chunk_too_large,
    "/huge-headers": b_huge_headers,
    "/invalid-utf8": b_invalid_utf8,
    "/mixed-newlines": b_mixed_newlines,
    "/one-byte": b_one_byte,
    "/done-first": b_done_first,
    "/never-ends": b_never_ends,
    "/silent-after-headers": b_silent_after_headers,
    "/close-mid-header": b_close_mid_header,
    "/http10-stream": b_http10_stream,
    "/http10-body": b_http10_body,
    "/json-error-200": b_json_error_200,
    "/continue": b_continue,
    "/header-not-utf8": b_header_not_utf8,
    "/garbage": b_garbage,
}


# --- server ----------------------------------------------------------------------------------

def read_request(sock):
    """Reads one request (headers and Content-Length body). Returns (method, path, headers,
    body) or None when the client closed first (e.g. a reachability check)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
        if len(buf) > 1 << 20:
            return None
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            return None
        rest += data
    return parts[0].decode(), parts[1].decode("latin-1"), headers, rest[:length]


class HostileServer:
    """Serves BEHAVIOURS on 127.0.0.1:port (0 = ephemeral), one thread per connection, one
    request per connection. counts[path] counts requests received, requests keeps the first
    1000 (method, path, headers, body); close() stops everything."""

    def __init__(self, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.counts = {}
        self.requests = []  # (method, path, headers, body) of the first 1000 requests
        self.lock = threading.Lock()
        self.stopping = False
        self.conns = set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(30)
            req = read_request(conn)
            if req is None:
                return
            path = "/" + req[1].lstrip("/").split("/")[0].split("?")[0]
            with self.lock:
                self.counts[path] = self.counts.get(path, 0) + 1
                if len(self.requests) < 1000:
                    self.requests.append(req)
            BEHAVIOURS.get(path, b_garbage)(conn, req)
        except OSError:
            pass
        finally:
            with self.lock:
                self.conns.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    srv = HostileServer(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print("hostile listening on %d" % srv.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.close()
