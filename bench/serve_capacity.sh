#!/usr/bin/env bash
# How many cameras one node sustains: `argus serve` with N cameras, each an RTSP
# stream of vtest.avi (one GStreamer RTSP server, shared media, looping the
# file at its own 10 fps), detection at 5 fps with the builtin detector, and a
# whole-frame intrusion rule so alerts flow to a real mosquitto broker.
# For each N: frames dropped by back-pressure (% of frames due for analysis),
# CPU and memory of the daemon, per camera, and the alert latency from the
# frame's arrival to the MQTT message at a subscriber (p50, p99).
# Usage: bash bench/serve_capacity.sh [N ...]   (default: 1 2 4 6 8 12 16)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ARGUS=$BUILD/bin/argus
RTSP=$BUILD/bin/argus_rtsp_test_server
LAT=$BUILD/bin/alert_latency
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
WARMUP_S=10
OUT=out/bench/serve
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1 2 4 6 8 12 16)
mkdir -p "$OUT"
for b in "$ARGUS" "$RTSP" "$LAT" /usr/sbin/mosquitto; do
  [ -x "$b" ] || { echo "missing $b (make bench builds it; mosquitto comes with make setup-test)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mqtt_port=$(free_port)
/usr/sbin/mosquitto -p "$mqtt_port" > "$OUT/mosquitto.log" 2>&1 & pids+=($!)
"$RTSP" 0 --file "$VTEST" > "$OUT/rtsp.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q '^PORT' "$OUT/rtsp.log" && break; sleep 0.1; done
rtsp_port=$(awk '/^PORT/{print $2}' "$OUT/rtsp.log")
[ -n "$rtsp_port" ] || { echo "RTSP server did not start:" >&2; cat "$OUT/rtsp.log" >&2; exit 1; }

# metric NAME FILE: sum over cameras of a Prometheus metric.
metric() { awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {printf "%.0f", s}' "$2"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

printf "%8s %9s %9s %8s %11s %12s %11s %9s %9s\n" cameras analysed dropped drop% cpu_cores cpu/camera rss_MiB p50_ms p99_ms
for n in "${counts[@]}"; do
  cfg=$OUT/site_$n.yaml
  data=$OUT/data_$n
  rm -rf "$data"
  {
    echo "server: {workers: 0}"
    echo "mqtt: {host: 127.0.0.1, port: $mqtt_port}"
    echo "alerts: {cooldown_s: 0}"
    echo "evidence: {enabled: true, min_free_mb: 10}"
    echo "cameras:"
    for i in $(seq "$n"); do
      cat <<CAM
  - name: cam$i
    source: rtsp://127.0.0.1:$rtsp_port/test
    detect_fps: 5
    zones: [{name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}]
    rules: [{name: anyone, kind: intrusion, zone: all, labels: [person], severity: alert, cooldown_s: 0}]
CAM
    done
  } > "$cfg"
  token=$("$ARGUS" token add bench --role viewer --config "$cfg" --data-dir "$data" 2>/dev/null)
  "$ARGUS" serve --config "$cfg" --port 0 --data-dir "$data" > "$OUT/serve_$n.log" 2>&1 &
  spid=$!
  for _ in $(seq 300); do grep -q 'listening on port' "$OUT/serve_$n.log" && break; sleep 0.1; done
  http=$(awk '/listening on port/{print $4}' "$OUT/serve_$n.log")
  sleep "$WARMUP_S"
  "$LAT" 127.0.0.1 "$mqtt_port" "$SECONDS_PER_RUN" > "$OUT/latency_$n.txt" &
  lpid=$!
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$http/metrics" > "$OUT/m0_$n.txt"
  c0=$(cpu_ticks "$spid")
  sleep "$SECONDS_PER_RUN"
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$http/metrics" > "$OUT/m1_$n.txt"
  c1=$(cpu_ticks "$spid")
  rss=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$spid/status")
  kill -TERM "$spid"; wait "$spid" || true
  wait "$lpid" || true
  a=$(( $(metric argus_camera_analysed_frames_total "$OUT/m1_$n.txt") - $(metric argus_camera_analysed_frames_total "$OUT/m0_$n.txt") ))
  d=$(( $(metric argus_camera_dropped_frames_total "$OUT/m1_$n.txt") - $(metric argus_camera_dropped_frames_total "$OUT/m0_$n.txt") ))
  read -r nlat p50 p99 _ < "$OUT/latency_$n.txt"
  awk -v n="$n" -v a="$a" -v d="$d" -v c=$((c1 - c0)) -v hz="$hz" -v s="$SECONDS_PER_RUN" -v rss="$rss" \
      -v p50="$p50" -v p99="$p99" -v nl="$nlat" 'BEGIN {
    cores = c / hz / s;
    printf "%8d %9d %9d %7.2f%% %11.2f %12.3f %11d %9s %9s   (%d alerts)\n",
      n, a, d, (a + d) ? 100 * d / (a + d) : 0, cores, cores / n, rss, p50, p99, nl }'
done
echo "(drop%: frames due for analysis at 5 fps that were dropped because analysis fell behind;"
echo " cpu: the daemon only, not the RTSP server or the broker; ${SECONDS_PER_RUN} s per run after ${WARMUP_S} s warm-up)"
