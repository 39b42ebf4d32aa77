#!/usr/bin/env bash
# Accuracy against speed for each switch of the neural path (issue 12, part 3),
# on the real scenes with ground truth, ONE config per row (bench/scenes_config.yaml
# plus the switch): the network on the whole frame every analysed frame, on
# windows around the motion (detector.crops), skipping frames the tracks explain
# (detector.coast_frames), and both. Every frame is analysed (full frame rate).
#   bench/onnx_switches.sh [ARGUS_BINARY] [SCENES_REGEX]
# The default regex takes PETS09-S2L1, TUD-Stadtmitte and one Le2i clip per room;
# pass '.' for all 75 scenes (about an hour per row on one core).
set -euo pipefail
argus=${1:-build/bin/argus}
only=${2:-'PETS|TUD|_video1$'}
here=$(cd "$(dirname "$0")" && pwd)
shared=${ARGUS_SHARED_DIR:-$here/../../shared}
model=$shared/models/yolox_nano.onnx
[[ -x $argus ]] || { echo "no argus binary at $argus" >&2; exit 1; }
[[ -f $model ]] || { echo "no $model: neural switch benchmark skipped"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rows=("whole-frame:crops: false|coast_frames: 0"
      "crops:crops: true|coast_frames: 0"
      "coast-1:crops: false|coast_frames: 1"
      "crops+coast-1:crops: true|coast_frames: 1"
      "crops+coast-2:crops: true|coast_frames: 2")
for row in "${rows[@]}"; do
  name=${row%%:*}
  keys=${row#*:}
  cfg=$work/$name.yaml
  sed "s/^detector:$/detector:\n  ${keys%%|*}\n  ${keys#*|}/" "$here/scenes_config.yaml" > "$cfg"
  echo "-- $name (${keys/|/, }) --"
  OPENCV_FOR_THREADS_NUM=1 "$argus" eval scenes "$here/scenes.yaml" --root "$shared/data" \
    --config "$cfg" --detector "onnx:$model" --only "$only"
done
