//! The kernel, its registry entry and its tier (wasm32 + simd128 only).
//!
//! The tile is 4 rows × 8 columns: row `r` is `acc[2r]` (columns 0–3) and `acc[2r + 1]` (4–7),
//! row-major as tract's `LoadTile` scratch expects. A is packed `[k][4]`, B `[k][8]`.

use std::arch::wasm32::*;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use tract_data::prelude::DatumType;
use tract_linalg::isa::{Arch, IsaSet};
use tract_linalg::mmm::{DynKernel, FusedKerSpec, MatMatMul, OutputStoreKer, Query, Suitable};
use tract_linalg::mmm_routines::MmmRoutine;
use tract_linalg::mmm_tiers::MmmTier;
use tract_linalg::pack::Packing;
use tract_linalg::Scaler;

use crate::{ENABLED, KERNEL_NAME};

type Tile = [v128; 8];

/// The kernel as registered (`tests/kernel.rs` runs it op by op).
pub fn kernel() -> &'static DynKernel<4, 8, f32> {
    static KERNEL: OnceLock<DynKernel<4, 8, f32>> = OnceLock::new();
    KERNEL.get_or_init(|| {
        let mut k = DynKernel::<4, 8, f32>::new(
            KERNEL_NAME,
            run,
            <f32 as Packing>::packing(4),
            <f32 as Packing>::packing(8),
        );
        k.arch = Some(Arch::Wasm32Simd128);
        k
    })
}

fn make() -> Box<dyn MatMatMul> {
    kernel().mmm()
}

/// tract's wasm tier asks for its 8×8 on every f32 product with more than one column; this one
/// asks for ours there, and leaves matrix-vector products (one column) to tract's GEMV kernels.
fn preferred(
    _isa: &IsaSet,
    accumulator: DatumType,
    query: &Query,
    _suitable: &[Suitable],
) -> Option<&'static str> {
    if !ENABLED.load(Ordering::Relaxed) || accumulator != DatumType::F32 || query.n == Some(1) {
        return None;
    }
    Some(KERNEL_NAME)
}

inventory::submit! { MmmRoutine { make } }

inventory::submit! {
    MmmTier {
        arch: Some(Arch::Wasm32Simd128),
        precedence: 2,
        name: "playground-4x8",
        applies: |_| true,
        preferred,
    }
}

pub(crate) fn register() {
    std::hint::black_box((make as fn() -> Box<dyn MatMatMul>, preferred as *const ()));
}

#[inline(always)]
fn madd(acc: v128, a: v128, b: v128) -> v128 {
    // Not fused: AddMatMul and AddRowColProducts must round alike, and tract's wasm kernels
    // do the same without relaxed-simd.
    f32x4_add(acc, f32x4_mul(a, b))
}

#[inline(always)]
fn each(acc: &mut Tile, f: impl Fn(v128) -> v128) {
    for v in acc.iter_mut() {
        *v = f(*v);
    }
}

/// `op(row value, acc)` for each row, the row's value splatted.
#[inline(always)]
unsafe fn per_row(acc: &mut Tile, rows: *const f32, op: impl Fn(v128, v128) -> v128) {
    for r in 0..4 {
        let s = f32x4_splat(unsafe { *rows.add(r) });
        acc[2 * r] = op(s, acc[2 * r]);
        acc[2 * r + 1] = op(s, acc[2 * r + 1]);
    }
}

/// `op(column values, acc)` for each row.
#[inline(always)]
unsafe fn per_col(acc: &mut Tile, cols: *const f32, op: impl Fn(v128, v128) -> v128) {
    let (lo, hi) = unsafe { (v128_load(cols as *const v128), v128_load(cols.add(4) as *const v128)) };
    for r in 0..4 {
        acc[2 * r] = op(lo, acc[2 * r]);
        acc[2 * r + 1] = op(hi, acc[2 * r + 1]);
    }
}

#[inline(always)]
unsafe fn at(tile: &OutputStoreKer, r: usize, c: usize) -> *mut f32 {
    unsafe {
        tile.ptr.offset(r as isize * tile.row_byte_stride + c as isize * tile.col_byte_stride) as *mut f32
    }
}

#[inline(always)]
fn lanes(v: v128) -> [f32; 4] {
    [
        f32x4_extract_lane::<0>(v),
        f32x4_extract_lane::<1>(v),
        f32x4_extract_lane::<2>(v),
        f32x4_extract_lane::<3>(v),
    ]
}

/// The product loop: per step one vector of A (the 4 rows), splatted lane by lane with a shuffle
/// (V8 runs that faster than 4 scalar loads and splats), and two vectors of B.
#[inline(always)]
unsafe fn add_mat_mul(acc: &mut Tile, k: usize, a: *const v128, b: *const v128) {
    let [mut c0, mut c1, mut c2, mut c3, mut c4, mut c5, mut c6, mut c7] = *acc;
    for i in 0..k {
        let (av, blo, bhi) =
            unsafe { (v128_load(a.add(i)), v128_load(b.add(2 * i)), v128_load(b.add(2 * i + 1))) };
        let s = i32x4_shuffle::<0, 0, 0, 0>(av, av);
        c0 = madd(c0, s, blo);
        c1 = madd(c1, s, bhi);
        let s = i32x4_shuffle::<1, 1, 1, 1>(av, av);
        c2 = madd(c2, s, blo);
        c3 = madd(c3, s, bhi);
        let s = i32x4_shuffle::<2, 2, 2, 2>(av, av);
        c4 = madd(c4, s, blo);
        c5 = madd(c5, s, bhi);
        let s = i32x4_shuffle::<3, 3, 3, 3>(av, av);
        c6 = madd(c6, s, blo);
        c7 = madd(c7, s, bhi);
    }
    *acc = [c0, c1, c2, c3, c4, c5, c6, c7];
}

