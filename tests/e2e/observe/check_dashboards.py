#!/usr/bin/env python3
"""Structure checks of every Grafana dashboard in dashboards/ and of the provisioning files:
unique dashboard uids and panel ids, grid positions inside 24 columns and not overlapping,
datasource references that resolve to the provisioned Prometheus datasource, every $variable
used is defined (or one of Grafana's built-ins), every query panel has queries with unique
refIds. Also checks that dashboards/build_dashboards.py reproduces the committed JSON.

Usage: check_dashboards.py SOURCE_ROOT    (exit 0: all good; 1: problems, listed)
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import shutil

BUILTIN_VARS = {
    "__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms",
    "__from", "__to", "__dashboard", "__org", "__user", "__name", "__all", "__timeFilter",
    "timeFilter", "__auto", "__series", "__field", "__value", "__data", "__cell", "__url_time_range",
}
VAR_RE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)(?::[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z0-9_]+)\]\])")
QUERY_PANELS = {"timeseries", "stat", "gauge", "bargauge", "table", "barchart", "heatmap",
                "piechart", "histogram", "state-timeline", "status-history"}


def provisioned_datasource(root):
    """uid and type of the datasource in dashboards/provisioning/datasources/*.yaml (a small
    line parser: the file is ours and flat)."""
    found = []
    for path in glob.glob(os.path.join(root, "dashboards/provisioning/datasources/*.y*ml")):
        cur = {}
        for line in open(path, encoding="utf-8"):
            line = line.split("#", 1)[0].rstrip()
            m = re.match(r"^\s*(-\s+)?(uid|type|name|url|access):\s*(\S.*)$", line)
            if m:
                if m.group(1) and cur:
                    found.append(cur)
                    cur = {}
                cur[m.group(2)] = m.group(3).strip().strip('"').strip("'")
        if cur:
            found.append(cur)
    return found


def check_provider(root, problems):
    paths = glob.glob(os.path.join(root, "dashboards/provisioning/dashboards/*.y*ml"))
    if not paths:
        problems.append("no dashboard provider in dashboards/provisioning/dashboards/")
    for path in paths:
        text = open(path, encoding="utf-8").read()
        for needed in ("apiVersion: 1", "providers:", "type: file", "path:"):
            if needed not in text:
                problems.append(f"{os.path.basename(path)}: missing '{needed}'")


def walk_panels(panels):
    for p in panels:
        yield p
        for inner in p.get("panels", []) or []:
            yield inner


def strings_in(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings_in(v)


def used_vars(text):
    for m in VAR_RE.finditer(text):
        yield m.group(1) or m.group(2) or m.group(3)


def check_dashboard(path, ds, problems, uids):
    name = os.path.basename(path)
    try:
        d = json.load(open(path, encoding="utf-8"))
    except json.JSONDecodeError as e:
        problems.append(f"{name}: invalid JSON: {e}")
        return
    def bad(msg):
        problems.append(f"{name}: {msg}")
    for key in ("uid", "title", "panels", "templating", "schemaVersion"):
        if key not in d:
            bad(f"missing '{key}'")
    if not isinstance(d.get("schemaVersion"), int) or not 36 <= d["schemaVersion"] <= 41:
        bad(f"schemaVersion {d.get('schemaVersion')!r} outside 36..41")
    if d.get("uid") in uids:
        bad(f"uid '{d.get('uid')}' also used by {uids[d['uid']]}")
    uids[d.get("uid")] = name
    if d.get("id") not in (None,):
        bad("has a fixed numeric 'id' (must be null/absent to import and provision)")

    variables = d.get("templating", {}).get("list", [])
    defined = {}
    for i, v in enumerate(variables):
        vname = v.get("name")
        if not vname or vname in defined:
            bad(f"variable #{i} has no name or a duplicate name '{vname}'")
        defined[vname] = v
        # A variable's own query may use only variables defined before it.
        for used in used_vars(json.dumps(v.get("query", "")) + str(v.get("definition", ""))):
            if used not in BUILTIN_VARS and used not in defined:
                bad(f"variable '{vname}' uses ${used} before it is defined")

    def check_ds(ref, where):
        if ref is None:
            return
        if isinstance(ref, str):
            ref = {"uid": ref}
        uid = ref.get("uid", "")
        typ = ref.get("type")
        if uid in ("-- Grafana --", "grafana"):
            return
        var = None
        m = re.fullmatch(r"\$\{?([A-Za-z0-9_]+)\}?", uid or "")
        if m:
            var = defined.get(m.group(1))
            if var is None or var.get("type") != "datasource":
                bad(f"{where}: datasource '{uid}' is not a datasource variable")
                return
            uid = var.get("current", {}).get("value")
            if var.get("query") not in {x.get("type") for x in ds}:
                bad(f"{where}: datasource variable '{m.group(1)}' selects type "
                    f"'{var.get('query')}', none provisioned")
        match = [x for x in ds if x.get("uid") == uid]
        if not match:
            bad(f"{where}: datasource uid '{uid}' is not provisioned "
                f"(provisioned: {[x.get('uid') for x in ds]})")
        elif typ and typ != match[0].get("type"):
            bad(f"{where}: datasource type '{typ}' but the provisioned one is "
                f"'{match[0].get('type')}'")

    for v in variables:
        if v.get("type") == "query":
            check_ds(v.get("datasource"), f"variable '{v.get('name')}'")

    ids = {}
    rects = []
    for p in walk_panels(d.get("panels", [])):
        pid = p.get("id")
        title = p.get("title", "?")
        where = f"panel {pid} '{title}'"
        if not isinstance(pid, int) or pid <= 0:
            bad(f"{where}: id must be a positive integer")
        elif pid in ids:
            bad(f"{where}: id {pid} also used by '{ids[pid]}'")
        ids[pid] = title
        g = p.get("gridPos", {})
        x, y, w, h = (g.get(k) for k in ("x", "y", "w", "h"))
        if not all(isinstance(n, int) for n in (x, y, w, h)):
            bad(f"{where}: gridPos needs integer x, y, w, h")
            continue
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > 24:
            bad(f"{where}: gridPos x={x} w={w} leaves the 24 columns (or is empty)")
        for other_title, (ox, oy, ow, oh) in rects:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                bad(f"{where}: overlaps '{other_title}'")
        rects.append((title, (x, y, w, h)))
        check_ds(p.get("datasource"), where)
        if p.get("type") in QUERY_PANELS:
            targets = p.get("targets", [])
            if not targets:
                bad(f"{where}: no queries")
            refs = [t.get("refId") for t in targets]
            if len(set(refs)) != len(refs) or None in refs:
                bad(f"{where}: refIds missing or repeated: {refs}")
            for t in targets:
                if not t.get("expr", "").strip():
                    bad(f"{where}: query {t.get('refId')} has no expr")
                check_ds(t.get("datasource"), f"{where} query {t.get('refId')}")
        elif p.get("type") != "row":
            bad(f"{where}: unexpected panel type '{p.get('type')}'")
        for s in strings_in({k: v for k, v in p.items() if k != "panels"}):
            for used in used_vars(s):
                if used not in defined and used not in BUILTIN_VARS:
                    bad(f"{where}: uses ${used}, which is not defined")
    if not ids:
        bad("no panels")


def check_generator(root, problems):
    """dashboards/build_dashboards.py must reproduce the committed JSON byte for byte."""
    src = os.path.join(root, "dashboards")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(src, "build_dashboards.py"), tmp)
        subprocess.run([sys.executable, os.path.join(tmp, "build_dashboards.py")], check=True,
                       stdout=subprocess.DEVNULL)
        for path in glob.glob(os.path.join(tmp, "*.json")):
            committed = os.path.join(src, os.path.basename(path))
            if not os.path.exists(committed) or open(committed).read() != open(path).read():
                problems.append(f"{os.path.basename(path)} differs from what "
                                "build_dashboards.py writes: run it and commit the result")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
    problems = []
    ds = provisioned_datasource(root)
    if not ds or not all(x.get("uid") and x.get("type") == "prometheus" for x in ds):
        problems.append(f"provisioned datasource needs a fixed uid and type prometheus: {ds}")
    check_provider(root, problems)
    paths = sorted(glob.glob(os.path.join(root, "dashboards/*.json")))
    if len(paths) < 3:
        problems.append(f"expected the overview, compare and overhead dashboards, found {paths}")
    uids = {}
    for path in paths:
        check_dashboard(path, ds, problems, uids)
    check_generator(root, problems)
    for p in problems:
        print("FAIL:", p)
    print(f"checked {len(paths)} dashboards: {'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
