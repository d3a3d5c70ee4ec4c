//! The 4×8 kernel op by op against a plain reference of tract's kernel contract (tract-linalg's
//! generic kernel, `generic/mmm.rs`): every fused operation tract may hand it, on a tile of
//! made-up values, with strided and column-major stores. Only wasm32 + simd128 has the kernel:
//! `scripts/test.sh` runs this under wasm32-wasip1 in Node. The products are summed in the same
//! order as the reference (multiply, then add), so everything must agree to the bit.
#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]

use tract_linalg::mmm::{FusedKerSpec, OutputStoreKer};

const MR: usize = 4;
const NR: usize = 8;
type Tile = [[f32; NR]; MR];

fn made_up(seed: usize, n: usize) -> Vec<f32> {
    (0..n).map(|i| (((i + seed) * 7919 % 211) as f32 - 105.0) / 17.0).collect()
}

fn tile_of(values: &[f32]) -> Tile {
    std::array::from_fn(|r| std::array::from_fn(|c| values[r * NR + c]))
}

/// Runs `op` between a LoadTile of `start` and a row-major Store, on our kernel.
fn ours(start: &Tile, op: FusedKerSpec<f32>) -> Tile {
    let row_major: Vec<f32> = start.iter().flatten().copied().collect();
    let col_major: Vec<f32> = (0..MR * NR).map(|i| start[i % MR][i / MR]).collect();
    let mut out = [[f32::NAN; NR]; MR];
    let store = OutputStoreKer {
        ptr: out.as_mut_ptr() as *mut u8,
        row_byte_stride: (NR * 4) as isize,
        col_byte_stride: 4,
        item_size: 4,
    };
    let ops = [
        FusedKerSpec::LoadTile(col_major.as_ptr(), row_major.as_ptr()),
        op,
        FusedKerSpec::Store(store),
        FusedKerSpec::Done,
    ];
    assert_eq!(unsafe { (playground_gemm::wasm::kernel().kernel)(&ops) }, 0);
    out
}

fn each(start: &Tile, f: impl Fn(usize, usize, f32) -> f32) -> Tile {
    std::array::from_fn(|r| std::array::from_fn(|c| f(r, c, start[r][c])))
}

#[test]
fn every_fused_operation_is_tracts() {
    let start = tile_of(&made_up(1, MR * NR));
    let rows = made_up(2, MR);
    let cols = made_up(3, NR);
    let x = 0.75f32;
    let min = |a: f32, b: f32| if a < b { a } else { b };
    let max = |a: f32, b: f32| if a > b { a } else { b };
    type Case<'a> = (&'static str, FusedKerSpec<f32>, Box<dyn Fn(usize, usize, f32) -> f32 + 'a>);
    let cases: Vec<Case> = vec![
        ("Clear", FusedKerSpec::Clear, Box::new(|_, _, _| 0.0)),
        ("ScalarMin", FusedKerSpec::ScalarMin(x), Box::new(move |_, _, v| min(x, v))),
        ("ScalarMax", FusedKerSpec::ScalarMax(x), Box::new(move |_, _, v| max(x, v))),
        ("ScalarAdd", FusedKerSpec::ScalarAdd(x), Box::new(move |_, _, v| x + v)),
        ("ScalarMul", FusedKerSpec::ScalarMul(x), Box::new(move |_, _, v| x * v)),
        ("ScalarSub", FusedKerSpec::ScalarSub(x), Box::new(move |_, _, v| x - v)),
        ("ScalarSubF", FusedKerSpec::ScalarSubF(x), Box::new(move |_, _, v| v - x)),
        ("LeakyRelu", FusedKerSpec::LeakyRelu(0.1), Box::new(|_, _, v| if v > 0.0 { v } else { 0.1 * v })),
        ("PerRowMin", FusedKerSpec::PerRowMin(rows.as_ptr()), Box::new(|r, _, v| min(rows[r], v))),
        ("PerRowMax", FusedKerSpec::PerRowMax(rows.as_ptr()), Box::new(|r, _, v| max(rows[r], v))),
        ("PerRowAdd", FusedKerSpec::PerRowAdd(rows.as_ptr()), Box::new(|r, _, v| rows[r] + v)),
        ("PerRowMul", FusedKerSpec::PerRowMul(rows.as_ptr()), Box::new(|r, _, v| rows[r] * v)),
        ("PerRowSub", FusedKerSpec::PerRowSub(rows.as_ptr()), Box::new(|r, _, v| rows[r] - v)),
        ("PerRowSubF", FusedKerSpec::PerRowSubF(rows.as_ptr()), Box::new(|r, _, v| v - rows[r])),
        ("PerColMin", FusedKerSpec::PerColMin(cols.as_ptr()), Box::new(|_, c, v| min(cols[c], v))),
        ("PerColMax", FusedKerSpec::PerColMax(cols.as_ptr()), Box::new(|_, c, v| max(cols[c], v))),
        ("PerColAdd", FusedKerSpec::PerColAdd(cols.as_ptr()), Box::new(|_, c, v| cols[c] + v)),
        ("PerColMul", FusedKerSpec::PerColMul(cols.as_ptr()), Box::new(|_, c, v| cols[c] * v)),
        ("PerColSub", FusedKerSpec::PerColSub(cols.as_ptr()), Box::new(|_, c, v| cols[c] - v)),
        ("PerColSubF", FusedKerSpec::PerColSubF(cols.as_ptr()), Box::new(|_, c, v| v - cols[c])),
        (
            "AddRowColProducts",
            FusedKerSpec::AddRowColProducts(rows.as_ptr(), cols.as_ptr()),
            Box::new(|r, c, v| v + rows[r] * cols[c]),
        ),
    ];
    for (name, op, f) in &cases {
        assert_eq!(ours(&start, *op), each(&start, f), "{name}");
    }
}

