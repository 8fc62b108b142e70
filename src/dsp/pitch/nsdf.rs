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

/// [`products`] with wasm SIMD: the same [`LANES`] partial sums, each lane computed with
/// the same operations in the same order, so the result is bit-identical to the scalar
/// version (LLVM vectorises only a small part of the scalar loop for wasm).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
pub(super) fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    use core::arch::wasm32::{
        f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load,
    };
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let whole = len - len % LANES;
    let zero = f32x4_splat(0.0);
    let (mut r0, mut r1, mut m0, mut m1) = (zero, zero, zero, zero);
    // SAFETY: every load reads 4 f32 at j or j + 4 with j + 8 <= whole <= len of each slice;
    // wasm loads need no alignment.
    let load = |s: &[f32], j: usize| unsafe { v128_load(s.as_ptr().add(j).cast::<v128>()) };
    match w {
        None => {
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                r0 = f32x4_add(r0, f32x4_mul(a0, b0));
                r1 = f32x4_add(r1, f32x4_mul(a1, b1));
                m0 = f32x4_add(m0, f32x4_add(f32x4_mul(a0, a0), f32x4_mul(b0, b0)));
                m1 = f32x4_add(m1, f32x4_add(f32x4_mul(a1, a1), f32x4_mul(b1, b1)));
            }
        }
        Some(w) => {
            let w = &w[..len];
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                let (w0, w1) = (load(w, j), load(w, j + 4));
                r0 = f32x4_add(r0, f32x4_mul(f32x4_mul(w0, a0), b0));
                r1 = f32x4_add(r1, f32x4_mul(f32x4_mul(w1, a1), b1));
                m0 = f32x4_add(
                    m0,
                    f32x4_mul(w0, f32x4_add(f32x4_mul(a0, a0), f32x4_mul(b0, b0))),
                );
                m1 = f32x4_add(
                    m1,
                    f32x4_mul(w1, f32x4_add(f32x4_mul(a1, a1), f32x4_mul(b1, b1))),
                );
            }
        }
    }
    let lanes = |v0: v128, v1: v128| -> [f32; LANES] {
        [
            f32x4_extract_lane::<0>(v0),
            f32x4_extract_lane::<1>(v0),
            f32x4_extract_lane::<2>(v0),
            f32x4_extract_lane::<3>(v0),
            f32x4_extract_lane::<0>(v1),
            f32x4_extract_lane::<1>(v1),
            f32x4_extract_lane::<2>(v1),
            f32x4_extract_lane::<3>(v1),
        ]
    };
    let (mut r, mut m) = (
        lanes(r0, r1).iter().sum::<f32>(),
        lanes(m0, m1).iter().sum::<f32>(),
    );
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}

/// [`products`] with SSE, which every x86-64 CPU has: the same [`LANES`] partial sums as
/// the wasm SIMD version, each lane with the same operations in the same order, so native
/// and wasm results stay bit-identical. LLVM vectorised the portable loop poorly (it paired
/// `r[k]` with `m[k]` in two-lane vectors): this takes 3.5× fewer instructions (callgrind).
#[cfg(target_arch = "x86_64")]
pub(super) fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    use core::arch::x86_64::{
        __m128, _mm_add_ps, _mm_loadu_ps, _mm_mul_ps, _mm_setzero_ps, _mm_storeu_ps,
    };
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let whole = len - len % LANES;
    // SAFETY: SSE is part of the x86-64 baseline; every load reads 4 f32 at j or j + 4 with
    // j + 8 <= whole <= len of each slice; `loadu` needs no alignment.
    let load = |s: &[f32], j: usize| unsafe { _mm_loadu_ps(s.as_ptr().add(j)) };
    let (mul, add) = (
        |x: __m128, y: __m128| unsafe { _mm_mul_ps(x, y) },
        |x: __m128, y: __m128| unsafe { _mm_add_ps(x, y) },
    );
    // SAFETY: SSE is part of the x86-64 baseline.
    let zero = unsafe { _mm_setzero_ps() };
    let (mut r0, mut r1, mut m0, mut m1) = (zero, zero, zero, zero);
    match w {
        None => {
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                r0 = add(r0, mul(a0, b0));
                r1 = add(r1, mul(a1, b1));
                m0 = add(m0, add(mul(a0, a0), mul(b0, b0)));
                m1 = add(m1, add(mul(a1, a1), mul(b1, b1)));
            }
        }
        Some(w) => {
            let w = &w[..len];
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                let (w0, w1) = (load(w, j), load(w, j + 4));
                r0 = add(r0, mul(mul(w0, a0), b0));
                r1 = add(r1, mul(mul(w1, a1), b1));
                m0 = add(m0, mul(w0, add(mul(a0, a0), mul(b0, b0))));
                m1 = add(m1, mul(w1, add(mul(a1, a1), mul(b1, b1))));
            }
        }
    }
    let lanes = |v0: __m128, v1: __m128| -> [f32; LANES] {
        let mut out = [0.0f32; LANES];
        // SAFETY: SSE is part of the x86-64 baseline; each store writes 4 f32 into `out`.
        unsafe {
            _mm_storeu_ps(out.as_mut_ptr(), v0);
            _mm_storeu_ps(out.as_mut_ptr().add(4), v1);
        }
        out
    };
    let (mut r, mut m) = (
        lanes(r0, r1).iter().sum::<f32>(),
        lanes(m0, m1).iter().sum::<f32>(),
    );
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}

/// `(Σ w·a·b, Σ w·(a² + b²))` over the pairs of `a` and `b` (`w` = 1 when `None`), in
/// [`LANES`] partial sums (the portable version, for targets without the SIMD ones above).
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
pub(super) fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    let len = a.len().min(b.len());
    let (mut r, mut m) = ([0.0f32; LANES], [0.0f32; LANES]);
    let whole = len - len % LANES;
    let (a, b) = (&a[..len], &b[..len]);
    match w {
        None => {
            for (ca, cb) in a[..whole]
                .chunks_exact(LANES)
                .zip(b[..whole].chunks_exact(LANES))
            {
                for k in 0..LANES {
                    r[k] += ca[k] * cb[k];
                    m[k] += ca[k] * ca[k] + cb[k] * cb[k];
                }
            }
        }
        Some(w) => {
            let w = &w[..len];
            for ((ca, cb), cw) in a[..whole]
                .chunks_exact(LANES)
                .zip(b[..whole].chunks_exact(LANES))
                .zip(w[..whole].chunks_exact(LANES))
            {
                for k in 0..LANES {
                    r[k] += cw[k] * ca[k] * cb[k];
                    m[k] += cw[k] * (ca[k] * ca[k] + cb[k] * cb[k]);
                }
            }
        }
    }
    let (mut r, mut m) = (r.iter().sum::<f32>(), m.iter().sum::<f32>());
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}
