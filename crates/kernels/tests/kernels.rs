//! The pooling, padding and convolution loops against plain reference loops, on shapes that
//! exercise every edge: odd widths and heights, rows shorter than a SIMD step, several planes,
//! channel counts not a multiple of 4. Runs natively and, in `scripts/test.sh`, under wasm32
//! with +simd128, where the vector paths run.

use playground_kernels::winograd::{conv3x3, winograd_weights, Conv3x3};
use playground_kernels::winograd4;
use playground_kernels::{max_pool_2x2, pad_2d};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// xorshift32 → values in [-1, 1), with ties and negatives so the max is not the last tap.
fn values(len: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            ((s % 64) as f32 - 32.0) / 32.0
        })
        .collect()
}

const SHAPES: [[usize; 3]; 9] = [
    [1, 28, 28],
    [24, 28, 28],
    [3, 14, 14],
    [2, 7, 7],
    [5, 3, 3],
    [1, 2, 2],
    [2, 9, 17],
    [1, 1, 5],
    [3, 6, 1],
];

#[test]
fn max_pool_matches_the_reference_loop() {
    for (i, [planes, h, w]) in SHAPES.into_iter().enumerate() {
        let source = values(planes * h * w, i as u32 + 1);
        let (oh, ow) = (h / 2, w / 2);
        let mut got = vec![f32::NAN; planes * oh * ow];
        max_pool_2x2(&source, &mut got, [h, w]);
        let at = |p: usize, y: usize, x: usize| source[(p * h + y) * w + x];
        let want: Vec<f32> = (0..planes)
            .flat_map(|p| (0..oh).flat_map(move |y| (0..ow).map(move |x| (p, y, x))))
            .map(|(p, y, x)| {
                at(p, 2 * y, 2 * x).max(at(p, 2 * y, 2 * x + 1)).max(at(p, 2 * y + 1, 2 * x)).max(at(
                    p,
                    2 * y + 1,
                    2 * x + 1,
                ))
            })
            .collect();
        assert_eq!(got, want, "{planes}×{h}×{w}");
    }
}

#[test]
fn pad_matches_the_reference_loop() {
    for (i, [planes, h, w]) in SHAPES.into_iter().enumerate() {
        for [top, bottom, left, right] in [[1, 1, 1, 1], [0, 2, 3, 0], [2, 0, 0, 1]] {
            let source = values(planes * h * w, i as u32 + 7);
            let (ph, pw) = (h + top + bottom, w + left + right);
            let mut got = vec![f32::NAN; planes * ph * pw];
            pad_2d(&source, &mut got, [h, w], [top, left, ph, pw], -0.5);
            for p in 0..planes {
                for y in 0..ph {
                    for x in 0..pw {
                        let inside = (top..top + h).contains(&y) && (left..left + w).contains(&x);
                        let want = if inside { source[(p * h + y - top) * w + x - left] } else { -0.5 };
                        assert_eq!(got[(p * ph + y) * pw + x], want, "{planes}×{h}×{w} at {p},{y},{x}");
                    }
                }
            }
        }
    }
}

/// Direct 3×3 stride-1 convolution of one image, zero padding, in f64.
fn conv3x3_reference(input: &[f32], kernel: &[f32], bias: &[f32], s: &Conv3x3) -> Vec<f32> {
    let mut out = vec![0.0; s.cout * s.oh * s.ow];
    for co in 0..s.cout {
        for y in 0..s.oh {
            for x in 0..s.ow {
                let mut sum = bias[co] as f64;
                for ci in 0..s.cin {
                    for ky in 0..3 {
                        for kx in 0..3 {
                            let (iy, ix) = (
                                (y + ky) as isize - s.pad_top as isize,
                                (x + kx) as isize - s.pad_left as isize,
                            );
                            if iy < 0 || ix < 0 || iy >= s.h as isize || ix >= s.w as isize {
                                continue;
                            }
                            let value = input[(ci * s.h + iy as usize) * s.w + ix as usize] as f64;
                            sum += value * kernel[((co * s.cin + ci) * 3 + ky) * 3 + kx] as f64;
                        }
                    }
                }
                out[(co * s.oh + y) * s.ow + x] = if s.relu { sum.max(0.0) as f32 } else { sum as f32 };
            }
        }
    }
    out
}

#[test]
fn winograd_convolution_matches_the_direct_one() {
    // (cin, cout, h, w, pad top, bottom, left, right, relu): the sketch model's five, odd sizes,
    // output channels not a multiple of 4, padding on one side only or none, 1-pixel outputs,
    // rows of several blocks of tiles.
    let cases = [
        (1, 24, 28, 28, 1, 1, 1, 1, true),
        (24, 24, 28, 28, 1, 1, 1, 1, true),
        (24, 48, 14, 14, 1, 1, 1, 1, true),
        (48, 48, 14, 14, 1, 1, 1, 1, false),
        (48, 96, 7, 7, 1, 1, 1, 1, true),
        (3, 5, 9, 17, 1, 1, 1, 1, false),
        (2, 7, 5, 6, 0, 0, 0, 0, true),
        (4, 6, 11, 3, 2, 0, 0, 2, false),
        (1, 1, 3, 3, 0, 0, 0, 0, false),
        (5, 9, 1, 1, 1, 1, 1, 1, false),
        (8, 4, 20, 31, 0, 1, 1, 0, true),
        // Wider than one block of tiles: 76 tiles a row, blocks of 32, 32 and 12.
        (3, 6, 7, 150, 1, 1, 1, 1, true),
    ];
    for (i, (cin, cout, h, w, top, bottom, left, right, relu)) in cases.into_iter().enumerate() {
        let (oh, ow) = (h + top + bottom - 2, w + left + right - 2);
        let s = Conv3x3 { relu, cin, cout, h, w, pad_top: top, pad_left: left, oh, ow };
        let input = values(cin * h * w, 3 * i as u32 + 1);
        let kernel = values(cout * cin * 9, 3 * i as u32 + 2);
        let bias = values(cout, 3 * i as u32 + 3);
        let want = conv3x3_reference(&input, &kernel, &bias, &s);
        let mut got = vec![f32::NAN; cout * oh * ow];
        conv3x3(&input, &mut got, &winograd_weights(&kernel, cin, cout), &bias, &s);
        // The transforms reorder the sums: equal within f32 rounding of sums of cin × 9 terms.
        let scale = (cin * 9) as f32;
        for (j, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-5 * scale, "case {i}, value {j}: {g} vs {w}");
        }
        // F(4×4, 3×3): measured up to 9e-5 here (48 → 48), within the same bound.
        let mut got4 = vec![f32::NAN; cout * oh * ow];
        winograd4::conv3x3(&input, &mut got4, &winograd4::winograd_weights(&kernel, cin, cout), &bias, &s);
        for (j, (g, w)) in got4.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-5 * scale, "F(4×4, 3×3): case {i}, value {j}: {g} vs {w}");
        }
    }
}
