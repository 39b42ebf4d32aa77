#!/usr/bin/env python3
"""Appearance re-linking (track/relink_policy.h) on every real clip with ground truth:
`argus eval scenes` (bench/scenes.yaml, the ONE config bench/scenes_config.yaml) with
`tracker.relink` off and on, per detector. Prints IDF1, IDSW and MOTA per scene (Le2i per
room) with and without, and the cost: analysis CPU with re-linking over without, same run.

  python3 bench/relink_eval.py --argus build/bin/argus [--detectors builtin,onnx:M.onnx]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(argus, manifest, config_text, detector, root, only):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(config_text)
        path = f.name
    try:
        cmd = [argus, "eval", "scenes", manifest, "--config", path, "--detector", detector,
               "--json"]
        if root:
            cmd += ["--root", root]
        if only:
            cmd += ["--only", only]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
        return json.loads(out.stdout)
    finally:
        os.unlink(path)


def rows(result):
    """Scenes, with the Le2i rooms as their groups (73 clips of one person each)."""
    out = [s for s in result["scenes"] if not s["name"].startswith(("Coffee_room", "Home_"))]
    out += [g for g in result["groups"] if g["name"].startswith("Le2i")]
    return {r["name"]: r for r in out + [result["overall"]]}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--argus", default="build/bin/argus")
    ap.add_argument("--manifest", default=os.path.join(HERE, "scenes.yaml"))
    ap.add_argument("--config", default=os.path.join(HERE, "scenes_config.yaml"))
    shared = os.environ.get("ARGUS_SHARED_DIR", os.path.join(HERE, "..", "..", "shared"))
    model = os.path.join(shared, "models", "yolox_nano.onnx")
    ap.add_argument("--detectors",
                    default="builtin" + (f",onnx:{model}" if os.path.exists(model) else ""))
    ap.add_argument("--root", default=os.path.join(shared, "data"))
    ap.add_argument("--only", default="", help="regular expression on scene names")
    a = ap.parse_args()
    if not os.path.isdir(a.root):
        print(f"no {a.root}: re-linking benchmark skipped (set ARGUS_SHARED_DIR)")
        return 0
    with open(a.config) as f:
        base = f.read()
    if "\ntracker:" in "\n" + base:
        sys.exit(f"{a.config} has a tracker: section; this script adds its own")

    print(f"{'detector':<8} {'scene':<22} {'IDF1 off':>8} {'on':>6} {'delta':>6} "
          f"{'IDSW off':>8} {'on':>5} {'MOTA off':>8} {'on':>6} {'cpu on/off':>10}")
    for det in a.detectors.split(","):
        res = {}
        for relink in ("false", "true"):
            text = base + f"\ntracker:\n  relink: {relink}\n"
            res[relink] = rows(run(a.argus, a.manifest, text, det, a.root, a.only))
        for name, off in res["false"].items():
            on = res["true"][name]
            cost = on["cpu_s"] / off["cpu_s"] if off["cpu_s"] > 0 else 0
            print(f"{det.split(':')[0]:<8} {name:<22} {100 * off['IDF1']:8.1f} "
                  f"{100 * on['IDF1']:6.1f} {100 * (on['IDF1'] - off['IDF1']):+6.1f} "
                  f"{off['IDSW']:8d} {on['IDSW']:5d} {100 * off['MOTA']:8.1f} "
                  f"{100 * on['MOTA']:6.1f} {cost:10.3f}")
    print("(cpu on/off: analysis CPU seconds with re-linking / without, decoding included, "
          "same run; the machine is shared, so +-3% is noise)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
