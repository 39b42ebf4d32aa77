#!/usr/bin/env python3
"""Realistic abandoned- and removed-object clips for bench/objects_eval.py.

No real abandoned-object footage is in ../shared, so this composites real
object crops (bags, a basin, a microwave: cut at run time from frames of
../shared/data, never stored) into real footage, and writes beside the clips
a manifest of what happens when. The clips are generated on demand into an
output directory and are never committed.

  bench/object_clips.py OUT_DIR [--only NAME_SUBSTRING] [--normal]

--normal writes instead the footage with no incident that false alarms are
counted on: every NORMAL_EVERY-th clip of normal/ and of the Le2i clips
before their fall (frames up to the fall - 12), each looped forward and backward to NORMAL_S, vtest.avi,
TUD-Stadtmitte looped to 60 s and the first 1,900 frames of
mirafra_Test_video1, all with the same lighting drift and re-encoding, with
NORMAL_ZONE as the exhibit zone.

Realism, all from the real footage:
- abandoned: the object is carried beside a ground-truth track (MOT15 gt.txt)
  at hand height, put down at the person's feet, and left; the owner walks on.
  Onset = the first frame the owner is farther than OWNER_M metres (pixel
  distance scaled by the owner's box height as PERSON_M) or gone.
- removed: the object stands in the scene from the start (learned as the
  exhibit) and is taken away while a person stands in front of it
  (`removed_occluded`) or with nobody near (`removed_clear`); `appeared`: the
  reverse, something new put down where nothing stood, as a person passes.
- occlusion: the object is pasted under the people: hidden wherever the
  frame differs from a median background plate inside a person box.
- footage too short is looped forward and backward (no jump in the picture);
  after the first pass the owner of an abandoned object is erased from the
  loop with the background plate, so they do not walk back to it.
- lighting drift: a slow global gain (+-GAIN_DRIFT, period DRIFT_PERIOD_S),
  then MPEG-4 re-encoding (compression artefacts over the composite).
Manifest (manifest.csv): clip,event,onset,zone,fps,source,split. zone is the
object's box widened by ZONE_MARGIN, relative "x0 y0 x1 y1" (for
object_removed's exhibit zone); split says tune (used while tuning the rules)
or held_out.
"""
import argparse
import csv
import glob
import math
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OWNER_M = 3.0        # the abandoned rule's default owner_distance_m
PERSON_M = 1.7       # its person_height_m
UNATTENDED_S = 30.0  # its default unattended_s: clips run this long past the onset
TAIL_S = 8.0         # and this much more
LEARN_S = 45.0       # removed: the exhibit stands this long before anything happens
# (15 s put the onset 5 s after object_removed's learn_s: an alarm of a reference learned over
# passers-by then fell on the onset and counted as a hit; exhibits stand for hours)
GAIN_DRIFT = 0.12
DRIFT_PERIOD_S = 45.0
ZONE_MARGIN = 0.3
DIFF_THRESHOLD = 28   # grey levels: a person in front of the object
NORMAL_S = 20.0       # the 2 s normal clips and Le2i rooms are looped to this
NORMAL_EVERY = 3      # of the normal/ and Le2i clips
NORMAL_ZONE = "0.40 0.55 0.55 0.80"  # an exhibit zone where people walk


def shared_data():
    return os.path.join(os.environ.get("ARGUS_SHARED_DIR", os.path.join(HERE, "..", "..",
                                                                         "shared")), "data")


VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

# Object crops: (clip relative to data or absolute, frame index, x0, y0, x1, y1, shape).
CROPS = {
    "red_bag": ("normal/nofi025.mp4", 0, 210, 145, 272, 182, "ellipse"),
    "grey_bag": ("normal/nofi025.mp4", 0, 262, 255, 322, 298, "ellipse"),
    "basin": ("normal/nofi025.mp4", 0, 262, 148, 298, 174, "ellipse"),
    "microwave": ("falls/Coffee_room_01_video1.mp4", 0, 258, 80, 305, 113, "rect"),
}


def read_frames(path, first=0, last=None):
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise SystemExit("object_clips: cannot open %s" % path)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    i = 0
    while True:
        ok, f = cap.read()
        if not ok or (last is not None and i > last):
            break
        if i >= first:
            frames.append(f)
        i += 1
    return frames, fps


