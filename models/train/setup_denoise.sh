#!/bin/sh
# Install what convert_dncnn.py / evaluate_denoise.py need, fetch scico's wheel (the DnCNN weights) and
# unpack the public-domain test photos.
#   sh models/train/setup_denoise.sh [PYLIB=/tmp/pylib-dn] [SRC=/tmp/denoise_src]
# Debian packages for torch (CPU-only 1.13), onnx 1.12, PIL. PyPI wheels go into a --target folder
# (Debian's Python is PEP-668 managed; nothing system-wide), pinned, --no-deps: msgpack decodes flax's
# checkpoint format (no jax/flax needed), onnxruntime only runs the exported file.
# scico and scikit-image are downloaded, not installed: the weights are read straight out of
# $SRC/scico-0.0.7-py3-none-any.whl, the photos are unzipped from the scikit-image wheel to $SRC/photos.
set -eu
PYLIB=${1:-/tmp/pylib-dn}
SRC=${2:-/tmp/denoise_src}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    python3 python3-numpy python3-torch python3-onnx python3-pil python3-pip unzip gzip
PIP="/usr/bin/python3 -m pip"
$PIP install --break-system-packages --no-deps --target "$PYLIB" msgpack==1.1.0 onnxruntime==1.32.0
mkdir -p "$SRC/photos"
$PIP download --no-deps --only-binary=:all: -d "$SRC" scico==0.0.7 scikit-image==0.26.0
unzip -o -q -j "$SRC"/scikit_image-0.26.0-*.whl 'skimage/data/*.png' 'skimage/data/*.jpg' -d "$SRC/photos/skimage"
PYTHONPATH="$PYLIB" /usr/bin/python3 -c "import torch, onnx, onnxruntime, msgpack, PIL; print('torch', torch.__version__, '| onnx', onnx.__version__, '| onnxruntime', onnxruntime.__version__, '| msgpack', msgpack.version, '| PIL', PIL.__version__)"
ls -l "$SRC"/scico-0.0.7-py3-none-any.whl
