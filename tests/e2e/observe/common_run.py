"""A short real gatebench run against gatebench-mock with two targets (direct, gateway),
shared by the observe e2e tests."""
import os
import subprocess

from promlib import start_mock


def run_help(gatebench):
    return subprocess.run([gatebench, "run", "--help"], capture_output=True, text=True).stdout


def write_scenario(workdir, port, name):
    path = os.path.join(workdir, "observe.yaml")
    with open(path, "w") as f:
        f.write(f"""name: {name}
targets:
  - name: direct
    url: http://127.0.0.1:{port}
    role: direct
  - name: gateway
    url: http://127.0.0.1:{port}
    role: gateway
workload:
  stream: true
  max_tokens: 8
load:
  concurrency: 4
  warmup: 1s
  duration: 6s
""")
    return path


def gatebench_run(procs, gatebench, mock, workdir, extra=(), name="observe-e2e"):
    """Starts the mock (ttft 5 ms, 2 ms a token, 8 tokens), runs gatebench against it and
    returns (report path, run process, mock pid). `extra` are more run flags."""
    mock_proc, port = start_mock(procs, mock, "--ttft", "5ms", "--itl", "2ms",
                                 "--output-tokens", "8")
    scenario = write_scenario(workdir, port, name)
    report = os.path.join(workdir, "run.json")
    argv = [gatebench, "run", scenario, "-o", report, "-q", *extra]
    help_text = run_help(gatebench)
    if "--target-pid" in help_text:
        argv += ["--target-pid", str(mock_proc.pid)]
    p = procs.start(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return report, p, mock_proc.pid
