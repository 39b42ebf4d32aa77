#!/usr/bin/env bash
# The camera wall with 100 cameras: `argus serve` with N cameras (default 100),
# all RTSP streams of one looping GStreamer RTSP server (a 320x240 test pattern,
# so that decoding 100 streams fits a small machine), analysed at 1 fps; then a
# headless Chromium showing the wall with every tile on one page
# (bench/camera_wall.mjs). Reports, over the same run:
#   - the daemon's CPU (cores) without any viewer (baseline), with one wall
#     and with W walls at once (default 3: the tile cache means walls add
#     request handling, never encoding);
#   - the browser's CPU for one wall (all its processes);
#   - tile requests per second served and the pictures the page really showed.
# Usage: bash bench/camera_wall.sh [N] [W]      (BUILD=build: a Release build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ARGUS=${ARGUS:-$BUILD/bin/argus}
RTSP=${RTSP:-$BUILD/bin/argus_rtsp_test_server}
N=${1:-100}
WALLS=${2:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
WARMUP_S=${WARMUP_S:-20}
TALL_H=${TALL_H:-2600}  # px: all 100 tiles of 200 px on screen
OUT=out/bench/wall
mkdir -p "$OUT"
for b in "$ARGUS" "$RTSP" /usr/bin/chromium; do
  [ -x "$b" ] || { echo "missing $b (make bench builds argus; chromium comes with make setup-test)" >&2; exit 1; }
done
[ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
cores() { awk -v c="$1" -v hz="$hz" -v s="$SECONDS_PER_RUN" 'BEGIN{printf "%.2f", c / hz / s}'; }
metric() { awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {printf "%.0f", s}' "$2"; }

"$RTSP" 0 320x240 > "$OUT/rtsp.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q '^PORT' "$OUT/rtsp.log" && break; sleep 0.1; done
rtsp_port=$(awk '/^PORT/{print $2}' "$OUT/rtsp.log")
[ -n "$rtsp_port" ] || { echo "RTSP server did not start" >&2; cat "$OUT/rtsp.log" >&2; exit 1; }

cfg=$OUT/site.yaml
data=$OUT/data
rm -rf "$data"
{
  echo "server: {workers: 0, static_dir: $PWD/web, site_model: $PWD/config/museum_site.yaml}"
  echo "cameras:"
  for i in $(seq "$N"); do
    echo "  - {name: cam$(printf %03d "$i"), source: rtsp://127.0.0.1:$rtsp_port/test, detect_fps: 1}"
  done
} > "$cfg"
password="camera wall bench"
echo "$password" | "$ARGUS" user add wall --role operator --config "$cfg" --data-dir "$data" > /dev/null
token=$("$ARGUS" token add bench --role viewer --config "$cfg" --data-dir "$data" 2>/dev/null)
"$ARGUS" serve --config "$cfg" --port 0 --data-dir "$data" > "$OUT/serve.log" 2>&1 &
spid=$!; pids+=($spid)
for _ in $(seq 600); do grep -q 'listening on port' "$OUT/serve.log" && break; sleep 0.1; done
http=$(awk '/listening on port/{print $4}' "$OUT/serve.log")
[ -n "$http" ] || { echo "argus serve did not start" >&2; tail "$OUT/serve.log" >&2; exit 1; }
sleep "$WARMUP_S"
requests() { curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$http/metrics" > "$OUT/m.txt"; metric argus_http_requests_total "$OUT/m.txt"; }

# server_cpu: the daemon's CPU ticks over one run, while whatever runs now runs.
server_run() {
  local r0 c0 c1 r1
  r0=$(requests); c0=$(cpu_ticks "$spid")
  sleep "$SECONDS_PER_RUN"
  c1=$(cpu_ticks "$spid"); r1=$(requests)
  echo "$((c1 - c0)) $(( (r1 - r0) / SECONDS_PER_RUN ))"
}

read -r base_ticks base_rps < <(server_run)
printf "%-28s %12s %12s %10s\n" run server_cores browser_cores req/s
printf "%-28s %12s %12s %10s\n" "no viewer" "$(cores "$base_ticks")" - "$base_rps"
# Walls on one 1920x1080 screen (tiles off screen are not fetched), then on a wall of
# stacked screens tall enough to show all N tiles.
for run in "1 1080" "$WALLS 1080" "1 $TALL_H" "$WALLS $TALL_H"; do
  read -r w h <<< "$run"
  node bench/camera_wall.mjs --base "http://localhost:$http" --user wall --password "$password" \
    --walls "$w" --height "$h" --seconds $((SECONDS_PER_RUN + 15)) --settle 10 > "$OUT/wall_$w.json" 2> "$OUT/wall_$w.log" &
  npid=$!; pids+=($npid)
  sleep 10  # log in, first pictures
  read -r ticks rps < <(server_run)
  wait "$npid" || { cat "$OUT/wall_$w.log" >&2; exit 1; }
  browser=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["browser_cores"])' "$OUT/wall_$w.json")
  shown=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["tiles"], j["on_screen"], j["pictures_per_s"])' "$OUT/wall_$w.json")
  printf "%-28s %12s %12s %10s   (tiles, on screen, pictures/s shown: %s)\n" "$w wall(s) 1920x$h" "$(cores "$ticks")" "$browser" "$rps" "$shown"
done
echo "(server: the daemon's CPU, cores, over ${SECONDS_PER_RUN} s; its cameras' decoding and analysis is the"
echo " 'no viewer' row, the walls' cost is the difference. browser: all Chromium processes, one page per wall)"
