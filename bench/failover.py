#!/usr/bin/env python3
"""Fail-over time of `argus serve` nodes sharing one PostgreSQL store (issue 17).

Starts a private PostgreSQL (initdb into a temporary directory), NODES `argus serve`
processes on it with CAMERAS file cameras (vtest.avi looping, an intrusion rule over
the whole frame), then KILLS times: kill -9 the node running a camera, and measure the
time until another node shows that camera analysing frames (lease taken over, camera
started). The killed node is restarted between kills. Also counts, over the whole run,
the alerts per camera (a camera's incidents merge into one open alert, so more than one
per camera means a duplicate) and alert ids handed out twice (must be 0).

    python3 bench/failover.py [--argus build/bin/argus] [--kills 10] [--lease-s 10]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import VTEST, PgServer, progress


class Site:
    def __init__(self, args, root):
        self.args, self.root = args, root
        self.pg = PgServer(root)
        self.conninfo = self.pg.conninfo
        self.config = os.path.join(root, "site.yaml")
        cams = "".join(
            f"  - name: cam{i}\n    source: {VTEST}\n    detect_fps: 2\n"
            "    zones:\n      - {name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}\n"
            "    rules:\n      - {name: anyone, kind: intrusion, zone: all, severity: warning}\n"
            for i in range(args.cameras))
        with open(self.config, "w") as f:
            f.write("detector: {kind: builtin}\n"
                    f"server: {{workers: 1, secure_cookies: false, postgres: \"{self.conninfo}\"}}\n"
                    f"cluster: {{lease_s: {args.lease_s}, renew_s: {args.renew_s}}}\n"
                    "evidence: {enabled: false}\ncameras:\n" + cams)
        out = subprocess.run([args.argus, "token", "add", "bench", "--role", "admin", "--config",
                              self.config, "--data-dir", os.path.join(root, "token")],
                             check=True, capture_output=True, text=True)
        self.token = out.stdout.strip()
        self.nodes = {}

    def sql(self, query):
        return self.pg.sql(query)

    def start(self, name):
        log = open(os.path.join(self.root, f"{name}.log"), "a")
        p = subprocess.Popen([self.args.argus, "serve", "--config", self.config, "--port", "0",
                              "--data-dir", os.path.join(self.root, name), "--node-id", name],
                             stdout=subprocess.PIPE, stderr=log, text=True)
        line = p.stdout.readline()
        if "listening on port" not in line:
            sys.exit(f"node {name} did not start: {line!r} (see {log.name})")
        self.nodes[name] = (p, int(line.split()[-1]))

    def frames(self, name, camera):
        p, port = self.nodes[name]
        if p.poll() is not None:
            return 0
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/cameras",
                                     headers={"Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                cams = json.load(r)["cameras"]
        except OSError:
            return 0
        return next((c["frames"] for c in cams if c["name"] == camera), 0)

    def runner(self, camera, exclude=""):
        """The live node whose API shows `camera` gaining frames, or ''."""
        for name in self.nodes:
            if name == exclude:
                continue
            before = self.frames(name, camera)
            if before and self.frames_grow(name, camera, before):
                return name
        return ""

    def frames_grow(self, name, camera, before, timeout=3):
        end = time.time() + timeout
        while time.time() < end:
            if self.frames(name, camera) > before:
                return True
            time.sleep(0.1)
        return False

    def stop(self):
        for p, _ in self.nodes.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p, _ in self.nodes.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        self.pg.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--argus", default=os.path.join(os.environ.get("BUILD", "build"), "bin/argus"))
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--cameras", type=int, default=3)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--lease-s", type=float, default=10)
    ap.add_argument("--renew-s", type=float, default=3)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="argus_failover_")
    site = Site(args, root)
    names = [f"n{i}" for i in range(args.nodes)]
    times = []
    try:
        for n in names:
            site.start(n)
        for k in range(args.kills):
            progress(k, args.kills, "kills")
            camera = f"cam{k % args.cameras}"
            victim = ""
            end = time.time() + 120
            while not victim and time.time() < end:
                victim = site.runner(camera)
            if not victim:
                sys.exit(f"\n{camera} runs nowhere (logs in {root})")
            site.nodes[victim][0].kill()
            site.nodes[victim][0].wait()
            t0 = time.time()
            while not site.runner(camera, exclude=victim):
                if time.time() - t0 > 120:
                    sys.exit(f"\n{camera} did not move within 120 s (logs in {root})")
            times.append(time.time() - t0)
            site.start(victim)  # rejoins as a follower
            time.sleep(args.lease_s)  # let the hand-over balance the cameras again
        progress(args.kills, args.kills, "kills")
        sys.stderr.write("\n")
        per_camera = site.sql("SELECT string_agg(camera || ':' || n, ' ' ORDER BY camera) FROM "
                              "(SELECT camera, count(*) n FROM alerts GROUP BY camera) c")
        dup_ids = site.sql("SELECT count(*) - count(DISTINCT id) FROM alerts")
        open_dups = site.sql("SELECT count(*) FROM (SELECT camera FROM alerts WHERE state = 'open' "
                             "GROUP BY camera HAVING count(*) > 1) c")
        print(f"fail-over ({args.nodes} nodes, {args.cameras} cameras, lease_s {args.lease_s}, "
              f"renew_s {args.renew_s}, {args.kills} kills of the running node, until the "
              "camera analyses frames elsewhere):")
        print(f"  p50 {statistics.median(times):.1f} s   max {max(times):.1f} s   "
              f"min {min(times):.1f} s")
        print(f"  alerts per camera: {per_camera}; cameras with more than one open alert: "
              f"{open_dups}; alert ids handed out twice: {dup_ids}")
    finally:
        site.stop()
        if times and len(times) == args.kills:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
