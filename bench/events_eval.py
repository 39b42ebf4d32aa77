#!/usr/bin/env python3
"""Real-footage evaluation of the incident rules (tamper, person_down).

Runs `argus analyze --events` with ONE config (the documented defaults) on
every clip of bench/events_manifest.csv and prints, per clip, the first alert
of each incident against its annotated onset; then recall and median delay per
event type, and false alarms per hour of footage with no incident.

  bench/events_eval.py [--argus build/bin/argus] [--detector builtin] [--only tamper|falls|normal]

Shared data: $ARGUS_SHARED_DIR, else ../shared beside the source tree.
Scoring (frames 1-based; TOL = 10 frames, the annotation's accuracy):
- tamper event: detected by the first `tamper` start at frame >= onset - TOL
  whose details.reason is accepted; on time when within 3 s of the onset.
- fall (Le2i .txt: first and last frame of the fall): detected by a
  `person_down` start in [fall start - TOL, fall end + POST_FALL_S]; delay is
  measured from the fall's end (0 when earlier). Precision counts every
  person_down start outside that window as false.
- false alarm: any start outside an incident window: a whole normal clip,
  frames before the first onset - TOL of an event clip, frames before the fall
  of a Le2i clip. Normal hours add up exactly those frames.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

TOL = 10
ON_TIME_S = 3.0
POST_FALL_S = 10.0
HERE = os.path.dirname(os.path.abspath(__file__))

CONFIG = """cameras:
  - name: cam
    source: {source}
    rules:
      - {{name: tamper, kind: tamper}}
      - {{name: person-down, kind: person_down}}
