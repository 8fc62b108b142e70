//! The normalised square difference function: the coarse NSDF of the whole window through
//! the FFT, and the time-domain sums (`products`) every full-rate measurement is made of.

use super::super::decimate::quarter_band;
use super::PitchDetector;

impl PitchDetector {
    /// Fills `nsdf[0..=coarse_lag_hi+1]` from `x` decimated by the layout's factor (lags
    /// in decimated samples).
    pub(super) fn compute_nsdf(&mut self) {
        // Only the real samples take part: counting the pre-roll zeros in m(τ) would
        // depress long lags in the first windows of a stream and favour octave-up picks.
        let n = self.layout.window;
        let valid = self.valid.clamp(1, n);
        let valid = self
            .decimator
            .process(&self.x[n - valid..], &mut self.coarse)
            .max(1);
        quarter_band(&mut self.coarse[..valid]);
        let xs = &self.coarse[..valid];
        self.frame[..valid].copy_from_slice(xs);
        self.frame[valid..].fill(0.0);
        self.fft.autocorrelate(&mut self.frame);
        // frame[τ] = fft_len · r(τ); m(τ) runs down from 2·r(0) as the overlap shrinks.
        let norm = 1.0 / self.layout.fft_len as f64;
        let mut m: f64 = 2.0 * xs.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>();
        for (tau, out) in self.nsdf.iter_mut().enumerate() {
            if tau + 1 >= valid {
                *out = 0.0;
                continue;
            }
            let r = self.frame[tau] as f64 * norm;
            *out = if m > 1e-9 { (2.0 * r / m) as f32 } else { 0.0 };
            let a = xs[tau] as f64;
            let b = xs[valid - 1 - tau] as f64;
            m -= a * a + b * b;
        }
    }
}

/// Lanes of the sums in [`products`]: independent partial sums that the compiler can keep
/// in one SIMD register (a single running sum is a serial chain of additions).
const LANES: usize = 8;

