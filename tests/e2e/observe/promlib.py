"""Shared by the observe e2e tests: free loopback ports, starting and stopping processes that
are always cleaned up, a real Prometheus on a temp dir, and running every dashboard query."""
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SKIP = 77  # meson: skipped


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_binary(path_or_name):
    found = shutil.which(path_or_name) if os.sep not in path_or_name else (
        path_or_name if os.access(path_or_name, os.X_OK) else None)
    if not found:
        print(f"SKIP: {path_or_name} is not installed")
        sys.exit(SKIP)
    return found


class processes:
    """Starts processes in their own groups and kills every group on exit, even on failure."""

    def __init__(self):
        self.procs = []

    def __enter__(self):
        return self

    def start(self, argv, **kw):
        p = subprocess.Popen(argv, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop(self, p, timeout=10):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            self.stop(p)
        return False


def http_get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode())


def wait_until(what, fn, timeout_s=30, interval_s=0.1):
    deadline = time.time() + timeout_s
    last = None
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - keep polling, report the last error
            last = e
        time.sleep(interval_s)
    raise SystemExit(f"FAIL: timed out waiting for {what} (last error: {last})")


def start_mock(procs, mock_bin, *args):
    p = procs.start([mock_bin, "--listen", "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not m:
        raise SystemExit(f"FAIL: gatebench-mock did not start: {line!r}")
    return p, int(m.group(1))


def start_prometheus(procs, workdir, scrape_port=None, data_dir=None):
    """A real Prometheus on a free loopback port, with its own config and storage. With
    scrape_port, it scrapes 127.0.0.1:scrape_port every second."""
    prom = need_binary("prometheus")
    port = free_port()
    data_dir = data_dir or os.path.join(workdir, "prom-data")
    os.makedirs(data_dir, exist_ok=True)
    cfg = os.path.join(workdir, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n")
        if scrape_port:
            f.write("scrape_configs:\n  - job_name: gatebench\n    scrape_interval: 1s\n"
                    "    scrape_timeout: 1s\n    honor_labels: true\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{scrape_port}']\n")
    log = open(os.path.join(workdir, "prometheus.log"), "w")
    p = procs.start([prom, f"--config.file={cfg}", f"--storage.tsdb.path={data_dir}",
                     f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=90d",
                     "--web.enable-admin-api"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def ready():
        if p.poll() is not None:
            raise SystemExit("FAIL: prometheus exited:\n" + open(log.name).read()[-3000:])
        with urllib.request.urlopen(base + "/-/ready", timeout=1) as r:
            return r.status == 200
    wait_until("prometheus to be ready", ready, timeout_s=60)
    return base


def query_range(base, expr, start, end, step="1s"):
    q = urllib.parse.urlencode({"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                "step": step})
    try:
        r = http_get_json(f"{base}/api/v1/query_range?{q}", timeout=20)
    except urllib.error.HTTPError as e:
        return None, f"HTTP {e.code}: {e.read().decode()[:300]}"
    if r.get("status") != "success":
        return None, r.get("error", "error")
    return r["data"]["result"], None


def has_numbers(result):
    for series in result or []:
        for _, v in series.get("values", []):
            if v not in ("NaN", "+Inf", "-Inf"):
                return True
    return False


def dashboard_queries(root):
    """(dashboard file, panel title, refId, expr, defaults) for every query of every panel;
    defaults: the current values of the dashboard's textbox/custom/constant variables."""
    out = []
    for path in sorted(glob.glob(os.path.join(root, "dashboards/*.json"))):
        d = json.load(open(path))
        defaults = {v["name"]: v.get("current", {}).get("value", v.get("query", ""))
                    for v in d.get("templating", {}).get("list", [])
                    if v.get("type") in ("textbox", "custom", "constant")}
        def walk(panels):
            for p in panels:
                yield p
                yield from walk(p.get("panels", []) or [])
        for p in walk(d["panels"]):
            for t in p.get("targets", []):
                out.append((os.path.basename(path), p.get("title", "?"), t.get("refId"),
                            t["expr"], defaults))
    return out


def substitute(expr, values):
    """Replaces $name / ${name} / ${name:format} the way Grafana would for single values."""
    def rep(m):
        name = m.group(1) or m.group(2)
        if name not in values:
            raise KeyError(name)
        return values[name]
    return re.sub(r"\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)", rep, expr)


def run_dashboard_queries(base, root, values, start, end, skip=lambda dash, title: None):
    """Runs every dashboard query over [start, end]; returns a list of failures. `skip` may
    return a reason to leave a query out (it is printed)."""
    failures = []
    ran = 0
    for dash, title, ref, expr, defaults in dashboard_queries(root):
        reason = skip(dash, title)
        if reason:
            print(f"  skipped {dash} / {title} / {ref}: {reason}")
            continue
        try:
            q = substitute(expr, {**defaults, **values})
        except KeyError as e:
            failures.append(f"{dash} / {title} / {ref}: no value for ${e.args[0]}")
            continue
        result, err = query_range(base, q, start, end)
        ran += 1
        if err:
            failures.append(f"{dash} / {title} / {ref}: query failed: {err}\n    {q}")
        elif not has_numbers(result):
            failures.append(f"{dash} / {title} / {ref}: no data\n    {q}")
    print(f"ran {ran} dashboard queries, {len(failures)} without data")
    return failures
