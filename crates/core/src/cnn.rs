//! A plain convolutional network run without tract: the sketch page's two models (ours and
//! DoodleNet), read from their ONNX files.
//!
//! Why our own: a first visit over a phone's slow connection waits for the worker's wasm before
//! its first guess, and tract is most of it (the demos' worker is 2.0 MB gzip; tract-nnef alone
//! 1.7 MB). These models are a chain of 3×3 convolutions, ReLUs, 2×2 max pools and dense layers,
//! which the kernels tract's plan already runs them with in the browser (`playground-kernels`:
//! Winograd, pooling) compute on their own; what is left is a matrix-vector product and reading
//! the file. So the sketch page's worker build ([`crate::registry::Runtime::Cnn`]) carries no
//! tract, and every build runs these models this one way.
//!
//! Read: an ONNX graph that is one chain from its input to its output, each node's first input
//! the previous node's output and its other inputs constants. Constants may be computed at load
//! (`Cast`, `DequantizeLinear`: int8 or fp16 weights become f32 once). Layers: `Conv` (3×3,
//! stride 1, no groups; a `Relu` after it is fused), `Relu`, `Tanh`, `MaxPool` (2×2, stride 2),
//! `Flatten`, `Gemm`. Anything else is refused with its name, at load.

use crate::{Error, Result};
use playground_kernels::winograd::Conv3x3;
use playground_kernels::{max_pool_2x2, WinogradTiles};
use prost::Message;

/// The ONNX protobuf fields this runner reads (onnx.proto's numbers; prost skips the others).
mod proto {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ModelProto {
        #[prost(message, optional, tag = "7")]
        pub graph: Option<GraphProto>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct GraphProto {
        #[prost(message, repeated, tag = "1")]
        pub node: Vec<NodeProto>,
        #[prost(message, repeated, tag = "5")]
        pub initializer: Vec<TensorProto>,
        #[prost(message, repeated, tag = "11")]
        pub input: Vec<ValueInfoProto>,
        #[prost(message, repeated, tag = "12")]
        pub output: Vec<ValueInfoProto>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct NodeProto {
        #[prost(string, repeated, tag = "1")]
        pub input: Vec<String>,
        #[prost(string, repeated, tag = "2")]
        pub output: Vec<String>,
        #[prost(string, tag = "4")]
        pub op_type: String,
        #[prost(message, repeated, tag = "5")]
        pub attribute: Vec<AttributeProto>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AttributeProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(float, tag = "2")]
        pub f: f32,
        #[prost(int64, tag = "3")]
        pub i: i64,
        #[prost(bytes = "vec", tag = "4")]
        pub s: Vec<u8>,
        #[prost(int64, repeated, tag = "8")]
        pub ints: Vec<i64>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorProto {
        #[prost(int64, repeated, tag = "1")]
        pub dims: Vec<i64>,
        #[prost(int32, tag = "2")]
        pub data_type: i32,
        #[prost(float, repeated, tag = "4")]
        pub float_data: Vec<f32>,
        #[prost(int32, repeated, tag = "5")]
        pub int32_data: Vec<i32>,
        #[prost(string, tag = "8")]
        pub name: String,
        #[prost(bytes = "vec", tag = "9")]
        pub raw_data: Vec<u8>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ValueInfoProto {
        #[prost(string, tag = "1")]
        pub name: String,
    }
}

/// Every operator this runner reads: the first two only on constants, at load.
const OPS: &[&str] = &["Cast", "DequantizeLinear", "Conv", "Relu", "Tanh", "MaxPool", "Flatten", "Gemm"];

/// A constant of the graph, widened to f32 (int8 and fp16 values are exact in f32).
struct Constant {
    dims: Vec<usize>,
    values: Vec<f32>,
}

enum Layer {
    Conv {
        shape: Conv3x3,
        tiles: WinogradTiles,
        weights: Vec<f32>,
        bias: Vec<f32>,
    },
    Relu,
    Tanh,
    MaxPool {
        planes: usize,
        h: usize,
        w: usize,
    },
    /// `out = weights · in + bias`, `weights` `[outputs][inputs]`.
    Dense {
        inputs: usize,
        outputs: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
    },
}

/// A loaded network: its layers in order, for one input shape `[1, c, h, w]`.
pub struct Net {
    input_len: usize,
    output_len: usize,
    layers: Vec<Layer>,
}

fn bad(why: impl Into<String>) -> Error {
    Error::NotPlainCnn(why.into())
}

/// The most values a weight or an activation may hold (64 MiB of f32), and the most
/// multiply-adds one run may take: far above the sketch page's models (0.5 M weights, 12 M
/// multiply-adds), far below what a wasm worker's memory or a person's patience allows.
const MAX_VALUES: usize = 1 << 24;
const MAX_MULTIPLY_ADDS: u64 = 1 << 31;

/// The number of values of `dims`, if it is within [`MAX_VALUES`].
fn count(dims: &[usize]) -> Result<usize> {
    dims.iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= MAX_VALUES)
        .ok_or_else(|| bad(format!("it has a tensor of {dims:?} values, more than this runner takes")))
}

fn attribute<'a>(node: &'a proto::NodeProto, name: &str) -> Option<&'a proto::AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn ints(node: &proto::NodeProto, name: &str) -> Option<Vec<i64>> {
    attribute(node, name).map(|a| a.ints.clone())
}

