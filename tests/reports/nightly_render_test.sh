#!/usr/bin/env bash
# Proves that `vstress merge` turns a sweep directory into a morning report the real tools accept:
# a sweep of four shards (a passing run, two seeds of one mutant, and a shard that never ran) is
# merged; nightly.html renders in headless Chromium with the failures grouped into ONE signature
# row (two seeds of one bug), every shard listed, the per-shard charts drawn, a non-blank
# screenshot and no sideways scrolling at phone width; junit.xml is valid against
# tests/metrics/junit.xsd and parses with junitparser; metrics.prom passes promtool and sums the
# shards' counters; summary.json has the contract's fields; the exit code is 1. Also: a corrupt
# plan line and a plan of another version exit 2 naming the file and line; --compare against an
# earlier merge lists the new signature; --push-gateway pushes one group per shard to a real
# pushgateway, deletes the groups of the previous merge, and a dead gateway changes no exit code.
# The sweep directory has a space and a non-ASCII letter in its name.
#   nightly_render_test.sh VSTRESS WORK_DIR
set -euo pipefail
vstress="$1" work="$2"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../metrics/lib.sh"  # fail, free_port, start_server, cleanup of servers
for tool in chromium xmllint promtool prometheus-pushgateway; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"
done
# Debian's python3 has python3-junitparser; a python3 earlier on PATH may not.
/usr/bin/python3 -c 'import junitparser' || fail "python3-junitparser is not installed"

rm -rf "$work"
mkdir -p "$work"
sweep="$work/sweep dir ü"

# One shard of a hand-made sweep: its plan line, then (unless SKIP) its run and shard.json, the way
# `vstress shard DIR INDEX` records it.
#   plan_and_run_shard DIR INDEX SEED MUTANT SKIP
plan_and_run_shard() {
  local dir=$1 index=$2 seed=$3 mutant=$4 skip=$5
  local args=(run --preset smoke --duration 3s --seed "$seed" --out "$dir/shards/$index" --progress off)
  [[ -n "$mutant" ]] && args+=(--mutant "$mutant")
  /usr/bin/python3 - "$dir" "$index" "$seed" "$mutant" "$vstress" "${args[@]}" <<'EOF'
import json, shlex, sys
dir, index, seed, mutant, vstress, argv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
line = {"plan_version": 1, "index": index, "seed": seed, "workload": "smoke", "driver": "run",
        "mutant": mutant, "argv": argv, "command": shlex.join([vstress] + argv), "randomized": {}}
open(dir + "/plan.jsonl", "a").write(json.dumps(line) + "\n")
EOF
  [[ "$skip" == skip ]] && return 0
  local rc=0 start=$SECONDS
  timeout 120 "$vstress" "${args[@]}" >"$work/shard-$index.out" 2>&1 || rc=$?
  /usr/bin/python3 -c 'import json, sys; json.dump({"index": int(sys.argv[2]), "seed": int(sys.argv[3]), "exit_code": int(sys.argv[4]), "exit": "exit " + sys.argv[4], "seconds": float(sys.argv[5]), "host": "localhost", "started": "", "finished": ""}, open(sys.argv[1], "w"))' \
    "$dir/shards/$index/shard.json" "$index" "$seed" "$rc" "$((SECONDS - start))"
}

# The sweep under test. `vstress sweep --seeds ... --out DIR` makes such a directory too; this one
# is built by hand so that it holds a shard that never ran and two seeds of one mutant.
make_sweep() {
  local dir=$1
  mkdir -p "$dir/shards"
  printf '{"plan_version":1,"command":"hand-made by nightly_render_test.sh","executor":"local","shards":4,"created":"2026-12-03T10:00:00Z"}\n' \
    >"$dir/sweep.json"
  plan_and_run_shard "$dir" 0 1 "" run
  plan_and_run_shard "$dir" 1 1 drop-tombstone-early run
  plan_and_run_shard "$dir" 2 2 drop-tombstone-early run
  plan_and_run_shard "$dir" 3 3 "" skip
}

# merge ARGS...: runs vstress merge; sets rc, leaves stdout/stderr in $work/merge.{out,err}.
merge() {
  rc=0
  timeout 120 "$vstress" merge "$@" >"$work/merge.out" 2>"$work/merge.err" || rc=$?
}

