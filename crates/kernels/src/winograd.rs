//! 3×3 stride-1 convolution by Winograd's minimal filtering, F(2×2, 3×3) (Lavin & Gray, 2015).
//!
//! Each 2×2 block of outputs ("tile") comes from a 4×4 block of input. Both the block and the
//! 3×3 kernel are taken to a 4×4 transform domain, where the convolution is 16 element-wise
//! products summed over input channels: 16 matrix products of `[cout × cin]` by `[cin × tiles]`,
//! 2.25× fewer multiply-adds than the direct convolution (16 instead of 36 per tile and channel
//! pair). The kernel's transform is done once, at load ([`winograd_weights`]).
//!
//! Why our own: in wasm tract runs a convolution as a lazy im2col feeding its 8×8 f32 GEMM kernel
//! (no direct or Winograd convolution on that target), and those GEMMs were 1.38 of the sketch
//! model's 1.54 ms. Plain slices only, so it builds without tract and is tested under wasm32.
//!
//! Layout: input `[cin, h, w]`, output `[cout, oh, ow]` (one image of an NCHW batch). Tiles are
//! numbered row by row, each tile row padded to a multiple of 4 tiles, so that 4 neighbouring
//! tiles fill one SIMD vector in every stage: the transforms read and write 4 tiles per
//! instruction and the products run along tiles. The stages run on blocks of tiles (`BLOCK`),
//! from bands of padded input rows (`Band`), so that what passes between them stays in cache.
//! [`crate::winograd4`] is the F(4×4, 3×3) version, sharing the products and the bands.

use crate::simd::F4;
use std::cell::RefCell;

/// One convolution: `pad_top`/`pad_left` zero rows/columns before the input (the output size
/// already includes the padding after), and whether a ReLU follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conv3x3 {
    pub relu: bool,
    pub cin: usize,
    pub cout: usize,
    pub h: usize,
    pub w: usize,
    pub pad_top: usize,
    pub pad_left: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Conv3x3 {
    fn tiles_high(&self) -> usize {
        self.oh.div_ceil(2)
    }
    /// Tiles per row, padded to whole vectors.
    fn tiles_wide(&self) -> usize {
        self.ow.div_ceil(2).next_multiple_of(4)
    }
    /// The zero-padded input plane that the input transform reads (by bands of rows, [`Band`]):
    /// every tile's 4×4 block, the padded tiles' too, lies inside it.
    fn padded_plane(&self) -> (usize, usize) {
        (2 * self.tiles_high() + 2, 2 * self.tiles_wide() + 2)
    }
}

/// The kernel `[cout, cin, 3, 3]` in the transform domain, `G g Gᵀ`: 16 matrices `[cout][cin]`,
/// each with its rows in blocks of 4 interleaved (`[cout / 4][cin][4]`, then the last
/// `cout % 4` rows as they are), the order in which the products read them.
pub fn winograd_weights(kernel: &[f32], cin: usize, cout: usize) -> Vec<f32> {
    assert_eq!(kernel.len(), cout * cin * 9);
    let mut u = vec![0.0; 16 * cout * cin];
    for co in 0..cout {
        for ci in 0..cin {
            let g = &kernel[(co * cin + ci) * 9..][..9];
            // G g: 4×3, G = [[1,0,0], [½,½,½], [½,-½,½], [0,0,1]]
            let mut gg = [[0.0f32; 3]; 4];
            for c in 0..3 {
                let (g0, g1, g2) = (g[c], g[3 + c], g[6 + c]);
                gg[0][c] = g0;
                gg[1][c] = 0.5 * (g0 + g1 + g2);
                gg[2][c] = 0.5 * (g0 - g1 + g2);
                gg[3][c] = g2;
            }
            // (G g) Gᵀ: 4×4
            for (r, row) in gg.iter().enumerate() {
                let t = [row[0], 0.5 * (row[0] + row[1] + row[2]), 0.5 * (row[0] - row[1] + row[2]), row[2]];
                for (c, value) in t.into_iter().enumerate() {
                    u[(r * 4 + c) * cout * cin + weight_index(co, ci, cin, cout)] = value;
                }
            }
        }
    }
    u
}

/// Where weight `(co, ci)` goes in one of [`winograd_weights`]'s matrices.
pub(crate) fn weight_index(co: usize, ci: usize, cin: usize, cout: usize) -> usize {
    if co < cout / 4 * 4 {
        (co / 4 * cin + ci) * 4 + co % 4
    } else {
        co * cin + ci
    }
}

