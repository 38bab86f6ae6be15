#!/usr/bin/env python3
"""The JSON Schema of the report (docs/report-schema.json) accepts every report the report
module writes, and rejects reports with a broken field (so the schema is not vacuous).

usage: schema_test.py REPORT_FIXTURE_EXE SCHEMA
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate_report import validate  # noqa: E402


def main():
    fixture, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    failures = []
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([fixture, d], check=True, timeout=60)
        reports = {}
        for name in ("full.json", "empty.json", "merged.json"):
            with open(os.path.join(d, name)) as f:
                reports[name] = json.load(f)
            problems = validate(schema, reports[name])
            if problems:
                failures.append(f"{name} should be valid: {problems[:5]}")
        full = reports["full.json"]
        main_phase = ("targets", "default", "phases", "main")

        def at(doc, path):
            for k in path:
                doc = doc[k]
            return doc

        mutations = {
            "missing ledger": lambda r: at(r, main_phase).pop("ledger"),
            "negative count": lambda r: at(r, main_phase)["counts"].__setitem__("ok", -1),
            "bad histogram": lambda r: at(r, main_phase)["metrics"]["ttft"].__setitem__(
                "histogram", "nope"),
            "unknown outcome": lambda r: at(r, main_phase)["ledger"]["outcomes"].__setitem__(
                "weird", 1),
            "wrong schema version": lambda r: r.__setitem__("schema_version", 2),
            "ledger invariant": lambda r: at(r, main_phase)["ledger"].__setitem__("started", 1),
            "bad dialect": lambda r: r["scenario"]["targets"][0].__setitem__("api", "grpc"),
            "error rate > 1": lambda r: at(r, main_phase).__setitem__("error_rate", 2),
            "unknown top-level key": lambda r: r.__setitem__("extra", 1),
        }
        for name, mutate in mutations.items():
            broken = copy.deepcopy(full)
            mutate(broken)
            if not validate(schema, broken):
                failures.append(f"mutation '{name}' was accepted")
        text = json.dumps(full)
        if "sk-secret-123" in text:
            failures.append("a secret header value reached the report")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
