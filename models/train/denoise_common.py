"""DnCNN (scico 0.0.7, BSD-3-Clause) for the "fix a grainy photo" demo: shared by convert_dncnn.py and
evaluate_denoise.py.

- `load_variables`: the flax msgpack checkpoint read straight out of the scico wheel (no flax, no jax).
- `flax_forward_numpy`: an independent numpy transcription of scico's `DnCNNNet.__call__` (NHWC, HWIO
  kernels, CIRCULAR padding, BatchNorm with running averages, NOT folded) used as the reference.
- `DnCNN` (torch): the same network with BatchNorm folded into the convs, either circular padding (to
  check against the reference) or zero padding (what is exported), returning only the denoised image.
- `pad_for_model`, `denoise_tiled`: the browser's algorithm (reflect-pad the photo by the receptive radius,
  fixed-size overlapping tiles, keep each tile's interior).
- `psnr`, `ssim`: metrics (SSIM as Wang et al. 2004 / scikit-image defaults with a Gaussian window).
"""
from __future__ import annotations

import zipfile

import numpy as np

BN_EPS = 1e-5  # scico/flax/_models.py DnCNNNet: BatchNorm(epsilon=1e-5, use_running_average=not train)
# BT.601 full-range luma weights (JPEG YCbCr); iid RGB noise of std s gives luma noise of std s*LUMA_NOISE.
LUMA = np.array([0.299, 0.587, 0.114])
LUMA_NOISE = float(np.sqrt((LUMA ** 2).sum()))
# The same for Cb and Cr (rows of rgb_to_ycbcr): 0.6231 and 0.6572.
CB_NOISE = float(np.sqrt(0.168736 ** 2 + 0.331264 ** 2 + 0.5 ** 2))
CR_NOISE = float(np.sqrt(0.5 ** 2 + 0.418688 ** 2 + 0.081312 ** 2))


def mpk_name(variant: str) -> str:
    return f"scico/data/flax/dncnn{variant}.mpk"


def _ext_hook(code, data):
    """flax.serialization: ext type 1 = ndarray, payload = msgpack [shape, dtype name, raw bytes]."""
    import msgpack

    if code != 1:
        raise ValueError(f"unexpected msgpack ext type {code} (flax uses 1 for ndarray)")
    shape, dtype, buf = msgpack.unpackb(data)
    return np.frombuffer(buf, dtype=np.dtype(dtype)).reshape(shape).copy()


def load_variables(wheel: str, variant: str) -> dict:
    """{'params': ..., 'batch_stats': ...} as scico.flax.load_variables returns them, from the wheel file."""
    import msgpack

    with zipfile.ZipFile(wheel) as z:
        raw = z.read(mpk_name(variant))
    v = msgpack.unpackb(raw, ext_hook=_ext_hook, strict_map_key=False)
    return {"params": v["params"], "batch_stats": v["batch_stats"]}


def depth_of(variables) -> int:
    """Number of conv layers: conv_start + ConvBNBlock_* + conv_end."""
    return 2 + sum(1 for k in variables["params"] if k.startswith("ConvBNBlock_"))


def receptive_radius(variables) -> int:
    """Each 3x3 conv widens the dependency by 1 pixel: an output pixel depends on inputs within `depth`
    pixels, and with zero padding only the outermost `depth` pixels of a tile differ from the
    infinite-extent result."""
    return depth_of(variables)


def count_arrays(tree) -> int:
    if isinstance(tree, dict):
        return sum(count_arrays(v) for v in tree.values())
    return int(np.asarray(tree).size)


def read_wheel_text(wheel: str, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(suffix)]
        return z.read(name).decode("utf-8")


# ---------------------------------------------------------------- numpy reference (flax semantics)

def _conv_circular_nhwc(x, k):
    """flax.linen.Conv(use_bias=False, padding='CIRCULAR', strides 1) for a 3x3 HWIO kernel."""
    kh, kw, _, cout = k.shape
    ph, pw = kh // 2, kw // 2
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)), mode="wrap")
    n, h, w, _ = x.shape
    y = np.zeros((n, h, w, cout), np.float64)
    for i in range(kh):
        for j in range(kw):
            y += xp[:, i:i + h, j:j + w, :].astype(np.float64) @ k[i, j].astype(np.float64)
    return y


def flax_forward_numpy(variables, x_nhwc):
    """scico DnCNNNet.__call__(x, train=False), all of it (both output channels), in float64."""
    p, s = variables["params"], variables["batch_stats"]
    relu = lambda t: np.maximum(t, 0)
    y = relu(_conv_circular_nhwc(x_nhwc, p["conv_start"]["kernel"]))
    for b in range(depth_of(variables) - 2):
        name = f"ConvBNBlock_{b}"
        y = _conv_circular_nhwc(y, p[name]["Conv_0"]["kernel"])
        bn, st = p[name]["BatchNorm_0"], s[name]["BatchNorm_0"]
        y = (y - st["mean"]) / np.sqrt(st["var"].astype(np.float64) + BN_EPS) * bn["scale"] + bn["bias"]
        y = relu(y)
    y = _conv_circular_nhwc(y, p["conv_end"]["kernel"])
    return x_nhwc - y