thread_local! {
    /// Scratch reused across calls (a band of padded input rows, one block's transformed input
    /// and products):
    /// allocating and zeroing it per convolution cost more than some of the stages.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Tiles per block: the stages run block by block (input transform, the 16 products, output
/// transform), so that a block's transformed input and products (`16 × channels × BLOCK` floats
/// each, 128 KiB at 64 channels) stay in cache between stages. Whole-plane stages went through
/// 64 MiB of transformed input and 64 MiB of products per 64 → 64 convolution of a 256 × 256
/// tile, and the products read it at a 64 KiB stride.
const BLOCK: usize = 32;

/// `output = conv3x3(input, kernel) + bias` (then ReLU if `shape.relu`), with the kernel as [`winograd_weights`] returns it.
pub fn conv3x3(input: &[f32], output: &mut [f32], weights: &[f32], bias: &[f32], shape: &Conv3x3) {
    let Conv3x3 { cin, cout, h, w, oh, ow, .. } = *shape;
    assert_eq!(input.len(), cin * h * w);
    assert_eq!(output.len(), cout * oh * ow);
    assert_eq!(weights.len(), 16 * cout * cin);
    assert_eq!(bias.len(), cout);
    if output.is_empty() {
        return;
    }
    let (_, pw) = shape.padded_plane();
    let (th, tw) = (shape.tiles_high(), shape.tiles_wide());
    let band_tile_rows = (BLOCK / tw).max(1);
    SCRATCH.with_borrow_mut(|scratch| {
        let band_len = cin * (2 * band_tile_rows + 2) * pw;
        let needed = band_len + 16 * stride(cin, BLOCK) + 16 * stride(cout, BLOCK);
        if scratch.len() < needed {
            scratch.resize(needed, 0.0);
        }
        let (band, rest) = scratch.split_at_mut(band_len);
        let (transformed, rest) = rest.split_at_mut(16 * stride(cin, BLOCK));
        let products = &mut rest[..16 * stride(cout, BLOCK)];
        for ty in (0..th).step_by(band_tile_rows) {
            let end = (ty + band_tile_rows).min(th);
            let band = Band::fill(input, band, shape, pw, 2 * ty, 2 * (end - ty) + 2);
            for first in (ty * tw..end * tw).step_by(BLOCK) {
                let block = Block { first, tiles: BLOCK.min(end * tw - first), tiles_wide: tw };
                transform_input(&band, transformed, shape, block);
                multiply(16, weights, transformed, products, cin, cout, block.tiles);
                transform_output(products, output, bias, shape, block);
            }
        }
    });
}

/// Rows `first_row .. first_row + rows` of the zero-padded input planes (`pw` wide, the input
/// at `(pad_top, pad_left)`), `[cin][rows][pw]`: what the input transform of one or a few tile
/// rows reads. Copying the whole padded input instead (17 MiB at 64 × 256²) left each block's
/// transform reading 6 rows of each of 64 planes a plane apart, from memory.
pub(crate) struct Band<'a> {
    values: &'a [f32],
    first_row: usize,
    rows: usize,
    pw: usize,
}

impl<'a> Band<'a> {
    pub fn fill(
        input: &[f32],
        values: &'a mut [f32],
        s: &Conv3x3,
        pw: usize,
        first_row: usize,
        rows: usize,
    ) -> Band<'a> {
        let values = &mut values[..s.cin * rows * pw];
        let cols = s.w.min(pw.saturating_sub(s.pad_left));
        for (plane, out) in input.chunks_exact(s.h * s.w).zip(values.chunks_exact_mut(rows * pw)) {
            for (r, out) in out.chunks_exact_mut(pw).enumerate() {
                out.fill(0.0);
                let y = (first_row + r).wrapping_sub(s.pad_top);
                if y < s.h {
                    out[s.pad_left..][..cols].copy_from_slice(&plane[y * s.w..][..cols]);
                }
            }
        }
        Band { values, first_row, rows, pw }
    }

    /// Padded row `row` of plane `ci`, from column `x` to the end.
    #[inline(always)]
    pub fn row(&self, ci: usize, row: usize, x: usize) -> &[f32] {
        &self.values[(ci * self.rows + row - self.first_row) * self.pw + x
            ..(ci * self.rows + row - self.first_row + 1) * self.pw]
    }
}

/// Where each of the 16 matrices `[rows][tiles]` of a block's transformed input or products
/// starts, in floats: one cache line past the previous one's end. At `rows × tiles` exactly (8 KiB
/// at 64 × 32) the 16 values of one tile, one per matrix, fell in the same set of a
/// 12-way L1 cache, and the transforms, which read or write those 16 together, missed it.
pub(crate) fn stride(rows: usize, tiles: usize) -> usize {
    rows * tiles + 16
}

/// Tiles `first .. first + tiles`, numbered row by row (`tiles` and rows of `tiles_wide` tiles
/// multiples of 4: a vector of 4 tiles lies in one row, a block may span rows).
#[derive(Clone, Copy)]
pub(crate) struct Block {
    pub first: usize,
    pub tiles: usize,
    pub tiles_wide: usize,
}

