"""Minimal numpy runner for the exported sketch model (Debian has python3-onnx 1.12 but no onnxruntime).

Supports exactly the ops our exports produce (Conv, Relu, MaxPool, Flatten, Gemm, Tanh, Cast to f32,
DequantizeLinear on axis 0, plus a few trivial ones) and fails loudly on anything else. Used to pick golden rows from the ONNX file itself, i.e. the
same artefact tract loads, and as an independent check of the torch export.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads(at, nd=2):
    p = list(at.get("pads", [0] * (2 * nd)))
    if at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("auto_pad")
    return p


def _conv(x, w, b, at):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    if at.get("group", 1) != 1 or any(d != 1 for d in at.get("dilations", [1, 1])):
        raise NotImplementedError("grouped/dilated conv")
    sh, sw = at.get("strides", [1, 1])
    pt, pl, pb, pr = _pads(at)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    # im2col + one BLAS matmul
    y = np.tensordot(cols, w, axes=([1, 2, 3], [1, 2, 3])).transpose(0, 3, 1, 2)
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    return y.astype(np.float32)


def _maxpool(x, at):
    kh, kw = at["kernel_shape"]
    sh, sw = at.get("strides", [1, 1])
    pt, pl, pb, pr = _pads(at)
    if at.get("ceil_mode", 0):
        raise NotImplementedError("ceil_mode")
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    n, c, h, w = xp.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.full((n, c, oh, ow), -np.inf, dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            y = np.maximum(y, xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw])
    return y


class OnnxNumpy:
    def __init__(self, path):
        self.model = onnx.load(str(path))
        g = self.model.graph
        self.init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.inputs = [i.name for i in g.input if i.name not in self.init]
        self.outputs = [o.name for o in g.output]
        self.ops = [n.op_type for n in g.node]

    def run(self, x: np.ndarray) -> np.ndarray:
        return self._env(x)[self.outputs[0]]

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(weight, bias) of every Conv and Gemm in graph order, as float32 (after any Cast or Dequantize)."""
        shape = [d.dim_value or 1 for d in self.model.graph.input[0].type.tensor_type.shape.dim]
        env = self._env(np.zeros(shape, np.float32))
        return [(env[n.input[1]], env[n.input[2]]) for n in self.model.graph.node if n.op_type in ("Conv", "Gemm")]

    def _env(self, x: np.ndarray) -> dict:
        env = dict(self.init)
        env[self.inputs[0]] = x.astype(np.float32)
        for node in self.model.graph.node:
            a = [env[i] if i else None for i in node.input]
            at = _attrs(node)
            op = node.op_type
            if op == "Conv":
                y = _conv(a[0], a[1], a[2] if len(a) > 2 else None, at)
            elif op == "Relu":
                y = np.maximum(a[0], 0)
            elif op == "MaxPool":
                y = _maxpool(a[0], at)
            elif op == "Flatten":
                ax = at.get("axis", 1)
                y = a[0].reshape(int(np.prod(a[0].shape[:ax])), -1)
            elif op == "Reshape":
                y = a[0].reshape([int(v) for v in a[1]])
            elif op == "Gemm":
                A = a[0].T if at.get("transA", 0) else a[0]
                B = a[1].T if at.get("transB", 0) else a[1]
                y = at.get("alpha", 1.0) * (A @ B)
                if len(a) > 2 and a[2] is not None:
                    y = y + at.get("beta", 1.0) * a[2]
            elif op == "Tanh":
                y = np.tanh(a[0])
            elif op == "Cast":  # fp16 weights back to f32 (onnx_shrink.to_fp16)
                if at["to"] != onnx.TensorProto.FLOAT:
                    raise NotImplementedError(f"Cast to {at['to']}")
                y = a[0]
            elif op == "DequantizeLinear":  # int8 weights per output channel (onnx_shrink.quantize_int8)
                shape = [-1] + [1] * (a[0].ndim - 1)
                y = (a[0].astype(np.float32) - a[2].astype(np.float32).reshape(shape)) * a[1].reshape(shape)
            elif op in ("Identity", "Dropout"):
                y = a[0]
            else:
                raise NotImplementedError(f"op {op}")
            env[node.output[0]] = y.astype(np.float32)
        return env

    def logits(self, rows_u8: np.ndarray, batch: int = 512) -> np.ndarray:
        """uint8 (N,784) -> logits (N,C). The file has a fixed batch of 1, but these ops are batch-agnostic."""
        x = rows_u8.astype(np.float32).reshape(-1, 1, 28, 28) / 255.0
        return np.concatenate([self.run(x[i:i + batch]) for i in range(0, len(x), batch)])
