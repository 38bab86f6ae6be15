#!/usr/bin/env bash
# gatebench-mock benchmark (docs/performance.md, section "gatebench-mock"), side by side in one run
# on pinned cores with wrk as the client:
#   1. non-streaming zero-delay chat completions/s: gatebench-mock vs nginx serving a static file
#      with the same bytes as the mock's response (one nginx worker, one mock thread);
#   2. streaming SSE events/s on one core with zero token delay (counted by the mock's /metrics);
#   3. RSS with 10,000 open idle streams.
# Usage: bench/mock/run_mock_bench.sh [MOCK_BINARY]
# Env: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_ROUNDS (2), SERVER_CPU (0),
#      CLIENT_CPU (1), IDLE_STREAMS (10000).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mock=${1:-${GATEBENCH_MOCK:-$root/build/mock-upstream/gatebench-mock}}
dur=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-64}
rounds=${BENCH_ROUNDS:-2}
scpu=${SERVER_CPU:-0}
ccpu=${CLIENT_CPU:-1}
idle_streams=${IDLE_STREAMS:-10000}
for tool in wrk nginx taskset python3 curl; do
  command -v "$tool" >/dev/null || { echo "run_mock_bench: $tool is required (scripts/setup.sh)"; exit 1; }
done
[ -x "$mock" ] || { echo "run_mock_bench: no gatebench-mock at $mock (build it first)"; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_mock() {  # args: extra mock flags; sets mock_pid, mock_port
  taskset -c "$scpu" "$mock" --listen 127.0.0.1:0 --threads 1 -q "$@" >"$tmp/mock.out" 2>"$tmp/mock.err" &
  mock_pid=$!
  pids+=("$mock_pid")
  for _ in $(seq 100); do
    if grep -q "listening on" "$tmp/mock.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  mock_port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/mock.out")
}
stop_mock() { kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; }
metric() { curl -s "http://127.0.0.1:$mock_port/metrics" | awk -v m="$1" '$1==m {print $2}'; }
rps_of() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
reqs_of() { awk '/requests in/ {print $1}' "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, clock ticks

body='{"model":"gatebench","messages":[{"role":"user","content":"Say something short about load testing."}]}'
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA
cat >"$tmp/stream.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"gatebench","stream":true,"messages":[{"role":"user","content":"stream please"}]}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo "== gatebench-mock benchmark: $(nproc) cores, server on cpu $scpu, wrk on cpu $ccpu, $conns connections, $dur per run"

# --- 1. non-streaming: mock vs nginx -----------------------------------------------------------
start_mock --output-tokens 16
curl -s -X POST -H 'Content-Type: application/json' -d "$body" \
  "http://127.0.0.1:$mock_port/v1/chat/completions" >"$tmp/chat.json"
size=$(stat -c %s "$tmp/chat.json")
mkdir -p "$tmp/www" "$tmp/ngx"
cp "$tmp/chat.json" "$tmp/www/chat.json"
chmod -R 755 "$tmp/www"
nport=$(free_port)
cat >"$tmp/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  open_file_cache max=64;
  keepalive_requests 10000000;
  keepalive_timeout 65;
  default_type application/json;
  client_body_temp_path $tmp/ngx/body;
  proxy_temp_path $tmp/ngx/proxy;
  fastcgi_temp_path $tmp/ngx/fastcgi;
  uwsgi_temp_path $tmp/ngx/uwsgi;
  scgi_temp_path $tmp/ngx/scgi;
  server { listen 127.0.0.1:$nport; root $tmp/www; }
}
NGX
taskset -c "$scpu" nginx -c "$tmp/nginx.conf" -p "$tmp" &
nginx_pid=$!
pids+=("$nginx_pid")
sleep 0.5
nsize=$(curl -s "http://127.0.0.1:$nport/chat.json" | wc -c)
echo "response body: $size bytes (nginx serves the same $nsize bytes)"
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
tick=$(getconf CLK_TCK)
mock_runs=()
nginx_runs=()
mock_cpu=()
nginx_cpu=()
for r in $(seq "$rounds"); do
  c0=$(cpu_ticks "$mock_pid")
  taskset -c "$ccpu" wrk -t1 -c"$conns" -d"$dur" -s "$tmp/post.lua" \
    "http://127.0.0.1:$mock_port/v1/chat/completions" >"$tmp/wrk-mock-$r.txt"
  c1=$(cpu_ticks "$mock_pid")
  n0=$(cpu_ticks "$nginx_worker")
  taskset -c "$ccpu" wrk -t1 -c"$conns" -d"$dur" "http://127.0.0.1:$nport/chat.json" >"$tmp/wrk-nginx-$r.txt"
  n1=$(cpu_ticks "$nginx_worker")
  mock_runs+=("$(rps_of "$tmp/wrk-mock-$r.txt")")
  nginx_runs+=("$(rps_of "$tmp/wrk-nginx-$r.txt")")
  # Server CPU (user + system) per request: unlike req/s it does not depend on how busy the
  # machine's other processes keep the pinned core.
  mock_cpu+=("$(python3 -c "print(f'{($c1-$c0)/$tick*1e6/$(reqs_of "$tmp/wrk-mock-$r.txt"):.2f}')")")
  nginx_cpu+=("$(python3 -c "print(f'{($n1-$n0)/$tick*1e6/$(reqs_of "$tmp/wrk-nginx-$r.txt"):.2f}')")")
  echo "round $r: mock ${mock_runs[-1]} req/s (${mock_cpu[-1]} CPU-us/req), nginx ${nginx_runs[-1]} req/s (${nginx_cpu[-1]} CPU-us/req)"