make_sweep "$sweep"
for shard_exit in 0:0 1:1 2:1; do
  grep -q "\"exit_code\": ${shard_exit#*:}" "$sweep/shards/${shard_exit%:*}/shard.json" ||
    fail "shard ${shard_exit%:*} did not exit ${shard_exit#*:}: $(cat "$work/shard-${shard_exit%:*}.out")"
done
merge "$sweep"
[[ $rc -eq 1 ]] || { cat "$work/merge.out" "$work/merge.err"; fail "merge exited $rc, not 1"; }
for f in nightly.html junit.xml summary.json metrics.prom; do
  [[ -s "$sweep/$f" ]] || fail "the merge wrote no $f"
done
cat "$work/merge.out"

# summary.json: the contract's fields, the totals, one signature for the two seeds of the mutant.
/usr/bin/python3 - "$sweep/summary.json" <<'EOF' || fail "summary.json check failed"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["plan_version"] == 1 and s["result"] == "violation" and s["exit_code"] == 1, s["result"]
assert s["shards"] == 4
t = s["totals"]
assert (t["passed"], t["failed"], t["errors"]) == (1, 2, 1), t
assert t["ops"] > 0 and t["reads_checked"] > 0, t
rows = s["shards_list"]
assert [r["index"] for r in rows] == [0, 1, 2, 3]
assert rows[3]["result"] == "error" and "never ran" in rows[3]["signature"], rows[3]
assert rows[0]["result"] == "pass" and rows[0]["ops_per_s"] > 0
mutant = [g for g in s["signatures"] if g["count"] == 2]
assert len(mutant) == 1, f"the two seeds of one mutant are not one row: {s['signatures']}"
assert mutant[0]["seeds"] == [1, 2] and mutant[0]["shards"] == [1, 2]
assert mutant[0]["repro"], "no repro command"
assert len(s["signatures"]) == 2, s["signatures"]
print(f"summary.json: {len(s['signatures'])} signatures; mutant row: {mutant[0]['signature']}")
EOF

# junit.xml: valid, one suite per shard, the shard that never ran is an error.
xmllint --noout --schema "$here/../metrics/junit.xsd" "$sweep/junit.xml" || fail "junit.xml is invalid"
/usr/bin/python3 - "$sweep/junit.xml" <<'EOF' || fail "junitparser check failed"
import sys
from junitparser import JUnitXml, Error
suites = list(JUnitXml.fromfile(sys.argv[1]))
assert len(suites) == 4, f"{len(suites)} suites"
assert suites[3].name.startswith("shard 3 seed 3"), suites[3].name
errors = [case for case in suites[3] if any(isinstance(r, Error) for r in case.result)]
assert len(errors) == 1, "the shard that never ran has no error testcase"
assert suites[1].failures >= 1, "the mutant shard's suite has no failure"
print(f"junit.xml: {len(suites)} suites, valid")
EOF

# metrics.prom: promtool, counters summed, gauges per shard.
promtool check metrics <"$sweep/metrics.prom" || fail "promtool rejects metrics.prom"
gets() { awk '/^vstress_ops_total\{.*op="get".*result="ok"/ {s += $2} END {printf "%d", s}' "$@"; }
merged=$(gets "$sweep/metrics.prom")
shards=$(gets "$sweep"/shards/[0-2]/metrics.prom)
[[ "$merged" == "$shards" && "$merged" -gt 0 ]] || fail "merged get/ok $merged != the shards' $shards"
[[ $(grep -c '^vstress_run_info{.*shard="[0-9]"' "$sweep/metrics.prom") == 3 ]] ||
  fail "vstress_run_info is not kept per shard"
echo "metrics.prom: promtool ok, $merged gets summed over 3 shards"

# nightly.html in a real browser: the DOM, screenshots, overflow.
chrome() {
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/chrome" "$@" 2>>"$work/chromium.log"
}
file_url() { /usr/bin/python3 -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).as_uri())' "$1"; }
chrome --window-size=1280,1600 --dump-dom "$(file_url "$sweep/nightly.html")" >"$work/dom.html" ||
  fail "chromium --dump-dom failed (see $work/chromium.log)"
