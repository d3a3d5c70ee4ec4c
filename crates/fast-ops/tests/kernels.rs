//! The pooling and padding loops against plain reference loops, on shapes that exercise every
//! edge: odd widths and heights, rows shorter than a SIMD step, several planes. Runs natively and,
//! in `scripts/test.sh`, under wasm32 with +simd128, where the vector path of the pool runs.

use playground_fast_ops::kernels::{max_pool_2x2, pad_2d};

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