/// Four f32 lanes of a SIMD register: what [`products_x4`] needs of wasm SIMD or SSE.
trait F32x4: Copy {
    fn zero() -> Self;
    /// Loads `s[j..j + 4]`.
    ///
    /// # Safety
    /// `j + 4 <= s.len()`.
    unsafe fn load(s: &[f32], j: usize) -> Self;
    fn add(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn lanes(self) -> [f32; 4];
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl F32x4 for core::arch::wasm32::v128 {
    fn zero() -> Self {
        core::arch::wasm32::f32x4_splat(0.0)
    }
    unsafe fn load(s: &[f32], j: usize) -> Self {
        debug_assert!(j + 4 <= s.len());
        // SAFETY: 4 f32 from j, inside `s` (the caller's contract); wasm loads need no
        // alignment.
        unsafe { core::arch::wasm32::v128_load(s.as_ptr().add(j).cast()) }
    }
    fn add(self, other: Self) -> Self {
        core::arch::wasm32::f32x4_add(self, other)
    }
    fn mul(self, other: Self) -> Self {
        core::arch::wasm32::f32x4_mul(self, other)
    }
    fn lanes(self) -> [f32; 4] {
        use core::arch::wasm32::f32x4_extract_lane as lane;
        [
            lane::<0>(self),
            lane::<1>(self),
            lane::<2>(self),
            lane::<3>(self),
        ]
    }
}

// SAFETY (every `unsafe` below): SSE is part of the x86-64 baseline.
#[cfg(target_arch = "x86_64")]
impl F32x4 for core::arch::x86_64::__m128 {
    fn zero() -> Self {
        unsafe { core::arch::x86_64::_mm_setzero_ps() }
    }
    unsafe fn load(s: &[f32], j: usize) -> Self {
        debug_assert!(j + 4 <= s.len());
        // SAFETY: 4 f32 from j, inside `s` (the caller's contract); `loadu` needs no
        // alignment.
        unsafe { core::arch::x86_64::_mm_loadu_ps(s.as_ptr().add(j)) }
    }
    fn add(self, other: Self) -> Self {
        unsafe { core::arch::x86_64::_mm_add_ps(self, other) }
    }
    fn mul(self, other: Self) -> Self {
        unsafe { core::arch::x86_64::_mm_mul_ps(self, other) }
    }
    fn lanes(self) -> [f32; 4] {
        let mut out = [0.0f32; 4];
        // SAFETY: writes 4 f32 into `out`.
        unsafe { core::arch::x86_64::_mm_storeu_ps(out.as_mut_ptr(), self) };
        out
    }
}

/// Four plain f32s: the portable [`F32x4`], for targets without the SIMD ones above (and
/// natively in a test that checks it gives the SSE version's bits).
impl F32x4 for [f32; 4] {
    fn zero() -> Self {
        [0.0; 4]
    }
    unsafe fn load(s: &[f32], j: usize) -> Self {
        [s[j], s[j + 1], s[j + 2], s[j + 3]]
    }
    fn add(self, other: Self) -> Self {
        core::array::from_fn(|k| self[k] + other[k])
    }
    fn mul(self, other: Self) -> Self {
        core::array::from_fn(|k| self[k] * other[k])
    }
    fn lanes(self) -> [f32; 4] {
        self
    }
}

/// [`products`] on four lanes at a time ([`F32x4`]): [`LANES`] partial sums, each lane
/// computed with the same operations in the same order on every target, so native (SSE),
/// wasm (SIMD) and portable results are bit-identical. LLVM vectorised the portable loop poorly
/// (natively it paired `r[k]` with `m[k]` in two-lane vectors; for wasm it vectorised only a
/// small part): this takes 3.5× fewer instructions natively (callgrind).
#[inline(always)]
fn products_x4<V: F32x4>(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let whole = len - len % LANES;
    let (mut r0, mut r1, mut m0, mut m1) = (V::zero(), V::zero(), V::zero(), V::zero());
    // SAFETY (every load): j + 8 <= whole <= len of each slice.
    let load = |s: &[f32], j: usize| unsafe { V::load(s, j) };
    let pair = |j: usize| (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
    match w {
        None => {
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = pair(j);
                r0 = r0.add(a0.mul(b0));
                r1 = r1.add(a1.mul(b1));
                m0 = m0.add(a0.mul(a0).add(b0.mul(b0)));
                m1 = m1.add(a1.mul(a1).add(b1.mul(b1)));
            }
        }
        Some(w) => {
            let w = &w[..len];
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = pair(j);
                let (w0, w1) = (load(w, j), load(w, j + 4));
                r0 = r0.add(w0.mul(a0).mul(b0));
                r1 = r1.add(w1.mul(a1).mul(b1));
                m0 = m0.add(w0.mul(a0.mul(a0).add(b0.mul(b0))));
                m1 = m1.add(w1.mul(a1.mul(a1).add(b1.mul(b1))));
            }
        }
    }
    let sum = |v0: V, v1: V| v0.lanes().iter().chain(&v1.lanes()).sum::<f32>();
    let (mut r, mut m) = (sum(r0, r1), sum(m0, m1));
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}

/// `(Σ w·a·b, Σ w·(a² + b²))` over the pairs of `a` and `b` (`w` = 1 when `None`), with wasm
/// SIMD ([`products_x4`]). Not inlined: one copy for its callers keeps the wasm small.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
pub(super) fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    products_x4::<core::arch::wasm32::v128>(a, b, w)
}

/// `(Σ w·a·b, Σ w·(a² + b²))` over the pairs of `a` and `b` (`w` = 1 when `None`), with SSE
/// ([`products_x4`]).
#[cfg(target_arch = "x86_64")]
pub(super) fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    products_x4::<core::arch::x86_64::__m128>(a, b, w)
}

/// `(Σ w·a·b, Σ w·(a² + b²))` over the pairs of `a` and `b` (`w` = 1 when `None`), on plain
/// arrays ([`products_x4`]), for targets without the SIMD versions above.
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
pub(super) fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    products_x4::<[f32; 4]>(a, b, w)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    #[test]
    fn the_portable_lanes_give_the_simd_bits() {
        let mut seed = 0x9E37_79B9u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as f32 / u32::MAX as f32 - 0.5
        };
        for len in [0usize, 1, 7, 8, 9, 31, 64, 1000] {
            let (a, b, w): (Vec<f32>, Vec<f32>, Vec<f32>) =
                (0..len).map(|_| (next(), next(), next().abs())).fold(
                    (vec![], vec![], vec![]),
                    |(mut a, mut b, mut w), (x, y, z)| {
                        a.push(x);
                        b.push(y);
                        w.push(z);
                        (a, b, w)
                    },
                );
            for weights in [None, Some(&w[..])] {
                let simd = products(&a, &b, weights);
                let portable = products_x4::<[f32; 4]>(&a, &b, weights);
                assert_eq!(simd.0.to_bits(), portable.0.to_bits(), "len {len}");
                assert_eq!(simd.1.to_bits(), portable.1.to_bits(), "len {len}");
            }
        }
    }
}