/usr/bin/python3 - "$work/dom.html" <<'EOF' || fail "the DOM check failed"
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.charts, self.rows, self.links = {}, [], {}, []
        self.in_chart = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if "id" in a:
            self.ids[a["id"]] = a
        if tag == "svg" and "chart" in classes:
            self.charts.append([])
            self.in_chart = True
        elif self.in_chart and "series" in classes:
            self.charts[-1].append(int(a.get("data-points", "0")))
        if tag == "tr" and classes:
            self.rows.setdefault(classes[0], []).append(a)
        if tag == "a":
            self.links.append(a.get("href"))
    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_chart = False

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
assert dom.ids["sweep-header"]["data-result"] == "violation"
assert "signatures" in dom.ids, "no signature table"
counts = sorted(int(r["data-count"]) for r in dom.rows.get("signature", []))
assert counts == [1, 2], f"signature rows with counts {counts}, want [1, 2]"
assert len(dom.rows.get("shard", [])) == 4, "not every shard is listed"
assert "shards/1/report.html" in dom.links, "no link to a shard's report"
assert len(dom.charts) >= 2, f"{len(dom.charts)} charts"
for i, series in enumerate(dom.charts):
    assert series and max(series) > 1, f"chart {i} draws no line: {series}"
print(f"nightly.html DOM: signature rows {counts}, 4 shards, charts {dom.charts}")
EOF

# PNG_CHECK WIDTH HEIGHT FILE: the screenshot has the requested size and is not blank.
png_check() {
  /usr/bin/python3 - "$@" <<'EOF'
import struct, sys, zlib
want_w, want_h, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + length])
    elif kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
width, height, depth, colour = ihdr[:4]
assert (width, height) == (want_w, want_h), f"{width}x{height}"
assert depth == 8 and colour in (2, 6), f"unexpected PNG format {ihdr}"
channels = 3 if colour == 2 else 4
stride = width * channels
raw = zlib.decompress(idat)
rows, previous = [], bytearray(stride)
for y in range(height):
    kind = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        left = line[x - channels] if x >= channels else 0
        up, up_left = previous[x], previous[x - channels] if x >= channels else 0
        if kind == 1: line[x] = (line[x] + left) & 0xFF
        elif kind == 2: line[x] = (line[x] + up) & 0xFF
        elif kind == 3: line[x] = (line[x] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - up_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
            line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
    rows.append(bytes(line))
    previous = line
colours, non_white = set(), 0
for line in rows:
    for x in range(0, stride, channels):
        colours.add(line[x:x + 3])
        non_white += line[x:x + 3] != b"\xff\xff\xff"
share = non_white / (width * height)
print(f"{path}: {width}x{height}, {len(colours)} colours, {share:.1%} non-white")
assert len(colours) >= 50 and share >= 0.05, "blank or nearly"
assert b"\xcf\x22\x2e" in colours, "the failing header's red is not on screen"
EOF
}
chrome --window-size=1280,1600 --screenshot="$work/shot.png" "$(file_url "$sweep/nightly.html")" >/dev/null ||
  fail "chromium --screenshot failed"
png_check 1280 1600 "$work/shot.png" || fail "the desktop screenshot check failed"
chrome --window-size=390,2000 --screenshot="$work/phone.png" "$(file_url "$sweep/nightly.html")" >/dev/null ||
  fail "chromium --screenshot at phone width failed"
png_check 390 2000 "$work/phone.png" || fail "the phone screenshot check failed"

# Sideways overflow is measured by a script in a copy of the page (the page itself has none).
sed 's|</body>|<script>document.body.dataset.testOverflow = document.documentElement.scrollWidth - document.documentElement.clientWidth; document.body.dataset.testWidth = innerWidth;</script></body>|' \
  "$sweep/nightly.html" >"$work/narrow.html"
chrome --window-size=390,2000 --dump-dom "$(file_url "$work/narrow.html")" >"$work/narrow-dom.html" ||
  fail "chromium --dump-dom at phone width failed"