# ---------------------------------------------------------------- torch module (BN folded)

def folded_layers(variables):
    """[(weight OIHW f32, bias f32 or None, relu)] with each BatchNorm folded into the conv before it:
    w' = w * g, b' = beta - mean * g, g = scale / sqrt(var + eps). conv_end keeps only output channel 0
    (the image channel; channel 1 is the sigma plane's residual, which nobody reads)."""
    p, s = variables["params"], variables["batch_stats"]
    oihw = lambda k: np.ascontiguousarray(np.transpose(k, (3, 2, 0, 1)))
    out = [(oihw(p["conv_start"]["kernel"]).astype(np.float32), None, True)]
    for b in range(depth_of(variables) - 2):
        name = f"ConvBNBlock_{b}"
        bn, st = p[name]["BatchNorm_0"], s[name]["BatchNorm_0"]
        g = bn["scale"].astype(np.float64) / np.sqrt(st["var"].astype(np.float64) + BN_EPS)
        w = oihw(p[name]["Conv_0"]["kernel"]).astype(np.float64) * g[:, None, None, None]
        bias = bn["bias"].astype(np.float64) - st["mean"].astype(np.float64) * g
        out.append((w.astype(np.float32), bias.astype(np.float32), True))
    out.append((oihw(p["conv_end"]["kernel"])[:1].astype(np.float32), None, False))
    return out


def make_torch_module(variables, padding_mode="zeros"):
    """scico's network (BatchNorm folded) as the torch DnCNN module below."""
    return module_from_layers(folded_layers(variables), padding_mode)


def module_from_layers(layers, padding_mode="zeros"):
    """[(weight OIHW, bias or None, relu)] -> the torch DnCNN module (also the distilled students')."""
    import torch
    from torch import nn

    class DnCNN(nn.Module):
        """input [N, 2, H, W] = (noisy image, constant sigma plane) -> [N, 1, H, W] denoised image."""

        def __init__(self, layers, padding_mode):
            super().__init__()
            convs, self.relu = [], []
            for w, b, relu in layers:
                c = nn.Conv2d(w.shape[1], w.shape[0], 3, padding=1, bias=b is not None,
                              padding_mode=padding_mode)
                with torch.no_grad():
                    c.weight.copy_(torch.from_numpy(w))
                    if b is not None:
                        c.bias.copy_(torch.from_numpy(b))
                convs.append(c)
                self.relu.append(relu)
            self.convs = nn.ModuleList(convs)

        def forward(self, x):
            y = x
            for c, relu in zip(self.convs, self.relu):
                y = c(y)
                if relu:
                    y = torch.relu(y)
            return x[:, :1] - y

    return DnCNN(layers, padding_mode).eval()


def model_input(planes, sigma):
    """planes [N, H, W] in [0, 1] (noisy) -> f32 [N, 2, H, W] with the constant sigma plane."""
    planes = np.asarray(planes, np.float32)
    return np.stack([planes, np.full_like(planes, sigma)], axis=1)


def pad_for_model(planes, radius):
    """Reflect-pad [N, H, W] by the receptive radius (numpy 'reflect': edge pixel not repeated)."""
    return np.pad(planes, ((0, 0), (radius, radius), (radius, radius)), mode="reflect")


def denoise_whole_torch(module, planes, sigma, radius):
    """The zero-padded module on the whole reflect-padded photo at once; [N, H, W] -> [N, H, W]."""
    import torch

    p = pad_for_model(planes, radius)
    with torch.no_grad():
        y = module(torch.from_numpy(model_input(p, sigma))).numpy()[:, 0]
    return y[:, radius:-radius, radius:-radius]


def tile_starts(n, tile, step):
    """Tile origins along one axis of length n >= tile: every `step`, the last one flush with the end."""
    return list(range(0, n - tile, step)) + [n - tile]


def denoise_tiled(run_tile, plane, sigma, radius, tile):
    """The browser's algorithm for one [H, W] plane. `run_tile(x [1,2,tile,tile]) -> [1,1,tile,tile]`.

    Reflect-pad by `radius` (and, for photos smaller than a tile, further at the bottom/right: those
    pixels are farther than `radius` from the photo so they change nothing), cut tile x tile windows every
    tile - 2*radius pixels (the last one flush with the end), keep each window's interior
    [radius, tile - radius) and write it back; overlapping writes hold the same values up to rounding.
    """
    h, w = plane.shape
    p = pad_for_model(plane[None], radius)[0]
    p = np.pad(p, ((0, max(0, tile - p.shape[0])), (0, max(0, tile - p.shape[1]))), mode="symmetric")
    step = tile - 2 * radius
    out = np.zeros((h, w), np.float32)
    for y0 in tile_starts(p.shape[0], tile, step):
        for x0 in tile_starts(p.shape[1], tile, step):
            if y0 >= h or x0 >= w:
                continue
            o = run_tile(model_input(p[None, y0:y0 + tile, x0:x0 + tile], sigma))[0, 0]
            hh, ww = min(step, h - y0), min(step, w - x0)
            out[y0:y0 + hh, x0:x0 + ww] = o[radius:radius + hh, radius:radius + ww]
    return out


