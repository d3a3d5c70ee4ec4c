"""Smaller copies of an ONNX file's weights (activations stay f32): fp16 + Cast, int8 per channel +
DequantizeLinear. Shared by the photo export and the sketch models (train_sketch.py, convert_doodlenet.py).
"""
import copy
import os
import subprocess

import numpy as np


def weight_inputs(model):
    """Names of initializers used as the weight (input 1) of Conv or Gemm nodes."""
    inits = {i.name for i in model.graph.initializer}
    return {n.input[1] for n in model.graph.node if n.op_type in ("Conv", "Gemm") and n.input[1] in inits}


def quantize_int8(model, only=None):
    """Symmetric per-output-channel int8 weights + DequantizeLinear(axis=0), opset 13.

    Per channel because one scale per tensor loses the small channels of depthwise convolutions (the known
    failure of per-tensor int8 on MobileNet/EfficientNet). Zero point 0, range [-127, 127].
    """
    import onnx
    from onnx import helper, numpy_helper

    m = copy.deepcopy(model)
    targets = weight_inputs(m)
    if only is not None:
        targets &= only
    new_inits, nodes = [], []
    for init in m.graph.initializer:
        if init.name not in targets:
            new_inits.append(init)
            continue
        w = numpy_helper.to_array(init).astype(np.float32)
        flat = w.reshape(w.shape[0], -1)
        amax = np.abs(flat).max(axis=1)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        q = np.clip(np.round(flat / scale[:, None]), -127, 127).astype(np.int8).reshape(w.shape)
        base = init.name
        new_inits += [numpy_helper.from_array(q, base + "_q"),
                      numpy_helper.from_array(scale, base + "_scale"),
                      numpy_helper.from_array(np.zeros(w.shape[0], np.int8), base + "_zp")]
        nodes.append(helper.make_node("DequantizeLinear", [base + "_q", base + "_scale", base + "_zp"],
                                      [base], name=base + "_dequant", axis=0))
    return _replace_weights(m, new_inits, nodes)


def to_fp16(model):
    """fp16 copies of the Conv/Gemm weights and biases, each followed by Cast(to=float)."""
    import onnx
    from onnx import helper, numpy_helper

    m = copy.deepcopy(model)
    targets = set()
    inits = {i.name for i in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type in ("Conv", "Gemm"):
            targets.update(i for i in n.input[1:] if i in inits)
    new_inits, nodes = [], []
    for init in m.graph.initializer:
        if init.name not in targets:
            new_inits.append(init)
            continue
        w = numpy_helper.to_array(init)
        new_inits.append(numpy_helper.from_array(w.astype(np.float16), init.name + "_fp16"))
        nodes.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], name=init.name + "_cast",
                                      to=onnx.TensorProto.FLOAT))
    return _replace_weights(m, new_inits, nodes)


def _replace_weights(m, initializers, nodes):
    """`m` with these initializers, and `nodes` (which turn them back into f32 weights) before the others:
    the graph must stay topologically sorted."""
    import onnx

    del m.graph.initializer[:]
    m.graph.initializer.extend(initializers)
    old = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes + old)
    onnx.checker.check_model(m)
    return m


def sizes(path):
    raw = os.path.getsize(path)
    gz = int(subprocess.run(f"gzip -9 -c '{path}' | wc -c", shell=True, check=True, capture_output=True,
                            text=True).stdout.strip())
    return raw, gz
