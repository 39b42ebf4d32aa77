#!/usr/bin/env python3
"""Fail-over time of `argus serve` nodes sharing one PostgreSQL store (issue 17).

Starts a private PostgreSQL (initdb into a temporary directory), NODES `argus serve`
processes on it with CAMERAS file cameras (vtest.avi looping, an intrusion rule over
the whole frame), then KILLS times: kill -9 the node running a camera, and measure the
time until another node shows that camera analysing frames (lease taken over, camera
started). The killed node is restarted between kills. Also counts, over the whole run,
the alerts per camera (a camera's incidents merge into one open alert, so more than one
per camera means a duplicate), alert ids handed out twice (must be 0), and incidents
stored as events but in no alert (lost) or in two (duplicated).

With --rolling: a rolling restart instead (issue 17): each node in turn is stopped with
SIGTERM, started again and waited for until the cameras are balanced again, while the
site is watched four times a second; reports per camera the longest time it had no live
owner (its lease held by a running node that shows it online), and checks the alert
queue (every alert of before still there in its state, one open alert per camera, every
incident in exactly one alert). --rtsp makes the cameras GStreamer RTSP streams.

    python3 bench/failover.py [--argus build/bin/argus] [--kills 10] [--lease-s 10]
    python3 bench/failover.py --rolling --cameras 12 [--rtsp build/bin/argus_rtsp_test_server]
"""
import argparse
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from benchlib import VTEST, PgServer, RtspServer, progress


