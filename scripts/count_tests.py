#!/usr/bin/env python3
"""Counts test cases from meson's logs of one or more build directories (GoogleTest cases
individually, other tests as one each) and prints 'N passed, N failed[, N skipped]'. A test
program that failed without reporting a failing case (a crash, a timeout) counts as one more
failure; so does each build that failed (--build-failures N); each stage skipped for time
(--skipped N) counts as one skipped. Exits 1 when anything failed or nothing ran.
Usage: count_tests.py [--build-failures N] [--skipped N] LOGDIR..."""
import json
import os
import sys
import xml.etree.ElementTree as ET

BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}


def count_dir(logdir):
    passed = failed = skipped = 0
    suites_with_failures = set()
    junit = os.path.join(logdir, "testlog.junit.xml")
    try:
        for suite in ET.parse(junit).iter("testsuite"):
            for case in suite.iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed += 1
                    suites_with_failures.add(suite.get("name", ""))
                elif case.find("skipped") is not None:
                    skipped += 1
                else:
                    passed += 1
    except (OSError, ET.ParseError) as e:
        print(f"cannot read {junit}: {e}")
        failed += 1
    try:
        with open(os.path.join(logdir, "testlog.json"), errors="replace") as f:
            for line in f:
                t = json.loads(line)
                if t.get("result") in BAD:
                    name = t.get("name", "")
                    if not any(name in s for s in suites_with_failures):
                        failed += 1
    except OSError:
        pass
    return passed, failed, skipped


def main(argv):
    build_failures = skipped_stages = 0
    while argv[:1] in (["--build-failures"], ["--skipped"]):
        if argv[0] == "--build-failures":
            build_failures = int(argv[1])
        else:
            skipped_stages = int(argv[1])
        argv = argv[2:]
    passed, failed, skipped = 0, build_failures, skipped_stages
    for d in argv:
        p, f, s = count_dir(d)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
