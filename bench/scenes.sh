#!/usr/bin/env bash
# Detection and tracking on every real clip with ground truth (bench/scenes.yaml:
# PETS09-S2L1 = vtest.avi, TUD-Stadtmitte, the 73 Le2i fall clips), decode ->
# detect -> track with ONE config (bench/scenes_config.yaml), per scene, per
# group and overall; for the builtin detector and, when the model is there,
# yolox_nano. Reproduce one line of it with, e.g.:
#   build/bin/argus eval scenes bench/scenes.yaml --config bench/scenes_config.yaml
#   bench/scenes.sh [ARGUS_BINARY=build/bin/argus]   (ARGUS_SHARED_DIR: data folder)
set -euo pipefail
argus=${1:-build/bin/argus}
here=$(cd "$(dirname "$0")" && pwd)
shared=${ARGUS_SHARED_DIR:-$here/../../shared}
model=$shared/models/yolox_nano.onnx
[[ -x $argus ]] || { echo "no argus binary at $argus" >&2; exit 1; }
[[ -d $shared/data ]] || { echo "no $shared/data: scene benchmark skipped (set ARGUS_SHARED_DIR)"; exit 0; }

detectors=(builtin)
[[ -f $model ]] && detectors+=("onnx:$model")
for det in "${detectors[@]}"; do
  echo "-- detector ${det%%:*} --"
  "$argus" eval scenes "$here/scenes.yaml" --root "$shared/data" \
    --config "$here/scenes_config.yaml" --detector "$det"
done
