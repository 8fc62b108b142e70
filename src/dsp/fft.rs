//! The real FFTs behind the pitch detector's autocorrelation ([`Correlator`]).
//!
//! Two implementations of one small interface (`new(len)`, `autocorrelate`), chosen by
//! target:
//! - **wasm32** (and natively with the `compact-fft` feature): [`RealFft`], below, a
//!   power-of-two real FFT of a few kilobytes. The generic planner behind
//!   `realfft`/`rustfft` links every butterfly and Rader's and Bluestein's algorithms
//!   whatever length is asked for (about 240 kB of the 390 kB wasm, docs/benchmarks.md,
//!   "Package size"); `microfft` stops at 32768 points while the detector needs up to
//!   131072 (a 65536-sample window plus its longest lag), and has no real inverse.
//! - **native**: [`PlannedFft`], `realfft` with rustfft's planner, whose AVX code takes
//!   7 µs for the default window's autocorrelation (3072 points) where [`RealFft`] takes
//!   18 µs (4096 points), which would make the native tracker (`make bench-pitch`) about a
//!   fifth slower; size does not matter there. Its lengths are 2·3-smooth (3072 at 44.1 and
//!   48 kHz), a third shorter than the next power of two.
//!
//! The unit tests check [`RealFft`] against `realfft` natively.
//!
//! # Algorithm of [`RealFft`]
//! An `n`-point real FFT through one `n/2`-point complex FFT of the even samples (real
//! part) and odd samples (imaginary part), split into the two half spectra and recombined
//! with the twiddles `e^{-2πik/n}` (the standard real-FFT identity, as in `realfft`). The
//! complex FFT is a Stockham autosort FFT (natural order in and out, no bit reversal):
//! radix-4 passes, then one radix-2 pass when `log2(n/2)` is odd, on split real and
//! imaginary arrays so that the inner loops are plain slice arithmetic the compiler
//! vectorises (wasm SIMD, SSE). The inverse uses the forward transform on the conjugate.
//!
//! # Real time
//! `new` allocates every buffer and twiddle table; nothing else allocates.

/// The FFT the pitch detector uses on this target (see the module docs).
#[cfg(any(target_arch = "wasm32", feature = "compact-fft"))]
pub type Correlator = RealFft;
/// The FFT the pitch detector uses on this target (see the module docs).
#[cfg(not(any(target_arch = "wasm32", feature = "compact-fft")))]
pub type Correlator = PlannedFft;

/// `n`-point real FFT, `n` a power of two (at least 4).
pub struct RealFft {
    n: usize,
    /// Radix-4 twiddles of every pass, concatenated: `[w¹.re, w¹.im, w².re, w².im, w³.re,
    /// w³.im]` for each `p`, `w = e^{-2πip/len}` at that pass's length.
    twiddles: Vec<[f32; 6]>,
    /// `e^{-2πik/n}` for `k < n/4`, as (re, im): the real recombination's twiddles.
    recombine: Vec<[f32; 2]>,
    /// Ping-pong buffers of the complex FFT (`n/2` each).
    a_re: Vec<f32>,
    a_im: Vec<f32>,
    b_re: Vec<f32>,
    b_im: Vec<f32>,
    /// Half spectrum (`n/2 + 1` bins) for [`RealFft::autocorrelate`].
    spec_re: Vec<f32>,
    spec_im: Vec<f32>,
}

