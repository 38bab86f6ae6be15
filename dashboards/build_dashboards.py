#!/usr/bin/env python3
"""Writes gatebench's Grafana dashboards (dashboards/*.json) from one description, so the three
dashboards share datasource, variables and query shapes. Run after editing:

    python3 dashboards/build_dashboards.py

The JSON files are committed; tests/e2e/observe checks them (structure, and every query against
a real Prometheus scraping a real run).
"""
import json
import os

DS_UID = "gatebench-prometheus"  # the provisioned datasource (provisioning/datasources)
DS = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39


def datasource_var():
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {"selected": False, "text": "gatebench-prometheus", "value": DS_UID},
        "hide": 0,
        "refresh": 1,
        "regex": "",
        "options": [],
    }


def query_var(name, label, query, multi=False, include_all=False, default=None):
    v = {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DS,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "refresh": 2,  # on time range change: new runs show up
        "sort": 2 if name.startswith("testid") else 1,
        "multi": multi,
        "includeAll": include_all,
        "hide": 0,
        "regex": "",
        "options": [],
        "current": {},
    }
    if include_all:
        v["allValue"] = ".*"
    if default is not None:
        v["current"] = {"selected": False, "text": default, "value": default}
    return v


def target(expr, legend, ref):
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref,
            "range": True, "editorMode": "code"}


class layout:
    """Places panels left to right in rows of 24 columns."""

    def __init__(self):
        self.x = 0
        self.y = 0
        self.row_h = 0
        self.next_id = 1
        self.panels = []

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_h
            self.row_h = 0
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        self.panels.append(panel)

    def row(self, title):
        if self.x != 0:
            self.x = 0
            self.y += self.row_h
            self.row_h = 0
        self.add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)
        self.x = 0
        self.y += 1
        self.row_h = 0


def timeseries(title, targets, unit, description="", stack=False):
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "min": 0,
                "custom": {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                           "showPoints": "never", "spanNulls": True,
                           "stacking": {"mode": "normal" if stack else "none", "group": "A"}},
            },
            "overrides": [],
        },
        "options": {"legend": {"displayMode": "table", "placement": "bottom",
                               "calcs": ["mean", "max", "lastNotNull"], "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    }


def stat(title, targets, unit, description="", thresholds=None):
    steps = thresholds or [{"color": "green", "value": None}]
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit,
                                     "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "value", "graphMode": "area", "textMode": "auto",
                    "justifyMode": "auto", "orientation": "auto"},
    }


def dashboard(uid, title, description, variables, panels, tags):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["gatebench"] + tags,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "refresh": "5s",
        "time": {"from": "now-15m", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [{"title": "gatebench dashboards", "type": "dashboards", "tags": ["gatebench"],
                   "asDropdown": True, "includeVars": True, "keepTime": True}],
        "templating": {"list": variables},
        "panels": panels,
    }


def sel(extra=""):
    base = 'testid=~"$testid", target=~"$target"'
    return "{" + base + (", " + extra if extra else "") + "}"


OK = 'outcome="ok"'
NOT_OK = 'outcome!="ok"'

LAT = [("ttft", "Time to first token"), ("itl", "Inter-token latency"),
       ("tpot", "Time per output token"), ("e2e", "End-to-end latency")]
QUANTILES = [("0.5", "p50"), ("0.95", "p95"), ("0.99", "p99")]


