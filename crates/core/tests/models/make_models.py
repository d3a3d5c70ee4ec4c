#!/usr/bin/python3
"""Writes the small ONNX fixtures that crates/core/tests/inspect.rs reads.

Run from anywhere with Debian's python3-onnx and python3-numpy:
    /usr/bin/python3 crates/core/tests/models/make_models.py
The outputs are committed; the weights come from a fixed seed, so a rerun writes the same files.
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = [helper.make_opsetid("", 13)]
rng = np.random.default_rng(20240611)


def weights(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)


def save(name, graph, check=True):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="make_models.py",
                              producer_version="1")
    # IR 8 is what onnx 1.12 writes and what every runtime of the last years reads.
    model.ir_version = 8
    if check:
        onnx.checker.check_model(model, full_check=True)
    path = os.path.join(HERE, name)
    onnx.save(model, path)
    print(f"{name}: {os.path.getsize(path)} bytes")
    return path


def nchw_conv():
    """1×1×28×28 → Conv(4, 3×3, pad 1) → Relu → MaxPool(4) → Flatten → Gemm(196→10) → Softmax."""
    nodes = [
        helper.make_node("Conv", ["image", "conv_w", "conv_b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[4, 4], strides=[4, 4]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "nchw_conv",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
        [weights("conv_w", 4, 1, 3, 3), weights("conv_b", 4),
         weights("fc_w", 10, 196), weights("fc_b", 10)])
    return save("nchw_conv.onnx", graph)


def nhwc():
    """1×32×32×3 (TensorFlow's layout) → Transpose → Conv(4, 3×3, stride 2) → Relu →
    GlobalAveragePool → Flatten → Gemm(4→5): logits, no softmax."""
    nodes = [
        helper.make_node("Transpose", ["pixels"], ["t"], perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["t", "conv_w", "conv_b"], ["c"], strides=[2, 2]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "nhwc",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, [1, 32, 32, 3])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 5])],
        [weights("conv_w", 4, 3, 3, 3), weights("conv_b", 4), weights("fc_w", 5, 4),
         weights("fc_b", 5)])
    return save("nhwc.onnx", graph)


def dynamic():
    """batch×3×height×width → Conv(8, 3×3, pad 1) → Relu → GlobalAveragePool → Flatten →
    Gemm(8→4): any batch and any image size. The weights are listed as graph inputs too, as
    IR < 4 exporters did, so the card must tell real inputs from initializers."""
    nodes = [
        helper.make_node("Conv", ["x", "conv_w", "conv_b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], transB=1),
    ]
    inits = [weights("conv_w", 8, 3, 3, 3), weights("conv_b", 8), weights("fc_w", 4, 8),
             weights("fc_b", 4)]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, "height", "width"])]
    inputs += [helper.make_tensor_value_info(t.name, TensorProto.FLOAT, list(t.dims)) for t in inits]
    graph = helper.make_graph(
        nodes, "dynamic", inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])], inits)
    return save("dynamic.onnx", graph)


def unsupported_op():
    """1×1×28×28 → Relu → Det: Det is a standard ONNX op (opset 11) that tract 0.23 does not
    implement (the test checks that against tract's op register)."""
    nodes = [
        helper.make_node("Relu", ["image"], ["r"]),
        helper.make_node("Det", ["r"], ["det"]),
    ]
    graph = helper.make_graph(
        nodes, "unsupported_op",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("det", TensorProto.FLOAT, [1, 1])])
    return save("unsupported_op.onnx", graph)


def external_data():
    """The nchw_conv architecture with its weights in a separate file (location
    "weights.bin", not committed): a file picker hands over the .onnx alone, so the card must
    say where the weights went."""
    model = onnx.load(os.path.join(HERE, "nchw_conv.onnx"))
    for t in model.graph.initializer:
        t.data_location = TensorProto.EXTERNAL
        t.raw_data = b""
        del t.external_data[:]
        entry = t.external_data.add()
        entry.key, entry.value = "location", "weights.bin"
    path = os.path.join(HERE, "external_data.onnx")
    onnx.save(model, path)
    # onnx.save touches the (empty) weights file; only the .onnx is a fixture.
    weights_file = os.path.join(HERE, "weights.bin")
    if os.path.exists(weights_file):
        os.remove(weights_file)
    print(f"external_data.onnx: {os.path.getsize(path)} bytes")


def not_models(model_path):
    # A serialized TensorProto: what onnx's test-data folders hold (input_0.pb…).
    tensor = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(3, 4), "input_0")
    with open(os.path.join(HERE, "tensor.pb"), "wb") as f:
        f.write(tensor.SerializeToString())
    data = open(model_path, "rb").read()
    with open(os.path.join(HERE, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(HERE, "random.bin"), "wb") as f:
        f.write(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())


def tract_panics():
    """Minimal models that make tract 0.23 panic during analysis (found by tests/fuzz.rs). Not
    valid ONNX, but a file picker will hand such files over: natively our API catches the panic,
    on wasm32 it aborts the worker. tests/inspect.rs checks each is an error, never a card
    claiming success."""
    folder = os.path.join(HERE, "tract_panics")
    os.makedirs(folder, exist_ok=True)
    f32 = TensorProto.FLOAT

    def write(name, nodes, inputs, outputs, inits=()):
        graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
        model = helper.make_model(graph, opset_imports=OPSET, producer_name="make_models.py")
        model.ir_version = 8
        onnx.save(model, os.path.join(folder, name + ".onnx"))

    vi = helper.make_tensor_value_info
    # Pooling a rank-1 tensor, or a rank-2 constant (folded at load): tract-core
    # data_formats.rs underflows the spatial rank.
    write("maxpool_rank2_constant",
          [helper.make_node("MaxPool", ["c"], ["p"], kernel_shape=[2, 2]),
           helper.make_node("Add", ["x", "p"], ["y"])],
          [vi("x", f32, [1])], [vi("y", f32, None)], [weights("c", 4, 6)])
    write("maxpool_rank1", [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2])],
          [vi("x", f32, [10])], [vi("y", f32, None)])
    # A 2-D kernel on a 3-D volume: tract-core padding.rs indexes past the kernel's axes.
    write("maxpool_rank5_kernel2d", [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2])],
          [vi("x", f32, [1, 1, 4, 4, 4])], [vi("y", f32, None)])
    # Flatten's axis past the rank: tract-hir flatten.rs slices out of range.
    write("flatten_axis_past_rank", [helper.make_node("Flatten", ["x"], ["y"], axis=3)],
          [vi("x", f32, [2, 3])], [vi("y", f32, None)])
    # ScatterND with float indices, on constants: folded at load, tract-core scatter_nd.rs
    # reads the floats as indices without checking the type.
    write("scatternd_float_indices",
          [helper.make_node("ScatterND", ["data", "indices", "updates"], ["s"]),
           helper.make_node("Add", ["x", "s"], ["y"])],
          [vi("x", f32, [8])], [vi("y", f32, None)],
          [weights("data", 8), weights("indices", 8, 3, 3, 3), weights("updates", 8)])


if __name__ == "__main__":
    first = nchw_conv()
    nhwc()
    dynamic()
    unsupported_op()
    external_data()
    not_models(first)
    tract_panics()