"""


def shared_dir():
    return os.environ.get("ARGUS_SHARED_DIR", os.path.join(HERE, "..", "..", "shared"))


def read_manifest(path, data):
    rows = []
    with open(path) as f:
        lines = [l for l in f if l.strip() and not l.startswith("#")]
    for r in csv.DictReader(lines):
        clip = r["clip"] if os.path.isabs(r["clip"]) else os.path.join(data, r["clip"])
        clips = ([os.path.join(clip, n) for n in sorted(os.listdir(clip)) if n.endswith(".mp4")]
                 if clip.endswith("/") else [clip])
        for c in clips:
            rows.append(dict(r, clip=c))
    return rows


def read_fall(clip):
    """(first, last) frame of the fall from the Le2i annotation, or None."""
    txt = os.path.splitext(clip)[0] + ".txt"
    with open(txt) as f:
        a, b = int(f.readline()), int(f.readline())
    return (a, b) if a > 0 else None


def analyze(argus, clip, detector, workdir):
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.relpath(clip, "/"))
    cfg = os.path.join(workdir, base + ".yaml")
    ev = os.path.join(workdir, base + ".jsonl")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(source=json.dumps(clip)))
    cmd = [argus, "analyze", clip, "--config", cfg, "--events", ev]
    if detector:
        cmd += ["--detector", detector]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip()[-500:]))
    m = re.search(r"\(\d+x\d+, ([\d.]+) fps\)", p.stdout)
    fps = float(m.group(1)) if m else 25.0
    frames = int(re.search(r"frames\s+(\d+) decoded", p.stdout).group(1))
    starts = []
    with open(ev) as f:
        for line in f:
            e = json.loads(line)
            if e.get("phase") == "start":
                starts.append((e["frame"], e["type"], e.get("details", {}).get("reason", "")))
    return fps, frames, sorted(starts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--argus", default=os.path.join(HERE, "..", "build", "bin", "argus"))
    ap.add_argument("--detector", default="")
    ap.add_argument("--manifest", default=os.path.join(HERE, "events_manifest.csv"))
    ap.add_argument("--only", choices=["tamper", "falls", "normal"])
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", "2")))
    a = ap.parse_args()
    data = os.path.join(shared_dir(), "data")
    if not os.path.isdir(data):
        print("events_eval: no shared data at %s (set ARGUS_SHARED_DIR); skipped" % data)
        return 0
    rows = read_manifest(a.manifest, data)
    if a.only:
        keep = {"tamper": "event", "falls": "falls", "normal": "normal"}[a.only]
        rows = [r for r in rows if r["role"] == keep]
    clips = sorted({r["clip"] for r in rows})
    results = {}
    failed = []
    with tempfile.TemporaryDirectory() as work, \
            concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futs = {pool.submit(analyze, a.argus, c, a.detector, work): c for c in clips}
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            try:
                results[futs[fut]] = fut.result()
            except RuntimeError as e:  # reported, and left out of every figure
                failed.append((futs[fut], str(e).splitlines()[-1]))
            sys.stderr.write("\r[%d/%d] clips analysed" % (i, len(clips)))
    sys.stderr.write("\n")

    delays = {}      # type -> delays of detected events (s)
    totals = {}      # type -> number of events
    on_time = {}     # type -> detected within ON_TIME_S (tamper)
    false_alarms = []
    normal_s = 0.0
    pd_true = pd_false = 0
    print("%-34s %-11s %6s %8s %-10s %7s  %s" % ("clip", "type", "onset", "alert", "reason",
                                                  "delay_s", "note"))
    for clip, err in failed:
        print("%-34s ANALYZE FAILED (left out): %s" % (os.path.basename(clip), err))
    for clip in clips:
        if clip not in results:
            continue
        fps, frames, starts = results[clip]
        name = os.path.relpath(clip, data) if clip.startswith(data) else os.path.basename(clip)
        mine = [r for r in rows if r["clip"] == clip]
        windows = []  # (first, last) frames in which starts are not false alarms
        normal_until = frames
        for r in mine:
            if r["role"] == "event":
                onset = int(r["onset"])
                reasons = set(r["reasons"].split("|"))
                hit = next((s for s in starts if s[1] == r["type"] and s[0] >= onset - TOL and
                            ("-" in reasons or s[2] in reasons)), None)
                totals[r["type"]] = totals.get(r["type"], 0) + 1
                windows.append((onset - TOL, frames))
                normal_until = min(normal_until, onset - TOL - 1)
                if hit:
                    d = (hit[0] - onset) / fps
                    delays.setdefault(r["type"], []).append(max(0.0, d))
                    ok = d <= ON_TIME_S
                    on_time[r["type"]] = on_time.get(r["type"], 0) + ok
                    note = "ok" if ok else "LATE"
                    print("%-34s %-11s %6d %8d %-10s %7.2f  %s" % (name, r["type"], onset, hit[0],
                                                                  hit[2], d, note))
                else:
                    print("%-34s %-11s %6d %8s %-10s %7s  MISSED (accepted: %s)" % (
                        name, r["type"], onset, "-", "-", "-", r["reasons"]))
            elif r["role"] == "falls":
                fall = read_fall(clip)
                if not fall:
                    continue
                lo, hi = fall[0] - TOL, fall[1] + int(POST_FALL_S * fps)
                windows.append((lo, hi))
                normal_until = min(normal_until, lo - 1)
                totals["person_down"] = totals.get("person_down", 0) + 1
                inside = [s for s in starts if s[1] == "person_down" and lo <= s[0] <= hi]
                if inside:
                    d = max(0.0, (inside[0][0] - fall[1]) / fps)
                    delays.setdefault("person_down", []).append(d)
                    print("%-34s %-11s %6d %8d %-10s %7.2f  fall %d-%d" % (
                        name, "person_down", fall[0], inside[0][0], "-", d, fall[0], fall[1]))
                else:
                    print("%-34s %-11s %6d %8s %-10s %7s  MISSED fall %d-%d" % (
                        name, "person_down", fall[0], "-", "-", "-", fall[0], fall[1]))
            elif r["role"] == "normal" and int(r["until"]) > 0:
                normal_until = min(normal_until, int(r["until"]))
        normal_s += max(0, normal_until) / fps
        for s in starts:
            inside = any(lo <= s[0] <= hi for lo, hi in windows)
            if s[1] == "person_down":
                pd_true += inside
                pd_false += not inside
            if not inside:
                false_alarms.append((name, s))
                print("%-34s %-11s %6s %8d %-10s %7s  FALSE ALARM" % (name, s[1], "-", s[0],
                                                                        s[2] or "-", "-"))

    print()
    print("%-12s %7s %7s %9s %12s" % ("type", "events", "recall", "on_time", "median_delay"))
    for t in sorted(totals):
        d = delays.get(t, [])
        print("%-12s %7d %6.0f%% %9s %11.2fs" % (
            t, totals[t], 100.0 * len(d) / totals[t],
            "%d/%d" % (on_time.get(t, 0), totals[t]) if t in on_time else "-",
            statistics.median(d) if d else float("nan")))
    if pd_true + pd_false:
        print("person_down precision: %.0f%% (%d of %d alerts inside a fall window)" % (
            100.0 * pd_true / (pd_true + pd_false), pd_true, pd_true + pd_false))
    hours = normal_s / 3600
    by_type = {}
    for _, s in false_alarms:
        by_type[s[1]] = by_type.get(s[1], 0) + 1
    print("normal footage: %.1f min; false alarms: %d (%s) = %.1f per hour" % (
        normal_s / 60, len(false_alarms),
        ", ".join("%s=%d" % kv for kv in sorted(by_type.items())) or "none",
        len(false_alarms) / hours if hours else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