fn int(node: &proto::NodeProto, name: &str, default: i64) -> i64 {
    attribute(node, name).map_or(default, |a| a.i)
}

fn float(node: &proto::NodeProto, name: &str, default: f32) -> f32 {
    attribute(node, name).map_or(default, |a| a.f)
}

fn dims_of(t: &proto::TensorProto) -> Result<Vec<usize>> {
    t.dims
        .iter()
        .map(|&d| {
            usize::try_from(d).map_err(|_| bad(format!("its weight \"{}\" has a negative dimension", t.name)))
        })
        .collect()
}

fn tensor_values(t: &proto::TensorProto) -> Result<Vec<f32>> {
    let count = count(&dims_of(t)?)?;
    let raw = &t.raw_data;
    let values: Vec<f32> = match t.data_type {
        1 if !raw.is_empty() => {
            raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
        }
        1 => t.float_data.clone(),
        2 if !raw.is_empty() => raw.iter().map(|&b| f32::from(b)).collect(),
        3 if !raw.is_empty() => raw.iter().map(|&b| f32::from(b as i8)).collect(),
        2 | 3 => t.int32_data.iter().map(|&v| v as f32).collect(),
        10 if !raw.is_empty() => {
            raw.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
        }
        10 => t.int32_data.iter().map(|&v| half::f16::from_bits(v as u16).to_f32()).collect(),
        other => return Err(bad(format!("its weight \"{}\" has element type {other}", t.name))),
    };
    if values.len() != count {
        return Err(bad(format!("its weight \"{}\" holds {} values for {count}", t.name, values.len())));
    }
    Ok(values)
}

impl Constant {
    /// `DequantizeLinear(x, scale, zero_point)`: per tensor, or per slice along `axis`.
    fn dequantize(x: &Constant, scale: &Constant, zero: Option<&Constant>, axis: i64) -> Result<Constant> {
        let rank = x.dims.len() as i64;
        let axis = if axis < 0 { axis + rank } else { axis };
        let per = scale.values.len();
        let (outer, along, inner) = if per == 1 {
            (1, 1, x.values.len())
        } else {
            let a = usize::try_from(axis).ok().filter(|&a| a < x.dims.len() && x.dims[a] == per);
            let a = a.ok_or_else(|| bad("a DequantizeLinear's scales do not match its axis"))?;
            (x.dims[..a].iter().product(), per, x.dims[a + 1..].iter().product())
        };
        if zero.is_some_and(|z| z.values.len() != 1 && z.values.len() != per) {
            return Err(bad("a DequantizeLinear's zero points do not match its scales"));
        }
        let zero_at = |i: usize| zero.map_or(0.0, |z| z.values[if z.values.len() == 1 { 0 } else { i }]);
        let mut values = Vec::with_capacity(x.values.len());
        for o in 0..outer {
            for a in 0..along {
                let (s, z) = (scale.values[a], zero_at(a));
                let start = (o * along + a) * inner;
                values.extend(x.values[start..start + inner].iter().map(|&v| (v - z) * s));
            }
        }
        Ok(Constant { dims: x.dims.clone(), values })
    }
}

