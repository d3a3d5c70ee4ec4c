"""Golden photos and expected outputs for the Rust photo pipeline tests.

    PYTHONPATH=/tmp/pylib /usr/bin/python3 models/train/make_photo_golden.py \
        --src /tmp/photo_src --model models/photo/model.onnx --out crates/core/tests/photos

Copies 6 public-domain photos (from the scikit-image 0.26.0 and matplotlib 3.11.2 wheels, unpacked by
setup_photo.sh; two are crops) into --out, each <= 300 KB, and writes --out/expected.json: per photo the decoded size, the
resize/crop geometry, the preprocessed tensor's sum and probe values (models/train/photo_common.py, i.e. the
spec in models/photo/MODEL.md), the sum of the 224x224x3 u8 crop (an exact integer check of decode + resize
+ crop), and the top-5 classes with probabilities from the fp32 PyTorch model and from the shrunk ONNX model
(onnxruntime).

PNG wherever possible: PNG decodes to the same bytes in every decoder, so the Rust preprocessing can be
compared exactly; rocket.jpg stays the original JPEG to exercise the JPEG path (decoders differ slightly,
so compare it with a tolerance).
"""

import argparse
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import photo_common as pc  # noqa: E402

# name in --out: (source under --src, how it is made, origin and licence as stated by the shipping package)
PHOTOS = {
    "cat.png": ("skimage/chelsea.png", "copied unchanged (451x300 RGB PNG)",
                "scikit-image 0.26.0 skimage/data/chelsea.png (skimage.data.chelsea): 'No copyright "
                "restrictions. CC0 by the photographer (Stefan van der Walt).'"),
    "coffee.png": ("skimage/coffee.png", "resized 600x400 -> 450x300 (PIL LANCZOS) to stay under 300 KB",
                   "scikit-image 0.26.0 skimage/data/coffee.png (skimage.data.coffee): 'No copyright "
                   "restrictions. CC0 by the photographer (Rachel Michetti).'"),
    "camera.png": ("skimage/camera.png", "copied unchanged (512x512 8-bit greyscale PNG: tests grey -> RGB)",
                   "scikit-image 0.26.0 skimage/data/camera.png (skimage.data.camera): 'No copyright "
                   "restrictions. CC0 by the photographer (Lav Varshney).'"),
    "rocket.jpg": ("skimage/rocket.jpg", "copied unchanged (640x427 JPEG: tests the JPEG path)",
                   "scikit-image 0.26.0 skimage/data/rocket.jpg (skimage.data.rocket): SpaceX launch photo, "
                   "'released in the public domain' (per the skimage docstring)."),
    "helmet.png": ("skimage/astronaut.png", "bottom-right 256x256 quarter (x 256..512, y 256..512) of the "
                   "512x512 original: the space helmet on the table",
                   "scikit-image 0.26.0 skimage/data/astronaut.png (skimage.data.astronaut), NASA photo of Eileen "
                   "Collins: 'No known copyright restrictions, released into the public domain.'"),
    "tie.png": ("matplotlib/grace_hopper.jpg", "256x256 crop (x 0..256, y 300..556) of the 512x600 JPEG, decoded "
                "by PIL and stored as PNG: Grace Hopper's necktie and uniform",
                "matplotlib 3.11.2 mpl-data/sample_data/grace_hopper.jpg: official US Navy portrait of Grace "
                "Hopper, a work of the US government (public domain); matplotlib states no licence for it."),
}
MAX_BYTES = 300 * 1024


def make(src_root, name, out_dir):
    from PIL import Image

    src, _, _ = PHOTOS[name]
    src = os.path.join(src_root, src)
    dst = os.path.join(out_dir, name)
    if name in ("cat.png", "camera.png", "rocket.jpg"):
        shutil.copyfile(src, dst)
    elif name == "coffee.png":
        with Image.open(src) as im:
            im.convert("RGB").resize((450, 300), Image.LANCZOS).save(dst, optimize=True)
    elif name == "helmet.png":
        with Image.open(src) as im:
            im.convert("RGB").crop((256, 256, 512, 512)).save(dst, optimize=True)
    elif name == "tie.png":
        with Image.open(src) as im:
            im.convert("RGB").crop((0, 300, 256, 556)).save(dst, optimize=True)
    size = os.path.getsize(dst)
    assert size <= MAX_BYTES, f"{dst} is {size} bytes"
    return dst