def overview():
    L = layout()
    L.row("Load")
    L.add(stat("Requests started", [target(
        f"sum(gatebench_requests_started_total{sel()})", "started", "A")], "short"), 4, 4)
    L.add(stat("Requests OK", [target(
        f'sum(gatebench_requests_total{sel(OK)})', "ok", "A")], "short"), 4, 4)
    L.add(stat("Error ratio", [target(
        f'sum(gatebench_requests_total{sel(NOT_OK)}) / '
        f"clamp_min(sum(gatebench_requests_total{sel()}), 1)", "errors", "A")],
        "percentunit", thresholds=[{"color": "green", "value": None},
                                   {"color": "red", "value": 0.005}]), 4, 4)
    L.add(stat("Client-bound", [target(
        'max(gatebench_client_bound{testid=~"$testid"})', "client-bound", "A")], "bool_yes_no",
        "1 when the harness itself limited the run: its CPU stayed above ~80% or its schedule "
        "lag kept growing. Results of a client-bound run understate the target.",
        thresholds=[{"color": "green", "value": None}, {"color": "red", "value": 1}]), 4, 4)
    L.add(stat("Output tokens/s", [target(
        f"sum(rate(gatebench_output_tokens_total{sel()}[$__rate_interval]))", "tokens/s",
        "A")], "short"), 4, 4)
    L.add(stat("In flight", [target(
        f"sum(gatebench_requests_in_flight{sel()})", "in flight", "A")], "short"), 4, 4)
    L.add(timeseries("Request rate (ok)", [target(
        f'sum by (target, phase) (rate(gatebench_requests_total{sel(OK)}'
        f"[$__rate_interval]))", "{{target}} {{phase}}", "A")], "reqps"), 8, 8)
    L.add(timeseries("Errors by outcome", [target(
        f'sum by (target, outcome) (rate(gatebench_requests_total{sel(NOT_OK)}'
        f"[$__rate_interval]))", "{{target}} {{outcome}}", "A")], "reqps",
        "Failed requests per second by outcome (http_status, timeout, connect_error, ...). "
        "Stored runs loaded with promtool show one 'error' outcome.", stack=True), 8, 8)
    L.add(timeseries("In flight", [target(
        f"sum by (target) (gatebench_requests_in_flight{sel()})", "{{target}}", "A")],
        "short"), 8, 8)
    L.row("Latency (successful requests, from the intended send time)")
    for name, title in LAT:
        L.add(timeseries(f"{title} ({name})", [target(
            f"histogram_quantile({q}, sum by (le, target) "
            f"(rate(gatebench_{name}_seconds_bucket{sel()}[$__rate_interval])))",
            f"{{{{target}}}} {label}", chr(ord("A") + i)) for i, (q, label) in
            enumerate(QUANTILES)], "s"), 12, 8)
    L.row("Tokens")
    L.add(timeseries("Tokens per second", [
        target(f"sum by (target) (rate(gatebench_output_tokens_total{sel()}[$__rate_interval]))",
               "{{target}} output", "A"),
        target(f"sum by (target) (rate(gatebench_input_tokens_total{sel()}[$__rate_interval]))",
               "{{target}} input", "B")], "short"), 24, 8)
    L.row("Resources")
    for who, what in [("target", "Target process tree"), ("harness", "gatebench (harness)")]:
        L.add(timeseries(f"{what}: CPU", [target(
            f'max by (target) (gatebench_{who}_cpu_cores{{testid=~"$testid"}})',
            "{{target}} cores", "A")], "short",
            "CPU cores used (user + system) over each sampling interval"), 6, 8)
        L.add(timeseries(f"{what}: memory", [target(
            f'max by (target) (gatebench_{who}_resident_memory_bytes{{testid=~"$testid"}})',
            "{{target}} RSS", "A")], "bytes", "Resident memory (VmRSS), summed over the tree"),
            6, 8)
    return dashboard(
        "gatebench-overview", "gatebench: run overview",
        "One or more gatebench runs (testid) live or backfilled: load, errors, latency "
        "percentiles, tokens and what the target and the harness cost in CPU and memory.",
        [datasource_var(),
         query_var("testid", "Run (testid)",
                   "label_values(gatebench_requests_started_total, testid)", multi=True),
         query_var("target", "Target",
                   'label_values(gatebench_requests_started_total{testid=~"$testid"}, target)',
                   multi=True, include_all=True)],
        L.panels, ["overview"])


def compare():
    L = layout()

    def ab(expr_of, legend):
        return [target(expr_of("$testid_a", ""), f"A {legend}", "A"),
                target(expr_of("$testid_b", " offset $shift_b"), f"B {legend}", "B")]

    def s(t):
        return f'{{testid="{t}", target=~"$target"}}'

    L.row("Run A ($testid_a) against run B ($testid_b); B's curves shifted by $shift_b")
    for name, title in LAT:
        L.add(timeseries(f"{title} p99 over time", ab(
            lambda t, off, n=name: f"histogram_quantile(0.99, sum by (le) "
                                   f"(rate(gatebench_{n}_seconds_bucket{s(t)}[$__rate_interval]"
                                   f"{off})))", "p99"), "s"), 12, 8)
    L.add(timeseries("Request rate (ok)", ab(
        lambda t, off: f'sum(rate(gatebench_requests_total{{testid="{t}", target=~"$target", '
                       f'outcome="ok"}}[$__rate_interval]{off}))', "req/s"), "reqps"), 12, 8)
    L.add(timeseries("Output tokens per second", ab(
        lambda t, off: f"sum(rate(gatebench_output_tokens_total{s(t)}[$__rate_interval]{off}))",
        "tokens/s"), "short"), 12, 8)
    L.row("Whole selected range")
    for name, title in LAT:
        L.add(stat(f"{title}: p50 / p99, A vs B", [
            target(f"histogram_quantile({q}, sum by (le) "
                   f"(increase(gatebench_{name}_seconds_bucket{s(t)}[$__range])))",
                   f"{ab_name} {label}", chr(ord("A") + i * 2 + j))
            for i, (q, label) in enumerate([("0.5", "p50"), ("0.99", "p99")])
            for j, (t, ab_name) in enumerate([("$testid_a", "A"), ("$testid_b", "B")])], "s"),
            6, 5)
    for who, what in [("target", "Target"), ("harness", "Harness")]:
        L.add(timeseries(f"{what} CPU", ab(
            lambda t, off, w=who: f'max(gatebench_{w}_cpu_cores{{testid="{t}"}}{off})', "cores"),
            "short"), 6, 8)
        L.add(timeseries(f"{what} memory", ab(
            lambda t, off, w=who: f'max(gatebench_{w}_resident_memory_bytes{{testid="{t}"}}{off})',
            "RSS"), "bytes"), 6, 8)
    return dashboard(
        "gatebench-compare", "gatebench: compare two runs",
        "Two runs overlaid (baseline vs current, or direct vs gateway). Pick the runs with "
        "testid_a / testid_b; when they ran at different times, show run A's time range and set "
        "shift_b to how long before A run B started (e.g. 2h) to draw B over A, or widen the "
        "time range to cover both and use the whole-range panels.",
        [datasource_var(),
         query_var("testid_a", "Run A (baseline)",
                   "label_values(gatebench_requests_started_total, testid)"),
         query_var("testid_b", "Run B (current)",
                   "label_values(gatebench_requests_started_total, testid)"),
         # Prometheus refuses "offset 0s": 1ms stands for "no shift".
         {"name": "shift_b", "label": "Shift B by (1ms: none)", "type": "textbox",
          "query": "1ms", "current": {"selected": False, "text": "1ms", "value": "1ms"},
          "hide": 0, "options": [{"selected": True, "text": "1ms", "value": "1ms"}]},
         query_var("target", "Target",
                   'label_values(gatebench_requests_started_total{testid=~"$testid_a|$testid_b"},'
                   " target)", multi=True, include_all=True)],
        L.panels, ["compare"])