def load_crop(data, name):
    clip, idx, x0, y0, x1, y1, shape = CROPS[name]
    frames, _ = read_frames(clip if os.path.isabs(clip) else os.path.join(data, clip), idx, idx)
    img = frames[0][y0:y1, x0:x1].astype(np.float32)
    h, w = img.shape[:2]
    alpha = np.zeros((h, w), np.float32)
    if shape == "ellipse":
        cv2.ellipse(alpha, (w // 2, h // 2), (int(w * 0.46), int(h * 0.44)), 0, 0, 360, 1.0, -1)
    else:
        alpha[1:-1, 1:-1] = 1.0
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.2)
    return img, alpha


def read_mot_gt(path):
    """frame (1-based) -> {id: (x, y, w, h)} of the boxes that count."""
    gt = {}
    with open(path) as f:
        for line in f:
            v = line.strip().split(",")
            if len(v) < 7 or float(v[6]) == 0:
                continue
            gt.setdefault(int(v[0]), {})[int(v[1])] = tuple(float(x) for x in v[2:6])
    return gt


def read_le2i_gt(path):
    gt = {}
    with open(path) as f:
        lines = f.read().split("\n")[2:]
    for line in lines:
        v = line.split(",")
        if len(v) < 6:
            continue
        x1, y1, x2, y2 = (float(x) for x in v[2:6])
        if x2 > x1 and y2 > y1:
            gt[int(v[0])] = {1: (x1, y1, x2 - x1, y2 - y1)}
    return gt


def diff_boxes(frame, plate, min_frac=0.01):
    """Person boxes where no ground truth exists: blobs differing from the plate."""
    d = np.abs(frame.astype(np.int16) - plate.astype(np.int16)).max(axis=2) > DIFF_THRESHOLD
    d = cv2.morphologyEx(d.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    n, _, st, _ = cv2.connectedComponentsWithStats(d)
    area = frame.shape[0] * frame.shape[1]
    return {i: tuple(float(x) for x in st[i, :4]) for i in range(1, n)
            if st[i, 4] >= min_frac * area}


class Source:
    """Real footage, its person boxes per frame and a median background plate."""

    def __init__(self, name, path, gt, first=0, last=None, fps=None):
        self.name = name
        self.frames, f = read_frames(path, first, last)
        self.fps = fps or f
        self.first = first
        idx = np.linspace(0, len(self.frames) - 1, min(60, len(self.frames))).astype(int)
        self.plate = np.median(np.stack([self.frames[i] for i in idx]), axis=0).astype(np.uint8)
        self.gt = gt  # None: boxes from the plate difference

    def boxes(self, i):
        """Person boxes of source frame index i (0-based within the loaded range)."""
        if self.gt is None:
            return diff_boxes(self.frames[i], self.plate)
        return self.gt.get(i + self.first + 1, {})


def pingpong(n, length):
    """Indices 0..n-1 forward, backward, forward... `length` of them."""
    period = max(1, 2 * n - 2)
    out = []
    for k in range(length):
        p = k % period
        out.append(p if p < n else period - p)
    return out


def person_mask(frame, plate, boxes, skip=()):
    """Pixels of people in front: differing from the plate inside a person box."""
    d = np.abs(frame.astype(np.int16) - plate.astype(np.int16)).max(axis=2) > DIFF_THRESHOLD
    inside = np.zeros(d.shape, bool)
    H, W = d.shape
    for tid, (x, y, w, h) in boxes.items():
        if tid in skip:
            continue
        x0, y0 = max(0, int(x - 0.1 * w)), max(0, int(y - 0.05 * h))
        x1, y1 = min(W, int(x + 1.1 * w)), min(H, int(y + 1.05 * h))
        inside[y0:y1, x0:x1] = True
    m = (d & inside).astype(np.uint8)
    m = cv2.dilate(cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)),
                   np.ones((3, 3), np.uint8))
    return m.astype(np.float32)


def paste(frame, crop, box, occluder):
    """The object (img, alpha) resized into box (x, y, w, h) under `occluder`."""
    img, alpha = crop
    x, y, w, h = (int(round(v)) for v in box)
    w, h = max(2, w), max(2, h)
    H, W = frame.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    o = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)[y0 - y:y1 - y, x0 - x:x1 - x]
    a = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_AREA)[y0 - y:y1 - y, x0 - x:x1 - x]
    a = (a * (1.0 - occluder[y0:y1, x0:x1]))[..., None]
    region = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(region * (1 - a) + o * a, 0, 255).astype(np.uint8)


def erase(frame, plate, box):
    x, y, w, h = box
    H, W = frame.shape[:2]
    x0, y0 = max(0, int(x - 0.15 * w)), max(0, int(y - 0.1 * h))
    x1, y1 = min(W, int(x + 1.15 * w)), min(H, int(y + 1.1 * h))
    frame[y0:y1, x0:x1] = plate[y0:y1, x0:x1]