impl core::fmt::Debug for RealFft {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RealFft")
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

/// `e^{-2πi·k/len}` as (re, im), computed in f64.
fn twiddle(k: usize, len: usize) -> [f32; 2] {
    let (s, c) = super::trig::sin_cos_turns(k as u64, len as u64);
    [c as f32, -s as f32]
}

impl RealFft {
    /// Plans an `n`-point real FFT. Allocates.
    ///
    /// # Panics
    /// If `n` is not a power of two or is below 4 (a programmer error: the detector
    /// derives `n` from validated options).
    pub fn new(n: usize) -> Self {
        assert!(
            n.is_power_of_two() && n >= 4,
            "RealFft: n must be a power of two >= 4"
        );
        let m = n / 2;
        let mut twiddles = Vec::with_capacity(m / 3 + 1);
        let mut len = m;
        while len >= 4 {
            for p in 0..len / 4 {
                let (w1, w2, w3) = (twiddle(p, len), twiddle(2 * p, len), twiddle(3 * p, len));
                twiddles.push([w1[0], w1[1], w2[0], w2[1], w3[0], w3[1]]);
            }
            len /= 4;
        }
        RealFft {
            n,
            twiddles,
            recombine: (0..n / 4).map(|k| twiddle(k, n)).collect(),
            a_re: vec![0.0; m],
            a_im: vec![0.0; m],
            b_re: vec![0.0; m],
            b_im: vec![0.0; m],
            spec_re: vec![0.0; m + 1],
            spec_im: vec![0.0; m + 1],
        }
    }

    /// The shortest length this FFT supports at or above `min`: the next power of two
    /// (at least 4).
    pub fn fast_len(min: usize) -> usize {
        min.max(4).next_power_of_two()
    }

    /// Complex FFT (forward) of `a_re`/`a_im`; true if the result ended in `b_*` instead.
    fn complex_forward(&mut self) -> bool {
        let m = self.n / 2;
        let (mut xr, mut xi) = (&mut self.a_re[..], &mut self.a_im[..]);
        let (mut yr, mut yi) = (&mut self.b_re[..], &mut self.b_im[..]);
        let mut in_b = false;
        let (mut len, mut s, mut tw) = (m, 1usize, &self.twiddles[..]);
        while len >= 4 {
            let q4 = len / 4;
            let (pass, rest) = tw.split_at(q4);
            radix4_pass(xr, xi, yr, yi, s, pass);
            tw = rest;
            (xr, yr) = (yr, xr);
            (xi, yi) = (yi, xi);
            in_b = !in_b;
            len = q4;
            s *= 4;
        }
        if len == 2 {
            // Last pass, length 2: its only twiddle is 1. s = m / 2.
            let (x0r, x1r) = xr.split_at(s);
            let (x0i, x1i) = xi.split_at(s);
            let (y0r, y1r) = yr.split_at_mut(s);
            let (y0i, y1i) = yi.split_at_mut(s);
            for q in 0..s {
                y0r[q] = x0r[q] + x1r[q];
                y0i[q] = x0i[q] + x1i[q];
                y1r[q] = x0r[q] - x1r[q];
                y1i[q] = x0i[q] - x1i[q];
            }
            in_b = !in_b;
        }
        in_b
    }