#[test]
fn products_are_summed_as_tract_sums_them() {
    for k in [0, 1, 2, 7, 33, 256] {
        let a = made_up(4, k * MR); // packed [k][4]
        let b = made_up(5, k * NR); // packed [k][8]
        let start = tile_of(&made_up(6, MR * NR));
        let op = FusedKerSpec::AddMatMul {
            k,
            pa: a.as_ptr() as *const u8,
            pb: b.as_ptr() as *const u8,
            packing: 0,
        };
        let want = each(&start, |r, c, v| (0..k).fold(v, |acc, i| acc + a[i * MR + r] * b[i * NR + c]));
        assert_eq!(ours(&start, op), want, "k = {k}");
    }
}

#[test]
fn strided_stores_and_unicast_adds_reach_every_cell() {
    let start = tile_of(&made_up(7, MR * NR));
    // A column-major tile with a gap after each column (tract's scratch for edge tiles), and a
    // row-major one with a gap after each row.
    for (row_stride, col_stride, len) in [(1, MR + 3, NR * (MR + 3)), (NR + 5, 1, MR * (NR + 5))] {
        let other = made_up(8, len);
        let at = |r: usize, c: usize| r * row_stride + c * col_stride;
        let mut out = vec![f32::NAN; len];
        let tile = |p: *const f32| OutputStoreKer {
            ptr: p as *mut u8,
            row_byte_stride: (row_stride * 4) as isize,
            col_byte_stride: (col_stride * 4) as isize,
            item_size: 4,
        };
        let row_major: Vec<f32> = start.iter().flatten().copied().collect();
        let ops = [
            FusedKerSpec::LoadTile(std::ptr::null(), row_major.as_ptr()),
            FusedKerSpec::AddUnicast(tile(other.as_ptr())),
            FusedKerSpec::Store(tile(out.as_mut_ptr())),
            FusedKerSpec::Done,
        ];
        assert_eq!(unsafe { (playground_gemm::wasm::kernel().kernel)(&ops) }, 0);
        for r in 0..MR {
            for c in 0..NR {
                assert_eq!(out[at(r, c)], start[r][c] + other[at(r, c)], "row {r}, column {c}");
            }
        }
        let written =
            (0..MR).flat_map(|r| (0..NR).map(move |c| at(r, c))).collect::<std::collections::BTreeSet<_>>();
        assert!(
            out.iter().enumerate().all(|(i, v)| written.contains(&i) != v.is_nan()),
            "only the tile's cells"
        );
    }
}