def object_size(crop, person_h, frac):
    img = crop[0]
    h = max(8.0, frac * person_h)
    return h * img.shape[1] / img.shape[0], h


def metres(person, point):
    x, y, w, h = person
    return math.hypot(x + w / 2 - point[0], y + h - point[1]) / max(1.0, h) * PERSON_M


def write_clip(path, frames_iter, fps, size):
    """Lighting drift, then MPEG-4 encoding; the clip appears whole or not at all."""
    part = path[:-4] + ".part.mp4"
    w = cv2.VideoWriter(part, cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not w.isOpened():
        raise SystemExit("object_clips: cannot write %s" % path)
    for k, f in enumerate(frames_iter):
        g = 1.0 + GAIN_DRIFT * math.sin(2 * math.pi * k / fps / DRIFT_PERIOD_S)
        w.write(np.clip(f.astype(np.float32) * g, 0, 255).astype(np.uint8))
    w.release()
    os.replace(part, path)


def zone_of(box, W, H):
    x, y, w, h = box
    m = ZONE_MARGIN
    return "%.4f %.4f %.4f %.4f" % (max(0, (x - m * w) / W), max(0, (y - m * h) / H),
                                    min(1, (x + (1 + m) * w) / W), min(1, (y + (1 + m) * h) / H))


def abandoned(src, crop, owner, drop, out_path):
    """Carried beside track `owner` (source frame `drop`, 1-based) and left there."""
    fps = src.fps
    first = drop - 1
    while first > 0 and owner in src.boxes(first - 1) and drop - first < 4 * fps:
        first -= 1
    ob = src.boxes(drop - 1)[owner]
    bw, bh = object_size(crop, ob[3], 0.22)
    spot = (ob[0] + 0.85 * ob[2] - bw / 2, ob[1] + ob[3] - bh)  # at the feet, right side
    foot = (spot[0] + bw / 2, spot[1] + bh)
    onset = None
    n = len(src.frames)
    for i in range(drop - 1, n):
        b = src.boxes(i).get(owner)
        if b is None or metres(b, foot) > OWNER_M:
            onset = i + 1
            break
    if onset is None:
        return None
    length = max(n, onset + int((UNATTENDED_S + TAIL_S) * fps))
    seq = pingpong(n, length)

    def frames():
        for k, i in enumerate(seq):
            f = src.frames[i].copy()
            boxes = dict(src.boxes(i))
            if k >= n and owner in boxes:  # later passes: the owner stays gone
                erase(f, src.plate, boxes.pop(owner))
            if k < first:
                pass
            elif k < drop - 1:  # carried at hand height
                b = src.boxes(i)[owner]
                paste(f, crop, (b[0] + 0.85 * b[2] - bw / 2, b[1] + 0.45 * b[3], bw, bh),
                      person_mask(f, src.plate, boxes, skip=(owner,)))
            else:
                paste(f, crop, (spot[0], spot[1], bw, bh), person_mask(f, src.plate, boxes))
            yield f

    H, W = src.frames[0].shape[:2]
    write_clip(out_path, frames(), fps, (W, H))
    return onset, zone_of((spot[0], spot[1], bw, bh), W, H)


def free_spot(src, seq, k, size_frac, avoid_s=2.0, rows=(0.55, 0.9)):
    """A floor spot nobody stands on within avoid_s of output frame k."""
    H, W = src.frames[0].shape[:2]
    span = int(avoid_s * src.fps)
    near = [b for j in range(max(0, k - span), min(len(seq), k + span))
            for b in src.boxes(seq[j]).values()]
    heights = [b[3] for i in range(0, len(src.frames), 5) for b in src.boxes(i).values()]
    ph = float(np.median(heights)) if heights else 0.4 * H
    bh = size_frac * ph
    for fy in np.linspace(rows[0], rows[1], 6):
        for fx in np.linspace(0.15, 0.85, 8):
            box = (fx * W - bh / 2, fy * H - bh, bh * 1.3, bh)
            if all(b[0] > box[0] + box[2] + 10 or b[0] + b[2] < box[0] - 10 or
                   b[1] > box[1] + box[3] + 10 or b[1] + b[3] < box[1] - 10 for b in near):
                return box
    return None


def occluded_spot(src, seq, k, crop):
    """The object's box behind the lower body of a person in output frame k."""
    H, W = src.frames[0].shape[:2]
    best = None
    for b in src.boxes(seq[k]).values():
        if b[3] < 0.15 * H or b[0] < 0 or b[0] + b[2] > W or b[1] + b[3] > H:
            continue
        if best is None or b[3] > best[3]:
            best = b
    if best is None:
        return None
    bw, bh = object_size(crop, best[3], 0.22)
    bw = min(bw, 0.7 * best[2])
    return (best[0] + best[2] / 2 - bw / 2, best[1] + best[3] - bh - 0.03 * best[3], bw, bh)


def exhibit(src, crop, mode, out_path):
    """removed_occluded / removed_clear / appeared, onset after LEARN_S."""
    fps = src.fps
    n = len(src.frames)
    length = max(n, int((LEARN_S + 15 + TAIL_S) * fps))
    seq = pingpong(n, length)
    k0 = int(LEARN_S * fps)
    box = onset = None
    for k in range(k0, length - int((5 + TAIL_S) * fps)):
        box = (occluded_spot(src, seq, k, crop) if mode != "removed_clear"
               else free_spot(src, seq, k, 0.22))
        if box:
            onset = k + 1
            break
    if not box:
        return None
    present = (lambda k: k < onset - 1) if mode != "appeared" else (lambda k: k >= onset - 1)

    def frames():
        for k, i in enumerate(seq):
            f = src.frames[i].copy()
            if present(k):
                paste(f, crop, box, person_mask(f, src.plate, src.boxes(i)))
            yield f

    H, W = src.frames[0].shape[:2]
    write_clip(out_path, frames(), fps, (W, H))
    return onset, zone_of(box, W, H)


def sources(data):
    mot = os.path.join(data, "mot15")
    falls = os.path.join(data, "falls")

    def le2i(name):
        clip = os.path.join(falls, name + ".mp4")
        with open(os.path.join(falls, name + ".txt")) as f:
            fall = int(f.readline())
        return lambda: Source(name, clip, read_le2i_gt(os.path.join(falls, name + ".txt")),
                              0, fall - 12)

    return {
        # vtest.avi is PETS09-S2L1 frame for frame; 10 fps in its header.
        "vtest": lambda: Source("vtest", VTEST, read_mot_gt(
            os.path.join(mot, "PETS09-S2L1", "gt", "gt.txt"))),
        "tud": lambda: Source("tud", os.path.join(mot, "TUD-Stadtmitte", "TUD-Stadtmitte.mp4"),
                              read_mot_gt(os.path.join(mot, "TUD-Stadtmitte", "gt", "gt.txt"))),
        "coffee43": le2i("Coffee_room_01_video43"),
        "coffee20": le2i("Coffee_room_01_video20"),
        "home14": le2i("Home_01_video14"),
        "home16": le2i("Home_01_video16"),
        # The corridor before the tampering (~1920); people boxes from the plate.
        "corridor": lambda: Source("corridor", os.path.join(
            data, "tamper", "mirafra_Test_video1.mp4"), None, 0, 1899),
    }


# (clip name, source, event, crop, owner track, drop frame, split)
ABANDONED = [
    ("vtest_bag_t15", "vtest", "red_bag", 15, 40, "tune"),
    ("vtest_bag_t16", "vtest", "grey_bag", 16, 140, "held_out"),
    ("vtest_box_t10", "vtest", "microwave", 10, 450, "held_out"),
    ("tud_bag_t2", "tud", "grey_bag", 2, 30, "tune"),
    ("tud_basin_t4", "tud", "basin", 4, 20, "held_out"),
    ("tud_box_t7", "tud", "microwave", 7, 40, "held_out"),
]
# (clip name, source, event, crop, split)
EXHIBITS = [
    ("vtest_removed_occ", "vtest", "removed_occluded", "microwave", "tune"),
    ("vtest_removed_clear", "vtest", "removed_clear", "red_bag", "held_out"),
    ("vtest_appeared", "vtest", "appeared", "grey_bag", "held_out"),
    ("tud_removed_occ", "tud", "removed_occluded", "basin", "held_out"),
    ("tud_removed_clear", "tud", "removed_clear", "microwave", "tune"),
    ("tud_appeared", "tud", "appeared", "red_bag", "held_out"),
    ("coffee43_removed_occ", "coffee43", "removed_occluded", "red_bag", "tune"),
    ("coffee20_removed_clear", "coffee20", "removed_clear", "grey_bag", "held_out"),
    ("coffee20_appeared", "coffee20", "appeared", "basin", "held_out"),
    ("home14_removed_occ", "home14", "removed_occluded", "microwave", "held_out"),
    ("home16_removed_clear", "home16", "removed_clear", "basin", "held_out"),
    ("home16_appeared", "home16", "appeared", "grey_bag", "held_out"),
    ("corridor_removed_occ", "corridor", "removed_occluded", "grey_bag", "held_out"),
    ("corridor_removed_clear", "corridor", "removed_clear", "red_bag", "held_out"),
    ("corridor_appeared", "corridor", "appeared", "microwave", "held_out"),
]


def normal_footage(data):
    """(name, path, first frame, last frame or None, loop to seconds or None)."""
    out = [("vtest", VTEST, 0, None, None),
           ("tud", os.path.join(data, "mot15", "TUD-Stadtmitte", "TUD-Stadtmitte.mp4"), 0, None,
            60.0),
           ("corridor", os.path.join(data, "tamper", "mirafra_Test_video1.mp4"), 0, 1899, None)]
    # Every NORMAL_EVERY-th clip: looping and analysing all of them costs an hour on 2 cores.
    for p in sorted(glob.glob(os.path.join(data, "normal", "*.mp4")))[::NORMAL_EVERY]:
        out.append(("normal_" + os.path.basename(p)[:-4], p, 0, None, NORMAL_S))
    for p in sorted(glob.glob(os.path.join(data, "falls", "*.mp4")))[::NORMAL_EVERY]:
        with open(p[:-4] + ".txt") as f:
            fall = int(f.readline())
        last = fall - 12 if fall > 0 else None
        if last is None or last > 25:
            out.append(("le2i_" + os.path.basename(p)[:-4], p, 0, last, NORMAL_S))
    return out


def write_normal(data, out_dir, only):
    rows = []
    todo = [n for n in normal_footage(data) if only in n[0]]
    for i, (name, path, first, last, loop_s) in enumerate(todo, 1):
        sys.stderr.write("\r[%d/%d] %-40s" % (i, len(todo), name))
        out = os.path.join(out_dir, name + ".mp4")
        frames, fps = read_frames(path, first, last)
        n = len(frames)
        seq = pingpong(n, max(n, int(loop_s * fps))) if loop_s else range(n)
        H, W = frames[0].shape[:2]
        if not os.path.exists(out):  # kept from an earlier run
            write_clip(out, (frames[i].copy() for i in seq), fps, (W, H))
        rows.append({"clip": name + ".mp4", "event": "normal", "onset": 0, "zone": NORMAL_ZONE,
                     "fps": "%.3f" % fps, "source": name, "split": "normal"})
    sys.stderr.write("\n")
    return rows


def write_manifest(out_dir, rows):
    tmp = os.path.join(out_dir, "manifest.csv.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, ["clip", "event", "onset", "zone", "fps", "source", "split"])
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, os.path.join(out_dir, "manifest.csv"))
    print("object_clips: %d clips and manifest.csv in %s" % (len(rows), out_dir))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--only", default="")
    ap.add_argument("--normal", action="store_true")
    a = ap.parse_args()
    data = shared_data()
    if not os.path.isdir(data):
        print("object_clips: no shared data at %s (set ARGUS_SHARED_DIR)" % data)
        return 1
    os.makedirs(a.out, exist_ok=True)
    if a.normal:
        write_manifest(a.out, write_normal(data, a.out, a.only))
        return 0
    makers = sources(data)
    loaded = {}
    crops = {k: load_crop(data, k) for k in CROPS}
    rows = []
    jobs = [(c, s, "abandoned", (cr, o, d), sp) for c, s, cr, o, d, sp in ABANDONED]
    jobs += [(c, s, e, (cr,), sp) for c, s, e, cr, sp in EXHIBITS]
    for i, (clip, src_name, event, args, split) in enumerate(jobs, 1):
        if a.only not in clip:
            continue
        sys.stderr.write("\r[%d/%d] %-28s" % (i, len(jobs), clip))
        if src_name not in loaded:
            loaded[src_name] = makers[src_name]()
        src = loaded[src_name]
        path = os.path.join(a.out, clip + ".mp4")
        if event == "abandoned":
            r = abandoned(src, crops[args[0]], args[1], args[2], path)
        else:
            r = exhibit(src, crops[args[0]], event, path)
        if r is None:
            sys.stderr.write("\nobject_clips: %s: no usable moment, skipped\n" % clip)
            continue
        rows.append({"clip": clip + ".mp4", "event": event, "onset": r[0], "zone": r[1],
                     "fps": "%.3f" % src.fps, "source": src_name, "split": split})
    sys.stderr.write("\n")
    write_manifest(a.out, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