impl Block {
    /// Tile row and column of the block's tile `j`.
    pub fn at(&self, j: usize) -> (usize, usize) {
        let tile = self.first + j;
        (tile / self.tiles_wide, tile % self.tiles_wide)
    }
}

/// `Bᵀ d B` of each of a block's tiles' 4×4 blocks `d`, into `[16][cin][block.tiles]`.
fn transform_input(band: &Band, transformed: &mut [f32], s: &Conv3x3, block: Block) {
    let tiles = block.tiles;
    assert!(transformed.len() >= 16 * stride(s.cin, tiles));
    for ci in 0..s.cin {
        for j in (0..tiles).step_by(4) {
            let (ty, tx) = block.at(j);
            // d[r][c]: lane k holds the block of tile tx + k, whose columns start at 2(tx + k).
            let mut d = [[F4::ZERO; 4]; 4];
            for (r, d_row) in d.iter_mut().enumerate() {
                let row = &band.row(ci, 2 * ty + r, 2 * tx)[..10];
                let (a, b) = (F4::load(&row[0..]), F4::load(&row[4..]));
                let (a2, b2) = (F4::load(&row[2..]), F4::load(&row[6..]));
                *d_row = [a.even(b), a.odd(b), a2.even(b2), a2.odd(b2)];
            }
            // Bᵀ d, then (Bᵀ d) B; Bᵀ = [[1,0,-1,0], [0,1,1,0], [0,-1,1,0], [0,1,0,-1]].
            let mut t = [[F4::ZERO; 4]; 4];
            for c in 0..4 {
                t[0][c] = d[0][c].sub(d[2][c]);
                t[1][c] = d[1][c].add(d[2][c]);
                t[2][c] = d[2][c].sub(d[1][c]);
                t[3][c] = d[1][c].sub(d[3][c]);
            }
            let (at, ld) = (transformed[ci * tiles + j..].as_mut_ptr(), stride(s.cin, tiles));
            for (r, t) in t.iter().enumerate() {
                let v = [t[0].sub(t[2]), t[1].add(t[2]), t[2].sub(t[1]), t[1].sub(t[3])];
                for (c, v) in v.into_iter().enumerate() {
                    // SAFETY: r * 4 + c < 16 matrices of ld ≥ cin × tiles floats (the assert);
                    // this writes row ci, tiles j .. j + 4.
                    unsafe { v.write(at.add((r * 4 + c) * ld)) };
                }
            }
        }
    }
}

/// `products[ξ] = weights[ξ] · transformed[ξ]` for the `positions` positions ξ of the transform
/// domain (16 here, 36 in [`crate::winograd4`]): `[cout × cin]` by `[cin × tiles]`, 4 output
/// channels by 8 tiles per step (8 accumulators).
pub(crate) fn multiply(
    positions: usize,
    weights: &[f32],
    transformed: &[f32],
    products: &mut [f32],
    cin: usize,
    cout: usize,
    tiles: usize,
) {
    let n = positions;
    assert!(weights.len() >= n * cout * cin && transformed.len() >= n * stride(cin, tiles));
    assert!(products.len() >= n * stride(cout, tiles) && tiles.is_multiple_of(4));
    for xi in 0..n {
        let u = &weights[xi * cout * cin..][..cout * cin];
        let v = &transformed[xi * stride(cin, tiles)..][..cin * tiles];
        let m = &mut products[xi * stride(cout, tiles)..][..cout * tiles];
        let mut co = 0;
        while co + 4 <= cout {
            // SAFETY: rows co..co + 4 of u (4 × cin, interleaved by `winograd_weights`) and of m
            // (4 × tiles) are in bounds; v is cin × tiles.
            unsafe { rows4(&u[co * cin..][..4 * cin], v, &mut m[co * tiles..][..4 * tiles], cin, tiles) };
            co += 4;
        }
        for co in co..cout {
            row1(&u[co * cin..][..cin], v, &mut m[co * tiles..][..tiles], tiles);
        }
    }
}

