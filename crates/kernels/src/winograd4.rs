//! 3×3 stride-1 convolution by Winograd's F(4×4, 3×3) (Lavin & Gray, 2015): the same scheme as
//! [`crate::winograd`]'s F(2×2, 3×3), with 4×4 output tiles from 6×6 input blocks and a 6×6
//! transform domain: 36 products per tile and channel pair instead of 4 × 16 = 64 for the same
//! 16 outputs, 1.78× fewer multiply-adds in the matrix products that dominate a wide
//! convolution, for larger rounding errors (the transforms multiply by up to 8 and ¼, ⅙, 1⁄24).
//!
//! Layout as in [`crate::winograd`]: 4 neighbouring tiles of a tile row fill one SIMD vector;
//! a tile's columns start at 4 × its index, so the transforms transpose 4×4 blocks of a row
//! between the plane's order and the tiles'.

use crate::simd::F4;
use crate::winograd::{multiply, stride, weight_index, Band, Block, Conv3x3};
use std::cell::RefCell;

/// Positions of the transform domain.
pub const POSITIONS: usize = 36;

fn tiles_high(s: &Conv3x3) -> usize {
    s.oh.div_ceil(4)
}
/// Tiles per row, padded to whole vectors.
fn tiles_wide(s: &Conv3x3) -> usize {
    s.ow.div_ceil(4).next_multiple_of(4)
}
/// The width of the zero-padded input rows the input transform reads: each tile's 6×6 block,
/// padded tiles' too, and the 2 columns past the last block that its row loads (5 vectors from
/// 4 × tile).
fn padded_width(s: &Conv3x3) -> usize {
    4 * tiles_wide(s) + 4
}

/// The kernel `[cout, cin, 3, 3]` in the transform domain, `G g Gᵀ`: 36 matrices `[cout][cin]`,
/// rows interleaved by 4 as [`crate::winograd::winograd_weights`] does.
pub fn winograd_weights(kernel: &[f32], cin: usize, cout: usize) -> Vec<f32> {
    assert_eq!(kernel.len(), cout * cin * 9);
    // G = [[¼,0,0], [-⅙,-⅙,-⅙], [-⅙,⅙,-⅙], [1⁄24,1⁄12,⅙], [1⁄24,-1⁄12,⅙], [0,0,1]], in f64.
    let g_rows: [[f64; 3]; 6] = [
        [0.25, 0.0, 0.0],
        [-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0],
        [-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0],
        [1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0],
        [1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0],
        [0.0, 0.0, 1.0],
    ];
    let mut u = vec![0.0; POSITIONS * cout * cin];
    for co in 0..cout {
        for ci in 0..cin {
            let g = &kernel[(co * cin + ci) * 9..][..9];
            for (r, gr) in g_rows.iter().enumerate() {
                for (c, gc) in g_rows.iter().enumerate() {
                    // (G g Gᵀ)[r][c] = Σ G[r][i] g[i][j] G[c][j]
                    let mut value = 0.0f64;
                    for i in 0..3 {
                        for j in 0..3 {
                            value += gr[i] * f64::from(g[i * 3 + j]) * gc[j];
                        }
                    }
                    u[(r * 6 + c) * cout * cin + weight_index(co, ci, cin, cout)] = value as f32;
                }
            }
        }
    }
    u
}

