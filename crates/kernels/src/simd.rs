//! Four f32 lanes: wasm SIMD's `v128` where the build has simd128, else a plain array (which
//! the native compiler vectorizes itself). One source for both, so the native tests run the
//! same algorithm the browser does.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use std::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl F4 {
        pub const ZERO: F4 = F4(f32x4(0.0, 0.0, 0.0, 0.0));

        /// The first four values of `values`.
        #[inline(always)]
        pub fn load(values: &[f32]) -> F4 {
            assert!(values.len() >= 4);
            // SAFETY: four values in bounds (the assert); v128 loads need no alignment.
            F4(unsafe { v128_load(values.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, out: &mut [f32]) {
            assert!(out.len() >= 4);
            // SAFETY: as in `load`.
            unsafe { v128_store(out.as_mut_ptr() as *mut v128, self.0) }
        }
        /// # Safety
        /// Four values readable at `at`.
        #[inline(always)]
        pub unsafe fn read(at: *const f32) -> F4 {
            F4(unsafe { v128_load(at as *const v128) })
        }
        /// # Safety
        /// Four values writable at `at`.
        #[inline(always)]
        pub unsafe fn write(self, at: *mut f32) {
            unsafe { v128_store(at as *mut v128, self.0) }
        }
        #[inline(always)]
        pub fn splat(value: f32) -> F4 {
            F4(f32x4_splat(value))
        }
        #[inline(always)]
        pub fn add(self, other: F4) -> F4 {
            F4(f32x4_add(self.0, other.0))
        }
        #[inline(always)]
        pub fn sub(self, other: F4) -> F4 {
            F4(f32x4_sub(self.0, other.0))
        }
        #[inline(always)]
        pub fn mul(self, other: F4) -> F4 {
            F4(f32x4_mul(self.0, other.0))
        }
        #[inline(always)]
        pub fn max(self, other: F4) -> F4 {
            F4(f32x4_max(self.0, other.0))
        }
        /// Lanes 0, 2 of `self` then 0, 2 of `other`.
        #[inline(always)]
        pub fn even(self, other: F4) -> F4 {
            F4(i32x4_shuffle::<0, 2, 4, 6>(self.0, other.0))
        }
        /// Lanes 1, 3 of `self` then 1, 3 of `other`.
        #[inline(always)]
        pub fn odd(self, other: F4) -> F4 {
            F4(i32x4_shuffle::<1, 3, 5, 7>(self.0, other.0))
        }
        /// `self[0], other[0], self[1], other[1]`.
        #[inline(always)]
        pub fn interleave_low(self, other: F4) -> F4 {
            F4(i32x4_shuffle::<0, 4, 1, 5>(self.0, other.0))
        }
        /// `self[2], other[2], self[3], other[3]`.
        #[inline(always)]
        pub fn interleave_high(self, other: F4) -> F4 {
            F4(i32x4_shuffle::<2, 6, 3, 7>(self.0, other.0))
        }
        /// `self[0], self[1], other[0], other[1]`.
        #[inline(always)]
        pub fn low_halves(self, other: F4) -> F4 {
            F4(i32x4_shuffle::<0, 1, 4, 5>(self.0, other.0))
        }
        /// `self[2], self[3], other[2], other[3]`.
        #[inline(always)]
        pub fn high_halves(self, other: F4) -> F4 {
            F4(i32x4_shuffle::<2, 3, 6, 7>(self.0, other.0))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    impl F4 {
        pub const ZERO: F4 = F4([0.0; 4]);

        #[inline(always)]
        pub fn load(values: &[f32]) -> F4 {
            F4(values[..4].try_into().unwrap())
        }
        #[inline(always)]
        pub fn store(self, out: &mut [f32]) {
            out[..4].copy_from_slice(&self.0);
        }
        /// # Safety
        /// Four values readable at `at`.
        #[inline(always)]
        pub unsafe fn read(at: *const f32) -> F4 {
            F4(unsafe { at.cast::<[f32; 4]>().read_unaligned() })
        }
        /// # Safety
        /// Four values writable at `at`.
        #[inline(always)]
        pub unsafe fn write(self, at: *mut f32) {
            unsafe { at.cast::<[f32; 4]>().write_unaligned(self.0) }
        }
        #[inline(always)]
        pub fn splat(value: f32) -> F4 {
            F4([value; 4])
        }
        #[inline(always)]
        fn zip(self, other: F4, f: impl Fn(f32, f32) -> f32) -> F4 {
            F4(std::array::from_fn(|i| f(self.0[i], other.0[i])))
        }
        #[inline(always)]
        pub fn add(self, other: F4) -> F4 {
            self.zip(other, |a, b| a + b)
        }
        #[inline(always)]
        pub fn sub(self, other: F4) -> F4 {
            self.zip(other, |a, b| a - b)
        }
        #[inline(always)]
        pub fn mul(self, other: F4) -> F4 {
            self.zip(other, |a, b| a * b)
        }
        #[inline(always)]
        pub fn max(self, other: F4) -> F4 {
            self.zip(other, f32::max)
        }
        #[inline(always)]
        fn pick(self, other: F4, lanes: [usize; 4]) -> F4 {
            F4(lanes.map(|i| if i < 4 { self.0[i] } else { other.0[i - 4] }))
        }
        pub fn even(self, other: F4) -> F4 {
            self.pick(other, [0, 2, 4, 6])
        }
        pub fn odd(self, other: F4) -> F4 {
            self.pick(other, [1, 3, 5, 7])
        }
        pub fn interleave_low(self, other: F4) -> F4 {
            self.pick(other, [0, 4, 1, 5])
        }
        pub fn interleave_high(self, other: F4) -> F4 {
            self.pick(other, [2, 6, 3, 7])
        }
        pub fn low_halves(self, other: F4) -> F4 {
            self.pick(other, [0, 1, 4, 5])
        }
        pub fn high_halves(self, other: F4) -> F4 {
            self.pick(other, [2, 3, 6, 7])
        }
    }
}

pub use imp::F4;
