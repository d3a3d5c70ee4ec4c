"""Quality and speed of scico's DnCNN 6N / 17N on public-domain photos; merged into convert_report.json.

    PYTHONPATH=/tmp/pylib-dn /usr/bin/python3 models/train/evaluate_denoise.py \
        --wheel /tmp/denoise_src/scico-0.0.7-py3-none-any.whl --photos /tmp/denoise_src/photos \
        --report models/denoise/convert_report.json

Protocol (fixed here so the numbers can be reproduced):
- photos: PHOTOS below, from the scikit-image 0.26.0 wheel (CC0 / public domain, see its data/_fetchers.py);
  a photo longer than MAX_SIDE px is first downscaled (PIL Lanczos on the 8-bit image) to MAX_SIDE on its
  longer side; pixels / 255;
- noise: additive white Gaussian, std sigma in SIGMAS, seeded per (photo, sigma), NOT clipped (the usual
  AWGN protocol); for colour photos independent in R, G and B. One extra run at sigma 0.10 feeds the
  model the noisy photo clipped and rounded to 8 bits ("u8" input), which is what the browser gets;
- denoising: the zero-padded torch module (BatchNorm folded, = the exported ONNX) on the whole photo
  reflect-padded by the receptive radius (6 for 6N, 17 for 17N); a tiled run (TILE, overlap 2 x radius)
  is checked to give the same plane;
- colour: (a) "rgb_planes": R, G, B denoised separately with sigma; (b) "luma": JPEG YCbCr, Y denoised
  with sigma * 0.6686 (the std of Y = 0.299 R + 0.587 G + 0.114 B under iid RGB noise), Cb/Cr kept as
  they are (noisy), back to RGB; (c) "ycc420", what the browser does: JPEG YCbCr 4:2:0, Y denoised at full
  size with sigma * 0.6686, Cb and Cr averaged over 2x2 pixels (which halves their noise) and denoised
  with sigma * 0.6231 / 2 and sigma * 0.6572 / 2, scaled back up bilinearly (dc.denoise_ycc420);
- metrics on images clipped to [0, 1] (before: the noisy photo; after: the model's output), RGB for
  colour: PSNR (MSE over all values, data range 1), SSIM (denoise_common.ssim = scikit-image's
  gaussian_weights=True, sigma 1.5, use_sample_covariance=False, data_range 1; colour = mean over R, G, B);
- for reference only: scico's blind 6M / 17M models (trained at sigma 0.10, no sigma input) at sigma 0.10;
- timing: torch, 1 thread, one [1, 2, 256, 256] tile, median of 5 after a warm-up, on whatever else the
  machine is doing (the load average is recorded).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import denoise_common as dc  # noqa: E402

PHOTOS = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "camera.png", "coins.png", "moon.png"]
SIGMAS = [0.05, 0.10, 0.20]
MAX_SIDE = 512
SEED = 2024
TILE = 256


def load_photos(folder):
    """[(stem, float32 [H, W] or [H, W, 3] in [0, 1])] in PHOTOS order; downscaled to MAX_SIDE."""
    from PIL import Image

    out = []
    for name in PHOTOS:
        hits = sorted(glob.glob(os.path.join(folder, "**", name), recursive=True))
        if not hits:
            raise SystemExit(f"{name} not found under {folder} (see models/train/setup_denoise.sh)")
        im = Image.open(hits[0])
        im = im.convert("L" if im.mode in ("L", "I;16", "I") else "RGB")
        w, h = im.size
        if max(w, h) > MAX_SIDE:
            s = MAX_SIDE / max(w, h)
            im = im.resize((round(w * s), round(h * s)), Image.LANCZOS)
        out.append((os.path.splitext(name)[0], np.asarray(im, np.float32) / 255.0))
    return out


def add_noise(clean, sigma, name, sigma_index):
    rng = np.random.default_rng([SEED, zlib.crc32(name.encode()), sigma_index])
    return (clean + rng.normal(0.0, sigma, clean.shape)).astype(np.float32)


def to_u8(x):
    return (np.round(np.clip(x, 0, 1) * 255) / 255).astype(np.float32)


def denoise(module, radius, noisy, sigma, kind):
    """kind: grey | rgb_planes | luma | ycc420 -> denoised image, same shape as `noisy`."""
    if kind == "grey":
        return dc.denoise_whole_torch(module, noisy[None], sigma, radius)[0]
    if kind == "rgb_planes":
        return dc.denoise_whole_torch(module, np.ascontiguousarray(noisy.transpose(2, 0, 1)), sigma,
                                      radius).transpose(1, 2, 0)
    if kind == "ycc420":
        return dc.denoise_ycc420(lambda p, s: dc.denoise_whole_torch(module, p[None], s, radius)[0], noisy, sigma)
    ycc = dc.rgb_to_ycbcr(noisy.astype(np.float64))
    ycc[..., 0] = dc.denoise_whole_torch(module, ycc[None, ..., 0], sigma * dc.LUMA_NOISE, radius)[0]
    return dc.ycbcr_to_rgb(ycc)


def metrics(clean, noisy, out):
    n, o = np.clip(noisy, 0, 1), np.clip(out, 0, 1)
    pn, po = dc.psnr(clean, n), dc.psnr(clean, o)
    return {"psnr_noisy": round(pn, 3), "psnr_out": round(po, 3), "psnr_gain": round(po - pn, 3),
            "ssim_noisy": round(dc.ssim(clean, n), 4), "ssim_out": round(dc.ssim(clean, o), 4)}


def time_tile(module, tile, reps=5):
    import torch

    x = torch.from_numpy(dc.model_input(np.random.default_rng(0).random((1, tile, tile)), 0.1))
    ts = []
    with torch.no_grad():
        module(x)
        for _ in range(reps):
            t0 = time.perf_counter()
            module(x)
            ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def summarise(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["variant"], r["kind"], r["input"], r["sigma"]), []).append(r)
    out = []
    for (v, k, i, s), rs in groups.items():
        m = {key: round(float(np.mean([r[key] for r in rs])), 4 if key.startswith("ssim") else 3)
             for key in ("psnr_noisy", "psnr_out", "psnr_gain", "ssim_noisy", "ssim_out")}
        out.append({"variant": v, "kind": k, "input": i, "sigma": s, "photos": len(rs), **m})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--photos", required=True)
    ap.add_argument("--report", required=True, help="convert_report.json to merge the 'evaluation' into")
    ap.add_argument("--variants", nargs="+", default=["6N", "17N"])
    ap.add_argument("--no-blind", action="store_true", help="skip the 6M/17M reference rows")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    t_start = time.perf_counter()
    photos = load_photos(args.photos)
    rows, checks, timing = [], {}, {}
    for v in args.variants:
        variables = dc.load_variables(args.wheel, v)
        radius = dc.receptive_radius(variables)
        module = dc.make_torch_module(variables, "zeros")
        for name, clean in photos:
            kinds = ["grey"] if clean.ndim == 2 else ["rgb_planes", "luma", "ycc420"]
            for si, sigma in enumerate(SIGMAS):
                noisy = add_noise(clean, sigma, name, si)
                inputs = [("float", noisy)] + ([("u8", to_u8(noisy))] if sigma == 0.10 else [])
                for inp, x in inputs:
                    for kind in kinds:
                        r = {"variant": v, "photo": name, "size": list(clean.shape[:2]), "kind": kind,
                             "input": inp, "sigma": sigma, **metrics(clean, x, denoise(module, radius, x, sigma, kind))}
                        rows.append(r)
                        print(f"{v:3s} {name:9s} {kind:10s} {inp:5s} s={sigma:.2f}  PSNR {r['psnr_noisy']:6.2f} -> "
                              f"{r['psnr_out']:6.2f}  SSIM {r['ssim_noisy']:.3f} -> {r['ssim_out']:.3f}", flush=True)
        # tiled (the browser's way, TILE x TILE, overlap 2 x radius) == whole photo
        name, clean = photos[PHOTOS.index("camera.png")]
        noisy = add_noise(clean, 0.10, name, SIGMAS.index(0.10))
        whole = dc.denoise_whole_torch(module, noisy[None], 0.10, radius)[0]

        def run_tile(x):
            with torch.no_grad():
                return module(torch.from_numpy(x)).numpy()

        tiled = dc.denoise_tiled(run_tile, noisy, 0.10, radius, TILE)
        d = float(np.abs(tiled - whole).max())
        checks[v] = {"photo": name, "sigma": 0.10, "tile": TILE, "overlap": 2 * radius,
                     "tiles": dc.n_tiles(*clean.shape, radius, TILE), "max_abs_diff_tiled_vs_whole": d}
        print(f"{v}: tiled vs whole on {name}: max abs diff {d:.2e}")
        assert d < 1e-4, d
        t = time_tile(module, TILE)
        n1 = dc.n_tiles(1000, 1000, radius, TILE)
        n420 = n1 + 2 * dc.n_tiles(500, 500, radius, TILE)
        timing[v] = {"torch_1thread_256x256_grey_tile_s": round(t, 4),
                     "tiles_per_1000x1000_plane": n1,
                     "tiles_1000x1000_ycc420": n420,
                     "estimate_1MP_colour_ycc420_s": round(n420 * t, 2),
                     "estimate_1MP_colour_rgb_planes_s": round(3 * n1 * t, 2),
                     "estimate_1MP_colour_luma_s": round(n1 * t, 2),
                     "load_average_1min": os.getloadavg()[0]}
        print(f"{v}: {t:.3f} s per 256x256 tile (torch, 1 thread); 1 MP colour ~{3 * n1 * t:.1f} s "
              f"(3 planes x {n1} tiles), luma only ~{n1 * t:.1f} s")
    blind = []
    if not args.no_blind:
        for v in ["6M", "17M"]:
            variables = dc.load_variables(args.wheel, v)
            radius = dc.receptive_radius(variables)
            module = dc.make_torch_module(variables, "zeros")  # 1 input channel: the image alone

            def run_blind(planes, _m=module, _r=radius):
                p = dc.pad_for_model(planes, _r)
                with torch.no_grad():
                    y = _m(torch.from_numpy(np.ascontiguousarray(p[:, None], np.float32))).numpy()[:, 0]
                return y[:, _r:-_r, _r:-_r]

            for name, clean in photos:
                noisy = add_noise(clean, 0.10, name, SIGMAS.index(0.10))
                if clean.ndim == 2:
                    kind, out = "grey", run_blind(noisy[None])[0]
                else:
                    kind, out = "rgb_planes", run_blind(np.ascontiguousarray(noisy.transpose(2, 0, 1))).transpose(1, 2, 0)
                blind.append({"variant": v, "photo": name, "size": list(clean.shape[:2]), "kind": kind,
                              "input": "float", "sigma": 0.10, **metrics(clean, noisy, out)})
                print(f"{v:3s} {name:9s} {kind:10s} s=0.10  PSNR -> {blind[-1]['psnr_out']:.2f}", flush=True)

    evaluation = {
        "protocol": __doc__.split("Protocol (fixed here so the numbers can be reproduced):")[1].strip(),
        "photos": {n: list(c.shape) for n, c in photos}, "max_side": MAX_SIDE, "seed": SEED,
        "summary": summarise(rows), "blind_reference_summary": summarise(blind),
        "per_photo": rows, "blind_reference_per_photo": blind,
        "tiled_vs_whole": checks, "timing": timing,
        "wall_s": round(time.perf_counter() - t_start, 1),
    }
    report = {}
    if os.path.exists(args.report):
        with open(args.report) as f:
            report = json.load(f)
    report["evaluation"] = evaluation
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")

    print("\n| variant | colour | input | sigma | PSNR noisy | PSNR out | gain | SSIM noisy | SSIM out |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in evaluation["summary"] + evaluation["blind_reference_summary"]:
        print(f"| {s['variant']} | {s['kind']} | {s['input']} | {s['sigma']:.2f} | {s['psnr_noisy']:.2f} | "
              f"{s['psnr_out']:.2f} | {s['psnr_gain']:+.2f} | {s['ssim_noisy']:.3f} | {s['ssim_out']:.3f} |")
    print(f"wall {evaluation['wall_s']} s")


if __name__ == "__main__":
    main()