thread_local! {
    /// Scratch reused across calls (a band of padded input rows, one block's transformed input
    /// and products).
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Tiles per block (each 4×4 outputs): a block's transformed input and products are
/// `36 × channels × BLOCK` floats each (144 KiB at 64 channels).
const BLOCK: usize = 16;

/// `output = conv3x3(input, kernel) + bias` (then ReLU if `shape.relu`), with the kernel as
/// this module's [`winograd_weights`] returns it.
pub fn conv3x3(input: &[f32], output: &mut [f32], weights: &[f32], bias: &[f32], shape: &Conv3x3) {
    let Conv3x3 { cin, cout, h, w, oh, ow, .. } = *shape;
    assert_eq!(input.len(), cin * h * w);
    assert_eq!(output.len(), cout * oh * ow);
    assert_eq!(weights.len(), POSITIONS * cout * cin);
    assert_eq!(bias.len(), cout);
    if output.is_empty() {
        return;
    }
    let pw = padded_width(shape);
    let (th, tw) = (tiles_high(shape), tiles_wide(shape));
    let band_tile_rows = (BLOCK / tw).max(1);
    SCRATCH.with_borrow_mut(|scratch| {
        let band_len = cin * (4 * band_tile_rows + 2) * pw;
        let needed = band_len + POSITIONS * (stride(cin, BLOCK) + stride(cout, BLOCK));
        if scratch.len() < needed {
            scratch.resize(needed, 0.0);
        }
        let (band, rest) = scratch.split_at_mut(band_len);
        let (transformed, rest) = rest.split_at_mut(POSITIONS * stride(cin, BLOCK));
        let products = &mut rest[..POSITIONS * stride(cout, BLOCK)];
        for ty in (0..th).step_by(band_tile_rows) {
            let end = (ty + band_tile_rows).min(th);
            let band = Band::fill(input, band, shape, pw, 4 * ty, 4 * (end - ty) + 2);
            for first in (ty * tw..end * tw).step_by(BLOCK) {
                let block = Block { first, tiles: BLOCK.min(end * tw - first), tiles_wide: tw };
                transform_input(&band, transformed, shape, block);
                multiply(POSITIONS, weights, transformed, products, cin, cout, block.tiles);
                transform_output(products, output, bias, shape, block);
            }
        }
    });
}

/// Columns 0..4 of four tiles from the 5 vectors of a row that start at the first tile's
/// column: lane k of column c is `a[k][c]` (a 4×4 transpose), of columns 4 and 5 `a[k + 1][c - 4]`.
#[inline(always)]
fn columns(a: [F4; 5]) -> [F4; 6] {
    let (t0, t1) = (a[0].interleave_low(a[1]), a[2].interleave_low(a[3]));
    let (t2, t3) = (a[0].interleave_high(a[1]), a[2].interleave_high(a[3]));
    let (u0, u1) = (a[1].interleave_low(a[2]), a[3].interleave_low(a[4]));
    [
        t0.low_halves(t1),
        t0.high_halves(t1),
        t2.low_halves(t3),
        t2.high_halves(t3),
        u0.low_halves(u1),
        u0.high_halves(u1),
    ]
}

/// `Bᵀ d` along one axis: Bᵀ = [[4,0,-5,0,1,0], [0,-4,-4,1,1,0], [0,4,-4,-1,1,0],
/// [0,-2,-1,2,1,0], [0,2,-1,-2,1,0], [0,4,0,-5,0,1]].
#[inline(always)]
fn b_transpose(d: [F4; 6]) -> [F4; 6] {
    let (four, five, two) = (F4::splat(4.0), F4::splat(5.0), F4::splat(2.0));
    let d42 = d[4].sub(d[2]);
    let d31 = d[3].sub(d[1]).mul(two);
    let d34 = d[3].add(d[4]);
    let d12 = d[1].add(d[2]).mul(four);
    let e43 = d[4].sub(d[3]);
    let e12 = d[1].sub(d[2]).mul(four);
    [
        d[0].mul(four).sub(d[2].mul(five)).add(d[4]),
        d34.sub(d12),
        e43.add(e12),
        d42.add(d31),
        d42.sub(d31),
        d[1].mul(four).sub(d[3].mul(five)).add(d[5]),
    ]
}

/// `Bᵀ d B` of the 6×6 input blocks of a block's tiles, into `[36][cin][tiles]`.
fn transform_input(band: &Band, transformed: &mut [f32], s: &Conv3x3, block: Block) {
    let tiles = block.tiles;
    let ld = stride(s.cin, tiles);
    assert!(transformed.len() >= POSITIONS * ld);
    for ci in 0..s.cin {
        for j in (0..tiles).step_by(4) {
            let (ty, tx) = block.at(j);
            // Rows of the blocks, each as 6 columns of 4 tiles, already transformed along x
            // ((d B) row by row), then along y.
            let mut rows = [[F4::ZERO; 6]; 6];
            for (r, row_out) in rows.iter_mut().enumerate() {
                let row = &band.row(ci, 4 * ty + r, 4 * tx)[..20];
                let a = std::array::from_fn(|k| F4::load(&row[4 * k..]));
                *row_out = b_transpose(columns(a));
            }
            let at = transformed[ci * tiles + j..].as_mut_ptr();
            #[allow(clippy::needless_range_loop)] // c picks a column of every row
            for c in 0..6 {
                let v = b_transpose(std::array::from_fn(|r| rows[r][c]));
                for (r, v) in v.into_iter().enumerate() {
                    // SAFETY: r * 6 + c < 36 matrices of ld ≥ cin × tiles floats (the assert);
                    // this writes row ci, tiles j .. j + 4.
                    unsafe { v.write(at.add((r * 6 + c) * ld)) };
                }
            }
        }
    }
}

/// `Aᵀ m` along one axis: Aᵀ = [[1,1,1,1,1,0], [0,1,-1,2,-2,0], [0,1,1,4,4,0], [0,1,-1,8,-8,1]].
#[inline(always)]
fn a_transpose(m: [F4; 6]) -> [F4; 4] {
    let (p12, q12) = (m[1].add(m[2]), m[1].sub(m[2]));
    let (p34, q34) = (m[3].add(m[4]), m[3].sub(m[4]));
    [
        m[0].add(p12).add(p34),
        q12.add(q34.mul(F4::splat(2.0))),
        p12.add(p34.mul(F4::splat(4.0))),
        q12.add(q34.mul(F4::splat(8.0))).add(m[5]),
    ]
}

/// `Aᵀ m A + bias` of a block's tiles, written into the output planes (padded tiles and rows
/// past the output dropped).
fn transform_output(products: &[f32], output: &mut [f32], bias: &[f32], s: &Conv3x3, block: Block) {
    let tiles = block.tiles;
    let (oh, ow) = (s.oh, s.ow);
    let ld = stride(s.cout, tiles);
    assert!(products.len() >= POSITIONS * ld);
    for (co, plane) in output.chunks_exact_mut(oh * ow).enumerate() {
        let b = F4::splat(bias[co]);
        for j in (0..tiles).step_by(4) {
            let (ty, tx) = block.at(j);
            let at = products[co * tiles + j..].as_ptr();
            // SAFETY: xi < 36, and products holds 36 matrices of ld ≥ cout × tiles floats (the
            // assert), of which this reads row co, tiles j .. j + 4.
            let m = |xi: usize| unsafe { F4::read(at.add(xi * ld)) };
            // Along x first: z[r] = (m A)[r], 4 columns.
            let z: [[F4; 4]; 6] = std::array::from_fn(|r| a_transpose(std::array::from_fn(|c| m(r * 6 + c))));
            let cols: [[F4; 4]; 4] = std::array::from_fn(|c| a_transpose(std::array::from_fn(|r| z[r][c])));
            // rows[dy][c]: lane k is output (4ty + dy, 4(tx + k) + c).
            let rows: [[F4; 4]; 4] = std::array::from_fn(|dy| std::array::from_fn(|c| cols[c][dy]));
            for (dy, row) in rows.iter().enumerate() {
                let y = 4 * ty + dy;
                if y >= oh {
                    break;
                }
                let value = |c: usize| {
                    let v = row[c].add(b);
                    if s.relu {
                        v.max(F4::ZERO)
                    } else {
                        v
                    }
                };
                let (c0, c1, c2, c3) = (value(0), value(1), value(2), value(3));
                // Transpose: vector k = the 4 columns of tile tx + k.
                let (t0, t1) = (c0.interleave_low(c1), c2.interleave_low(c3));
                let (t2, t3) = (c0.interleave_high(c1), c2.interleave_high(c3));
                let tilewise = [t0.low_halves(t1), t0.high_halves(t1), t2.low_halves(t3), t2.high_halves(t3)];
                let x = 4 * tx;
                let out = &mut plane[y * ow..][..ow];
                let kept = ow.saturating_sub(x).min(16);
                if kept == 16 {
                    for (k, v) in tilewise.into_iter().enumerate() {
                        v.store(&mut out[x + 4 * k..]);
                    }
                } else if kept > 0 {
                    let mut values = [0.0; 16];
                    for (k, v) in tilewise.into_iter().enumerate() {
                        v.store(&mut values[4 * k..]);
                    }
                    out[x..x + kept].copy_from_slice(&values[..kept]);
                }
            }
        }
    }
}