body=$(grep -o '<body[^>]*>' "$work/narrow-dom.html")
[[ "$body" =~ data-test-overflow=\"(-?[0-9]+)\" ]] || fail "no overflow measured: $body"
overflow="${BASH_REMATCH[1]}"
[[ "$body" =~ data-test-width=\"([0-9]+)\" ]] && ((BASH_REMATCH[1] <= 500)) ||
  fail "the narrow window was not narrow: $body"
((overflow <= 0)) || fail "nightly.html scrolls sideways by $overflow px on a narrow screen"
echo "nightly.html: no sideways overflow at a narrow window"

# A corrupt plan line, and a plan of another version: exit 2 naming the file and line.
bad="$work/bad sweep"
for corruption in '{not json' '{"plan_version":2,"index":1,"seed":1,"argv":["run"],"command":"x"}'; do
  rm -rf "$bad" && mkdir -p "$bad" && cp "$sweep/sweep.json" "$bad/"
  { head -n 1 "$sweep/plan.jsonl"; echo "$corruption"; } >"$bad/plan.jsonl"
  merge "$bad"
  [[ $rc -eq 2 ]] || fail "a corrupt plan ($corruption) exited $rc, not 2"
  grep -qF "$bad/plan.jsonl:2" "$work/merge.err" || fail "the message does not name plan.jsonl:2: $(cat "$work/merge.err")"
done
rm -f "$bad/plan.jsonl"
merge "$bad"
[[ $rc -eq 2 ]] && grep -qF "$bad/plan.jsonl" "$work/merge.err" ||
  fail "a missing plan exited $rc, not 2 naming the file: $(cat "$work/merge.err")"
echo "corrupt, foreign and missing plans exit 2 naming the file"

# --compare: an earlier sweep in which the mutant shards never ran has no tombstone signature.
previous="$work/previous sweep"
rm -rf "$previous" && cp -r "$sweep" "$previous" && rm -f "$previous"/shards/[12]/shard.json
merge "$previous"
[[ $rc -eq 4 ]] || fail "the earlier sweep (errors only) merged with exit $rc, not 4"
merge "$sweep" --compare "$previous"
[[ $rc -eq 1 ]] || fail "merge --compare exited $rc"
/usr/bin/python3 - "$sweep/summary.json" <<'EOF' || fail "the comparison is wrong"
import json, sys
c = json.load(open(sys.argv[1]))["compare"]
assert len(c["new_signatures"]) == 1 and c["fixed_signatures"] == [], c
assert c["throughput_ratio"] is not None and c["throughput_ratio"] > 0, c
print(f"compare: new {c['new_signatures']}, throughput x{c['throughput_ratio']:.2f}")
EOF
grep -q 'id="compare"' "$sweep/nightly.html" || fail "nightly.html has no comparison section"
mkdir -p "$work/not a sweep"
merge "$sweep" --compare "$work/not a sweep"
[[ $rc -eq 2 ]] && grep -qF "$work/not a sweep/summary.json" "$work/merge.err" ||
  fail "--compare with no previous summary exited $rc: $(cat "$work/merge.err")"

# --push-gateway: one group per shard that has metrics; the next merge deletes the earlier groups.
start_server pushgateway /-/ready "$work/pushgateway.log" \
  prometheus-pushgateway --web.listen-address="127.0.0.1:{PORT}"
gateway="http://127.0.0.1:$PORT"
merge "$sweep" --push-gateway "$gateway"
[[ $rc -eq 1 ]] || fail "merge --push-gateway exited $rc"
grep -q 'pushgateway: ' "$work/merge.err" && fail "the push reported an error: $(cat "$work/merge.err")"
curl -sf "$gateway/metrics" >"$work/gateway.prom"
for shard in 0 1 2; do
  grep -E "^vstress_run_info\{.*shard=\"$shard\"" "$work/gateway.prom" | grep 'job="vstress_sweep"' |
    grep -q 'sweep="sweep dir ü"' || fail "the gateway holds no group for shard $shard"
done
rm "$sweep/shards/2/metrics.prom"
merge "$sweep" --push-gateway "$gateway"
curl -sf "$gateway/metrics" >"$work/gateway2.prom"
grep -q 'job="vstress_sweep".*shard="2"\|shard="2".*job="vstress_sweep"' "$work/gateway2.prom" &&
  fail "the previous merge's group for shard 2 was not deleted"
grep -q 'shard="1"' "$work/gateway2.prom" || fail "shard 1's group is gone"
[[ $(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["groups"]))' \
  "$sweep/pushed-groups.json") == 2 ]] || fail "pushed-groups.json does not list the 2 groups"
echo "pushgateway: one group per shard; a re-merge deleted the stale group"
merge "$sweep" --push-gateway "http://127.0.0.1:$(free_port)"
[[ $rc -eq 1 ]] || fail "a dead pushgateway changed the merge's exit code to $rc"
grep -q 'pushgateway: ' "$work/merge.err" || fail "a dead gateway was not reported"

echo "nightly_render_test: PASS"
