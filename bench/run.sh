#!/usr/bin/env bash
# End-to-end benchmarks, rerunnable by anyone: `make bench` (or bash bench/run.sh).
# Prints accuracy (MOTA, IDF1, HOTA on PETS09-S2L1) and speed of `argus analyze`
# for each detector on the real video, with plain decoding of the same file in
# the same run as the baseline; then the tracker on MOT15, and the micro
# benchmarks (rules engine, coverage). Speeds are frames per second of wall
# time and per core (frames / CPU seconds), since this machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ARGUS=$BUILD/bin/argus
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
SHARED=${ARGUS_SHARED_DIR:-../shared}
GT=$SHARED/data/mot15/PETS09-S2L1/gt/gt.txt
MODEL=$SHARED/models/yolox_nano.onnx
OUT=out/bench
mkdir -p "$OUT"

# Runs a command under /usr/bin/time; prints "wall_s cpu_s peak_rss_kib".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" > "$OUT/stdout.txt" 2> "$OUT/stderr.txt" || {
    cat "$OUT/stderr.txt" >&2; return 1; }
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$OUT/time.txt"
}

frames=$(awk -F, '{print $1}' "$GT" 2>/dev/null | sort -n | tail -1 || echo 795)
echo "== argus analyze on vtest.avi ($frames frames, 768x576) =="
printf "%-10s %8s %8s %10s %10s %8s %8s %8s %8s\n" run wall_s cpu_s fps fps/core ratio MOTA IDF1 HOTA
read -r dwall dcpu drss < <(measure "$ARGUS" probe --decode-bench "$VTEST")
dfps=$(awk -v f="$frames" -v w="$dwall" 'BEGIN{printf "%.1f", f/w}')
printf "%-10s %8s %8s %10s %10.1f %8s %8s %8s %8s   (peak %d MiB)\n" decode "$dwall" "$dcpu" "$dfps" \
  "$(awk -v f="$frames" -v c="$dcpu" 'BEGIN{print f/c}')" "1.00" - - - "$((drss / 1024))"
detectors=(builtin hog)
[ -f "$MODEL" ] && detectors+=("onnx:$MODEL")
for det in "${detectors[@]}"; do
  name=${det%%:*}
  read -r wall cpu rss < <(measure "$ARGUS" analyze "$VTEST" --config bench/pets_persons.yaml --detector "$det" --tracks "$OUT/$name.txt")
  acc="- - -"
  if [ -f "$GT" ]; then
    acc=$("$ARGUS" eval mot --gt "$GT" --res "$OUT/$name.txt" --json |
          python3 -c 'import json,sys; m=json.load(sys.stdin)["combined"]; print("%.3f %.3f %.3f" % (m["MOTA"], m["IDF1"], m["HOTA"]))')
  fi
  [ "$name" = builtin ] && builtin_ms=$(awk -v f="$frames" -v c="$cpu" 'BEGIN{printf "%.3f", 1000 * c / f}')
  awk -v n="$name" -v f="$frames" -v w="$wall" -v c="$cpu" -v dw="$dwall" -v a="$acc" -v r="$rss" \
    'BEGIN{split(a, m, " "); printf "%-10s %8.2f %8.2f %10.1f %10.1f %8.2f %8s %8s %8s   (peak %d MiB)\n",
      n, w, c, f/w, f/c, (f/w)/(f/dw), m[1], m[2], m[3], r/1024}'
done
echo "(ratio: analysis throughput / plain decoding throughput, both wall-clock, same run)"

echo; echo "== detection and tracking on every real scene with ground truth (one config) =="
bash bench/scenes.sh "$ARGUS"
echo; echo "== appearance re-linking (tracker.relink): with and without, per scene, same run =="
python3 bench/relink_eval.py --argus "$ARGUS"

echo "== neural detector: accuracy against speed per switch (bench/onnx_switches.sh) =="
bash bench/onnx_switches.sh "$ARGUS"

if [ -x bench/track_mot15.sh ] || [ -f bench/track_mot15.sh ]; then
  echo; echo "== tracker on MOT15 (ByteTrack vs SORT) =="
  bash bench/track_mot15.sh "$ARGUS"
