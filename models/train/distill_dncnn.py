"""A smaller DnCNN for the "fix a grainy photo" demo, distilled from scico's 6N (convert_dncnn.py); the
24-filter one is models/denoise/model.onnx (models/denoise/MODEL.md).

The teacher's interface (see models/denoise/MODEL.md), so it drops in: input `input`
f32 [1, 2, T, T] = (noisy plane in [0, 1], constant sigma plane), output `output` f32 [1, 1, T, T] =
channel 0 - net(input); exactly 6 zero-padded 3x3 convs (receptive radius 6, the browser's tile margin),
ReLU between, a bias on every conv, no BatchNorm; only the width (filters per hidden layer) is smaller.

    # training photos besides scikit-image's: two Debian packages, unpacked, not installed
    apt-get download python3-scipy=1.10.1-2 python-matplotlib-data=3.6.3-1
    dpkg-deb -x python3-scipy_1.10.1-2_amd64.deb /tmp/student/deb-scipy
    dpkg-deb -x python-matplotlib-data_3.6.3-1_all.deb /tmp/student/deb-mpl
    PY="env PYTHONPATH=/tmp/pylib-dn /usr/bin/python3 models/train/distill_dncnn.py"
    COMMON="--wheel /tmp/denoise_src/scico-0.0.7-py3-none-any.whl --photos /tmp/denoise_src/photos \
        --scipy-misc /tmp/student/deb-scipy/usr/lib/python3/dist-packages/scipy/misc \
        --mpl-sample-data /tmp/student/deb-mpl/usr/share/matplotlib/mpl-data/sample_data --work /tmp/student"
    $PY pool $COMMON --n 10000                  # noisy patches + the teacher's output on them (12 min)
    for t in teacher clean mix; do              # which target: 5 min each, side by side, 1 thread each
        $PY train $COMMON --threads 1 --width 32 --target $t --minutes 5 --val-every 2.5 --name a32_$t & done; wait
    # mix won on grace_hopper; the two students, side by side, 1 thread each, 22 min each:
    $PY train $COMMON --threads 1 --width 32 --target mix --minutes 22 --batch 8 --val-every 5.5 \
        --init a32_mix --seed 1 --name s32 &
    $PY train $COMMON --threads 1 --width 24 --target mix --minutes 22 --batch 8 --val-every 5.5 --seed 2 --name s24 &
    wait
    $PY export $COMMON --name s32               # /tmp/student/s32.onnx (+ the fp16 rule), likewise s24
    $PY evaluate $COMMON --names s32 s24        # teacher vs students, evaluate_denoise.py's protocol
    $PY speed $COMMON --names s32 s24           # onnxruntime, 1 thread, one tile

Training stops on a wall-clock budget, so the number of steps (and the weights) depend on how busy the
machine was; the pool, the initialisation and the batch order are seeded.

Data (never the evaluation photos, evaluate_denoise.PHOTOS, nor crates/core/tests/photos: checked by name
and by pixel hash):
- TRAIN_SKIMAGE from the scikit-image 0.26.0 wheel (licences per its skimage/data/_fetchers.py):
  natural-ish photos and textures; synthetic ones (colour wheel, chessboards, logo, phantom, horse
  silhouette) and microaneurysms (102 px, smaller than one patch) are left out;
- scipy 1.10.1 (Debian python3-scipy) scipy/misc/face.dat (raccoon, 1024x768 colour) and ascent.dat
  (512x512 grey), "derived from ... at public-domain-image.com" per scipy/misc/_common.py;
- VALIDATION (never trained on; picks the recipe): matplotlib 3.6.3's sample_data/grace_hopper.jpg
  (Debian python-matplotlib-data; US Navy photo, public domain).
Patches: each image at 1, 0.75, 0.5 times its base size (longer side <= 1024; PIL Lanczos on 8 bits),
P_IN x P_IN crops, a random 90-degree rotation and flip, one plane: grey, or for colour one of R, G, B,
Y, Cb, Cr (JPEG YCbCr; Cb/Cr box-averaged 2x2 first, as strategy (c) feeds them); sigma 0 with p 0.1,
else uniform in [0, 0.2]; additive Gaussian noise, for 20% of grey/R/G/B patches clipped and rounded to
8 bits. The teacher (6N) runs on the same noisy P_IN x P_IN patch; only the interior PATCH x PATCH (a
margin of 6 = the receptive radius, so padding changes nothing there) of teacher and student are compared.

Targets (--target): teacher (distillation: mse to 6N's output), clean (mse to the clean patch), mix
(half each). Adam, cosine learning-rate decay over a wall-clock budget (--minutes), 2 threads.
"""
from __future__ import annotations

