#!/usr/bin/env python3
"""Soak test of `argus serve` (issue 16): RTSP cameras (GStreamer's rtsp-server looping
vtest.avi; killed and restarted once, so every camera reconnects), a real mosquitto broker
that is killed and restarted, clients acknowledging alerts, a slow-client attack and
(as root, with --tmpfs) a data disk that fills up and is freed again.

Reports alerts raised vs stored vs delivered over MQTT (must be equal), memory growth over
the last two thirds, file descriptors, threads and /healthz latency p50/p99. Exit 1 when an
alert was lost or RSS grew by more than 5 % over the last two thirds.

    python3 bench/soak.py --argus build/bin/argus --minutes 30 --cameras 12
"""
import argparse, atexit, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile
import threading, time, urllib.request

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def progress(done, total, what):
    width = 30
    n = int(width * done / max(total, 1e-9))
    sys.stderr.write("\r[%s%s] %3d%% %s   " % ("#" * n, "." * (width - n), 100 * done / total, what))
    sys.stderr.flush()


class Api:
    def __init__(self, port, token):
        self.base = "http://127.0.0.1:%d" % port
        self.token = token

    def call(self, path, body=None, timeout=10):
        req = urllib.request.Request(self.base + path, data=None if body is None else
                                     json.dumps(body).encode(), method="GET" if body is None else "POST")
        req.add_header("Authorization", "Bearer " + self.token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except Exception:
            return 0, ""


def start_broker(port, workdir):
    conf = os.path.join(workdir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
    return subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def start_rtsp(server, port):
    """The RTSP server on PORT (0: any); returns (process, port)."""
    proc = subprocess.Popen([server, str(port), "--file", VTEST], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().split()
    if len(line) != 2 or line[0] != "PORT":
        sys.exit("the RTSP server did not start (%s)" % server)
    return proc, int(line[1])


def slow_clients(port, seconds, n=9):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    end = time.time() + seconds
    while time.time() < end:
        for s in list(socks):
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                socks.remove(s)
                try:  # a real attacker comes straight back
                    s = socket.socket()
                    s.bind(("127.0.0.2", 0))
                    s.connect(("127.0.0.1", port))
                    s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                    socks.append(s)
                except OSError:
                    pass
        time.sleep(1)
    for s in socks:
        s.close()


def proc_sample(pid):
    rss = threads = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads, len(os.listdir("/proc/%d/fd" % pid))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--argus", default="build/bin/argus")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--cameras", type=int, default=12)
    ap.add_argument("--rtsp-server", help="default: argus_rtsp_test_server beside --argus")
    ap.add_argument("--tmpfs", action="store_true", help="data_dir on a 64 MB tmpfs that fills")
    a = ap.parse_args()
    total_s = a.minutes * 60
    work = tempfile.mkdtemp(prefix="argus_soak_")
    data = os.path.join(work, "data")
    mounted = False
    if a.tmpfs:
        os.makedirs(data)
        mounted = subprocess.call(["mount", "-t", "tmpfs", "-o", "size=64m", "soak", data]) == 0
        if mounted:  # also when the soak stops early
            atexit.register(subprocess.call, ["umount", "-l", data])
    mqtt_port, http_port = free_port(), free_port()
    rtsp_bin = a.rtsp_server or os.path.join(os.path.dirname(a.argus), "argus_rtsp_test_server")
    rtsp, rtsp_port = start_rtsp(rtsp_bin, 0)
    source = "rtsp://127.0.0.1:%d/test" % rtsp_port
    cams = "".join(
        "  - name: cam%d\n    source: %s\n    detect_fps: 2\n"
        "    zones:\n      - {name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}\n"
        "    rules:\n      - {name: anyone, kind: intrusion, zone: all, severity: warning, "
        "cooldown_s: 30}\n" % (i, source) for i in range(a.cameras))
    config = os.path.join(work, "site.yaml")
    with open(config, "w") as f:
        f.write("detector: {kind: builtin}\nserver: {secure_cookies: false}\n"
                "alerts: {cooldown_s: 0}\nevidence: {pre_roll_s: 1, post_roll_s: 3, min_free_mb: 4}\n"
                "mqtt: {host: 127.0.0.1, port: %d, client_id: soak}\ncameras:\n%s" % (mqtt_port, cams))
    token = subprocess.check_output([a.argus, "token", "add", "soak", "--role", "admin", "--config",
                                     config, "--data-dir", data]).decode().strip()
    broker = start_broker(mqtt_port, work)
    time.sleep(0.5)
    mqtt_log = open(os.path.join(work, "mqtt.txt"), "w")
    sub = subprocess.Popen(["mosquitto_sub", "-p", str(mqtt_port), "-t", "argus/alerts", "-q", "1",
                            "-c", "-i", "soak-sub"], stdout=mqtt_log)
    log = open(os.path.join(work, "serve.log"), "w")
    daemon = subprocess.Popen([a.argus, "serve", "--config", config, "--port", str(http_port),
                               "--data-dir", data], stdout=log, stderr=subprocess.STDOUT)
    api = Api(http_port, token)
    deadline = time.time() + 120
    while api.call("/healthz")[0] != 200:
        if time.time() > deadline or daemon.poll() is not None:
            sys.exit("argus serve did not start; see " + log.name)
        time.sleep(0.5)

    t0 = time.time()
    latencies, samples, posted = [], [], 0
    phases = {"broker_kill": total_s / 3, "broker_back": total_s / 3 + 20,
              "slow": total_s / 2, "cam_kill": total_s * 0.45, "cam_back": total_s * 0.45 + 15, "fill": total_s * 0.6, "free": total_s * 0.6 + 30}
    done = set()
    filler = os.path.join(data, "filler")
    while time.time() - t0 < total_s:
        now = time.time() - t0
        progress(now, total_s, "alerts posted %d" % posted)
        if now >= phases["broker_kill"] and "bk" not in done:
            done.add("bk"); broker.kill(); broker.wait()
        if now >= phases["broker_back"] and "bb" not in done:
            done.add("bb"); broker = start_broker(mqtt_port, work)
        if now >= phases["cam_kill"] and "ck" not in done:
            done.add("ck"); rtsp.kill(); rtsp.wait()
        if now >= phases["cam_back"] and "cb" not in done:
            done.add("cb"); rtsp, _ = start_rtsp(rtsp_bin, rtsp_port)
        if now >= phases["slow"] and "slow" not in done:
            done.add("slow"); threading.Thread(target=slow_clients, args=(http_port, 30), daemon=True).start()
        if mounted and now >= phases["fill"] and "fill" not in done:
            done.add("fill"); subprocess.call("dd if=/dev/zero of=%s bs=1M 2>/dev/null" % filler, shell=True)
        if mounted and now >= phases["free"] and "free" not in done:
            done.add("free"); os.remove(filler)
        s = time.time()
        code, _ = api.call("/healthz", timeout=30)
        latencies.append((time.time() - s) * 1000 if code == 200 else 30000.0)
        if api.call("/api/sensors", {"sensor": "soak-%d" % posted, "type": "contact",
                                     "state": "open"})[0] == 202:
            posted += 1
        code, body = api.call("/api/alerts?state=open&limit=5")
        if code == 200:
            for al in json.loads(body).get("alerts", [])[:2]:
                api.call("/api/alerts/%d/acknowledge" % al["id"], {"note": "soak"})
        samples.append((now,) + proc_sample(daemon.pid))
        time.sleep(1)
    progress(total_s, total_s, "done\n")

    time.sleep(5)  # the last alerts reach the store and the broker
    metrics = api.call("/metrics")[1]
    raised = next((int(float(l.split()[1])) for l in metrics.splitlines()
                   if l.startswith("argus_alerts_opened_total ")), -1)
    def metric_sum(name):
        return sum(float(l.split()[-1]) for l in metrics.splitlines()
                   if l.startswith(name + " ") or l.startswith(name + "{"))
    cams_up = metric_sum("argus_camera_up")
    reconnects = metric_sum("argus_camera_reconnects_total")
    evidence_errors = metric_sum("argus_evidence_errors_total")
    unsaved = metric_sum("argus_alerts_unsaved")
    stored, before = 0, 0
    while True:
        code, body = api.call("/api/alerts?limit=999" + ("&before=%d" % before if before else ""))
        page = json.loads(body) if code == 200 else {}
        stored += len(page.get("alerts", []))
        before = page.get("next_before") or 0
        if not before:
            break
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(60)
    time.sleep(1)
    sub.terminate()
    mqtt_log.close()
    delivered = set()
    with open(mqtt_log.name) as f:
        for line in f:
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("change") == "opened":
                delivered.add(m["alert"]["id"])
    broker.kill()
    rtsp.kill()
    third = [x for x in samples if x[0] >= total_s / 3]
    growth = 100.0 * (third[-1][1] - third[0][1]) / third[0][1] if len(third) > 1 else 0
    lat = sorted(latencies)
    print("soak: %d cameras, %.1f min%s" % (a.cameras, a.minutes, ", tmpfs data_dir" if mounted else ""))
    print("alerts   raised %d  stored %d  delivered over MQTT %d  (sensor posts %d)"
          % (raised, stored, len(delivered), posted))
    print("cameras  %d of %d up at the end, %d reconnects; evidence errors %d; alerts unsaved %d"
          % (cams_up, a.cameras, reconnects, evidence_errors, unsaved))
    print("memory   RSS %.0f -> %.0f MiB over the last two thirds (%+.1f %%)"
          % (third[0][1] / 1024, third[-1][1] / 1024, growth) if third else "memory   -")
    print("threads  %d -> %d   fds %d -> %d" % (samples[0][2], samples[-1][2], samples[0][3], samples[-1][3]))
    print("/healthz p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d probes)"
          % (statistics.median(lat), lat[int(0.99 * (len(lat) - 1))], lat[-1], len(lat)))
    ok = raised == stored == len(delivered) and growth < 5 and cams_up == a.cameras
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("kept for a post-mortem: " + work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
