#!/usr/bin/env bash
# `vstress run --push-gateway URL` pushes to a real prometheus-pushgateway on loopback: after the
# run the gateway holds the run's final metrics under job="vstress", instance=<run id>.
# Usage: pushgateway_test.sh VSTRESS SCRATCH_DIR
set -euo pipefail
VSTRESS=$1
DIR=$2
source "$(dirname "$0")/lib.sh"
command -v prometheus-pushgateway >/dev/null || fail "prometheus-pushgateway is not installed"
rm -rf "$DIR" && mkdir -p "$DIR"

start_server pushgateway /-/ready "$DIR/pushgateway.log" \
  prometheus-pushgateway --web.listen-address="127.0.0.1:{PORT}"
port=$PORT

"$VSTRESS" run --preset smoke --duration 3s --seed 2 --progress off \
  --push-gateway "http://127.0.0.1:$port" --out "$DIR/push-run" >"$DIR/vstress.out" 2>&1 ||
  fail "vstress run failed: $(cat "$DIR/vstress.out")"
grep -q 'metrics:' "$DIR/vstress.out" && fail "the push reported an error: $(cat "$DIR/vstress.out")"

curl -sf "http://127.0.0.1:$port/metrics" >"$DIR/gateway.prom"
for metric in vstress_engine_live_versions vstress_engine_deferred_deletions vstress_ops_total \
  vstress_run_info; do
  grep -E "^$metric\{.*instance=\"push-run\"" "$DIR/gateway.prom" | grep -q 'job="vstress"' ||
    fail "the pushgateway holds no $metric for job vstress, instance push-run"
done
# The pushed totals are the run's final ones (the same as metrics.prom).
pushed=$(grep -E '^vstress_ops_total\{.*op="get".*result="ok"' "$DIR/gateway.prom" | awk '{print $2}')
final=$(grep -E '^vstress_ops_total\{.*op="get".*result="ok"' "$DIR/push-run/metrics.prom" | awk '{print $2}')
# (The gateway re-renders numbers with 7 significant digits: 2.331183e+06 for 2331183.)
[[ -n "$pushed" ]] && awk -v a="$pushed" -v b="$final" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(b + 0 > 0 && d <= b * 1e-6)}' ||
  fail "pushed get/ok total '$pushed' != metrics.prom's '$final'"
echo "PASS: pushgateway holds the run's final metrics (get ok = $pushed)"

# A gateway that is down: the run's result stands, the failed push is reported.
dead=$(free_port)
set +e
"$VSTRESS" run --preset smoke --duration 1s --seed 2 --progress off \
  --push-gateway "http://127.0.0.1:$dead" --out "$DIR/dead-run" >"$DIR/dead.out" 2>&1
rc=$?
set -e
[[ $rc -eq 0 ]] || fail "a dead pushgateway changed the run's exit code to $rc"
grep -q 'metrics: .*pushing to' "$DIR/dead.out" || fail "a failed push was not reported: $(cat "$DIR/dead.out")"
echo "PASS: a dead pushgateway is reported and the run still passes"
