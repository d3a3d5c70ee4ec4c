// Writes real ONNX files of any size for the tests, without Python: a few protobuf fields by
// hand (onnx.proto3 field numbers).
import fs from "node:fs";

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytes = (field, b) => Buffer.concat([key(field, 2), varint(b.length), b]);
const str = (field, s) => bytes(field, Buffer.from(s));
const msg = (field, ...parts) => bytes(field, Buffer.concat(parts));

const FLOAT = 1;
const INT64 = 7;
const valueInfo = (field, name, dims) =>
  msg(field, str(1, name), msg(2, msg(1, int(1, FLOAT), msg(2, ...dims.map((d) => msg(1, int(1, d)))))));

/** A classifier of 28×28 greyscale drawings into `classes` outputs: Reshape to 1×784, then
 *  MatMul with a 784×classes weight of zeros. 63,600 classes make a 190 MiB file. */
export function writeWideClassifier(path, classes) {
  const weight = Buffer.alloc(784 * classes * 4);
  const shape = Buffer.alloc(16);
  shape.writeBigInt64LE(1n, 0);
  shape.writeBigInt64LE(784n, 8);
  const graph = Buffer.concat([
    msg(1, str(1, "x"), str(1, "shape"), str(2, "flat"), str(4, "Reshape")),
    msg(1, str(1, "flat"), str(1, "w"), str(2, "y"), str(4, "MatMul")),
    str(2, "wide"),
    msg(5, int(1, 2), int(2, INT64), str(8, "shape"), bytes(9, shape)),
    msg(5, int(1, 784), int(1, classes), int(2, FLOAT), str(8, "w"), bytes(9, weight)),
    valueInfo(11, "x", [1, 1, 28, 28]),
    valueInfo(12, "y", [1, classes]),
  ]);
  const model = Buffer.concat([int(1, 8), str(2, "tests"), msg(7, graph), msg(8, str(1, ""), int(2, 13))]);
  fs.writeFileSync(path, model);
  return model.length;
}
