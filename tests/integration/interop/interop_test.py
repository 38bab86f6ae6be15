#!/usr/bin/env python3
"""HdrHistogram interop test: gatebench's C++ codec against hdr-histogram-js (run by node).

Both directions, for data sets with values spanning many buckets, zeros, a single value, values
near the top, huge counts, lowest > 1 and 1 or 5 significant digits:
  C++ -> JS: hdr_tool encodes; hdr-histogram-js decodes; count, min, max, mean, p50, p90, p99,
             p99.9 and p100 must equal the C++ histogram's own figures exactly.
  JS -> C++: hdr-histogram-js records the same data and encodes; hdr_tool decodes; the figures
             must equal the JS histogram's exactly (and the C++-recorded ones).
Also: the .hgrm text of each decoded histogram is identical in both, and hdr-histogram-js's
HistogramLogReader reads our .hlog.

usage: interop_test.py HDR_TOOL INTEROP_JS NODE_MODULES
Exits 77 (meson's "skipped") with a message when node or hdr-histogram-js is missing.
"""
import json
import os
import shutil
import subprocess
import sys

TIMEOUT_S = 200  # per command; ~5 s alone, but one took over 60 s on the loaded 2-core machine
FIELDS = ["count", "min", "max", "mean", "p50", "p90", "p99", "p99.9", "p100"]


def run(cmd, stdin=""):
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def compare(direction, name, want, got, failures):
    for field in FIELDS:
        if want.get(field) != got.get(field):
            failures.append(f"{direction} {name}: {field} {want.get(field)!r} != {got.get(field)!r}")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    tool, script, modules = sys.argv[1:]
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        print("SKIP: node is not installed (scripts/setup.sh installs it); interop not tested")
        return 77
    if not os.path.isdir(os.path.join(modules, "hdr-histogram-js")):
        print(f"SKIP: {modules}/hdr-histogram-js is missing (run scripts/setup.sh)")
        return 77
    failures = []

    # C++ -> JS
    ours = json_lines(run([tool, "encode"]))
    decoded = json_lines(run([node, script, modules, "decode"],
                             "".join(json.dumps({"name": d["name"], "b64": d["b64"]}) + "\n"
                                     for d in ours)))
    if len(decoded) != len(ours):
        failures.append(f"C++->JS: {len(ours)} encoded, {len(decoded)} decoded")
    for d, js in zip(ours, decoded):
        if "error" in js:
            failures.append(f"C++->JS {d['name']}: hdr-histogram-js failed: {js['error']}")
            continue
        compare("C++->JS", d["name"], d["stats"], js["stats"], failures)
        print(f"C++->JS {d['name']:12} ok  count={d['stats']['count']} p99={d['stats']['p99']}")

    # JS -> C++
    theirs = json_lines(run([node, script, modules, "encode"]))
    back = json_lines(run([tool, "decode"], "".join(d["b64"] + "\n" for d in theirs)))
    if len(back) != len(theirs):
        failures.append(f"JS->C++: {len(theirs)} encoded, {len(back)} decoded")
    by_name = {d["name"]: d for d in ours}
    for d, cpp in zip(theirs, back):
        if "error" in cpp:
            failures.append(f"JS->C++ {d['name']}: our decoder failed: {cpp['error']}")
            continue
        compare("JS->C++", d["name"], d["stats"], cpp, failures)
        # The same data recorded on both sides gives the same histogram.
        if d["name"] in by_name:
            compare("JS-recorded vs C++-recorded", d["name"], by_name[d["name"]]["stats"], cpp,
                    failures)
        print(f"JS->C++ {d['name']:12} ok  count={cpp.get('count')} p99={cpp.get('p99')}")

    # .hgrm: identical text (lowest 1 only: for lowest > 1 hdr-histogram-js's Max line adds
    # the unit mask to the maximum, which Java does not).
    for d in ours:
        if d["name"] == "lowest-1000":
            continue
        for ratio in ("1", "1000000"):
            mine = run([tool, "hgrm", ratio], d["b64"] + "\n")
            js = run([node, script, modules, "hgrm", ratio], d["b64"] + "\n")
            if mine != js:
                diff = [f"  ours: {a!r}\n  js:   {b!r}"
                        for a, b in zip(mine.splitlines(), js.splitlines()) if a != b][:3]
                failures.append(f"hgrm {d['name']} ratio {ratio} differs "
                                f"({len(mine.splitlines())} vs {len(js.splitlines())} lines):\n"
                                + "\n".join(diff))
    print(f"hgrm: compared {2 * (len(ours) - 1)} outputs")

    # .hlog written by us, read by HistogramLogReader.
    intervals = json_lines(run([node, script, modules, "hlog"], run([tool, "hlog"])))
    if len(intervals) != len(ours):
        failures.append(f"hlog: hdr-histogram-js read {len(intervals)} intervals of {len(ours)}")
    for d, iv in zip(ours, intervals):
        compare("hlog", d["name"], d["stats"], iv["stats"], failures)
    print(f"hlog: hdr-histogram-js read {len(intervals)} intervals")

    if failures:
        print("FAIL:\n" + "\n".join(failures))
        return 1
    print("interop ok: C++ <-> hdr-histogram-js agree exactly in both directions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