class Site:
    def __init__(self, args, root):
        self.args, self.root = args, root
        self.pg = PgServer(root)
        self.conninfo = self.pg.conninfo
        self.config = os.path.join(root, "site.yaml")
        self.rtsp = [RtspServer(args.rtsp, VTEST, os.path.join(root, f"rtsp{i}.log"))
                     for i in range(args.cameras)] if args.rtsp else []
        sources = [r.url for r in self.rtsp] or [VTEST] * args.cameras
        cams = "".join(
            f"  - name: cam{i}\n    source: {sources[i]}\n    detect_fps: 2\n"
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

    def cameras(self, name, timeout=5):
        """/api/cameras of node `name` ([] when it does not answer)."""
        p, port = self.nodes[name]
        if p.poll() is not None:
            return []
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/cameras",
                                     headers={"Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.load(r)["cameras"]
        except (OSError, ValueError):
            return []

    def frames(self, name, camera):
        """Frames of `camera` on node `name` if that node runs it (the API shows the whole
        site: another node's camera there would cost a wait for frames that never grow)."""
        return next((c["frames"] for c in self.cameras(name)
                     if c["name"] == camera and c.get("node") == name), 0)

    def up(self):
        """The cameras whose lease a running node holds and shows online."""
        holder = dict(row.split("=") for row in self.sql(
            "SELECT camera || '=' || node FROM camera_leases WHERE expires_ms > "
            "(extract(epoch FROM clock_timestamp()) * 1000)::bigint").split())
        return {c["name"] for name in list(self.nodes) for c in self.cameras(name, timeout=2)
                if c.get("node") == name and c["status"] == "online"
                and holder.get(c["name"]) == name}

    def leases(self):
        """node -> cameras it holds."""
        out = dict.fromkeys(self.nodes, 0)
        for row in self.sql("SELECT node || '=' || count(*) FROM camera_leases WHERE expires_ms > "
                            "(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
                            "GROUP BY node").split():
            node, n = row.split("=")
            out[node] = int(n)
        return out

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

    def stop_nodes(self):
        for p, _ in self.nodes.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p, _ in self.nodes.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()

    def stop(self):
        self.stop_nodes()
        for r in self.rtsp:
            r.stop()
        self.pg.stop()


def balanced(site, cameras, timeout=120):
    """Waits until every node holds its share and every camera is up."""
    share = cameras // len(site.nodes)
    end = time.time() + timeout
    while time.time() < end:
        if all(n >= share for n in site.leases().values()) and len(site.up()) == cameras:
            return True
        time.sleep(0.5)
    return False


def incidents_in_alerts(site):
    """[incidents in no alert (lost), incidents in two or more (duplicated)]."""
    return site.sql(
        "SELECT count(*) FILTER (WHERE n = 0) || ' ' || count(*) FILTER (WHERE n > 1) FROM "
        "(SELECT e.event_id, (SELECT count(*) FROM alerts a, jsonb_array_elements_text("
        "a.incident_ids) i WHERE i = e.event_id) n FROM (SELECT DISTINCT event_id FROM events "
        "WHERE rule = 'anyone' AND phase = 'start') e) x").split()


def alert_rows(site):
    return {int(r.split("|")[0]): r for r in site.sql(
        "SELECT id || '|' || camera || '|' || state FROM alerts WHERE rule = 'anyone'").split()}


def rolling(site, args, names, root):
    """Restarts every node in turn and prints the longest gap per camera."""
    cams = [f"cam{i}" for i in range(args.cameras)]
    if not balanced(site, args.cameras, 300):
        sys.exit(f"the cameras never ran balanced (logs in {root})")
    end = time.time() + 60
    while time.time() < end and int(site.sql(
            "SELECT count(DISTINCT camera) FROM alerts WHERE state = 'open'")) < args.cameras:
        time.sleep(1)
    before = alert_rows(site)
    last_up = dict.fromkeys(cams, time.time())
    gap = dict.fromkeys(cams, 0.0)
    during = dict.fromkeys(cams, "")
    phase = ["start"]
    done = threading.Event()

    def watch():
        while not done.is_set():
            up, now = site.up(), time.time()
            for c in up:
                if now - last_up[c] > gap[c]:
                    gap[c], during[c] = now - last_up[c], phase[0]
                last_up[c] = now
            time.sleep(0.25)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for k, n in enumerate(names):
            progress(k, len(names), "restarts")
            phase[0] = f"restart of {n}"
            p = site.nodes[n][0]
            t0 = time.time()
            p.send_signal(signal.SIGTERM)
            code = p.wait(timeout=120)
            stop_s = time.time() - t0
            site.start(n)
            if not balanced(site, args.cameras):
                sys.exit(f"\nnode {n} did not rejoin (logs in {root})")
            sys.stderr.write(f"\nnode {n}: exit {code}, stopped in {stop_s:.1f} s, "
                             f"balanced again {time.time() - t0:.1f} s after SIGTERM\n")
        progress(len(names), len(names), "restarts")
        sys.stderr.write("\n")
        time.sleep(2)
    finally:
        done.set()
        watcher.join()
    now = time.time()
    for c in cams:
        gap[c] = max(gap[c], now - last_up[c])
    after = alert_rows(site)
    changed = [f"{r} -> {after.get(i)}" for i, r in before.items() if after.get(i) != r]
    incidents = incidents_in_alerts(site)
    open_dups = site.sql("SELECT count(*) FROM (SELECT camera FROM alerts WHERE state = 'open' "
                         "AND rule = 'anyone' GROUP BY camera HAVING count(*) > 1) c")
    ranked = sorted(gap.values())
    print(f"rolling restart ({len(names)} nodes, {args.cameras} "
          f"{'RTSP' if args.rtsp else 'file'} cameras, lease_s {args.lease_s}, "
          f"renew_s {args.renew_s}): longest time a camera had no live owner")
    print(f"  max {ranked[-1]:.1f} s   p50 over cameras {statistics.median(ranked):.1f} s")
    for c in cams:
        print(f"    {c}: {gap[c]:.1f} s ({during[c]})")
    print(f"  alerts of before changed or gone: {len(changed)} {changed[:3]}; cameras with more "
          f"than one open alert: {open_dups}; incidents in no alert: {incidents[0]}, in two or "
          f"more: {incidents[1]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--argus", default=os.path.join(os.environ.get("BUILD", "build"), "bin/argus"))
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--cameras", type=int, default=3)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--lease-s", type=float, default=10)
    ap.add_argument("--renew-s", type=float, default=3)
    ap.add_argument("--rolling", action="store_true", help="a rolling restart instead of kills")
    ap.add_argument("--rtsp", default="", help="argus_rtsp_test_server: RTSP cameras")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="argus_failover_")
    site = Site(args, root)
    names = [f"n{i}" for i in range(args.nodes)]
    times = []
    finished = False  # the logs are kept when the run stopped half-way
    faults = True     # ... or an alert or incident went wrong (unknown until counted)
    try:
        for n in names:
            site.start(n)
        if args.rolling:
            rolling(site, args, names, root)
            finished = True
            return
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
            sys.stderr.write(f"\nkill {k + 1}: {camera} on {victim} analysed elsewhere after "
                             f"{times[-1]:.1f} s\n")
            site.start(victim)  # rejoins as a follower
            time.sleep(args.lease_s)  # let the hand-over balance the cameras again
        progress(args.kills, args.kills, "kills")
        sys.stderr.write("\n")
        # Counted once every node has stopped and written its last incidents: a live node
        # may have stored an incident's event and not yet its alert.
        site.stop_nodes()
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
        incidents = incidents_in_alerts(site)
        print(f"  alerts per camera: {per_camera}; cameras with more than one open alert: "
              f"{open_dups}; alert ids handed out twice: {dup_ids}")
        print(f"  incidents in no alert (lost): {incidents[0]}, in two or more (duplicated): "
              f"{incidents[1]}")
        logs = [open(log, errors="replace").read()
                for log in glob.glob(os.path.join(root, "n*.log"))]
        recovered = sum(text.count("was stored but in no alert") for text in logs)
        late = sum(text.count("left to its next owner") for text in logs)
        print(f"  incidents stored without their alert (a kill, or an event after a hand-over), "
              f"put into one by the camera's next node: {recovered}; events after a "
              f"hand-over: {late}")
        faults = open_dups != "0" or dup_ids != "0" or incidents != ["0", "0"]
    finally:
        site.stop()
        # The logs and the store are kept when a kill took longer than the issue's 15 s
        # bound, or an alert or incident was lost or doubled.
        if finished or (len(times) == args.kills and max(times) <= 15 and not faults):
            shutil.rmtree(root, ignore_errors=True)
        else:
            sys.stderr.write(f"node logs kept in {root}\n")


if __name__ == "__main__":
    main()
