#!/usr/bin/env python3
"""Counts test cases from meson's logs (GoogleTest cases individually, other tests as one each)
and prints 'N passed, N failed[, N skipped]'. A test program that failed without reporting a
failing case (a crash, a timeout) counts as one more failure. Exits 1 when anything failed or
nothing ran. Usage: count_tests.py BUILD_DIR/meson-logs"""
import json
import os
import sys
import xml.etree.ElementTree as ET

BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}


def main(logdir):
    junit = os.path.join(logdir, "testlog.junit.xml")
    jlog = os.path.join(logdir, "testlog.json")
    passed = failed = skipped = 0
    suites_with_failures = set()
    try:
        tree = ET.parse(junit)
        for suite in tree.iter("testsuite"):
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
        with open(jlog) as f:
            for line in f:
                t = json.loads(line)
                if t.get("result") in BAD:
                    name = t.get("name", "")
                    if not any(name in s for s in suites_with_failures):
                        failed += 1
    except OSError:
        pass
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