import argparse
import bz2
import glob
import hashlib
import json
import os
import pickle
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import denoise_common as dc  # noqa: E402
import evaluate_denoise as ev  # noqa: E402

RADIUS = 6  # 6 convs -> receptive radius 6, = 6N's, = the browser's tile margin
PATCH = 96  # loss area
P_IN = PATCH + 2 * RADIUS
DEPTH = 6
# skimage file -> sampling weight (natural photos up, document scans down)
TRAIN_SKIMAGE = {
    "brick.png": 1.0,            # CC0 (CC0Textures Bricks25)
    "grass.png": 1.0,            # CC0 (CC0Textures)
    "gravel.png": 1.0,           # CC0 (CC0Textures Gravel04)
    "motorcycle_left.png": 1.5,  # Middlebury 2014 stereo (Scharstein et al.), no licence stated in _fetchers.py
    "motorcycle_right.png": 1.5,
    "hubble_deep_field.jpg": 1.0,  # NASA, public domain
    "ihc.png": 1.0,              # CC0 (Stefan van der Walt)
    "retina.jpg": 1.0,           # CC0 1.0
    "page.png": 0.5,             # CC0 (Andreas Preuss)
    "text.png": 0.5,             # public domain (Wikipedia)
    "clock_motion.png": 1.0,     # public domain (Stefan van der Walt)
    "cell.png": 1.0,             # CC0
}
TRAIN_SCIPY = {"face.dat": 2.0, "ascent.dat": 1.5}
VALIDATION = "grace_hopper.jpg"
REPO_TEST_PHOTOS = "crates/core/tests/photos"
SCALES = [1.0, 0.75, 0.5]
MAX_BASE = 1024
PLANES = ["grey", "R", "G", "B", "Y", "Cb", "Cr"]
# std of Y, Cb, Cr under iid RGB noise of std 1 (JPEG BT.601 coefficients)
NOISE_Y, NOISE_CB, NOISE_CR = dc.LUMA_NOISE, dc.CB_NOISE, dc.CR_NOISE


def log(path, msg):
    line = time.strftime("%H:%M:%S ") + msg
    print(line, flush=True)
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


# ---------------------------------------------------------------- images

def _u8(im):
    return np.asarray(im, np.uint8)


def load_training_images(args):
    """[(name, uint8 [H, W] or [H, W, 3], weight)]"""
    from PIL import Image

    out = []
    for name, wgt in TRAIN_SKIMAGE.items():
        (path,) = glob.glob(os.path.join(args.photos, "**", name), recursive=True)
        im = Image.open(path)
        im = im.convert("L" if im.mode in ("L", "I;16", "I") else "RGB")
        out.append((name, _u8(im), wgt))
    for name, wgt in TRAIN_SCIPY.items():
        with open(os.path.join(args.scipy_misc, name), "rb") as f:
            raw = f.read()
        if name == "face.dat":  # scipy.misc.face: bz2 of the raw RGB bytes
            a = np.frombuffer(bz2.decompress(raw), np.uint8).reshape(768, 1024, 3)
        else:  # scipy.misc.ascent: a pickled array
            a = np.array(pickle.loads(raw)).astype(np.uint8)
        out.append((name, a, wgt))
    check_not_evaluation(args, out)
    return out


