#!/usr/bin/env python3
"""What one node costs per camera, and where it stops keeping up (issue 17 part 6).

For each detector and each camera count N: one `argus serve` node on a private
PostgreSQL (the multi-node store) with N RTSP cameras (one GStreamer RTSP server
looping vtest.avi at its 10 fps, shared media), detection at 5 fps and an intrusion
rule over the whole frame and a tripwire across the walkway, so events reach the store
all the time (about one every 3 s per camera).
After a warm-up, over SECONDS it reports: analysed and dropped frames (dropped: due
for analysis but analysis fell behind), the daemon's CPU in cores and per camera, its
memory (RSS) and memory per camera, and the store's write latency (p50, p99 of
argus_store_write_seconds). The knee is the largest N with < 1% dropped; cameras per
core = knee / cores of this machine. An idle run (N cameras of a still picture:
nothing moves) gives the cost of a camera where nothing happens.

    python3 bench/node_scale.py [--argus build/bin/argus] [--counts 1,12,24,48]
        [--detectors builtin,onnx:../shared/models/yolox_nano.onnx] [--seconds 60]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import (VTEST, PgServer, RtspServer, get, histogram, histogram_quantile, metric_sum,
                      progress)

HZ = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count()
DETECT_FPS = 5
MAX_DROP = 0.01  # the knee: the most cameras with fewer dropped frames than this


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ  # utime + stime


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def still_clip(path):
    """20 s of vtest.avi's first frame: a camera where nothing moves."""
    import cv2  # python3-opencv; only the idle run needs it
    cap = cv2.VideoCapture(VTEST)
    ok, frame = cap.read()
    if not ok:
        sys.exit(f"cannot read {VTEST}")
    h, w = frame.shape[:2]
    out = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10, (w, h))
    for _ in range(200):
        out.write(frame)
    out.release()


