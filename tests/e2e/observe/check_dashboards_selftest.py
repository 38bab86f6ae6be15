#!/usr/bin/env python3
"""The dashboard checker must catch each kind of mistake: a table of broken copies of the real
overview dashboard, each expected to fail with a message naming the problem."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_dashboards.py")


def breakers():
    def dup_id(d):
        d["panels"][2]["id"] = d["panels"][1]["id"]
    def wide(d):
        d["panels"][1]["gridPos"]["x"] = 22
    def overlap(d):
        d["panels"][2]["gridPos"] = dict(d["panels"][1]["gridPos"])
    def bad_uid(d):
        d["panels"][1]["datasource"] = {"type": "prometheus", "uid": "nope"}
    def bad_var_ds(d):
        d["panels"][1]["targets"][0]["datasource"] = {"type": "prometheus", "uid": "${ds2}"}
    def undefined_var(d):
        d["panels"][1]["targets"][0]["expr"] += " * $missing_var"
    def no_expr(d):
        d["panels"][1]["targets"][0]["expr"] = " "
    def dup_ref(d):
        p = [x for x in d["panels"] if len(x.get("targets", [])) > 1][0]
        p["targets"][1]["refId"] = p["targets"][0]["refId"]
    def old_schema(d):
        d["schemaVersion"] = 16
    def var_order(d):
        lst = d["templating"]["list"]
        lst.append(lst.pop(1))  # testid after target, which uses $testid
    return [("duplicate id", dup_id, "also used by"), ("beyond 24 columns", wide, "24 columns"),
            ("overlap", overlap, "overlaps"), ("unknown datasource uid", bad_uid, "not provisioned"),
            ("undefined datasource variable", bad_var_ds, "not a datasource variable"),
            ("undefined variable", undefined_var, "$missing_var"), ("empty query", no_expr, "no expr"),
            ("repeated refId", dup_ref, "refIds"), ("old schema", old_schema, "schemaVersion"),
            ("variable order", var_order, "before it is defined")]


def main():
    root = sys.argv[1]
    failures = 0
    original = json.load(open(os.path.join(root, "dashboards/gatebench-overview.json")))
    for name, breaker, expect in breakers():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(root, "dashboards"), os.path.join(tmp, "dashboards"))
            d = copy.deepcopy(original)
            breaker(d)
            with open(os.path.join(tmp, "dashboards/gatebench-overview.json"), "w") as f:
                json.dump(d, f, indent=2, ensure_ascii=False)
                f.write("\n")
            r = subprocess.run([sys.executable, CHECKER, tmp], capture_output=True, text=True)
            # The generator check also fails (the JSON no longer matches): look for the specific
            # message as well.
            if r.returncode == 0 or expect not in r.stdout:
                print(f"FAIL: {name}: checker did not report '{expect}':\n{r.stdout}")
                failures += 1
            else:
                print(f"ok: {name}")
    r = subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: the real dashboards do not pass:\n" + r.stdout)
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
