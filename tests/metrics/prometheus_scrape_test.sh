#!/usr/bin/env bash
# A real Prometheus scrapes a running `vstress run --metrics-listen 127.0.0.1:0`, and its HTTP API
# must return vstress_engine_live_versions and vstress_engine_deferred_deletions samples.
# Usage: prometheus_scrape_test.sh VSTRESS SCRATCH_DIR
set -euo pipefail
VSTRESS=$1
DIR=$2
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/install-deps.sh)"
rm -rf "$DIR" && mkdir -p "$DIR"

"$VSTRESS" run --preset smoke --duration 40s --seed 1 --progress off \
  --metrics-listen 127.0.0.1:0 --out "$DIR/run" >"$DIR/vstress.out" 2>&1 &
CHILDREN+=($!)
wait_for 20 grep -q '^metrics: http://127.0.0.1:[0-9]*/metrics' "$DIR/vstress.out" ||
  fail "vstress did not print its metrics address: $(cat "$DIR/vstress.out")"
target=$(sed -n 's|^metrics: http://\(127.0.0.1:[0-9]*\)/metrics|\1|p' "$DIR/vstress.out")
echo "vstress serves /metrics on $target"

cat >"$DIR/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: vstress
    static_configs:
      - targets: ["$target"]
YML
start_server prometheus /api/v1/status/buildinfo "$DIR/prometheus.log" \
  prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/tsdb" \
  --web.listen-address="127.0.0.1:{PORT}"
api="http://127.0.0.1:$PORT/api/v1"

# A query answers with a sample once Prometheus has scraped vstress at least once.
has_sample() {
  curl -sf "$api/query" --data-urlencode "query=$1{job=\"vstress\"}" >"$DIR/answer.json" &&
    python3 - "$DIR/answer.json" <<'PY'
import json, sys
answer = json.load(open(sys.argv[1]))
result = answer["data"]["result"]
sys.exit(0 if answer["status"] == "success" and result and float(result[0]["value"][1]) >= 0 else 1)
PY
}
for metric in vstress_engine_live_versions vstress_engine_deferred_deletions; do
  wait_for 30 has_sample "$metric" || fail "Prometheus returned no $metric sample: $(cat "$DIR/answer.json")"
  echo "Prometheus has $metric: $(cat "$DIR/answer.json")"
done
# The scrape itself was healthy, and live Versions were at least the current one.
curl -sf "$api/query" --data-urlencode 'query=max_over_time(vstress_engine_live_versions[1m])' \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; assert r and float(r[0]["value"][1]) >= 1, r' ||
  fail "live Versions never reached 1"
curl -sf "$api/targets" | python3 -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"]; assert t and t[0]["health"]=="up", t' ||
  fail "the vstress target is not up"
echo "PASS: Prometheus scraped vstress"