def check_not_evaluation(args, images):
    """No training image is an evaluation photo or a repo test photo: by name and by decoded pixels."""
    from PIL import Image

    banned_names = set(ev.PHOTOS) | {VALIDATION}
    banned_hashes = {}
    repo = os.path.join(os.path.dirname(os.path.dirname(HERE)), REPO_TEST_PHOTOS)
    paths = glob.glob(os.path.join(repo, "*.png")) + glob.glob(os.path.join(repo, "*.jpg"))
    for n in ev.PHOTOS:
        paths += glob.glob(os.path.join(args.photos, "**", n), recursive=True)
    for p in paths:
        banned_names.add(os.path.basename(p))
        a = _u8(Image.open(p).convert("RGB"))
        banned_hashes[hashlib.sha256(a.tobytes()).hexdigest()] = p
        banned_hashes[hashlib.sha256(a[..., 0].tobytes()).hexdigest()] = p  # grey ones, as L
    assert len(paths) >= len(ev.PHOTOS) + 5, paths
    for name, a, _ in images:
        assert name not in banned_names, name
        rgb = a if a.ndim == 3 else np.repeat(a[..., None], 3, -1)
        for h in (hashlib.sha256(rgb.tobytes()).hexdigest(), hashlib.sha256(a.tobytes()).hexdigest()):
            assert h not in banned_hashes, (name, banned_hashes.get(h))


def versions(a):
    """The image at SCALES times its base size (longer side <= MAX_BASE), PIL Lanczos on 8 bits."""
    from PIL import Image

    im = Image.fromarray(a)
    w, h = im.size
    base = min(1.0, MAX_BASE / max(w, h))
    out = []
    for s in SCALES:
        ww, hh = round(w * base * s), round(h * base * s)
        if min(ww, hh) < P_IN:
            continue
        v = im if (ww, hh) == (w, h) else im.resize((ww, hh), Image.LANCZOS)
        out.append(np.asarray(v, np.float32) / 255.0)
    return out


def sample_patch(rng, imgs):
    """One clean P_IN x P_IN plane and its kind."""
    names, arrays, weights = imgs
    i = rng.choice(len(arrays), p=weights)
    vs = arrays[i]
    colour = vs[0].ndim == 3
    kind = "grey" if not colour else PLANES[1 + rng.integers(6)]
    need = 2 * P_IN if kind in ("Cb", "Cr") else P_IN
    ok = [v for v in vs if min(v.shape[:2]) >= need]
    if not ok:
        kind, need, ok = "Y", P_IN, vs
    v = ok[rng.integers(len(ok))]
    y0, x0 = rng.integers(v.shape[0] - need + 1), rng.integers(v.shape[1] - need + 1)
    c = v[y0:y0 + need, x0:x0 + need]
    if colour:
        if kind in ("R", "G", "B"):
            c = c[..., "RGB".index(kind)]
        else:
            c = dc.rgb_to_ycbcr(c.astype(np.float64))[..., ["Y", "Cb", "Cr"].index(kind)]
            if kind != "Y":
                c = dc.halve(c)
    c = np.rot90(c, rng.integers(4))
    if rng.random() < 0.5:
        c = c[:, ::-1]
    return np.ascontiguousarray(c, np.float32), i, PLANES.index(kind)