done
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
non2xx=$(cat "$tmp"/wrk-*.txt | awk '/Non-2xx/ {s+=$NF} END {print s+0}')
python3 - "${mock_runs[*]}" "${nginx_runs[*]}" "$non2xx" "${mock_cpu[*]}" "${nginx_cpu[*]}" <<'PY'
import statistics, sys
m = [float(x) for x in sys.argv[1].split()]
n = [float(x) for x in sys.argv[2].split()]
mc = statistics.median(float(x) for x in sys.argv[4].split())
nc = statistics.median(float(x) for x in sys.argv[5].split())
print(f"non-streaming chat completions: mock median {statistics.median(m):,.0f} req/s, "
      f"nginx static median {statistics.median(n):,.0f} req/s, "
      f"ratio mock/nginx {statistics.median(m) / statistics.median(n):.2f} (non-2xx: {sys.argv[3]}); "
      f"server CPU per request: mock {mc:.1f} us, nginx {nc:.1f} us (nginx/mock {nc / mc:.2f})")
PY
stop_mock

# --- 2. streaming events per second, one core, zero token delay ----------------------------------
start_mock --output-tokens 1000
e0=$(metric gatebench_mock_events_sent_total)
t0=$(date +%s.%N)
taskset -c "$ccpu" wrk -t1 -c"$conns" -d"$dur" -s "$tmp/stream.lua" \
  "http://127.0.0.1:$mock_port/v1/chat/completions" >"$tmp/wrk-stream.txt"
t1=$(date +%s.%N)
e1=$(metric gatebench_mock_events_sent_total)
tok=$(metric gatebench_mock_tokens_sent_total)
python3 - "$e0" "$e1" "$t0" "$t1" "$(rps_of "$tmp/wrk-stream.txt")" "$tok" <<'PY'
import sys
e0, e1, t0, t1, rps, tok = (float(x) for x in sys.argv[1:])
print(f"streaming (1,000 tokens per response, 1 token per event): {(e1 - e0) / (t1 - t0):,.0f} events/s "
      f"({rps:,.1f} streams/s; {tok:,.0f} tokens sent)")
PY
stop_mock

# --- 3. memory with many open idle streams -------------------------------------------------------
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_mock --ttft 1h --max-connections 100000
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$mock_pid/status")
python3 - "$mock_port" "$idle_streams" "$mock_pid" "$rss0" <<'PY'
import json, resource, socket, sys, time
port, n, pid, rss0 = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
body = json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "hold"}]}).encode()
req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    socks.append(s)
opened = 0
for s in socks:  # each stream has sent its headers and role chunk and now waits for its first token
    s.settimeout(10)
    data = b""
    while b'"role":"assistant"' not in data:
        data += s.recv(4096)
    opened += 1
def metric(name):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    out = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        out += d
    c.close()
    for line in out.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
time.sleep(0.5)
with open(f"/proc/{pid}/status") as f:
    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
active = metric("gatebench_mock_active_streams")
print(f"idle streams: {opened:,} open (mock reports {active:,.0f} active), RSS {rss / 1024:.1f} MiB "
      f"(idle server {rss0 / 1024:.1f} MiB; {(rss - rss0) * 1024 / max(opened, 1):,.0f} bytes per stream)")
for s in socks:
    s.close()
PY
stop_mock