def overhead():
    L = layout()

    def q(metric, quantile, tgt):
        return (f"histogram_quantile({quantile}, sum by (le) (rate(gatebench_{metric}_seconds_bucket"
                f'{{testid=~"$testid", target="{tgt}"}}[$__rate_interval])))')

    L.row("Gateway overhead: $gateway minus $direct (same workload, same run)")
    for name, title in [("ttft", "Time to first token"), ("e2e", "End-to-end latency"),
                        ("itl", "Inter-token latency")]:
        L.add(timeseries(f"{title}: overhead (gateway − direct)", [
            target(f"{q(name, '0.5', '$gateway')} - {q(name, '0.5', '$direct')}",
                   "p50 overhead", "A"),
            target(f"{q(name, '0.99', '$gateway')} - {q(name, '0.99', '$direct')}",
                   "p99 overhead", "B")], "s",
            "Difference of quantiles per interval. Short intervals are noisy; gatebench "
            "overhead gives the bootstrap interval over rounds."), 8, 8)
    for name, title in [("ttft", "Time to first token"), ("e2e", "End-to-end latency"),
                        ("itl", "Inter-token latency")]:
        L.add(timeseries(f"{title}: direct and gateway", [
            target(q(name, "0.99", "$direct"), "direct p99", "A"),
            target(q(name, "0.99", "$gateway"), "gateway p99", "B"),
            target(q(name, "0.5", "$direct"), "direct p50", "C"),
            target(q(name, "0.5", "$gateway"), "gateway p50", "D")], "s"), 8, 8)
    L.row("What the gateway costs")
    L.add(timeseries("Request rate per arm", [target(
        'sum by (target) (rate(gatebench_requests_total{testid=~"$testid", '
        'target=~"$direct|$gateway", outcome="ok"}[$__rate_interval]))', "{{target}}", "A")],
        "reqps"), 6, 8)
    L.add(timeseries("Gateway CPU", [target(
        'max(gatebench_target_cpu_cores{testid=~"$testid", target="$gateway"})', "cores", "A")],
        "short", "CPU cores used by the gateway's process tree (--target-pid / --target-cmd)"),
        6, 8)
    L.add(timeseries("Gateway memory", [target(
        'max(gatebench_target_resident_memory_bytes{testid=~"$testid", target="$gateway"})',
        "RSS", "A")], "bytes"), 6, 8)
    L.add(timeseries("Gateway CPU-seconds per 1,000 requests", [target(
        'sum(rate(gatebench_target_cpu_seconds_total{testid=~"$testid", target="$gateway"}'
        "[$__rate_interval])) * 1000 / "
        'sum(rate(gatebench_requests_total{testid=~"$testid", target="$gateway"}'
        "[$__rate_interval]))", "CPU-s / 1k requests", "A")], "s"), 6, 8)
    return dashboard(
        "gatebench-overhead", "gatebench: gateway overhead",
        "A run with a direct arm (client → upstream) and a gateway arm (client → gateway → "
        "upstream): latency overhead as a difference of quantiles, and the gateway's CPU and "
        "memory (sampled with --target-pid or --target-cmd).",
        [datasource_var(),
         query_var("testid", "Run (testid)",
                   "label_values(gatebench_requests_started_total, testid)"),
         query_var("direct", "Direct target",
                   'label_values(gatebench_requests_started_total{testid=~"$testid"}, target)',
                   default="direct"),
         query_var("gateway", "Gateway target",
                   'label_values(gatebench_requests_started_total{testid=~"$testid"}, target)',
                   default="gateway")],
        L.panels, ["overhead"])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, d in [("gatebench-overview.json", overview()), ("gatebench-compare.json", compare()),
                    ("gatebench-overhead.json", overhead())]:
        with open(os.path.join(here, name), "w", encoding="utf-8") as f:
            json.dump(d, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"wrote dashboards/{name} ({len(d['panels'])} panels)")


if __name__ == "__main__":
    main()
