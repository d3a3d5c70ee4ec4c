// Image files that once killed the worker or were refused wrongly, written at test time (a few
// bytes to a few MB each; nothing to commit): strips of extreme aspect ratio, a phone's
// "motion photo" (a JPEG with a video after its end marker), an animated GIF, a JPEG whose
// EXIF block is garbage.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { PHOTOS } from "./photo_page.js";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of `width`×`height`, a colour gradient along its long side. */
export function png(width, height) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const t = Math.floor((255 * (width > height ? x : y)) / Math.max(width, height));
      raw.set([t, 255 - t, 128], row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** A looping GIF of 64×48 frames, the first all red, the next blue then green. */
export function animatedGif() {
  const [w, h] = [64, 48];
  const head = Buffer.concat([
    Buffer.from("GIF89a"),
    Buffer.from([w, 0, h, 0, 0xf1, 0, 0]), // global colour table of 4 entries
    Buffer.from([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0, 0]),
    Buffer.from([0x21, 0xff, 11, ...Buffer.from("NETSCAPE2.0"), 3, 1, 0, 0, 0]),
  ]);
  // LZW with a clear code before every pixel: 3-bit codes throughout (valid, if not small).
  const frame = (index) => {
    const codes = [];
    for (let i = 0; i < w * h; i++) codes.push(4, index);
    codes.push(5);
    const bytes = [];
    let [acc, bits] = [0, 0];
    for (const c of codes) {
      acc |= c << bits;
      bits += 3;
      while (bits >= 8) {
        bytes.push(acc & 0xff);
        acc >>= 8;
        bits -= 8;
      }
    }
    if (bits) bytes.push(acc & 0xff);
    const blocks = [];
    for (let i = 0; i < bytes.length; i += 255) {
      const part = bytes.slice(i, i + 255);
      blocks.push(part.length, ...part);
    }
    return Buffer.from([
      0x21, 0xf9, 4, 0, 10, 0, 0, 0, // graphic control: 0.1 s
      0x2c, 0, 0, 0, 0, w, 0, h, 0, 0, // image descriptor
      2, ...blocks, 0,
    ]);
  };
  return Buffer.concat([head, frame(0), frame(1), frame(2), Buffer.from([0x3b])]);
}

const rocket = () => fs.readFileSync(path.join(PHOTOS, "rocket.jpg"));

/** rocket.jpg with 2 MB of "video" after its end marker, as a phone's motion photo has. */
export function motionPhoto() {
  const video = Buffer.alloc(2 << 20);
  for (let i = 0; i < video.length; i++) video[i] = (i * 2654435761) >>> 24;
  return Buffer.concat([rocket(), Buffer.from("\0\0\0\x18ftypmp42\0\0\0\0isommp42"), video]);
}

/** rocket.jpg with an EXIF block whose first directory lies far past its end. */
export function brokenExif() {
  const jpeg = rocket();
  const exif = Buffer.concat([Buffer.from("Exif\0\0"), Buffer.from([0x4d, 0x4d, 0, 0x2a, 0xff, 0xff, 0xff, 0xf0])]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([0, exif.length + 2]), exif]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

/** Every case, written into `dir`: [file name, path]. */
export function writeAll(dir) {
  const files = {
    "strip-20000x1.png": png(20000, 1),
    "strip-1x20000.png": png(1, 20000),
    "strip-12000x3.png": png(12000, 3),
    "motion-photo.jpg": motionPhoto(),
    "animated.gif": animatedGif(),
    "broken-exif.jpg": brokenExif(),
  };
  return Object.entries(files).map(([name, bytes]) => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return [name, path.join(dir, name)];
  });
}
