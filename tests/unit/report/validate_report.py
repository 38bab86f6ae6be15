#!/usr/bin/env python3
"""Validates gatebench reports against docs/report-schema.json (JSON Schema 2020-12), plus the
invariants a schema cannot express (started == sum(outcomes), breakdowns add up).

usage: validate_report.py SCHEMA REPORT.json...   (exit 1 and a message per problem)
Importable: validate(schema, report_dict) -> list of problems.
"""
import json
import sys

import jsonschema


def invariant_problems(report):
    problems = []
    phases = []
    for target, t in report.get("targets", {}).items():
        for name, p in t.get("phases", {}).items():
            phases.append((f"{target}/{name}", p))
    for key, p in report.get("splits", {}).items():
        phases.append((f"split {key}", p))
    for where, p in phases:
        ledger = p["ledger"]
        total = sum(ledger["outcomes"].values())
        if total != ledger["started"]:
            problems.append(f"{where}: started {ledger['started']} != sum(outcomes) {total}")
        if sum(ledger["by_status"].values()) != ledger["outcomes"]["http_status"]:
            problems.append(f"{where}: by_status does not add up to http_status")
        if sum(ledger["by_timeout_phase"].values()) != ledger["outcomes"]["timeout"]:
            problems.append(f"{where}: by_timeout_phase does not add up to timeout")
        if p["counts"]["ok"] != ledger["outcomes"]["ok"]:
            problems.append(f"{where}: counts.ok != ledger ok")
        for name, m in p["metrics"].items():
            if (m["count"] == 0) != (m["histogram"] == ""):
                problems.append(f"{where}: metric {name} count/histogram disagree")
            if m["count"] > 0 and not (m["min"] <= m["p50"] <= m["p90"] <= m["p95"] <= m["p99"]
                                       <= m["p99_9"] <= m["max"]):
                problems.append(f"{where}: metric {name} percentiles not ordered")
    return problems


def validate(schema, report):
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '$'}: {e.message}"
                for e in validator.iter_errors(report)]
    if not problems:
        problems = invariant_problems(report)
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    failed = False
    for path in argv[2:]:
        with open(path) as f:
            report = json.load(f)
        for p in validate(schema, report):
            print(f"{path}: {p}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
