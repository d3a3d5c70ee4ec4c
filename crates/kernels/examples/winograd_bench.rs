//! Times one Winograd 3×3 convolution of the denoiser's shapes (64 → 64, 2 → 64, 64 → 1 at
//! SIDE × SIDE), for comparing kernel changes in wasm: build for wasm32-wasip1 with simd128 and
//! run under Node's WASI (scripts/wasi_run.mjs). Usage: winograd_bench [SIDE] [RUNS];
//! with F4X4 set in the environment, F(4×4, 3×3) (`winograd4`) instead of F(2×2, 3×3).
use playground_kernels::winograd::{conv3x3, winograd_weights, Conv3x3};
use playground_kernels::winograd4;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let side: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(256);
    let runs: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    for (cin, cout) in [(64, 64), (2, 64), (64, 1)] {
        let s =
            Conv3x3 { relu: true, cin, cout, h: side, w: side, pad_top: 1, pad_left: 1, oh: side, ow: side };
        let input: Vec<f32> = (0..cin * side * side).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
        let kernel: Vec<f32> =
            (0..cout * cin * 9).map(|i| ((i * 104729) % 1000) as f32 / 1000.0 - 0.5).collect();
        let f4 = std::env::var_os("F4X4").is_some();
        let weights = if f4 {
            winograd4::winograd_weights(&kernel, cin, cout)
        } else {
            winograd_weights(&kernel, cin, cout)
        };
        let bias = vec![0.1; cout];
        let mut out = vec![0.0; cout * side * side];
        let mut times = Vec::new();
        for _ in 0..runs + 1 {
            let start = Instant::now();
            if f4 {
                winograd4::conv3x3(&input, &mut out, &weights, &bias, &s);
            } else {
                conv3x3(&input, &mut out, &weights, &bias, &s);
            }
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        times.remove(0);
        times.sort_by(f64::total_cmp);
        println!(
            "{cin:>2} -> {cout:>2} at {side}x{side}: median {:.2} ms (min {:.2}) checksum {:.4}",
            times[times.len() / 2],
            times[0],
            out.iter().map(|&v| v as f64).sum::<f64>()
        );
    }
}
