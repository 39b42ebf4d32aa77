"""Shared pieces of the Python benchmarks: a private PostgreSQL, free ports, a progress
bar on stderr, and reading /metrics."""
import glob
import os
import shutil
import socket
import subprocess
import sys
import urllib.request

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def progress(done, total, what):
    bar = "#" * (20 * done // max(total, 1))
    sys.stderr.write(f"\r[{bar:<20}] {done}/{total} {what}   ")
    sys.stderr.flush()


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name}: PostgreSQL server binaries not found (apt-get install postgresql)")
    return found[-1]


class PgServer:
    """A PostgreSQL initdb'd into `root`, listening on a Unix socket there only, with a
    database `argus` for the user `argus` (trust). As root, its tools run as postgres
    (initdb refuses root), as the tests' PgServer does."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "pg")
        self.port = free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_pg:
            shutil.chown(root, "postgres")
        subprocess.run(self.as_pg + [pg_bin("initdb"), "-D", self.data, "-U", "argus", "-A",
                                     "trust"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(self.as_pg + [pg_bin("pg_ctl"), "-D", self.data, "-w", "-l",
                                     os.path.join(root, "pg.log"), "-o",
                                     f"-k {root} -p {self.port} -c listen_addresses=''", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["createdb", "-h", root, "-p", str(self.port), "-U", "argus", "argus"],
                       check=True)
        self.conninfo = f"host={root} port={self.port} user=argus dbname=argus"

    def sql(self, query):
        out = subprocess.run(["psql", "-h", self.root, "-p", str(self.port), "-U", "argus",
                              "-d", "argus", "-At", "-c", query],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self):
        subprocess.run(self.as_pg + [pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w",
                                     "stop"], stdout=subprocess.DEVNULL)


def get(port, path, token, timeout=10):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode()


def metric_sum(text, name):
    """The sum of metric `name` over all its label sets in Prometheus text."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def histogram(text, name):
    """{upper bound: cumulative count} of Prometheus histogram `name`."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "_bucket{le=\""):
            le = line.split('"')[1]
            out[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return out


def histogram_quantile(before, after, q):
    """Quantile q of what a histogram counted between two scrapes (linear within a bucket,
    as Prometheus' histogram_quantile); None when nothing was counted."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0) for b in bounds]
    if not counts or counts[-1] <= 0:
        return None
    rank = q * counts[-1]
    lower, below = 0.0, 0.0
    for b, c in zip(bounds, counts):
        if c >= rank:
            if b == float("inf"):
                return lower
            return lower + (b - lower) * (rank - below) / max(c - below, 1e-9)
        lower, below = b, c
    return lower


class RtspServer:
    """A GStreamer RTSP camera (argus_rtsp_test_server) looping `clip`."""

    def __init__(self, binary, clip, log):
        self.p = subprocess.Popen([binary, "0", "--file", clip], stdout=subprocess.PIPE,
                                  stderr=open(log, "w"), text=True)
        line = self.p.stdout.readline()
        if not line.startswith("PORT"):
            sys.exit(f"RTSP server did not start: {line!r} (see {log})")
        self.url = f"rtsp://127.0.0.1:{line.split()[1]}/test"

    def stop(self):
        self.p.terminate()
        self.p.wait()