/// Four output rows; `u` holds their weights interleaved, `[cin][4]`.
#[inline(always)]
unsafe fn rows4(u: &[f32], v: &[f32], m: &mut [f32], cin: usize, tiles: usize) {
    let (u, v, m) = (u.as_ptr(), v.as_ptr(), m.as_mut_ptr());
    let mut p = 0;
    unsafe {
        while p + 8 <= tiles {
            let (mut a0, mut a1, mut a2, mut a3) = (F4::ZERO, F4::ZERO, F4::ZERO, F4::ZERO);
            let (mut b0, mut b1, mut b2, mut b3) = (F4::ZERO, F4::ZERO, F4::ZERO, F4::ZERO);
            let (mut vp, mut up) = (v.add(p), u);
            for _ in 0..cin {
                let (v0, v1) = (F4::read(vp), F4::read(vp.add(4)));
                let (w0, w1, w2, w3) =
                    (F4::splat(*up), F4::splat(*up.add(1)), F4::splat(*up.add(2)), F4::splat(*up.add(3)));
                a0 = a0.add(w0.mul(v0));
                b0 = b0.add(w0.mul(v1));
                a1 = a1.add(w1.mul(v0));
                b1 = b1.add(w1.mul(v1));
                a2 = a2.add(w2.mul(v0));
                b2 = b2.add(w2.mul(v1));
                a3 = a3.add(w3.mul(v0));
                b3 = b3.add(w3.mul(v1));
                vp = vp.add(tiles);
                up = up.add(4);
            }
            for (r, (a, b)) in [(a0, b0), (a1, b1), (a2, b2), (a3, b3)].into_iter().enumerate() {
                a.write(m.add(r * tiles + p));
                b.write(m.add(r * tiles + p + 4));
            }
            p += 8;
        }
        if p < tiles {
            let (mut a0, mut a1, mut a2, mut a3) = (F4::ZERO, F4::ZERO, F4::ZERO, F4::ZERO);
            let (mut vp, mut up) = (v.add(p), u);
            for _ in 0..cin {
                let v0 = F4::read(vp);
                a0 = a0.add(F4::splat(*up).mul(v0));
                a1 = a1.add(F4::splat(*up.add(1)).mul(v0));
                a2 = a2.add(F4::splat(*up.add(2)).mul(v0));
                a3 = a3.add(F4::splat(*up.add(3)).mul(v0));
                vp = vp.add(tiles);
                up = up.add(4);
            }
            for (r, a) in [a0, a1, a2, a3].into_iter().enumerate() {
                a.write(m.add(r * tiles + p));
            }
        }
    }
}

/// One output row (the last `cout % 4`).
fn row1(u: &[f32], v: &[f32], m: &mut [f32], tiles: usize) {
    for (p, out) in (0..tiles).step_by(4).zip(m.chunks_exact_mut(4)) {
        let mut acc = F4::ZERO;
        for (ci, &weight) in u.iter().enumerate() {
            acc = acc.add(F4::splat(weight).mul(F4::load(&v[ci * tiles + p..])));
        }
        acc.store(out);
    }
}

/// `Aᵀ m A + bias` of a block's tiles, written into the output planes (padded tiles and rows
/// past the output dropped). Aᵀ = [[1,1,1,0], [0,1,-1,-1]].
fn transform_output(products: &[f32], output: &mut [f32], bias: &[f32], s: &Conv3x3, block: Block) {
    let tiles = block.tiles;
    let (oh, ow) = (s.oh, s.ow);
    assert!(products.len() >= 16 * stride(s.cout, tiles));
    for (co, plane) in output.chunks_exact_mut(oh * ow).enumerate() {
        let b = F4::splat(bias[co]);
        for j in (0..tiles).step_by(4) {
            let (ty, tx) = block.at(j);
            let (at, ld) = (products[co * tiles + j..].as_ptr(), stride(s.cout, tiles));
            // SAFETY: xi < 16, and products holds 16 matrices of ld ≥ cout × tiles floats (the
            // assert), of which this reads row co, tiles j .. j + 4.
            let m = |xi: usize| unsafe { F4::read(at.add(xi * ld)) };
            let mut q = [[F4::ZERO; 2]; 4];
            for (r, q) in q.iter_mut().enumerate() {
                let (m0, m1, m2, m3) = (m(r * 4), m(r * 4 + 1), m(r * 4 + 2), m(r * 4 + 3));
                *q = [m0.add(m1).add(m2), m1.sub(m2).sub(m3)];
            }
            for dy in 0..2 {
                let y = 2 * ty + dy;
                if y >= oh {
                    break;
                }
                let row = |c: usize| {
                    let value = match dy {
                        0 => q[0][c].add(q[1][c]).add(q[2][c]).add(b),
                        _ => q[1][c].sub(q[2][c]).sub(q[3][c]).add(b),
                    };
                    if s.relu {
                        value.max(F4::ZERO)
                    } else {
                        value
                    }
                };
                // Lane k of column c is output column 2(tx + k) + c: interleave the two.
                let (left, right) = (row(0), row(1));
                let x = 2 * tx;
                let out = &mut plane[y * ow..][..ow];
                let kept = ow.saturating_sub(x).min(8);
                if kept == 8 {
                    left.interleave_low(right).store(&mut out[x..]);
                    left.interleave_high(right).store(&mut out[x + 4..]);
                } else if kept > 0 {
                    let mut values = [0.0; 8];
                    left.interleave_low(right).store(&mut values[..4]);
                    left.interleave_high(right).store(&mut values[4..]);
                    out[x..x + kept].copy_from_slice(&values[..kept]);
                }
            }
        }
    }
}
