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

/// Which Winograd transform a 3×3 convolution gets: F(2×2, 3×3) ([`winograd`]) or F(4×4, 3×3)
/// ([`winograd4`]: 1.78× fewer multiply-adds, larger rounding errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WinogradTiles {
    Two,
    Four,
}

impl WinogradTiles {
    /// The one with fewer multiply-adds in its products, counting the tiles each pads a row to
    /// (whole vectors of 4 tiles). On small outputs F(4×4) computes much that is thrown away:
    /// the sketch model's 64 → 128 convolution at 7×7 took 149 µs by F(2×2) and 203 µs by
    /// F(4×4) in wasm under Node, while its 28×28 and 14×14 ones and the denoiser's 256×256 ones
    /// were faster by F(4×4) (`experiments/op-profile`).
    pub fn for_shape(shape: &winograd::Conv3x3) -> Self {
        let tiles = |side: usize| (shape.oh.div_ceil(side), shape.ow.div_ceil(side).next_multiple_of(4));
        let ((h2, w2), (h4, w4)) = (tiles(2), tiles(4));
        if h4 * w4 * winograd4::POSITIONS < h2 * w2 * 16 {
            WinogradTiles::Four
        } else {
            WinogradTiles::Two
        }
    }

    /// Positions of the transform domain: the weights are `[positions, cout, cin]`.
    pub fn positions(self) -> usize {
        match self {
            WinogradTiles::Two => 16,
            WinogradTiles::Four => winograd4::POSITIONS,
        }
    }

    /// The kernel `[cout, cin, 3, 3]` in this transform's domain, once, at load.
    pub fn weights(self, kernel: &[f32], cin: usize, cout: usize) -> Vec<f32> {
        match self {
            WinogradTiles::Two => winograd::winograd_weights(kernel, cin, cout),
            WinogradTiles::Four => winograd4::winograd_weights(kernel, cin, cout),
        }
    }

    /// `output = conv3x3(input, kernel) + bias` (ReLU if `shape.relu`), `weights` from [`Self::weights`].
    pub fn conv3x3(
        self,
        input: &[f32],
        output: &mut [f32],
        weights: &[f32],
        bias: &[f32],
        shape: &winograd::Conv3x3,
    ) {
        match self {
            WinogradTiles::Two => winograd::conv3x3(input, output, weights, bias, shape),
            WinogradTiles::Four => winograd4::conv3x3(input, output, weights, bias, shape),
        }
    }
}