def n_tiles(h, w, radius, tile):
    hp, wp = max(h + 2 * radius, tile), max(w + 2 * radius, tile)
    step = tile - 2 * radius
    return sum(1 for y0 in tile_starts(hp, tile, step) if y0 < h) * \
        sum(1 for x0 in tile_starts(wp, tile, step) if x0 < w)


# ---------------------------------------------------------------- colour, metrics

def rgb_to_ycbcr(rgb):
    """JPEG (BT.601 full range) YCbCr, all in [0, 1] with Cb/Cr centred on 0.5; rgb [H, W, 3]."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 0.5 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 0.5 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return np.stack([y, cb, cr], -1)


def ycbcr_to_rgb(ycc):
    y, cb, cr = ycc[..., 0], ycc[..., 1] - 0.5, ycc[..., 2] - 0.5
    return np.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb], -1)


def halve(planes):
    """[..., H, W] -> [..., ceil(H/2), ceil(W/2)]: the mean of each 2x2 block (an odd last row/column repeated)."""
    h, w = planes.shape[-2:]
    p = np.pad(planes, [(0, 0)] * (planes.ndim - 2) + [(0, h % 2), (0, w % 2)], mode="edge")
    return p.reshape(*p.shape[:-2], p.shape[-2] // 2, 2, p.shape[-1] // 2, 2).mean((-3, -1))


def double(plane, h, w):
    """Bilinear x2 with pixel centres aligned (torch interpolate, align_corners=False), cropped to [h, w]."""
    import torch

    t = torch.from_numpy(np.ascontiguousarray(plane, np.float32))[None, None]
    return torch.nn.functional.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)[0, 0].numpy()[:h, :w]


def denoise_ycc420(denoise_plane, rgb, sigma):
    """The browser's colour strategy (crates/core/src/denoise.rs, ycbcr_420): JPEG YCbCr, Y cleaned at full
    size with sigma * LUMA_NOISE; Cb and Cr halved (2x2 means: their noise halves too) and cleaned with
    sigma * CB_NOISE / 2 and sigma * CR_NOISE / 2, then doubled back. `denoise_plane(plane [H, W], sigma)`."""
    h, w = rgb.shape[:2]
    ycc = rgb_to_ycbcr(rgb.astype(np.float64))
    y = denoise_plane(ycc[..., 0], sigma * LUMA_NOISE)
    cb = double(denoise_plane(halve(ycc[..., 1]), sigma * CB_NOISE / 2), h, w)
    cr = double(denoise_plane(halve(ycc[..., 2]), sigma * CR_NOISE / 2), h, w)
    return ycbcr_to_rgb(np.stack([y, cb, cr], -1))


def psnr(ref, x):
    """dB, data range 1, MSE over every pixel and channel (skimage.metrics.peak_signal_noise_ratio)."""
    mse = np.mean((np.asarray(ref, np.float64) - np.asarray(x, np.float64)) ** 2)
    return float(10 * np.log10(1.0 / mse))


def _gauss_filter(img, sigma=1.5, radius=5):
    """Separable Gaussian, 'valid' output (the SSIM map is cropped by the radius anyway)."""
    t = np.arange(-radius, radius + 1)
    k = np.exp(-0.5 * (t / sigma) ** 2)
    k /= k.sum()
    h, w = img.shape
    a = sum(k[i] * img[i:h - 2 * radius + i, :] for i in range(2 * radius + 1))
    return sum(k[j] * a[:, j:w - 2 * radius + j] for j in range(2 * radius + 1))


def ssim(ref, x):
    """Mean SSIM, Wang et al. 2004 as skimage.metrics.structural_similarity(gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=1): 11x11 Gaussian window (truncate 3.5),
    K1 = 0.01, K2 = 0.03, mean over the map cropped by 5 pixels; colour [H, W, 3] = mean over channels."""
    ref, x = np.asarray(ref, np.float64), np.asarray(x, np.float64)
    if ref.ndim == 3:
        return float(np.mean([ssim(ref[..., c], x[..., c]) for c in range(ref.shape[-1])]))
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    mx, my = _gauss_filter(ref), _gauss_filter(x)
    vx = _gauss_filter(ref * ref) - mx * mx
    vy = _gauss_filter(x * x) - my * my
    cxy = _gauss_filter(ref * x) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())
