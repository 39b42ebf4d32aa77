#!/usr/bin/env bash
# ByteTrack vs the SORT baseline on the six MOT15 train sequences (Faster R-CNN
# detections): HOTA, MOTA, IDF1, IDSW per sequence and combined (TrackEval's
# definitions, `argus eval mot`), and the tracking-only rate in frames per CPU
# second of one core (file I/O excluded; `argus track --stats`).
#   bench/track_mot15.sh [ARGUS_BINARY=build/bin/argus] [MOT15_DIR]
# MOT15_DIR defaults to $ARGUS_SHARED_DIR/data/mot15, else ../shared/data/mot15.
set -euo pipefail

argus=${1:-build/bin/argus}
here=$(cd "$(dirname "$0")" && pwd)
data=${2:-${ARGUS_SHARED_DIR:-$here/../../shared}/data/mot15}
[[ -x $argus ]] || { echo "no argus binary at $argus" >&2; exit 1; }
[[ -d $data ]] || { echo "no MOT15 data at $data" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seqs=$(cd "$data" && ls -d */ | tr -d /)

# eval_row FILE NAME -> "HOTA MOTA IDF1 IDSW" for the row NAME of an eval table.
eval_row() { awk -v n="$2" '$1 == n { print $2, $6, $8, $13 }' "$1"; }

for tracker in sort bytetrack; do
  pairs=()
  total_frames=0
  total_cpu=0
  for seq in $seqs; do
    out=$work/$tracker/$seq.txt
    mkdir -p "$work/$tracker"
    stats=$("$argus" track --det "$data/$seq/det/det.txt" --out "$out" --tracker "$tracker" \
      --stats 2>&1 >/dev/null)
    frames=$(sed -n 's/.* frames=\([0-9]*\) .*/\1/p' <<<"$stats")
    cpu=$(sed -n 's/.*tracking_cpu_s=\([0-9.]*\).*/\1/p' <<<"$stats")
    echo "$seq $frames $cpu" >>"$work/$tracker.rates"
    pairs+=(--gt "$data/$seq/gt/gt.txt" --res "$out")
  done
  "$argus" eval mot "${pairs[@]}" >"$work/$tracker.eval"
done

printf '%-16s | %-40s | %-40s\n' "" "SORT (max_age 1, min_hits 3, IoU 0.3)" "ByteTrack (argus defaults)"
printf '%-16s | %6s %6s %6s %5s %12s | %6s %6s %6s %5s %12s\n' sequence HOTA MOTA IDF1 IDSW \
  "frames/cpu-s" HOTA MOTA IDF1 IDSW "frames/cpu-s"
rate() { awk -v s="$2" '$1 == s || s == "COMBINED" { f += $2; c += $3 } END { printf "%.0f", (c > 0 ? f / c : 0) }' "$1"; }
for seq in $seqs COMBINED; do
  read -r sh sm si ss <<<"$(eval_row "$work/sort.eval" "$seq")"
  read -r bh bm bi bs <<<"$(eval_row "$work/bytetrack.eval" "$seq")"
  printf '%-16s | %6.2f %6.2f %6.2f %5d %12s | %6.2f %6.2f %6.2f %5d %12s\n' "$seq" \
    "$sh" "$sm" "$si" "$ss" "$(rate "$work/sort.rates" "$seq")" \
    "$bh" "$bm" "$bi" "$bs" "$(rate "$work/bytetrack.rates" "$seq")"
done