def top5(logits, labels):
    p = pc.softmax(logits.astype(np.float64))
    idx = np.argsort(-p)[:5]
    return [{"index": int(i), "label": labels[i], "prob": round(float(p[i]), 6)} for i in idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default="/tmp/photo_src")
    ap.add_argument("--model", default="models/photo/model.onnx")
    ap.add_argument("--out", default="crates/core/tests/photos")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    labels = pc.labels()
    tmodel = pc.load_torch_model()
    sess = pc.ort_session(args.model)

    photos = {}
    for name, (src, how, licence) in PHOTOS.items():
        path = make(args.src, name, args.out)
        rgb = pc.load_rgb8(path)
        h, w, _ = rgb.shape
        nw, nh = pc.resized_dims(w, h)
        x0, y0 = (nw - pc.SIZE) // 2, (nh - pc.SIZE) // 2
        crop = pc.image_crate_resize(rgb, nw, nh)[y0:y0 + pc.SIZE, x0:x0 + pc.SIZE]
        x = pc.preprocess_rgb8(rgb)
        pil = pc.preprocess_pil_reference(rgb)
        with torch.no_grad():
            l32 = tmodel(torch.from_numpy(x)).numpy()[0]
        lq = pc.run_logits(sess, x)[0]
        photos[name] = {
            "source": licence,
            "made_by": how,
            "bytes": os.path.getsize(path),
            "decoded_wh": [w, h],
            "resized_wh": [nw, nh],
            "crop_xy": [x0, y0],
            "crop_u8_sum": int(crop.astype(np.int64).sum()),
            "tensor_sum": float(x.astype(np.float64).sum()),
            "probes": [{"c": c, "y": yy, "x": xx, "value": float(x[0, c, yy, xx])} for c, yy, xx in pc.PROBES],
            "pil_bilinear_max_abs_diff": float(np.abs(pil - x).max()),
            "top5_fp32": top5(l32, labels),
            "top5_model": top5(lq, labels),
            "max_abs_logit_diff_model_vs_fp32": float(np.abs(lq - l32).max()),
        }
        t = photos[name]["top5_fp32"][0]
        print(f"{name:12s} {photos[name]['bytes']:>7d} B  fp32 top-1 {t['label']} ({t['prob']:.3f})  model top-1 "
              f"{photos[name]['top5_model'][0]['label']} ({photos[name]['top5_model'][0]['prob']:.3f})  "
              f"sum {photos[name]['tensor_sum']:.4f}  PIL-vs-spec max {photos[name]['pil_bilinear_max_abs_diff']:.4f}")

    pc.write_json(os.path.join(args.out, "expected.json"), {
        "note": "Generated by models/train/make_photo_golden.py; preprocessing per models/photo/preprocess.json. "
                "top5_fp32: PyTorch fp32 model; top5_model: the shipped models/photo/model.onnx in onnxruntime. "
                "probes are tensor[0, c, y, x]. PNGs decode identically everywhere: expect crop_u8_sum exactly "
                "and tensor_sum/probes to ~1e-3 (exact with (u8 - 127) / 128; (u8 / 255 - mean_0_1) / std_0_1 "
                "differs by f32 rounding). rocket.jpg depends on the JPEG decoder: image 0.25.10 gave "
                "crop_u8_sum 11151660 (PIL: 11150945) and tensor_sum off by 5.6, so compare it with a tolerance.",
        "model": args.model,
        "preprocess": pc.PREPROCESS_SPEC,
        "photos": photos,
    })


if __name__ == "__main__":
    main()
