#!/usr/bin/env bash
# Proves the Grafana dashboard and the metrics vstress exports agree: every metric a dashboard query
# (or template variable) names is in a real run's metrics.prom, every metric family metrics.prom
# declares has a panel, and the example Prometheus config passes promtool.
#   dashboard_metrics_test.sh VSTRESS SCRATCH_DIR
set -euo pipefail
vstress="$1"
scratch="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dashboard="$root/reports/grafana/vstress.json"
prometheus_config="$root/reports/prometheus/prometheus.yml"
run_dir="$scratch/run"

echo "== promtool check config $prometheus_config"
command -v promtool >/dev/null || { echo "FAIL: promtool not found (Debian package prometheus)"; exit 1; }
promtool check config "$prometheus_config"

echo "== vstress run --preset smoke --duration 2s --seed 1 --out $run_dir"
rm -rf "$run_dir"
mkdir -p "$scratch"
rc=0
timeout --signal=KILL 60 "$vstress" run --preset smoke --duration 2s --seed 1 --out "$run_dir" \
  --progress off || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL: vstress run exited $rc (expected 0)"
  exit 1
fi
metrics="$run_dir/metrics.prom"
[[ -s "$metrics" ]] || { echo "FAIL: $metrics is missing or empty"; exit 1; }

echo "== dashboard $dashboard against $metrics"
python3 - "$dashboard" "$metrics" <<'PY'
import json
import re
import sys

dashboard_path, metrics_path = sys.argv[1], sys.argv[2]
NAME = re.compile(r"(?<![A-Za-z0-9_:])vstress_[A-Za-z0-9_:]*")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
failures = []

with open(dashboard_path) as f:
    dashboard = json.load(f)  # raises, and so fails the test, on invalid JSON


def walk_panels(panels):
    for panel in panels:
        yield panel
        yield from walk_panels(panel.get("panels", []))  # panels inside collapsed rows


# Every expr of every panel target, by panel title.
panel_exprs = []  # (panel title, expr)
for panel in walk_panels(dashboard.get("panels", [])):
    title = panel.get("title", "?")
    targets = panel.get("targets", [])
    if targets and panel.get("datasource", {}).get("uid") != "${datasource}":
        failures.append(f"panel '{title}' does not use the $datasource variable")
    for target in targets:
        if "expr" in target:
            panel_exprs.append((title, target["expr"]))

# Template variable queries: a string, or {"query": ...} in newer Grafana, plus "definition".
variable_exprs = []
for variable in dashboard.get("templating", {}).get("list", []):
    if variable.get("type") != "query":
        continue
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query", "")
    for text in (query, variable.get("definition")):
        if text:
            variable_exprs.append((f"variable ${variable.get('name')}", text))

# Every metric selector in a panel must be filtered by the run variable.
for title, expr in panel_exprs:
    for match in NAME.finditer(expr):
        selector = expr[match.end():]
        if not selector.startswith("{") or 'instance=~"$instance"' not in selector.split("}")[0]:
            failures.append(f"panel '{title}': {match.group()} is not filtered by "
                            'instance=~"$instance"')

# metrics.prom: declared families (# TYPE) and sample names.
types = {}
samples = set()
with open(metrics_path) as f:
    for line in f:
        line = line.strip()
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            samples.add(re.split(r"[{\s]", line, 1)[0])


def family_of(name):
    """The family a dashboard name belongs to: histogram series map to their base name."""
    for suffix in HISTOGRAM_SUFFIXES:
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def exported(name):
    if name in samples or name in types:
        return True
    return f"{name}_bucket" in samples  # a histogram's base name


used = {}  # metric name -> places that use it
for place, expr in panel_exprs + variable_exprs:
    for name in NAME.findall(expr):
        used.setdefault(name, set()).add(place)

print(f"dashboard: {len(panel_exprs)} panel queries, {len(variable_exprs)} variable queries, "
      f"{len(used)} metric names")
print(f"metrics.prom: {len(types)} families (# TYPE), {len(samples)} sample names")

for name in sorted(used):
    ok = exported(name)
    print(f"  {'ok  ' if ok else 'MISSING'} {name}  <- {', '.join(sorted(used[name]))}")
    if not ok:
        failures.append(f"dashboard uses {name}, which metrics.prom does not export")

panel_families = {family_of(name) for _, expr in panel_exprs for name in NAME.findall(expr)}
print("families exported in metrics.prom, and whether a panel shows them:")
for name in sorted(types):
    shown = name in panel_families
    print(f"  {'ok  ' if shown else 'NO PANEL'} {name} ({types[name]})")
    if not shown:
        failures.append(f"metrics.prom exports {name} ({types[name]}) but no panel queries it")

if failures:
    print(f"FAIL: {len(failures)} problem(s):")
    for failure in failures:
        print(f"  - {failure}")
    sys.exit(1)
print("PASS: every dashboard metric is exported and every exported family has a panel")
PY
