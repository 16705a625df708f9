#!/usr/bin/env bash
# Proves that report.html renders in a real browser with JS off in the page: a smoke run's report,
# rebuilt by `vstress report`, is loaded by headless Chromium, whose DOM must hold the run header
# and at least four charts that each draw a series of more than one point, whose screenshots (desktop
# and phone width) must be the requested size and not blank, and whose layout at Chromium's
# narrowest window must not scroll sideways — neither for that passing run nor for a mutant run's
# report full of violation texts and histories. Both runs live under a directory of over 200
# characters with spaces and non-ASCII letters, whatever the path of the clone, so a long run
# directory (CI runners' paths are long) is part of what is tested. Also: `vstress report` on a
# missing directory exits 2.
#   report_render_test.sh VSTRESS WORK_DIR
set -euo pipefail
vstress="$1" work="$2"
# Over 200 characters below $work alone, with spaces and non-ASCII letters in one component.
deep="$work/a directory of nightly runs with spaces, ümlauts and Ελληνικά in its name"
# Underscores give a browser no place to break a line.
deep="$deep/another_rather_long_level_of_the_kind_ci_runners_create_for_each_job_0123456789"
deep="$deep/and-one-more-level-so-that-every-path-written-into-the-report-is-longer-than-a-phone"
[[ ${#deep} -ge $((${#work} + 200)) ]] || { echo "report_render_test: path too short" >&2; exit 1; }
run="$deep/run"
mutant_run="$deep/mutant run"

fail() {
  echo "report_render_test: FAIL: $*" >&2
  exit 1
}

# CI installs chromium, so its absence is a broken set-up, not a reason to skip.
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"

rm -rf "$work"
mkdir -p "$work"

rc=0
timeout 120 "$vstress" run --preset smoke --duration 3s --seed 1 --out "$run" --progress off \
  >"$work/run.out" 2>&1 || rc=$?
[[ $rc -eq 0 ]] || { cat "$work/run.out"; fail "vstress run exited $rc"; }

rm -f "$run/report.html"
rc=0
printed=$(timeout 60 "$vstress" report "$run") || rc=$?
[[ $rc -eq 0 ]] || fail "vstress report exited $rc"
[[ "$printed" == "$run/report.html" ]] || fail "vstress report printed '$printed'"
[[ -s "$run/report.html" ]] || fail "report.html was not written"
echo "report_render_test: report.html is $(stat -c %s "$run/report.html") bytes"

rc=0
timeout 60 "$vstress" report "$work/absent" 2>"$work/absent.err" || rc=$?
[[ $rc -eq 2 ]] || fail "vstress report on a missing directory exited $rc, not 2"
grep -qF "$work/absent" "$work/absent.err" || fail "the error does not name the directory"

# Chromium runs as root here, hence --no-sandbox; its own chatter goes to chromium.log.
chrome() {
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/chrome" "$@" 2>>"$work/chromium.log"
}

# PATH -> file:// URL (spaces and non-ASCII letters percent-encoded).
file_url() { python3 -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).as_uri())' "$1"; }

chrome --window-size=1280,1600 --dump-dom "$(file_url "$run/report.html")" >"$work/dom.html" ||
  fail "chromium --dump-dom failed (see $work/chromium.log)"
python3 - "$work/dom.html" <<'EOF' || fail "the DOM check failed"
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.charts = []        # per svg.chart: the data-points of each of its series
        self.in_chart = False
        self.ids = {}
        self.text_in = None
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
        if a.get("id") == "repro":
            self.text_in = "repro"
    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_chart = False
        if tag == "pre":
            self.text_in = None
    def handle_data(self, data):
        if self.text_in == "repro":
            self.ids.setdefault("repro-text", "")
            self.ids["repro-text"] += data

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
header = dom.ids.get("run-header")
assert header is not None, "no run header"
assert header.get("data-result") == "pass", f"run header says {header.get('data-result')}"
assert "run --config" in dom.ids.get("repro-text", ""), "no repro command"
assert len(dom.charts) >= 4, f"{len(dom.charts)} svg.chart elements, want >= 4"
for i, series in enumerate(dom.charts):
    assert series and max(series) > 1, f"chart {i} has no series of more than one point: {series}"
print(f"report_render_test: DOM has {len(dom.charts)} charts, points per series {dom.charts}")
EOF

# PNG_CHECK WIDTH HEIGHT FILE: the PNG is exactly WIDTH x HEIGHT and not blank.
png_check() {
  python3 - "$@" <<'EOF'
import struct, sys, zlib

want_w, want_h, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
width, height, depth, colour, _, _, interlace = ihdr
assert (width, height) == (want_w, want_h), f"{width}x{height}, want {want_w}x{want_h}"
assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG format {ihdr}"
channels = 3 if colour == 2 else 4
stride = width * channels
raw = zlib.decompress(idat)
rows, previous = [], bytearray(stride)
for y in range(height):
    kind = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        left = line[x - channels] if x >= channels else 0
        up = previous[x]
        up_left = previous[x - channels] if x >= channels else 0
        if kind == 1:
            line[x] = (line[x] + left) & 0xFF
        elif kind == 2:
            line[x] = (line[x] + up) & 0xFF
        elif kind == 3:
            line[x] = (line[x] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - up_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
            line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        else:
            assert kind == 0, f"bad filter type {kind}"
    rows.append(bytes(line))
    previous = line
colours, non_white = set(), 0
for line in rows:
    for x in range(0, stride, channels):
        rgb = line[x:x + 3]
        colours.add(rgb)
        non_white += rgb != b"\xff\xff\xff"
share = non_white / (width * height)
pass_green = b"\x1a\x7f\x37" in colours  # the header's pass colour
print(f"report_render_test: {path}: {width}x{height}, {len(colours)} colours, "
      f"{share:.1%} non-white, pass green {'present' if pass_green else 'absent'}")
assert len(colours) >= 50, "fewer than 50 distinct colours: blank or nearly"
assert share >= 0.05, "under 5% of the pixels are not white"
assert pass_green, "the pass colour of the run header is not on screen"
EOF
}

chrome --window-size=1280,1600 --screenshot="$work/shot.png" "$(file_url "$run/report.html")" >/dev/null ||
  fail "chromium --screenshot failed (see $work/chromium.log)"
png_check 1280 1600 "$work/shot.png" || fail "the desktop screenshot check failed"

chrome --window-size=390,2000 --screenshot="$work/phone.png" "$(file_url "$run/report.html")" >/dev/null ||
  fail "chromium --screenshot at phone width failed"
png_check 390 2000 "$work/phone.png" || fail "the phone screenshot check failed"

# Sideways overflow can only be measured by script, which the report must not carry, so a copy of
# it gets one. Headless Chromium lays pages out no narrower than 500 CSS px, whatever the window.
#   check_overflow REPORT NAME
check_overflow() {
  sed 's|</body>|<script>document.body.dataset.testOverflow = document.documentElement.scrollWidth - document.documentElement.clientWidth; document.body.dataset.testWidth = innerWidth;</script></body>|' \
    "$1" >"$work/$2-narrow.html"
  chrome --window-size=390,2000 --dump-dom "$(file_url "$work/$2-narrow.html")" \
    >"$work/$2-narrow-dom.html" || fail "chromium --dump-dom at phone width failed ($2)"
  local body overflow width
  body=$(grep -o '<body[^>]*>' "$work/$2-narrow-dom.html")
  [[ "$body" =~ data-test-overflow=\"(-?[0-9]+)\" ]] || fail "no overflow measured ($2): $body"
  overflow="${BASH_REMATCH[1]}"
  [[ "$body" =~ data-test-width=\"([0-9]+)\" ]] || fail "no width measured ($2): $body"
  width="${BASH_REMATCH[1]}"
  echo "report_render_test: $2: at a ${width} px wide window the page overflows by ${overflow} px"
  ((width <= 500)) || fail "the narrow window was laid out ${width} px wide ($2)"
  ((overflow <= 0)) || fail "the $2 page scrolls sideways by ${overflow} px on a narrow screen"
}
check_overflow "$run/report.html" pass

# A report with violations: kinds, ops, expected/observed values, oracle histories, recent ops.
rc=0
timeout 120 "$vstress" run --mutant get-reads-live-memtable --seed 1 --duration 20s \
  --out "$mutant_run" --progress off >"$work/mutant.out" 2>&1 || rc=$?
[[ $rc -eq 1 ]] || { cat "$work/mutant.out"; fail "the mutant run exited $rc, not 1"; }
grep -q 'class="violation"' "$mutant_run/report.html" || fail "the mutant run's report shows no violation"
grep -q 'class="key-history"' "$mutant_run/report.html" || fail "the mutant run's report has no key history"
grep -q 'class="key-locations"' "$mutant_run/report.html" || fail "the mutant run's report does not say where the key lives"
check_overflow "$mutant_run/report.html" violation

echo "report_render_test: PASS"