def cmd_pool(args):
    import torch

    torch.set_num_threads(args.threads)
    os.makedirs(os.path.join(args.work, "pool"), exist_ok=True)
    logf = os.path.join(args.work, "pool.log")
    t0 = time.time()
    images = load_training_images(args)
    vers = [versions(a) for _, a, _ in images]
    w = np.array([wt for _, _, wt in images])
    imgs = ([n for n, _, _ in images], vers, w / w.sum())
    log(logf, "training images: " + ", ".join(f"{n} {a.shape} w{wt} versions {[v.shape[:2] for v in vs]}"
                                              for (n, a, wt), vs in zip(images, vers)))
    teacher = dc.make_torch_module(dc.load_variables(args.wheel, "6N"), "zeros")
    rng = np.random.default_rng(args.seed)
    n = args.n
    noisy = np.zeros((n, P_IN, P_IN), np.float32)
    clean = np.zeros((n, PATCH, PATCH), np.float32)
    tout = np.zeros((n, PATCH, PATCH), np.float32)
    sigma = np.zeros(n, np.float32)
    src = np.zeros(n, np.int16)
    kind = np.zeros(n, np.int8)
    u8 = np.zeros(n, bool)
    bs = 64
    for b0 in range(0, n, bs):
        b1 = min(n, b0 + bs)
        for j in range(b0, b1):
            c, src[j], kind[j] = sample_patch(rng, imgs)
            s = 0.0 if rng.random() < 0.1 else float(rng.uniform(0, 0.2))
            x = c + rng.normal(0, s, c.shape).astype(np.float32) if s > 0 else c.copy()
            if PLANES[kind[j]] in ("grey", "R", "G", "B") and rng.random() < 0.2:
                x, u8[j] = np.round(np.clip(x, 0, 1) * 255) / 255, True
            noisy[j], clean[j], sigma[j] = x, c[RADIUS:-RADIUS, RADIUS:-RADIUS], s
        with torch.no_grad():
            xin = torch.from_numpy(np.stack([noisy[b0:b1], np.broadcast_to(
                sigma[b0:b1, None, None], (b1 - b0, P_IN, P_IN))], 1).astype(np.float32))
            tout[b0:b1] = teacher(xin).numpy()[:, 0, RADIUS:-RADIUS, RADIUS:-RADIUS]
        if (b0 // bs) % 25 == 0:
            log(logf, f"pool {b1}/{n}  {time.time() - t0:.0f} s")
    for k, a in dict(noisy=noisy, clean=clean, teacher=tout, sigma=sigma, src=src, kind=kind, u8=u8).items():
        np.save(os.path.join(args.work, "pool", k + ".npy"), a)
    meta = {"images": [{"name": nm, "shape": list(a.shape), "weight": wt} for nm, a, wt in images],
            "n": n, "p_in": P_IN, "patch": PATCH, "seed": args.seed, "wall_s": round(time.time() - t0, 1),
            "kinds": {PLANES[k]: int((kind == k).sum()) for k in range(len(PLANES))},
            "sigma0": int((sigma == 0).sum()), "u8": int(u8.sum()),
            "per_image": {nm: int((src == i).sum()) for i, (nm, _, _) in enumerate(images)}}
    with open(os.path.join(args.work, "pool", "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log(logf, f"pool done: {json.dumps(meta)}")


# ---------------------------------------------------------------- student

def make_student(width, seed=0):
    """The student as denoise_common's DnCNN module (every conv with a bias), freshly initialised."""
    import torch

    g = torch.Generator().manual_seed(seed)
    chans = [2] + [width] * (DEPTH - 1) + [1]
    layers = []
    for i in range(DEPTH):
        fan_in = chans[i] * 9
        std = np.sqrt(2.0 / fan_in) * (0.1 if i == DEPTH - 1 else 1.0)
        wt = (torch.randn(chans[i + 1], chans[i], 3, 3, generator=g) * std).numpy()
        layers.append((wt.astype(np.float32), np.zeros(chans[i + 1], np.float32), i < DEPTH - 1))
    return dc.module_from_layers(layers, "zeros").train()


def student_layers(module):
    return [(c.weight.detach().numpy().copy(), c.bias.detach().numpy().copy(), r)
            for c, r in zip(module.convs, module.relu)]


def save_ckpt(path, module, meta):
    ls = student_layers(module)
    np.savez(path, meta=json.dumps(meta), **{f"w{i}": w for i, (w, _, _) in enumerate(ls)},
             **{f"b{i}": b for i, (_, b, _) in enumerate(ls)})


def load_ckpt(path, fp16=False):
    z = np.load(path)
    q = (lambda a: a.astype(np.float16).astype(np.float32)) if fp16 else (lambda a: a)
    layers = [(q(z[f"w{i}"]), q(z[f"b{i}"]), i < DEPTH - 1) for i in range(DEPTH)]
    return dc.module_from_layers(layers, "zeros").eval(), json.loads(str(z["meta"]))


def macs_per_pixel(layers):
    return int(sum(w.size for w, _, _ in layers))


# ---------------------------------------------------------------- strategies (whole photo = tiles)

def run_planes(module, planes, sigma):
    return dc.denoise_whole_torch(module, np.ascontiguousarray(planes, np.float32), sigma, RADIUS)


def strategy_a(module, noisy, sigma):
    return run_planes(module, noisy.transpose(2, 0, 1), sigma).transpose(1, 2, 0)


def strategy_c(module, noisy, sigma):
    """YCbCr 4:2:0, the browser's colour strategy (dc.denoise_ycc420)."""
    return dc.denoise_ycc420(lambda p, s: run_planes(module, p[None], s)[0], noisy, sigma)


def load_validation(args):
    from PIL import Image

    im = Image.open(os.path.join(args.mpl_sample_data, VALIDATION)).convert("RGB")
    w, h = im.size
    if max(w, h) > ev.MAX_SIDE:
        s = ev.MAX_SIDE / max(w, h)
        im = im.resize((round(w * s), round(h * s)), Image.LANCZOS)
    return np.asarray(im, np.float32) / 255.0


def validate(module, clean, kinds=("a", "c")):
    """{(kind, sigma): psnr} on the held-out training-side photo; noise seeded like evaluate_denoise."""
    import torch

    out = {}
    with torch.no_grad():
        for si, s in enumerate(ev.SIGMAS):
            noisy = ev.add_noise(clean, s, "grace_hopper", si)
            for k in kinds:
                o = strategy_a(module, noisy, s) if k == "a" else strategy_c(module, noisy, s)
                out[f"{k}@{s:.2f}"] = round(dc.psnr(clean, np.clip(o, 0, 1)), 3)
    out["mean"] = round(float(np.mean(list(out.values()))), 3)
    return out


def cmd_train(args):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    logf = os.path.join(args.work, args.name + ".log")
    pdir = os.path.join(args.work, "pool")
    noisy = np.load(os.path.join(pdir, "noisy.npy"), mmap_mode="r")
    clean = np.load(os.path.join(pdir, "clean.npy"), mmap_mode="r")
    tout = np.load(os.path.join(pdir, "teacher.npy"), mmap_mode="r")
    sigma = np.load(os.path.join(pdir, "sigma.npy"))
    n = len(sigma)
    if args.init:
        module, meta0 = load_ckpt(os.path.join(args.work, args.init + ".npz"))
        module.train()
        assert meta0["width"] == args.width
    else:
        module, meta0 = make_student(args.width, args.seed), {}
    val_clean = load_validation(args)
    teacher = dc.make_torch_module(dc.load_variables(args.wheel, "6N"), "zeros")
    tv = validate(teacher, val_clean)
    log(logf, f"{args.name}: width {args.width}, target {args.target}, {args.minutes} min, lr {args.lr}, "
              f"batch {args.batch}, pool {n}, init {args.init or 'random'}; teacher on {VALIDATION}: {tv}")
    opt = torch.optim.Adam(module.parameters(), lr=args.lr)
    rng = np.random.default_rng(args.seed + 1)
    budget = args.minutes * 60
    t0, step, seen, hist = time.time(), 0, 0, []
    next_val, val_every = t0 + args.val_every * 60, args.val_every * 60
    wt = {"teacher": (1.0, 0.0), "clean": (0.0, 1.0), "mix": (0.5, 0.5)}[args.target]
    vals, run_loss = [], []
    while True:
        el = time.time() - t0
        if el >= budget:
            break
        frac = el / budget
        lr = args.lr * (min(1.0, (step + 1) / 100) if not args.init else 1.0) * \
            (args.lr_end + (1 - args.lr_end) * 0.5 * (1 + np.cos(np.pi * frac)))
        for gp in opt.param_groups:
            gp["lr"] = lr
        idx = np.sort(rng.choice(n, args.batch, replace=False))
        x = np.asarray(noisy[idx])
        tg = np.asarray(tout[idx])
        cl = np.asarray(clean[idx])
        k, fl = rng.integers(4), rng.random() < 0.5  # same rotation/flip on the batch (input and targets)
        x, tg, cl = (np.rot90(a, k, axes=(1, 2)) for a in (x, tg, cl))
        if fl:
            x, tg, cl = (a[:, :, ::-1] for a in (x, tg, cl))
        xin = torch.from_numpy(np.stack([x, np.broadcast_to(sigma[idx, None, None], x.shape)], 1).astype(np.float32))
        y = module(xin)[:, 0, RADIUS:-RADIUS, RADIUS:-RADIUS]
        loss = 0.0
        if wt[0]:
            loss = loss + wt[0] * ((y - torch.from_numpy(np.ascontiguousarray(tg))) ** 2).mean()
        if wt[1]:
            loss = loss + wt[1] * ((y - torch.from_numpy(np.ascontiguousarray(cl))) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        opt.step()
        step += 1
        seen += args.batch
        run_loss.append(float(loss))
        if step % 100 == 0:
            log(logf, f"step {step} seen {seen} ({seen / n:.2f} epochs) {el:.0f}s lr {lr:.2e} "
                      f"loss {np.mean(run_loss):.3e} (psnr-equiv {-10 * np.log10(np.mean(run_loss)):.2f} dB)")
            hist.append({"step": step, "s": round(el, 1), "loss": float(np.mean(run_loss))})
            run_loss = []
        if time.time() >= next_val:
            module.eval()
            v = validate(module, val_clean)
            module.train()
            vals.append({"step": step, "s": round(time.time() - t0, 1), **v})
            log(logf, f"val step {step}: {v}  (teacher mean {tv['mean']})")
            next_val += val_every
    module.eval()
    v = validate(module, val_clean)
    wall = time.time() - t0
    vals.append({"step": step, "s": round(wall, 1), **v})
    log(logf, f"final val step {step}: {v}  (teacher {tv})")
    meta = {"name": args.name, "width": args.width, "target": args.target, "minutes": args.minutes,
            "lr": args.lr, "lr_end": args.lr_end, "batch": args.batch, "steps": step, "patches_seen": seen,
            "epochs": round(seen / n, 3), "init": args.init, "init_meta": meta0, "wall_s": round(wall, 1),
            "val_teacher": tv, "val": vals, "loss_hist": hist, "seed": args.seed,
            "macs_per_pixel": macs_per_pixel(student_layers(module))}
    save_ckpt(os.path.join(args.work, args.name + ".npz"), module, meta)
    log(logf, f"saved {args.name}.npz, wall {wall:.0f} s")


# ---------------------------------------------------------------- export, evaluate, speed

def cmd_export(args):
    import onnx
    import torch

    import convert_dncnn as cd
    import onnx_shrink

    torch.set_num_threads(args.threads)
    module, meta = load_ckpt(os.path.join(args.work, args.name + ".npz"))
    m32 = cd.export_onnx(module, args.tile)
    m32.producer_name = "distill_dncnn.py"
    # no apostrophe: tract writes the doc string into the NNEF archive's properties unescaped and then
    # cannot read that archive back ("Reading proto model ... fragment tract_core_properties")
    m32.doc_string = (f"DnCNN student ({DEPTH} convs, {meta['width']} filters) distilled from the DnCNN 6N "
                      "of scico 0.0.7 (BSD-3-Clause, (c) Los Alamos National Laboratory). input [1,2,H,W] = (noisy "
                      "image in [0,1], constant sigma plane); output [1,1,H,W] = denoised image. Zero-padded "
                      "convs: discard the outer 6 pixels of every tile.")
    onnx.checker.check_model(m32)
    run32 = cd.ort_session(m32)
    rng = np.random.default_rng(0)
    xt = dc.model_input(rng.random((1, args.tile, args.tile)).astype(np.float32), 0.1)
    with torch.no_grad():
        yt = module(torch.from_numpy(xt)).numpy()
    d_ort = float(np.abs(run32(xt) - yt).max())
    assert d_ort < 1e-4, d_ort
    m16 = onnx_shrink.to_fp16(m32)
    run16 = cd.ort_session(m16)
    rows, worst, worst_tile = cd.fp16_rule_runs(module, run32, run16, ev.load_photos(args.photos), RADIUS, args.tile)
    assert worst_tile < 1e-4, worst_tile
    use16 = worst < cd.FP16_MAX_PSNR_CHANGE_DB
    path = os.path.join(args.work, args.name + ".onnx")
    onnx.save(m16 if use16 else m32, path)
    onnx.save(m32, os.path.join(args.work, args.name + ".fp32.onnx"))
    raw, gz = onnx_shrink.sizes(path)
    raw32, gz32 = onnx_shrink.sizes(os.path.join(args.work, args.name + ".fp32.onnx"))
    rep = {"name": args.name, "width": meta["width"], "onnx_fp32_vs_torch_max_abs_diff": d_ort,
           "tiled_onnx_vs_whole_torch_max_abs_diff": worst_tile,
           "fp16_rule": {"threshold_db": cd.FP16_MAX_PSNR_CHANGE_DB, "max_abs_psnr_change_db": worst,
                         "chosen": "fp16" if use16 else "fp32", "per_photo": rows},
           "onnx_ops": sorted({n.op_type for n in m32.graph.node}),
           "parameters": int(sum(w.size + b.size for w, b, _ in student_layers(module))),
           "macs_per_pixel": macs_per_pixel(student_layers(module)),
           "macs_per_tile": macs_per_pixel(student_layers(module)) * args.tile ** 2,
           "bytes": raw, "gzip9_bytes": gz, "fp32_bytes": raw32, "fp32_gzip9_bytes": gz32,
           "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(), "train_meta": meta}
    with open(os.path.join(args.work, args.name + ".export.json"), "w") as f:
        json.dump(rep, f, indent=1)
    print(f"wrote {path}: {'fp16' if use16 else 'fp32'} (worst PSNR change {worst:.4f} dB), {raw} B, gzip -9 {gz} B; "
          f"fp32 {raw32} / {gz32} B")


def shipped_module(args, name):
    """'6N' = the teacher (fp16-rounded weights, as convert_dncnn.py ships them); else a student
    with the weights its export chose (fp16-rounded if the fp16 rule held)."""
    if name == "6N":
        layers = dc.folded_layers(dc.load_variables(args.wheel, "6N"))
        q = lambda a: None if a is None else a.astype(np.float16).astype(np.float32)
        return dc.module_from_layers([(q(w), q(b), r) for w, b, r in layers], "zeros").eval()
    with open(os.path.join(args.work, name + ".export.json")) as f:
        chosen = json.load(f)["fp16_rule"]["chosen"]
    return load_ckpt(os.path.join(args.work, name + ".npz"), fp16=chosen == "fp16")[0]


def cmd_evaluate(args):
    import torch

    torch.set_num_threads(args.threads)
    photos = ev.load_photos(args.photos)
    rows = []
    for name in ["6N"] + args.names:
        module = shipped_module(args, name)
        with torch.no_grad():
            for ph, clean in photos:
                for si, s in enumerate(ev.SIGMAS):
                    noisy = ev.add_noise(clean, s, ph, si)
                    inputs = [("float", noisy)] + ([("u8", ev.to_u8(noisy))] if s == 0.10 else [])
                    for inp, x in inputs:
                        if clean.ndim == 2:
                            outs = {"grey": run_planes(module, x[None], s)[0]}
                        else:
                            outs = {"a_rgb_planes": strategy_a(module, x, s), "c_ycbcr420": strategy_c(module, x, s)}
                        for kind, o in outs.items():
                            r = {"variant": name, "photo": ph, "size": list(clean.shape[:2]), "kind": kind,
                                 "input": inp, "sigma": s, **ev.metrics(clean, x, o)}
                            rows.append(r)
                            print(f"{name:4s} {ph:9s} {kind:12s} {inp:5s} s={s:.2f} PSNR {r['psnr_noisy']:6.2f} -> "
                                  f"{r['psnr_out']:6.2f}  SSIM {r['ssim_noisy']:.3f} -> {r['ssim_out']:.3f}", flush=True)
    summ = ev.summarise(rows)
    rep = {"protocol": "evaluate_denoise.py's photos, downscale, seeded noise and metrics; strategy (c) as "
                       "strategy_c() here; weights as shipped (fp16-rounded where the fp16 rule chose fp16)",
           "noise_factors": {"Y": NOISE_Y, "Cb": NOISE_CB, "Cr": NOISE_CR},
           "summary": summ, "per_photo": rows}
    with open(os.path.join(args.work, "evaluation.json"), "w") as f:
        json.dump(rep, f, indent=1)
    print("\n| model | colour | input | sigma | PSNR noisy | PSNR out (gain) | SSIM noisy | SSIM out |")
    print("|---|---|---|---|---|---|---|---|")
    for s in sorted(summ, key=lambda s: (s["kind"], s["input"], s["sigma"], s["variant"] != "6N", s["variant"])):
        print(f"| {s['variant']} | {s['kind']} | {s['input']} | {s['sigma']:.2f} | {s['psnr_noisy']:.2f} | "
              f"{s['psnr_out']:.2f} ({s['psnr_gain']:+.2f}) | {s['ssim_noisy']:.3f} | {s['ssim_out']:.3f} |")


def cmd_speed(args):
    import onnx

    import convert_dncnn as cd
    import onnx_shrink

    # The teacher as convert_dncnn.py ships it (fp16), from the wheel: models/denoise/model.onnx is a student now.
    teacher = cd.export_onnx(dc.make_torch_module(dc.load_variables(args.wheel, "6N")), args.tile)
    models = {"6N": onnx_shrink.to_fp16(teacher)}
    models.update({n: onnx.load(os.path.join(args.work, n + ".onnx")) for n in args.names})
    x = dc.model_input(np.random.default_rng(0).random((1, args.tile, args.tile)).astype(np.float32), 0.1)
    out = {}
    for rep in range(args.repeats):
        for name, model in models.items():
            median = cd.median_run_s(cd.ort_session(model), x)
            out.setdefault(name, []).append({"median_s": round(median, 4),
                                             "load_1min": os.getloadavg()[0]})
            print(f"{name}: onnxruntime 1 thread, {args.tile}x{args.tile} tile: median {median * 1e3:.1f} ms; "
                  f"load {os.getloadavg()}", flush=True)
    with open(os.path.join(args.work, "speed.json"), "w") as f:
        json.dump(out, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["pool", "train", "export", "evaluate", "speed"])
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--photos", required=True, help="folder with the scikit-image photos (setup_denoise.sh)")
    ap.add_argument("--scipy-misc", help="scipy/misc of Debian's python3-scipy 1.10.1 (face.dat, ascent.dat)")
    ap.add_argument("--mpl-sample-data", help="matplotlib's mpl-data/sample_data (grace_hopper.jpg)")
    ap.add_argument("--work", default="/tmp/student")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=16000, help="pool: patches")
    ap.add_argument("--name", default="s32")
    ap.add_argument("--names", nargs="*", default=[])
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--target", choices=["teacher", "clean", "mix"], default="teacher")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-end", type=float, default=0.02, help="final lr as a fraction of --lr")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--val-every", type=float, default=4, help="minutes")
    ap.add_argument("--init", help="continue from WORK/INIT.npz")
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    {"pool": cmd_pool, "train": cmd_train, "export": cmd_export, "evaluate": cmd_evaluate,
     "speed": cmd_speed}[args.cmd](args)


if __name__ == "__main__":
    main()