    /// Forward transform of `input` (`n` samples) into `n/2 + 1` bins `re`/`im`,
    /// unnormalised (as `realfft`). Never allocates.
    ///
    /// # Panics
    /// If a slice is shorter than stated.
    pub fn forward(&mut self, input: &[f32], re: &mut [f32], im: &mut [f32]) {
        let m = self.n / 2;
        let (input, re, im) = (&input[..self.n], &mut re[..m + 1], &mut im[..m + 1]);
        for ((pair, r), i) in input
            .chunks_exact(2)
            .zip(self.a_re.iter_mut())
            .zip(self.a_im.iter_mut())
        {
            (*r, *i) = (pair[0], pair[1]);
        }
        let (zr, zi) = if self.complex_forward() {
            (&self.b_re[..], &self.b_im[..])
        } else {
            (&self.a_re[..], &self.a_im[..])
        };
        // X[k] = E[k] + w^k·O[k], X[m-k] = conj(E[k] - w^k·O[k]) with
        // E[k] = (Z[k] + conj(Z[m-k])) / 2 and O[k] = -i (Z[k] - conj(Z[m-k])) / 2.
        let h = m / 2;
        re[0] = zr[0] + zi[0];
        im[0] = 0.0;
        re[m] = zr[0] - zi[0];
        im[m] = 0.0;
        // k = m/2 pairs with itself: X[m/2] = conj(Z[m/2]).
        re[h] = zr[h];
        im[h] = -zi[h];
        let (re_lo, re_hi) = re[1..m].split_at_mut(h - 1);
        let (im_lo, im_hi) = im[1..m].split_at_mut(h - 1);
        let (re_hi, im_hi) = (&mut re_hi[1..], &mut im_hi[1..]);
        let (zr_lo, zr_hi) = (&zr[1..h], &zr[h + 1..m]);
        let (zi_lo, zi_hi) = (&zi[1..h], &zi[h + 1..m]);
        for (k, w) in self.recombine[1..h].iter().enumerate() {
            // k here is the bin minus 1; its partner m - bin is at h - 2 - k in the upper half.
            let j = h - 2 - k;
            let (er, ei) = (0.5 * (zr_lo[k] + zr_hi[j]), 0.5 * (zi_lo[k] - zi_hi[j]));
            let (or, oi) = (0.5 * (zi_lo[k] + zi_hi[j]), -0.5 * (zr_lo[k] - zr_hi[j]));
            let [wr, wi] = *w;
            let (tr, ti) = (wr * or - wi * oi, wr * oi + wi * or);
            re_lo[k] = er + tr;
            im_lo[k] = ei + ti;
            re_hi[j] = er - tr;
            im_hi[j] = ti - ei;
        }
    }

    /// Inverse transform of `n/2 + 1` bins `re`/`im` (the imaginary parts of the first and
    /// last are ignored) into `n` samples, unnormalised: `n` times the signal, as
    /// `realfft`. Never allocates.
    ///
    /// # Panics
    /// If a slice is shorter than stated.
    pub fn inverse(&mut self, re: &[f32], im: &[f32], output: &mut [f32]) {
        let m = self.n / 2;
        let (re, im, output) = (&re[..m + 1], &im[..m + 1], &mut output[..self.n]);
        // Z[k] = E[k] + i·O[k], E[k] = X[k] + conj(X[m-k]), O[k] = (X[k] - conj(X[m-k]))·w^-k,
        // conjugated so that the forward FFT computes the inverse. The partner m - k has
        // E[m-k] = conj(E[k]) and O[m-k] = conj(O[k]).
        let h = m / 2;
        let (e, d) = (re[0] + re[m], re[0] - re[m]);
        self.a_re[0] = e;
        self.a_im[0] = -d;
        self.a_re[h] = 2.0 * re[h];
        self.a_im[h] = 2.0 * im[h];
        let (ar_lo, ar_hi) = self.a_re[1..m].split_at_mut(h - 1);
        let (ai_lo, ai_hi) = self.a_im[1..m].split_at_mut(h - 1);
        let (ar_hi, ai_hi) = (&mut ar_hi[1..], &mut ai_hi[1..]);
        let (re_lo, re_hi) = (&re[1..h], &re[h + 1..m]);
        let (im_lo, im_hi) = (&im[1..h], &im[h + 1..m]);
        for (k, w) in self.recombine[1..h].iter().enumerate() {
            let j = h - 2 - k;
            let (xr, xi, cr, ci) = (re_lo[k], im_lo[k], re_hi[j], -im_hi[j]);
            let (er, ei) = (xr + cr, xi + ci);
            let (dr, di) = (xr - cr, xi - ci);
            let [wr, wi] = *w;
            // d · conj(w)
            let (or, oi) = (dr * wr + di * wi, di * wr - dr * wi);
            ar_lo[k] = er - oi;
            ai_lo[k] = -(ei + or);
            ar_hi[j] = er + oi;
            ai_hi[j] = ei - or;
        }
        let (zr, zi) = if self.complex_forward() {
            (&self.b_re[..], &self.b_im[..])
        } else {
            (&self.a_re[..], &self.a_im[..])
        };
        for ((pair, &r), &i) in output.chunks_exact_mut(2).zip(zr).zip(zi) {
            (pair[0], pair[1]) = (r, -i);
        }
    }

