#!/bin/sh
# Install what the Python scripts in models/train need, from Debian (bookworm) packages only.
# CPU-only torch from Debian on purpose: PyPI torch pulls ~2.8 GB of CUDA libraries.
# libopenblas0-pthread: Debian's torch links the reference BLAS otherwise (measured 10x slower training steps).
# python3-onnx (1.12) is only used to read model.onnx (make_golden.py, evaluate.py cross-check).
# Idempotent: apt-get install does nothing for packages already installed.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    python3 python3-numpy python3-torch python3-cairo python3-onnx libopenblas0-pthread
/usr/bin/python3 -c "import torch, cairo, numpy, onnx; print('torch', torch.__version__, '| pycairo', cairo.version, '| numpy', numpy.__version__, '| onnx', onnx.__version__)"