def run(args, root, pg, detector, url, n):
    """One node with n cameras of `url`; returns the row of measures."""
    pg.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")  # every run from empty
    config = os.path.join(root, "site.yaml")
    with open(config, "w") as f:
        f.write(f"detector: {{kind: \"{detector}\"}}\n"
                f"server: {{workers: 0, secure_cookies: false, postgres: \"{pg.conninfo}\"}}\n"
                "evidence: {enabled: false}\nalerts: {cooldown_s: 0}\ncameras:\n")
        for i in range(n):
            f.write(f"  - name: cam{i}\n    source: {url}\n    detect_fps: {DETECT_FPS}\n"
                    "    zones: [{name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}]\n"
                    "    lines: [{name: walkway, a: [0.55, 0.25], b: [0.55, 1.0]}]\n"
                    "    rules:\n"
                    "      - {name: anyone, kind: intrusion, zone: all, labels: [person],"
                    " severity: info}\n"
                    "      - {name: crossing, kind: line_crossing, line: walkway, labels: [person],"
                    " severity: info}\n")
    data = os.path.join(root, "data")
    shutil.rmtree(data, ignore_errors=True)
    token = subprocess.run([args.argus, "token", "add", "bench", "--role", "viewer", "--config",
                            config, "--data-dir", data], check=True, capture_output=True,
                           text=True).stdout.strip()
    log = open(os.path.join(root, f"serve_{n}.log"), "w")
    p = subprocess.Popen([args.argus, "serve", "--config", config, "--port", "0", "--data-dir",
                          data], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = p.stdout.readline()
        if "listening on port" not in line:
            sys.exit(f"argus serve did not start: {line!r} (see {log.name})")
        port = int(line.split()[-1])
        time.sleep(args.warmup)
        m0, c0, t0 = get(port, "/metrics", token), cpu_s(p.pid), time.time()
        time.sleep(args.seconds)
        m1, c1, t1 = get(port, "/metrics", token), cpu_s(p.pid), time.time()
        rss = rss_mib(p.pid)
    finally:
        p.terminate()
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
    delta = lambda name: metric_sum(m1, name) - metric_sum(m0, name)
    analysed = delta("argus_camera_analysed_frames_total")
    dropped = delta("argus_camera_dropped_frames_total")
    h0, h1 = histogram(m0, "argus_store_write_seconds"), histogram(m1, "argus_store_write_seconds")
    cores = (c1 - c0) / (t1 - t0)
    return {"n": n, "analysed_fps": analysed / (t1 - t0), "drop": dropped / max(analysed + dropped, 1),
            "cores": cores, "rss": rss, "writes": delta("argus_store_write_seconds_count"),
            "p50": histogram_quantile(h0, h1, 0.5), "p99": histogram_quantile(h0, h1, 0.99)}


def ms(x):
    return "-" if x is None else f"{1000 * x:.1f}"


def report(detector, rows, idle, seconds):
    print(f"\n== {detector}: one node, RTSP cameras of vtest.avi, detection at {DETECT_FPS} fps, "
          f"store PostgreSQL ({CORES} cores here) ==")
    print(f"{'cameras':>8} {'analysed/s':>11} {'dropped':>8} {'cpu_cores':>10} {'cpu/cam':>8} "
          f"{'rss_MiB':>8} {'MiB/cam':>8} {'writes/s':>9} {'write_p50':>10} {'write_p99':>10}")
    base = rows[0]
    for r in rows + ([idle] if idle else []):
        n = r["n"]
        per_cam_mem = (r["rss"] - base["rss"]) / (n - base["n"]) if n > base["n"] else r["rss"]
        label = f"{n} idle" if r is idle else str(n)
        print(f"{label:>8} {r['analysed_fps']:>11.1f} {100 * r['drop']:>7.2f}% "
              f"{r['cores']:>10.2f} {r['cores'] / n:>8.3f} {r['rss']:>8.0f} {per_cam_mem:>8.1f} "
              f"{r['writes'] / seconds:>9.1f} {ms(r['p50']):>10} {ms(r['p99']):>10}")
    kept = [r for r in rows if r["drop"] < MAX_DROP]
    knee = max((r["n"] for r in kept), default=0)
    # Cost per camera from the runs that kept up (a saturated run spreads less over more).
    per_cam = sorted(r["cores"] / r["n"] for r in kept or rows)[len(kept or rows) // 2]
    print(f"knee: {knee} cameras with < {100 * MAX_DROP:.0f}% dropped on {CORES} cores "
          f"= {knee / CORES:.1f} cameras per core; CPU per camera {per_cam:.3f} cores "
          f"-> about {int(16 / per_cam)} cameras on a 16-core server by CPU")
    starved = [r for r in rows if r["drop"] >= MAX_DROP and r["cores"] < 0.8 * CORES]
    if starved:
        print(f"warning: at {starved[0]['n']} cameras the daemon dropped frames while using only "
              f"{starved[0]['cores']:.2f} of {CORES} cores: other processes took the rest, so the "
              "knee is this machine's share, not its capacity")
    if idle:
        print(f"idle: {idle['cores'] / idle['n']:.3f} cores per camera where nothing moves")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    build = os.environ.get("BUILD", "build")
    ap.add_argument("--argus", default=os.path.join(build, "bin/argus"))
    ap.add_argument("--rtsp", default=os.path.join(build, "bin/argus_rtsp_test_server"))
    ap.add_argument("--counts", default="1,12,24,48")
    model = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                         "models", "yolox_nano.onnx")
    ap.add_argument("--detectors", default=f"builtin,onnx:{os.path.normpath(model)}")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--idle", type=int, default=24, help="cameras in the idle run (0: none)")
    ap.add_argument("--keep", action="store_true", help="keep the logs and configs")
    args = ap.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    detectors = []
    for d in args.detectors.split(","):
        if ":" in d and not os.path.exists(d.split(":", 1)[1]):
            print(f"{d}: skipped, no such model file", file=sys.stderr)
        else:
            detectors.append(d)
    root = tempfile.mkdtemp(prefix="argus_scale_")
    pg = PgServer(root)
    live = RtspServer(args.rtsp, VTEST, os.path.join(root, "rtsp.log"))
    still = None
    try:
        if args.idle:
            clip = os.path.join(root, "still.avi")
            still_clip(clip)
            still = RtspServer(args.rtsp, clip, os.path.join(root, "rtsp_still.log"))
        total = len(detectors) * (len(counts) + (1 if args.idle else 0))
        done = 0
        results = []
        for det in detectors:
            rows = []
            for n in counts:
                progress(done, total, f"{det.split(':')[0]} x{n}")
                rows.append(run(args, root, pg, det, live.url, n))
                done += 1
            idle = None
            if still:
                progress(done, total, f"{det.split(':')[0]} idle x{args.idle}")
                idle = run(args, root, pg, det, still.url, args.idle)
                done += 1
            results.append((det.split(":")[0], rows, idle))
        progress(total, total, "runs")
        sys.stderr.write("\n")
        for det, rows, idle in results:
            report(det, rows, idle, args.seconds)
        print(f"(cpu: the daemon only, not the RTSP server or PostgreSQL; {args.seconds:.0f} s "
              f"per run after {args.warmup:.0f} s; MiB/cam: RSS growth per camera over the "
              "first row; writes: batches of events stored)")
    finally:
        live.stop()
        if still:
            still.stop()
        pg.stop()
    if args.keep:
        print(f"(logs in {root})")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
