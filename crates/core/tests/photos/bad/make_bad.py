"""Makes the bad-input fixtures next to this file (run from anywhere with Debian's python3-pil):
    /usr/bin/python3 crates/core/tests/photos/bad/make_bad.py
Each file in bad/ is a way a real upload goes wrong, with the words the person must read in
expected.json; each in unusual/ is valid but rare, and must be classified. tests/photos.rs and the
end-to-end photo spec take every file they find in both folders."""
import io
import struct
import zlib
from pathlib import Path

from PIL import Image

here = Path(__file__).resolve().parent
cat = Image.open(here.parent / "cat.png").convert("RGB")

# Zero bytes, and text that only claims to be a JPEG.
(here / "empty.jpg").write_bytes(b"")
(here / "not_an_image.jpg").write_text("These are holiday notes, not a photo.\n" * 20)

# A JPEG cut off halfway through its scan data.
buf = io.BytesIO()
cat.save(buf, "JPEG", quality=90)
(here / "truncated.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])

# Valid but unusual files go beside, in ../unusual/ (each must be classified as the cat it is).
unusual = here.parent / "unusual"
unusual.mkdir(exist_ok=True)
# A valid CMYK JPEG (print workflows make these).
cat.convert("CMYK").save(unusual / "cmyk.jpg", "JPEG", quality=90)

# A 16-bit-per-channel greyscale PNG.
Image.fromarray(__import__("numpy").asarray(cat.convert("L"), dtype="uint16") * 257).save(unusual / "deep16.png")

# An animated WebP (a sticker, or a GIF a messenger converted): the cat, then a blue frame. Only the
# first frame is read, so it must still be a cat.
blue = Image.new("RGB", cat.size, (20, 40, 200))
cat.save(unusual / "animated.webp", "WEBP", save_all=True, append_images=[blue], duration=500, loop=0, quality=90)


# A "decompression bomb": a PNG whose header claims 50 000 × 50 000 pixels, followed by a tiny
# compressed stream. It must be refused from the header, before any pixel is allocated.
def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
(here / "bomb.png").write_bytes(
    b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
)
for f in sorted(here.iterdir()):
    print(f.name, f.stat().st_size)
