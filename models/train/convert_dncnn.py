"""scico's trained DnCNN (flax msgpack inside the scico 0.0.7 wheel, BSD-3-Clause) -> ONNX: the teacher of the shipped
student (distill_dncnn.py; models/denoise/MODEL.md), the browser's model before it.

    PYTHONPATH=/tmp/pylib-dn /usr/bin/python3 models/train/convert_dncnn.py \
        --wheel /tmp/denoise_src/scico-0.0.7-py3-none-any.whl --variant 6N --out /tmp/teacher \
        --photos /tmp/denoise_src/photos

What it does, in order (every figure lands in OUT/convert_report.json):
1. reads scico/data/flax/dncnn<VARIANT>.mpk straight out of the wheel (zipfile + msgpack, no jax/flax);
2. checks a numpy transcription of scico's flax forward (circular padding, BatchNorm unfolded) against the
   torch module with BatchNorm folded into the convs and circular padding, on a seeded random 64x64 input
   (max abs diff of the denoised channel must be < 1e-4);
3. exports the zero-padded module (padding=1, NOT circular: the browser runs overlapping tiles with a margin
   of the receptive radius and reflect-pads the photo, so the outermost `radius` pixels of each tile, the
   only ones zero padding changes, are thrown away) to ONNX opset 13:
   `input` f32 [1, 2, T, T] = (noisy image in [0, 1], constant plane sigma) -> `output` f32 [1, 1, T, T]
   = the denoised image (input channel 0 - net channel 0);
4. runs it with onnxruntime (1 thread) against the torch module on a random tile;
5. with --photos: runs the exported model tile by tile over the test photos (evaluate_denoise.PHOTOS,
   grey planes and the luma of the colour ones, seeded noise sigma 0.05/0.10/0.20) in fp32 and with fp16
   weights (onnx_shrink.to_fp16), checks the tiled fp32 result against the whole-photo torch run, and ships
   the fp16 file only if it moves no PSNR by 0.01 dB or more; without --photos it ships fp32.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import time
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import denoise_common as dc  # noqa: E402

FP16_MAX_PSNR_CHANGE_DB = 0.01


def export_onnx(module, tile):
    import onnx
    import torch

    buf = io.BytesIO()
    x = torch.zeros(1, 2, tile, tile)
    torch.onnx.export(module, x, buf, opset_version=13, input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    m = onnx.load_from_string(buf.getvalue())
    m.producer_name, m.producer_version = "convert_dncnn.py", ""
    m.doc_string = ("DnCNN denoiser (Zhang et al. 2017), weights from scico 0.0.7 (BSD-3-Clause, "
                    "(c) Los Alamos National Laboratory). input [1,2,H,W] = (noisy image in [0,1], constant "
                    "sigma plane); output [1,1,H,W] = denoised image. Zero-padded convs: discard the outer "
                    "receptive-radius pixels of every tile.")
    onnx.checker.check_model(m)
    return m


def ort_session(model):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return lambda x: sess.run(["output"], {"input": x.astype(np.float32)})[0]


def median_run_s(run, x, reps=5):
    """Seconds of `run(x)`, median of `reps` after a warm-up run."""
    run(x)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run(x)
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def fp16_rule_runs(module, run32, run16, photos, radius, tile):
    """The fp16 rule's runs: each evaluation photo (its luma for colour) at each sigma, tiled through the fp32
    and the fp16 ONNX (run32 / run16) and whole through the torch `module`. -> (rows, the largest PSNR
    change fp16 vs fp32, the largest tiled-vs-whole difference). Used by this script and distill_dncnn.py."""
    import evaluate_denoise as ev

    rows, worst_dpsnr, worst_tile = [], 0.0, 0.0
    for name, clean in photos:
        plane = clean if clean.ndim == 2 else dc.rgb_to_ycbcr(clean)[..., 0]
        for si, sigma in enumerate(ev.SIGMAS):
            noisy = ev.add_noise(clean, sigma, name, si)
            nplane = noisy if noisy.ndim == 2 else dc.rgb_to_ycbcr(noisy)[..., 0]
            s_in = sigma if clean.ndim == 2 else sigma * dc.LUMA_NOISE
            whole = dc.denoise_whole_torch(module, nplane[None], s_in, radius)[0]
            t32 = dc.denoise_tiled(run32, nplane, s_in, radius, tile)
            t16 = dc.denoise_tiled(run16, nplane, s_in, radius, tile)
            p32, p16 = dc.psnr(plane, np.clip(t32, 0, 1)), dc.psnr(plane, np.clip(t16, 0, 1))
            d_tile = float(np.abs(t32 - whole).max())
            rows.append({"photo": name, "plane": "grey" if clean.ndim == 2 else "luma", "sigma": sigma,
                         "psnr_fp32": round(p32, 4), "psnr_fp16": round(p16, 4),
                         "tiled_fp32_vs_whole_torch_max_abs_diff": d_tile,
                         "fp16_vs_fp32_max_abs_diff": float(np.abs(t16 - t32).max())})
            worst_dpsnr, worst_tile = max(worst_dpsnr, abs(p16 - p32)), max(worst_tile, d_tile)
            print(f"{name:10s} sigma {sigma:.2f}: PSNR fp32 {p32:.3f} fp16 {p16:.3f}  tiled-vs-whole {d_tile:.1e}",
                  flush=True)
    return rows, worst_dpsnr, worst_tile


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True, help="scico-0.0.7-py3-none-any.whl")
    ap.add_argument("--variant", default="6N", choices=["6N", "17N"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--photos", help="folder holding the skimage photos (see setup_denoise.sh)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import onnx
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    import onnx_shrink

    variables = dc.load_variables(args.wheel, args.variant)
    depth, radius = dc.depth_of(variables), dc.receptive_radius(variables)
    if args.tile <= 2 * radius:
        raise SystemExit(f"--tile must exceed twice the receptive radius ({radius})")
    with zipfile.ZipFile(args.wheel) as z:
        mpk = z.read(dc.mpk_name(args.variant))
    with open(args.wheel, "rb") as f:
        wheel_sha = hashlib.sha256(f.read()).hexdigest()
    report = {
        "source": {"wheel": os.path.basename(args.wheel), "wheel_sha256": wheel_sha,
                   "file": dc.mpk_name(args.variant), "file_sha256": hashlib.sha256(mpk).hexdigest(),
                   "licence": "BSD-3-Clause", "copyright": "Copyright (c) 2021-2025, Los Alamos National Laboratory"},
        "variant": args.variant, "depth": depth, "receptive_radius": radius, "tile": args.tile,
        "checkpoint_parameters": dc.count_arrays(variables["params"]),
        "exported_parameters": int(sum(w.size + (0 if b is None else b.size)
                                       for w, b, _ in dc.folded_layers(variables))),
    }

    # 2. numpy flax reference (circular, BN unfolded) vs torch (circular, BN folded)
    rng = np.random.default_rng(args.seed)
    img = rng.random((1, 64, 64)).astype(np.float32)
    x = dc.model_input(img, 0.1)
    ref = dc.flax_forward_numpy(variables, x.transpose(0, 2, 3, 1))[..., 0]
    with torch.no_grad():
        circ = dc.make_torch_module(variables, "circular")(torch.from_numpy(x)).numpy()[:, 0]
    d_ref = float(np.abs(ref - circ).max())
    report["check_flax_numpy_vs_torch_circular"] = {"input": "uniform random 64x64, sigma plane 0.1",
                                                    "max_abs_diff": d_ref}
    print(f"flax-numpy (circular, BN) vs torch (circular, BN folded): max abs diff {d_ref:.2e}")
    assert d_ref < 1e-4, d_ref

    # 3./4. export the zero-padded module, run it with onnxruntime
    module = dc.make_torch_module(variables, "zeros")
    model32 = export_onnx(module, args.tile)
    run32 = ort_session(model32)
    xt = dc.model_input(rng.random((1, args.tile, args.tile)).astype(np.float32), 0.1)
    with torch.no_grad():
        yt = module(torch.from_numpy(xt)).numpy()
    d_ort = float(np.abs(run32(xt) - yt).max())
    report["check_onnx_fp32_vs_torch_zero_pad"] = {"input": f"uniform random {args.tile}x{args.tile}, sigma 0.1",
                                                   "max_abs_diff": d_ort}
    report["onnx_ops"] = sorted({n.op_type for n in model32.graph.node})
    print(f"onnxruntime fp32 vs torch (zero padding): max abs diff {d_ort:.2e}")
    assert d_ort < 1e-4, d_ort

    model16 = onnx_shrink.to_fp16(model32)
    run16 = ort_session(model16)
    d16 = float(np.abs(run16(xt) - yt).max())
    report["check_onnx_fp16_vs_torch_zero_pad_max_abs_diff"] = d16

    use_fp16 = False
    if args.photos:
        import evaluate_denoise as ev

        rows, worst_dpsnr, worst_tile = fp16_rule_runs(module, run32, run16, ev.load_photos(args.photos), radius,
                                                        args.tile)
        use_fp16 = worst_dpsnr < FP16_MAX_PSNR_CHANGE_DB
        report["tiled_onnx_vs_whole_torch"] = {
            "what": "onnxruntime fp32, tiles of TxT every T-2r pixels on the reflect-padded photo, vs the torch "
                    "zero-padded module on the whole reflect-padded photo; whole denoised plane compared",
            "max_abs_diff": worst_tile}
        assert worst_tile < 1e-4, worst_tile
        report["fp16_rule"] = {"threshold_db": FP16_MAX_PSNR_CHANGE_DB, "max_abs_psnr_change_db": worst_dpsnr,
                               "chosen": "fp16" if use_fp16 else "fp32", "per_photo": rows}
    else:
        report["fp16_rule"] = {"chosen": "fp32", "why": "no --photos: fp16 not measured"}

    # timing of one tile, onnxruntime 1 thread (the torch figures are in evaluate_denoise.py)
    report["onnxruntime_1thread_tile_s_median"] = median_run_s(run16 if use_fp16 else run32, xt)
    report["load_average_1min_at_timing"] = os.getloadavg()[0]

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    onnx.save(model16 if use_fp16 else model32, path)
    raw, gz = onnx_shrink.sizes(path)
    if use_fp16:  # the size it would have had with fp32 weights, for the model card
        tmp = path + ".fp32.tmp"
        onnx.save(model32, tmp)
        report["fp32_model_onnx_bytes"], report["fp32_model_onnx_gzip9_bytes"] = onnx_shrink.sizes(tmp)
        os.remove(tmp)
    report["weights"] = "fp16 + Cast to float" if use_fp16 else "fp32"
    report["model_onnx_bytes"], report["model_onnx_gzip9_bytes"] = raw, gz
    with open(path, "rb") as f:
        report["model_onnx_sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(args.out, "LICENSE"), "w") as f:
        f.write(dc.read_wheel_text(args.wheel, ".dist-info/licenses/LICENSE"))
    rp = os.path.join(args.out, "convert_report.json")
    old = {}
    if os.path.exists(rp):  # keep evaluate_denoise.py's section
        with open(rp) as f:
            old = json.load(f)
    if "evaluation" in old:
        report["evaluation"] = old["evaluation"]
    with open(rp, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {report['weights']}, {raw} bytes, gzip -9 {gz} bytes")


if __name__ == "__main__":
    main()