fi
for b in track_bench camera_motion_bench rules_bench coverage_bench synthetic_rules_bench; do
  if [ -x "$BUILD/bin/$b" ]; then
    echo; echo "== $b =="
    "$BUILD/bin/$b" --benchmark_min_time=0.2 2>&1 | grep -v '^\*\*\*'
  fi
done

echo; echo "== incidents on real footage (tamper, person_down; builtin detector) =="
python3 bench/events_eval.py --argus "$ARGUS"
if [ -f "$MODEL" ]; then
  echo; echo "== person_down with onnx (yolox_nano) =="
  python3 bench/events_eval.py --argus "$ARGUS" --only falls --detector "onnx:$MODEL"
fi
echo; echo "== abandoned and removed objects composited into real footage (builtin detector) =="
python3 bench/objects_eval.py --argus "$ARGUS"
echo; echo "== unusual activity (src/learn): held-out real tracks vs anomalies built from them =="
M=$SHARED/data/mot15
seqs=()
[ -f "$M/PETS09-S2L1/gt/gt.txt" ] && seqs+=("PETS09-gt=$M/PETS09-S2L1/gt/gt.txt:7:768:576")
[ -f "$M/TUD-Stadtmitte/gt/gt.txt" ] && seqs+=("TUD-Stadtm-gt=$M/TUD-Stadtmitte/gt/gt.txt:25:640:480")
[ -f "$M/ADL-Rundle-6/gt/gt.txt" ] && seqs+=("ADL-Rundle6-gt=$M/ADL-Rundle-6/gt/gt.txt:30:1920:1080")
for n in builtin onnx; do
  [ -f "$OUT/$n.txt" ] && seqs+=("vtest-argus-$n=$OUT/$n.txt:7:768:576")
done
"$BUILD/bin/learn_eval" --analysis-ms-per-frame "${builtin_ms:-0}" "${seqs[@]}"
echo "(cost_%: learner CPU per frame / builtin argus analyze CPU per frame on vtest, same run)"

echo; echo "== cross-camera hand-off: real clips split into virtual cameras (bench/handoff_eval.cc) =="
hclips=("PETS09-S2L1=$VTEST:$GT")
TUD=$M/TUD-Stadtmitte
[ -f "$TUD/TUD-Stadtmitte.mp4" ] && hclips+=("TUD-Stadtmitte=$TUD/TUD-Stadtmitte.mp4:$TUD/gt/gt.txt")
if [ -f "$GT" ]; then
  hdets=(builtin)
  [ -f "$MODEL" ] && hdets+=("onnx:$MODEL")
  for det in "${hdets[@]}"; do
    "$BUILD/bin/handoff_eval" --config bench/scenes_config.yaml --detector "$det" --cameras 2 --gap 0.1 "${hclips[@]}"
    "$BUILD/bin/handoff_eval" --config bench/scenes_config.yaml --detector "$det" --cameras 3 --gap 0.1 "${hclips[@]}"
  done
fi

echo; echo "== argus serve: cameras per node (RTSP, 5 detection fps, builtin) =="
bash bench/serve_capacity.sh

echo; echo "== one node on PostgreSQL: cost per camera and the knee, builtin and onnx (bench/node_scale.py) =="
python3 bench/node_scale.py --argus "$ARGUS" --rtsp "$BUILD/bin/argus_rtsp_test_server" \
  --detectors "builtin,onnx:$MODEL"

echo; echo "== several nodes on one PostgreSQL: fail-over time over 10 kills -9, 12 RTSP cameras (bench/failover.py) =="
python3 bench/failover.py --argus "$ARGUS" --kills 10 --cameras 12 \
  --rtsp "$BUILD/bin/argus_rtsp_test_server"

echo; echo "== several nodes on one PostgreSQL: rolling restart, 12 RTSP cameras (bench/failover.py --rolling) =="
python3 bench/failover.py --argus "$ARGUS" --rolling --cameras 12 \
  --rtsp "$BUILD/bin/argus_rtsp_test_server"

echo; echo "== camera wall: 100 cameras, server and browser CPU (bench/camera_wall.sh) =="
bash bench/camera_wall.sh
