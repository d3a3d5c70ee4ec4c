//! The loops behind `playground-fast-ops`' operators, on plain slices: 2×2 max pooling, spatial
//! padding ([`max_pool_2x2`], [`pad_2d`]) and 3×3 convolution by Winograd's method
//! ([`winograd`]). No tract here, so they are tested under wasm32 with SIMD (`tests/kernels.rs`,
//! run by `scripts/test.sh`), where their vector paths run, and built at opt-level 3 in the worker.

mod simd;
pub mod winograd;

/// 2×2 max pooling at stride 2 of `[h, w]` planes laid end to end in `source`, into
/// `[h / 2, w / 2]` planes in `target` (a trailing odd row or column is dropped).
pub fn max_pool_2x2(source: &[f32], target: &mut [f32], [h, w]: [usize; 2]) {
    let (oh, ow) = (h / 2, w / 2);
    if oh * ow == 0 {
        return;
    }
    for (plane, out) in source.chunks_exact(h * w).zip(target.chunks_exact_mut(oh * ow)) {
        for (oy, out_row) in out.chunks_exact_mut(ow).enumerate() {
            let top = &plane[2 * oy * w..][..2 * ow];
            let bottom = &plane[(2 * oy + 1) * w..][..2 * ow];
            max_pool_row(top, bottom, out_row);
        }
    }
}

/// `out[x] = max(top[2x], top[2x+1], bottom[2x], bottom[2x+1])`.
fn max_pool_row(top: &[f32], bottom: &[f32], out: &mut [f32]) {
    for x in max_pool_row_simd(top, bottom, out)..out.len() {
        out[x] = top[2 * x].max(top[2 * x + 1]).max(bottom[2 * x].max(bottom[2 * x + 1]));
    }
}

/// The first outputs of [`max_pool_row`], four at a time; returns how many it wrote. Eight
/// inputs per row give four outputs: the max down each column pair, then the max of the even
/// and the odd lanes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn max_pool_row_simd(top: &[f32], bottom: &[f32], out: &mut [f32]) -> usize {
    use std::arch::wasm32::*;
    let quads = out.len() / 4;
    assert!(top.len() >= 8 * quads && bottom.len() >= 8 * quads);
    for q in 0..quads {
        // SAFETY: the assert keeps the loads in bounds, `quads` the store; v128 loads and
        // stores need no alignment.
        unsafe {
            let t = top.as_ptr().add(8 * q) as *const v128;
            let b = bottom.as_ptr().add(8 * q) as *const v128;
            let lo = f32x4_max(v128_load(t), v128_load(b));
            let hi = f32x4_max(v128_load(t.add(1)), v128_load(b.add(1)));
            let even = i32x4_shuffle::<0, 2, 4, 6>(lo, hi);
            let odd = i32x4_shuffle::<1, 3, 5, 7>(lo, hi);
            v128_store(out.as_mut_ptr().add(4 * q) as *mut v128, f32x4_max(even, odd));
        }
    }
    4 * quads
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn max_pool_row_simd(_top: &[f32], _bottom: &[f32], _out: &mut [f32]) -> usize {
    0
}

/// Copies `[h, w]` planes laid end to end in `source` into `[ph, pw]` planes in `target`, at
/// row `top` and column `left` of each; the rest of `target` is `value`.
pub fn pad_2d(
    source: &[f32],
    target: &mut [f32],
    [h, w]: [usize; 2],
    [top, left, ph, pw]: [usize; 4],
    value: f32,
) {
    target.fill(value);
    if h * w == 0 {
        return;
    }
    for (plane, out) in source.chunks_exact(h * w).zip(target.chunks_exact_mut(ph * pw)) {
        for (y, row) in plane.chunks_exact(w).enumerate() {
            out[(top + y) * pw + left..][..w].copy_from_slice(row);
        }
    }
}
