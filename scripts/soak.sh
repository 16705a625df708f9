#!/usr/bin/env bash
# The default soak: `vstress crash --preset default` (10 minutes of writers, point readers,
# long-lived iterators and snapshot readers under constant compaction and low-rate faults, every
# read checked; a power loss every 20 s or so, each recovery verified; a reopen after every failed
# MANIFEST write, verified too).
# With STORE=leveldb or STORE=rocksdb (make soak STORE=rocksdb) the same workload runs against that
# engine with `vstress run --store` instead: every read checked and the metrics served alike, but no
# fault rules or power losses yet (the real engines have no fault points of vstress's; the run says
# which rules it left out), so no fault coverage is expected either.
# Metrics are served on 127.0.0.1:9464 (the port reports/prometheus/prometheus.yml scrapes) while it
# runs, or on a free port if that one is taken. Extra arguments go to `vstress crash`
# (e.g. SOAK_ARGS="--duration 2m --seed 7" make soak).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/release/harness/vstress
[[ -x "$binary" ]] || { echo "soak: $binary is missing; run 'make build' first" >&2; exit 4; }
store="${STORE:-vstress}"
out="runs/$(date -u +%Y%m%dT%H%M%SZ)-soak"
[[ "$store" == vstress ]] || out+="-$store"
listen=127.0.0.1:9464
if (exec 3<>/dev/tcp/127.0.0.1/9464) 2>/dev/null; then
  echo "soak: 127.0.0.1:9464 is in use; serving metrics on a free port instead"
  listen=127.0.0.1:0
fi
# Fault coverage: each of these errors fires dozens of times or more in ten minutes (a handful in
# two); one that never fires means the soak tested less than it claims, and fails it.
coverage='expect_reached=["engine/compaction/write_output:error", "engine/flush/write_table:error", "engine/file/delete:error", "engine/manifest/sync:error"]'
if [[ "$store" == vstress ]]; then
  "$binary" crash --preset default --out "$out" --metrics-listen "$listen" --set "$coverage" "$@" \
    && rc=0 || rc=$?
else
  "$binary" run --store "$store" --preset default --out "$out" --metrics-listen "$listen" "$@" \
    && rc=0 || rc=$?
fi
echo "soak: exit $rc; run directory $out"
echo "soak: report $out/report.html (also summary.json, junit.xml, metrics.prom, timeseries.csv," \
  "violations.json, faults.log, repro.sh)"
exit "$rc"