/// tract's kernel contract: run the fused operations in order until `Done`, 0 for success.
unsafe fn run(ops: &[FusedKerSpec<f32>]) -> isize {
    let mut acc: Tile = [f32x4_splat(0.0); 8];
    for op in ops {
        // SAFETY (every arm): tract hands valid pointers for the tile's 4 rows and 8 columns.
        unsafe {
            match *op {
                FusedKerSpec::Done => break,
                FusedKerSpec::Clear => acc = [f32x4_splat(0.0); 8],
                FusedKerSpec::LoadTile(_cols, rows) => {
                    let p = rows as *const v128;
                    for (i, v) in acc.iter_mut().enumerate() {
                        *v = v128_load(p.add(i));
                    }
                }
                FusedKerSpec::ScalarMin(a) => each(&mut acc, |v| f32x4_min(f32x4_splat(a), v)),
                FusedKerSpec::ScalarMax(a) => each(&mut acc, |v| f32x4_max(f32x4_splat(a), v)),
                FusedKerSpec::ScalarAdd(a) => each(&mut acc, |v| f32x4_add(f32x4_splat(a), v)),
                FusedKerSpec::ScalarMul(a) => each(&mut acc, |v| f32x4_mul(f32x4_splat(a), v)),
                FusedKerSpec::ScalarSub(a) => each(&mut acc, |v| f32x4_sub(f32x4_splat(a), v)),
                FusedKerSpec::ScalarSubF(a) => each(&mut acc, |v| f32x4_sub(v, f32x4_splat(a))),
                FusedKerSpec::LeakyRelu(a) => each(&mut acc, |v| {
                    v128_bitselect(v, f32x4_mul(f32x4_splat(a), v), f32x4_gt(v, f32x4_splat(0.0)))
                }),
                FusedKerSpec::PerRowMin(p) => per_row(&mut acc, p, |x, v| f32x4_min(x, v)),
                FusedKerSpec::PerRowMax(p) => per_row(&mut acc, p, |x, v| f32x4_max(x, v)),
                FusedKerSpec::PerRowAdd(p) => per_row(&mut acc, p, |x, v| f32x4_add(x, v)),
                FusedKerSpec::PerRowMul(p) => per_row(&mut acc, p, |x, v| f32x4_mul(x, v)),
                FusedKerSpec::PerRowSub(p) => per_row(&mut acc, p, |x, v| f32x4_sub(x, v)),
                FusedKerSpec::PerRowSubF(p) => per_row(&mut acc, p, |s, v| f32x4_sub(v, s)),
                FusedKerSpec::PerColMin(p) => per_col(&mut acc, p, |x, v| f32x4_min(x, v)),
                FusedKerSpec::PerColMax(p) => per_col(&mut acc, p, |x, v| f32x4_max(x, v)),
                FusedKerSpec::PerColAdd(p) => per_col(&mut acc, p, |x, v| f32x4_add(x, v)),
                FusedKerSpec::PerColMul(p) => per_col(&mut acc, p, |x, v| f32x4_mul(x, v)),
                FusedKerSpec::PerColSub(p) => per_col(&mut acc, p, |x, v| f32x4_sub(x, v)),
                FusedKerSpec::PerColSubF(p) => per_col(&mut acc, p, |c, v| f32x4_sub(v, c)),
                FusedKerSpec::QScale(shift, rp, mult) => {
                    let s = Scaler::from_fuse_params(shift, rp, mult).scale;
                    each(&mut acc, |v| f32x4_mul(f32x4_splat(s), v))
                }
                FusedKerSpec::RoundingShiftRight(shift, _) => {
                    each(&mut acc, |v| f32x4_mul(f32x4_splat(2f32.powi(-(shift as i32))), v))
                }
                FusedKerSpec::ShiftLeft(shift) => {
                    each(&mut acc, |v| f32x4_mul(f32x4_splat(2f32.powi(shift as i32)), v))
                }
                FusedKerSpec::AddUnicast(tile) => {
                    for r in 0..4 {
                        let m: [f32; 8] = std::array::from_fn(|c| *at(&tile, r, c));
                        acc[2 * r] = f32x4_add(acc[2 * r], f32x4(m[0], m[1], m[2], m[3]));
                        acc[2 * r + 1] = f32x4_add(acc[2 * r + 1], f32x4(m[4], m[5], m[6], m[7]));
                    }
                }
                FusedKerSpec::AddRowColProducts(rows, cols) => {
                    let (lo, hi) = (v128_load(cols as *const v128), v128_load(cols.add(4) as *const v128));
                    for r in 0..4 {
                        let s = f32x4_splat(*rows.add(r));
                        acc[2 * r] = madd(acc[2 * r], s, lo);
                        acc[2 * r + 1] = madd(acc[2 * r + 1], s, hi);
                    }
                }
                FusedKerSpec::Store(tile) => {
                    for r in 0..4 {
                        let [x0, x1, x2, x3] = lanes(acc[2 * r]);
                        let [x4, x5, x6, x7] = lanes(acc[2 * r + 1]);
                        for (c, x) in [x0, x1, x2, x3, x4, x5, x6, x7].into_iter().enumerate() {
                            *at(&tile, r, c) = x;
                        }
                    }
                }
                FusedKerSpec::AddMatMul { k, pa, pb, packing: _ } => {
                    add_mat_mul(&mut acc, k, pa as *const v128, pb as *const v128)
                }
            }
        }
    }
    0
}
