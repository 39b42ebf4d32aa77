#!/usr/bin/env bash
# Counting accuracy of the rules on real video: `argus analyze` on vtest.avi
# (PETS09-S2L1 view 1) with a tripwire across the walkway and a zone on the
# lawn, against what the ground-truth trajectories give for the same line and
# zone (same definitions as rules::CountGtCrossings / CountGtZoneEntries:
# foot point, band 0.01 of the diagonal, 3 frames of inertia, crossing point
# on the segment; one entry per debounced entry of a track). For the builtin
# detector and, when the model is there, yolox_nano (onnx).
#   bench/rules_counts.sh [ARGUS_BINARY=build/bin/argus]
# Shared data: $ARGUS_SHARED_DIR, else ../shared beside the source tree.
# COOLDOWN_S (default 2) is the rules' cooldown_s.
set -euo pipefail

argus=${1:-build/bin/argus}
here=$(cd "$(dirname "$0")" && pwd)
shared=${ARGUS_SHARED_DIR:-$here/../../shared}
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
gt=$shared/data/mot15/PETS09-S2L1/gt/gt.txt
model=$shared/models/yolox_nano.onnx
cooldown=${COOLDOWN_S:-2}
[[ -x $argus ]] || { echo "no argus binary at $argus" >&2; exit 1; }
[[ -f $vtest ]] || { echo "no $vtest (Debian's opencv-doc)" >&2; exit 1; }
[[ -f $gt ]] || { echo "no ground truth at $gt (set ARGUS_SHARED_DIR)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Same line and zone as tests/rules_vtest_test.cc (relative coordinates).
line_a="0.05 0.6"
line_b="0.95 0.6"
lawn="0.0 0.3 0.45 0.65" # x0 y0 x1 y1
read -r ax ay <<<"$line_a"
read -r bx by <<<"$line_b"
read -r x0 y0 x1 y1 <<<"$lawn"
cat >"$work/site.yaml" <<EOF
detector:
  classes: [person]
cameras:
  - name: pets
    source: $vtest
    detect_fps: 0
    zones:
      - name: lawn
        polygon: [[$x0, $y0], [$x1, $y0], [$x1, $y1], [$x0, $y1]]
    lines:
      - name: walkway
        a: [$ax, $ay]
        b: [$bx, $by]
    rules:
      - name: walkway-count
        kind: line_crossing
        line: walkway
        direction: any
        labels: [person]
        cooldown_s: $cooldown
      - name: lawn-entry
        kind: intrusion
        zone: lawn
        labels: [person]
        cooldown_s: $cooldown
EOF

# gt.txt -> "a_to_b b_to_a entries", an independent re-implementation of
# src/rules/ground_truth.cc for a 768x576 frame.
gt_counts() {
  python3 - "$gt" "$line_a $line_b" "$lawn" <<'PY'
import collections, math, sys
W, H, BAND, INERTIA = 768, 576, 0.01, 3
ax, ay, bx, by = (float(v) for v in sys.argv[2].split())
x0, y0, x1, y1 = (float(v) for v in sys.argv[3].split())
a, b = (ax * W, ay * H), (bx * W, by * H)
ab = (b[0] - a[0], b[1] - a[1])
band = BAND * math.hypot(W, H)
cross = lambda p: ab[0] * (p[1] - a[1]) - ab[1] * (p[0] - a[0])
def side(p):
    d = cross(p) / math.hypot(*ab)
    return -1 if d < -band else (1 if d > band else 0)
def direction(p0, p1):  # path p0 -> p1 crosses the segment itself
    s0, s1 = side(p0), side(p1)
    if s0 == 0 or s1 == 0 or s0 == s1: return 0
    d0, d1 = cross(p0), cross(p1)
    t = d0 / (d0 - d1)
    x = (p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t)
    u = ((x[0] - a[0]) * ab[0] + (x[1] - a[1]) * ab[1]) / (ab[0] ** 2 + ab[1] ** 2)
    return 0 if u < 0 or u > 1 else (1 if s1 > s0 else -1)
tracks = collections.defaultdict(list)
for row in open(sys.argv[1]):
    f = row.split(',')
    if len(f) < 6: continue
    x, y, w, h = map(float, f[2:6])
    tracks[int(f[1])].append((int(f[0]), (x + w / 2, y + h)))
n_ab = n_ba = entries = 0
for pts in tracks.values():
    pts.sort()
    cur, cur_pt, cand, streak, cand_pt = 0, None, 0, 0, None  # Tripwire::State
    inside, out_streak = False, 0                            # Debounced
    for _, p in pts:
        s = side(p)
        if s == 0: cand, streak = 0, 0
        elif s == cur: cur_pt, cand, streak = p, 0, 0
        else:
            if s != cand: cand, streak, cand_pt = s, 0, p
            streak += 1
            if streak >= INERTIA:
                prev, frm = cur, cur_pt
                cur, cur_pt, cand, streak = s, p, 0, 0
                d = direction(frm, cand_pt) if prev else 0
                n_ab += d > 0; n_ba += d < 0
        raw = x0 * W <= p[0] <= x1 * W and y0 * H <= p[1] <= y1 * H
        if raw == inside: out_streak = 0
        else:
            out_streak += 1
            if out_streak >= INERTIA:
                inside, out_streak = raw, 0
                entries += inside
print(n_ab, n_ba, entries)
PY
}

# events.jsonl -> "a_to_b b_to_a entries": crossings are the line rule's
# start/update events (details.direction), entries the intrusion starts.
event_counts() {
  python3 - "$1" <<'PY'
import json, sys
n = {"a_to_b": 0, "b_to_a": 0}
entries = 0
for row in open(sys.argv[1]):
    e = json.loads(row)
    if e["rule"] == "walkway-count" and e["phase"] != "end": n[e["details"]["direction"]] += 1
    if e["rule"] == "lawn-entry" and e["phase"] == "start": entries += 1
print(n["a_to_b"], n["b_to_a"], entries)
PY
}

read -r g_ab g_ba g_in <<<"$(gt_counts)"
detectors=(builtin)
[[ -f $model ]] && detectors+=("onnx:$model")
echo "line ($line_a)-($line_b), direction any; zone lawn rect ($lawn); cooldown_s $cooldown"
printf '%-8s | %-20s | %-20s | %-20s | %s\n' "" "a->b argus/gt/err" "b->a argus/gt/err" \
  "entries argus/gt/err" "analyze wall s"
for det in "${detectors[@]}"; do
  name=${det%%:*}
  start=$(date +%s.%N)
  "$argus" analyze "$vtest" --config "$work/site.yaml" --detector "$det" \
    --events "$work/$name.jsonl" >"$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
  wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  read -r ab ba in <<<"$(event_counts "$work/$name.jsonl")"
  cell() { awk -v a="$1" -v g="$2" 'BEGIN { printf "%3d %3d %+3d (%+4.0f%%)", a, g, a - g, g ? 100 * (a - g) / g : 0 }'; }
  printf '%-8s | %-20s | %-20s | %-20s | %s\n' "$name" "$(cell "$ab" "$g_ab")" \
    "$(cell "$ba" "$g_ba")" "$(cell "$in" "$g_in")" "$wall"
done
