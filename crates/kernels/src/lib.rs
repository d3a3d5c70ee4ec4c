//! The loops behind `playground-fast-ops`' operators, on plain slices: 2×2 max pooling, spatial
//! padding ([`max_pool_2x2`], [`pad_2d`]) and 3×3 convolution by Winograd's method
//! ([`winograd`]). No tract here, so they are tested under wasm32 with SIMD (`tests/kernels.rs`,
//! run by `scripts/test.sh`), where their vector paths run, and built at opt-level 3 in the worker.

mod simd;
pub mod winograd;
pub mod winograd4;

use simd::F4;

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

/// `out[x] = max(top[2x], top[2x+1], bottom[2x], bottom[2x+1])`. Four outputs per step from eight
/// inputs per row: the max down each column pair, then the max of the even and the odd lanes.
fn max_pool_row(top: &[f32], bottom: &[f32], out: &mut [f32]) {
    let quads = out.len() / 4;
    assert!(top.len() >= 8 * quads && bottom.len() >= 8 * quads);
    for q in 0..quads {
        let lo = F4::load(&top[8 * q..]).max(F4::load(&bottom[8 * q..]));
        let hi = F4::load(&top[8 * q + 4..]).max(F4::load(&bottom[8 * q + 4..]));
        lo.even(hi).max(lo.odd(hi)).store(&mut out[4 * q..]);
    }
    for x in 4 * quads..out.len() {
        out[x] = top[2 * x].max(top[2 * x + 1]).max(bottom[2 * x].max(bottom[2 * x + 1]));
    }
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