impl Net {
    /// Reads an ONNX file planned for one input of `shape` (`[1, c, h, w]`).
    pub fn from_onnx(bytes: &[u8], shape: &[usize]) -> Result<Self> {
        let model = proto::ModelProto::decode(bytes)
            .map_err(|e| bad(format!("it is not a readable ONNX file ({e})")))?;
        let graph = model.graph.ok_or_else(|| bad("it has no graph"))?;
        let mut constants: Vec<(String, Constant)> = Vec::new();
        for t in &graph.initializer {
            let dims = dims_of(t)?;
            constants.push((t.name.clone(), Constant { dims, values: tensor_values(t)? }));
        }
        let is_constant =
            |name: &str, constants: &[(String, Constant)]| constants.iter().any(|(n, _)| n == name);
        let inputs: Vec<&str> =
            graph.input.iter().map(|i| i.name.as_str()).filter(|n| !is_constant(n, &constants)).collect();
        let [input] = inputs.as_slice() else {
            return Err(bad(format!("it has {} inputs; this runner takes one image", inputs.len())));
        };
        let &[1, c, h, w] = shape else {
            return Err(bad(format!("this runner takes one image [1, c, h, w], not {shape:?}")));
        };
        let mut current = input.to_string();
        // The activation's shape: [c, h, w] planes, or a vector once flattened.
        let (mut dims, mut flat) = ([c, h, w], None::<usize>);
        let mut layers = Vec::new();
        let mut multiply_adds = 0u64;
        for node in &graph.node {
            let get = |name: &str| constants.iter().find(|(n, _)| n == name).map(|(_, c)| c);
            let [output] = node.output.as_slice() else {
                return Err(bad(format!("its {} has {} outputs", node.op_type, node.output.len())));
            };
            if !OPS.contains(&node.op_type.as_str()) {
                return Err(bad(format!("it uses {}, which this runner does not run", node.op_type)));
            }
            if node.input.first().is_none_or(|i| i.is_empty()) {
                return Err(bad(format!("its {} has no input", node.op_type)));
            }
            let all_constant =
                !node.input.is_empty() && node.input.iter().all(|i| i.is_empty() || get(i).is_some());
            if all_constant {
                let value = match node.op_type.as_str() {
                    "Cast" if int(node, "to", 0) == 1 => {
                        let x = get(&node.input[0]).ok_or_else(|| bad("a Cast has no input"))?;
                        Constant { dims: x.dims.clone(), values: x.values.clone() }
                    }
                    "DequantizeLinear" if int(node, "block_size", 0) == 0 => {
                        let arg = |i: usize| node.input.get(i).filter(|n| !n.is_empty()).and_then(|n| get(n));
                        let (x, scale) = (
                            arg(0).ok_or_else(|| bad("a DequantizeLinear has no input"))?,
                            arg(1).ok_or_else(|| bad("a DequantizeLinear has no scale"))?,
                        );
                        Constant::dequantize(x, scale, arg(2), int(node, "axis", 1))?
                    }
                    other => {
                        return Err(bad(format!(
                            "it computes a constant with {other}, which this runner does not"
                        )))
                    }
                };
                constants.push((output.clone(), value));
                continue;
            }
            if node.input.first() != Some(&current)
                || node.input[1..].iter().any(|i| !i.is_empty() && get(i).is_none())
            {
                return Err(bad(format!("its graph is not one chain of layers (at a {})", node.op_type)));
            }
            let weight = |i: usize| node.input.get(i).filter(|n| !n.is_empty()).and_then(|n| get(n));
            let planes = |flat: Option<usize>| match flat {
                None => Ok(()),
                Some(_) => Err(bad(format!("its {} comes after the image was flattened", node.op_type))),
            };
            match node.op_type.as_str() {
                "Conv" => {
                    planes(flat)?;
                    let kernel = weight(1).ok_or_else(|| bad("a Conv has no constant weights"))?;
                    let [cout, cin, 3, 3] = kernel.dims[..] else {
                        return Err(bad(format!(
                            "it has a {:?} convolution; this runner takes 3×3 ones",
                            kernel.dims
                        )));
                    };
                    let ones = |name| ints(node, name).is_none_or(|v| v.iter().all(|&x| x == 1));
                    if !ones("strides") || !ones("dilations") || int(node, "group", 1) != 1 || cin != dims[0]
                    {
                        return Err(bad("it has a convolution with strides, dilations or groups; this runner takes plain 3×3 ones"));
                    }
                    if attribute(node, "auto_pad").is_some_and(|a| !a.s.is_empty() && a.s != b"NOTSET") {
                        return Err(bad(
                            "it has a convolution with auto_pad; this runner takes explicit pads",
                        ));
                    }
                    if dims[1] == 0 || dims[2] == 0 {
                        return Err(bad("it convolves an empty image"));
                    }
                    let pads = ints(node, "pads").unwrap_or(vec![0; 4]);
                    let [top, left, bottom, right] = pads[..] else {
                        return Err(bad("a Conv's pads are not 4"));
                    };
                    if pads.iter().any(|&p| !(0..=2).contains(&p)) {
                        return Err(bad("it has a convolution padded by more than 2"));
                    }
                    let (oh, ow) = (
                        (dims[1] + (top + bottom) as usize).checked_sub(2),
                        (dims[2] + (left + right) as usize).checked_sub(2),
                    );
                    let (Some(oh), Some(ow)) = (oh, ow) else {
                        return Err(bad("a convolution's input is smaller than its kernel"));
                    };
                    let shape = Conv3x3 {
                        relu: false,
                        cin,
                        cout,
                        h: dims[1],
                        w: dims[2],
                        pad_top: top as usize,
                        pad_left: left as usize,
                        oh,
                        ow,
                    };
                    let bias = weight(2).map_or(vec![0.0; cout], |b| b.values.clone());
                    if bias.len() != cout {
                        return Err(bad("a convolution's bias does not match its outputs"));
                    }
                    let tiles = WinogradTiles::for_shape(&shape);
                    count(&[cout, oh, ow])?;
                    multiply_adds +=
                        [cout, cin, 9, oh, ow].iter().fold(1u64, |n, &d| n.saturating_mul(d as u64));
                    let weights = tiles.weights(&kernel.values, cin, cout);
                    layers.push(Layer::Conv { shape, tiles, weights, bias });
                    dims = [cout, oh, ow];
                }
                "Relu" => match layers.last_mut() {
                    // Fused: the chain guarantees nothing else reads the convolution's output.
                    Some(Layer::Conv { shape, .. }) if !shape.relu => shape.relu = true,
                    _ => layers.push(Layer::Relu),
                },
                "Tanh" => layers.push(Layer::Tanh),
                "MaxPool" => {
                    planes(flat)?;
                    let is = |name, want: &[i64]| ints(node, name).is_some_and(|v| v == want);
                    let zero_pads = ints(node, "pads").is_none_or(|v| v.iter().all(|&p| p == 0));
                    let plain = ints(node, "dilations").is_none_or(|v| v.iter().all(|&d| d == 1))
                        && attribute(node, "auto_pad")
                            .is_none_or(|a| a.s.is_empty() || a.s == b"NOTSET" || a.s == b"VALID")
                        && int(node, "ceil_mode", 0) == 0
                        && int(node, "storage_order", 0) == 0;
                    if !(is("kernel_shape", &[2, 2]) && is("strides", &[2, 2]) && zero_pads && plain) {
                        return Err(bad(
                            "it has a max pool other than 2×2 at stride 2; this runner takes only those",
                        ));
                    }
                    layers.push(Layer::MaxPool { planes: dims[0], h: dims[1], w: dims[2] });
                    dims = [dims[0], dims[1] / 2, dims[2] / 2];
                }
                "Flatten" => {
                    if int(node, "axis", 1) != 1 {
                        return Err(bad("it flattens along an axis other than 1"));
                    }
                    flat = Some(flat.unwrap_or(dims.iter().product()));
                }
                "Gemm" => {
                    let inputs = flat.ok_or_else(|| bad("its Gemm takes an image that was not flattened"))?;
                    let b = weight(1).ok_or_else(|| bad("a Gemm has no constant weights"))?;
                    let [rows, cols] = b.dims[..] else {
                        return Err(bad("a Gemm's weights are not a matrix"));
                    };
                    if int(node, "transA", 0) != 0 {
                        return Err(bad("it has a Gemm with transA"));
                    }
                    let trans_b = int(node, "transB", 0) != 0;
                    let (k, outputs) = if trans_b { (cols, rows) } else { (rows, cols) };
                    if k != inputs {
                        return Err(bad(format!("a Gemm takes {k} values after a layer of {inputs}")));
                    }
                    let alpha = float(node, "alpha", 1.0);
                    let weights: Vec<f32> = if trans_b {
                        b.values.iter().map(|v| v * alpha).collect()
                    } else {
                        (0..outputs)
                            .flat_map(|o| (0..k).map(move |i| (o, i)))
                            .map(|(o, i)| b.values[i * outputs + o] * alpha)
                            .collect()
                    };
                    let beta = float(node, "beta", 1.0);
                    let bias = match weight(2) {
                        None => vec![0.0; outputs],
                        Some(c) if c.values.len() == outputs => c.values.iter().map(|v| v * beta).collect(),
                        Some(c) if c.values.len() == 1 => vec![c.values[0] * beta; outputs],
                        Some(_) => return Err(bad("a Gemm's bias does not match its outputs")),
                    };
                    multiply_adds += (inputs * outputs) as u64;
                    layers.push(Layer::Dense { inputs, outputs, weights, bias });
                    flat = Some(outputs);
                }
                other => {
                    return Err(bad(format!("it uses {other} on its image, which this runner does not")))
                }
            }
            if multiply_adds > MAX_MULTIPLY_ADDS {
                return Err(bad("it takes more multiply-adds than this runner allows"));
            }
            current = output.clone();
        }
        if graph.output.first().map(|o| &o.name) != Some(&current) {
            return Err(bad("its output is not the end of its chain of layers"));
        }
        Ok(Net { input_len: c * h * w, output_len: flat.unwrap_or(dims.iter().product()), layers })
    }

    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// The output for one input laid out `[c, h, w]`.
    pub fn run(&self, input: &[f32]) -> Result<Vec<f32>> {
        if input.len() != self.input_len {
            return Err(Error::Inference(format!(
                "the input has {} values, not {}",
                input.len(),
                self.input_len
            )));
        }
        let mut x = input.to_vec();
        for layer in &self.layers {
            match layer {
                Layer::Conv { shape, tiles, weights, bias } => {
                    let mut out = vec![0.0; shape.cout * shape.oh * shape.ow];
                    tiles.conv3x3(&x, &mut out, weights, bias, shape);
                    x = out;
                }
                Layer::Relu => x.iter_mut().for_each(|v| *v = v.max(0.0)),
                Layer::Tanh => x.iter_mut().for_each(|v| *v = v.tanh()),
                Layer::MaxPool { planes, h, w } => {
                    let mut out = vec![0.0; planes * (h / 2) * (w / 2)];
                    max_pool_2x2(&x, &mut out, [*h, *w]);
                    x = out;
                }
                Layer::Dense { inputs, outputs, weights, bias } => {
                    x = (0..*outputs).map(|o| bias[o] + dot(&weights[o * inputs..][..*inputs], &x)).collect();
                }
            }
        }
        Ok(x)
    }
}

/// Four running sums, so that the compiler can keep them in one SIMD register.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f32 = a4.remainder().iter().zip(b4.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a4.zip(b4) {
        for i in 0..4 {
            sums[i] += x[i] * y[i];
        }
    }
    sums.iter().sum::<f32>() + tail
}