    /// Replaces `frame` (`n` samples) with its circular autocorrelation times `n`:
    /// `frame[τ] = n · Σ_j x[j]·x[(j+τ) mod n]`. Never allocates.
    ///
    /// # Panics
    /// If `frame` is shorter than `n`.
    pub fn autocorrelate(&mut self, frame: &mut [f32]) {
        let (mut re, mut im) = (
            core::mem::take(&mut self.spec_re),
            core::mem::take(&mut self.spec_im),
        );
        self.forward(frame, &mut re, &mut im);
        for (r, i) in re.iter_mut().zip(im.iter_mut()) {
            *r = *r * *r + *i * *i;
            *i = 0.0;
        }
        self.inverse(&re, &im, frame);
        (self.spec_re, self.spec_im) = (re, im);
    }
}

/// `realfft` planned for one length: the native [`Correlator`].
#[cfg(not(target_arch = "wasm32"))]
pub struct PlannedFft {
    n: usize,
    forward: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    inverse: std::sync::Arc<dyn realfft::ComplexToReal<f32>>,
    spectrum: Vec<realfft::num_complex::Complex<f32>>,
    scratch: Vec<realfft::num_complex::Complex<f32>>,
}

#[cfg(not(target_arch = "wasm32"))]
impl core::fmt::Debug for PlannedFft {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PlannedFft")
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl PlannedFft {
    /// Plans an `n`-point real FFT (`n` even). Allocates.
    pub fn new(n: usize) -> Self {
        let mut planner = realfft::RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(n);
        let inverse = planner.plan_fft_inverse(n);
        let scratch_len = forward
            .get_scratch_len()
            .max(inverse.get_scratch_len())
            .max(1);
        PlannedFft {
            n,
            spectrum: forward.make_output_vec(),
            forward,
            inverse,
            scratch: vec![Default::default(); scratch_len],
        }
    }

    /// The smallest even number ≥ `min` whose only prime factors are 2 and 3 (fast
    /// rustfft sizes). Without 5: 3072 instead of 3000 points at 44.1 and 48 kHz measured
    /// 10 % less time per estimate, with identical scores on the corpus
    /// (docs/benchmarks.md).
    pub fn fast_len(min: usize) -> usize {
        let mut m = min.max(2);
        loop {
            let mut r = m;
            for p in [2, 3] {
                while r % p == 0 {
                    r /= p;
                }
            }
            if r == 1 && m % 2 == 0 {
                return m;
            }
            m += 1;
        }
    }

    /// As [`RealFft::autocorrelate`]. Never allocates.
    pub fn autocorrelate(&mut self, frame: &mut [f32]) {
        let frame = &mut frame[..self.n];
        // Cannot fail: every length was fixed at construction.
        let _ = self
            .forward
            .process_with_scratch(frame, &mut self.spectrum, &mut self.scratch);
        for c in &mut self.spectrum {
            *c = realfft::num_complex::Complex::new(c.norm_sqr(), 0.0);
        }
        let _ = self
            .inverse
            .process_with_scratch(&mut self.spectrum, frame, &mut self.scratch);
    }
}

/// One radix-4 Stockham pass over `len = 4·tw.len()` points at stride `s`: reads `x`, writes
/// `y` (both `len · s` long).
fn radix4_pass(xr: &[f32], xi: &[f32], yr: &mut [f32], yi: &mut [f32], s: usize, tw: &[[f32; 6]]) {
    if s == 1 {
        return radix4_first_pass(xr, xi, yr, yi, tw);
    }
    let q4 = tw.len();
    let quarter = q4 * s;
    for (p, w) in tw.iter().enumerate() {
        let at = |k: usize| (k * quarter + p * s)..(k * quarter + p * s + s);
        let (ar, br, cr, dr) = (&xr[at(0)], &xr[at(1)], &xr[at(2)], &xr[at(3)]);
        let (ai, bi, ci, di) = (&xi[at(0)], &xi[at(1)], &xi[at(2)], &xi[at(3)]);
        let out = 4 * p * s;
        let (y0r, rest) = yr[out..out + 4 * s].split_at_mut(s);
        let (y1r, rest) = rest.split_at_mut(s);
        let (y2r, y3r) = rest.split_at_mut(s);
        let (y0i, rest) = yi[out..out + 4 * s].split_at_mut(s);
        let (y1i, rest) = rest.split_at_mut(s);
        let (y2i, y3i) = rest.split_at_mut(s);
        let [w1r, w1i, w2r, w2i, w3r, w3i] = *w;
        for q in 0..s {
            let (apcr, apci) = (ar[q] + cr[q], ai[q] + ci[q]);
            let (amcr, amci) = (ar[q] - cr[q], ai[q] - ci[q]);
            let (bpdr, bpdi) = (br[q] + dr[q], bi[q] + di[q]);
            // -i·(b - d)
            let (jr, ji) = (bi[q] - di[q], dr[q] - br[q]);
            y0r[q] = apcr + bpdr;
            y0i[q] = apci + bpdi;
            let (t1r, t1i) = (amcr + jr, amci + ji);
            y1r[q] = w1r * t1r - w1i * t1i;
            y1i[q] = w1r * t1i + w1i * t1r;
            let (t2r, t2i) = (apcr - bpdr, apci - bpdi);
            y2r[q] = w2r * t2r - w2i * t2i;
            y2i[q] = w2r * t2i + w2i * t2r;
            let (t3r, t3i) = (amcr - jr, amci - ji);
            y3r[q] = w3r * t3r - w3i * t3i;
            y3i[q] = w3r * t3i + w3i * t3r;
        }
    }
}

/// [`radix4_pass`] at stride 1 (the first pass): one butterfly per `p`, so loops over `p`
/// rather than over sub-slices of length 1.
fn radix4_first_pass(xr: &[f32], xi: &[f32], yr: &mut [f32], yi: &mut [f32], tw: &[[f32; 6]]) {
    let q4 = tw.len();
    let (ar, rest) = xr.split_at(q4);
    let (br, rest) = rest.split_at(q4);
    let (cr, dr) = rest.split_at(q4);
    let (ai, rest) = xi.split_at(q4);
    let (bi, rest) = rest.split_at(q4);
    let (ci, di) = rest.split_at(q4);
    let (dr, di) = (&dr[..q4], &di[..q4]);
    for (p, (w, (yr, yi))) in tw
        .iter()
        .zip(yr.chunks_exact_mut(4).zip(yi.chunks_exact_mut(4)))
        .enumerate()
    {
        let [w1r, w1i, w2r, w2i, w3r, w3i] = *w;
        let (apcr, apci) = (ar[p] + cr[p], ai[p] + ci[p]);
        let (amcr, amci) = (ar[p] - cr[p], ai[p] - ci[p]);
        let (bpdr, bpdi) = (br[p] + dr[p], bi[p] + di[p]);
        let (jr, ji) = (bi[p] - di[p], dr[p] - br[p]);
        let (t1r, t1i) = (amcr + jr, amci + ji);
        let (t2r, t2i) = (apcr - bpdr, apci - bpdi);
        let (t3r, t3i) = (amcr - jr, amci - ji);
        yr[0] = apcr + bpdr;
        yi[0] = apci + bpdi;
        yr[1] = w1r * t1r - w1i * t1i;
        yi[1] = w1r * t1i + w1i * t1r;
        yr[2] = w2r * t2r - w2i * t2i;
        yi[2] = w2r * t2i + w2i * t2r;
        yr[3] = w3r * t3r - w3i * t3i;
        yi[3] = w3r * t3i + w3i * t3r;
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
