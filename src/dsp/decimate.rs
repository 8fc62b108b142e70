//! Anti-alias low-pass and down-sampling by a whole factor, for the pitch detector's coarse
//! search.
//!
//! The pitch range (50–1500 Hz by default) needs a few kHz of bandwidth, not the 8–48 kHz a
//! stream carries, so the detector finds its candidate periods on a window decimated by
//! [`Decimator::factor`] (a 4× smaller FFT at 44.1 kHz) and measures the chosen period at
//! the full rate.
//!
//! # Filter
//! A cascade of `log₂ D` half-band stages (`D` a power of two), each a low-pass followed
//! by dropping every other sample: `y[k] = (16·x[2k] + 9·(x[2k−1] + x[2k+1])
//! − (x[2k−3] + x[2k+3])) / 32`, the 4-point interpolating half-band filter (gain 1 at
//! DC, ½ at the new Nyquist frequency, 0.94 at half of it, under 0.06 from 1.5 × the new
//! Nyquist frequency up; zero at the old one). Samples outside the input read as 0; output
//! `k` is centred on input `k·D`.
//!
//! What the search needs of the filter is smoothness, not a clean spectrum: the NSDF of the
//! decimated signal at lag `τ` compares the input at a shift of `τ·D` samples whatever the
//! filter, and the filter only removes what varies faster than the decimated lag grid can
//! follow (high harmonics and noise, which would make the NSDF's lobes too sharp to sample).
//! Three multiplies per output of each stage do that, under two per input sample in all.
//!
//! The coarse search then low-passes the decimated window once more, to about a quarter of
//! its rate, without down-sampling ([`quarter_band`]).
//!
//! # Real time
//! [`Decimator::new`] allocates the buffer between stages; [`Decimator::process`] never
//! allocates.

/// A power-of-two down-sampling factor and the buffer its cascade needs. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct Decimator {
    factor: usize,
    /// Output of every stage but the last: the first `half` samples for stages 1, 3, …,
    /// the rest for stages 2, 4, … (each reads the other's output).
    stages: Vec<f32>,
    half: usize,
}

impl Decimator {
    /// A decimator by `factor` (1 copies its input) for inputs of up to `max_input`
    /// samples. Allocates.
    ///
    /// # Panics
    /// If `factor` is not a power of two (a programmer error: the detector derives it).
    pub fn new(factor: usize, max_input: usize) -> Self {
        assert!(
            factor.is_power_of_two(),
            "decimation factor must be a power of two"
        );
        let half = if factor > 2 { max_input / 2 } else { 0 };
        Decimator {
            factor,
            stages: vec![0.0; half + half / 2],
            half,
        }
    }

    /// Outputs for `input_len` inputs: `input_len / factor`, rounded down.
    pub fn output_len(&self, input_len: usize) -> usize {
        input_len / self.factor
    }

    /// Filters and down-samples `input` into `output[..output_len(input.len())]` and
    /// returns how many it wrote (fewer when `output` or the buffer sized at construction
    /// is shorter). Never allocates.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) -> usize {
        let count = self.output_len(input.len()).min(output.len());
        if self.factor == 1 {
            output[..count].copy_from_slice(&input[..count]);
            return count;
        }
        let mut len = input.len();
        let mut from_input = true;
        let mut parity = 0;
        let mut factor = self.factor;
        let (lo, hi) = self.stages.split_at_mut(self.half);
        while factor > 2 {
            let (src, dst): (&[f32], &mut [f32]) = match (from_input, parity) {
                (true, _) => (input, &mut lo[..]),
                (false, 0) => (&lo[..len], &mut hi[..]),
                _ => (&hi[..len], &mut lo[..]),
            };
            len = half_band(src, dst);
            if !from_input {
                parity ^= 1;
            }
            from_input = false;
            factor /= 2;
        }
        let src: &[f32] = match (from_input, parity) {
            (true, _) => input,
            (false, 0) => &lo[..len],
            _ => &hi[..len],
        };
        half_band(src, &mut output[..count]).min(count)
    }
}

/// One half-band stage: writes `min(input.len() / 2, output.len())` samples, returns how
/// many.
fn half_band(x: &[f32], y: &mut [f32]) -> usize {
    let count = (x.len() / 2).min(y.len());
    let at = |i: isize| -> f32 {
        if i >= 0 && (i as usize) < x.len() {
            x[i as usize]
        } else {
            0.0
        }
    };
    // Outputs whose taps all fall inside the input: 2k − 3 ≥ 0 and 2k + 3 < len.
    let first = 2.min(count);
    let last = if x.len() >= 4 {
        ((x.len() - 4) / 2 + 1).clamp(first, count)
    } else {
        first
    };
    for k in (0..first).chain(last..count) {
        let c = 2 * k as isize;
        y[k] =
            0.5 * at(c) + 0.281_25 * (at(c - 1) + at(c + 1)) - 0.031_25 * (at(c - 3) + at(c + 3));
    }
    if last > first {
        // Windows of 7 around 2k for k in first..last; fixed-size, so no bounds checks.
        let src = &x[2 * first - 3..2 * last + 2];
        for (out, w) in y[first..last].iter_mut().zip(src.windows(7).step_by(2)) {
            *out = 0.5 * w[3] + 0.281_25 * (w[2] + w[4]) - 0.031_25 * (w[0] + w[6]);
        }
    }
    count
}

/// Low-passes `x` in place with the 5-point binomial filter `y[k] = (x[k−2] + 4·x[k−1] +
/// 6·x[k] + 4·x[k+1] + x[k+2]) / 16`: gain `cos⁴(π·f/rate)`, 1 at DC, 0.82 at a tenth of
/// the rate, ¼ at a quarter, under 0.03 from 0.375 of it up (samples outside read as 0).
///
/// The coarse search runs on its output: what is left has about four or more samples per
/// period, so the coarse NSDF's peaks are broad enough to sample and to place. A strong
/// harmonic near the coarse Nyquist frequency otherwise puts a fast ripple on the NSDF
/// whose sampled peak lands one ripple off the period (a 110 Hz tone with a 3 kHz harmonic
/// of 0.6 read 4 % flat at 16 kHz, undecimated). The deciding candidates are measured again
/// on the unfiltered signal, so the estimate keeps every harmonic.
#[inline(never)] // one copy for every caller: the wasm is size-budgeted
pub fn quarter_band(x: &mut [f32]) {
    let n = x.len();
    // Originals of x[k−2] and x[k−1]: the outputs overwrite them.
    let (mut m2, mut m1) = (0.0f32, 0.0f32);
    let body = n.saturating_sub(2);
    for k in 0..body {
        let (c, p1, p2) = (x[k], x[k + 1], x[k + 2]);
        x[k] = 0.375 * c + 0.25 * (m1 + p1) + 0.0625 * (m2 + p2);
        (m2, m1) = (m1, c);
    }
    for k in body..n {
        let c = x[k];
        let p1 = if k + 1 < n { x[k + 1] } else { 0.0 };
        x[k] = 0.375 * c + 0.25 * (m1 + p1) + 0.0625 * m2;
        (m2, m1) = (m1, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_one_copies() {
        let mut d = Decimator::new(1, 3);
        let x = [1.0, -2.0, 3.0];
        let mut y = [0.0; 3];
        assert_eq!(d.process(&x, &mut y), 3);
        assert_eq!(y, x);
    }

    #[test]
    fn passes_dc_and_the_pitch_range_and_stops_high_frequencies() {
        for factor in [2usize, 4, 8] {
            let mut d = Decimator::new(factor, 4096);
            let rate = 8000.0 * factor as f64;
            let mut gain = |f: f64| {
                let x: Vec<f32> = (0..4096)
                    .map(|i| (core::f64::consts::TAU * f * i as f64 / rate).sin() as f32)
                    .collect();
                let mut y = vec![0.0f32; d.output_len(x.len())];
                let n = d.process(&x, &mut y);
                // Away from the edges, the RMS relative to a sine's.
                let mid = &y[n / 4..3 * n / 4];
                (mid.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / mid.len() as f64 * 2.0)
                    .sqrt()
            };
            assert!((gain(1000.0) - 1.0).abs() < 0.05, "1 kHz, factor {factor}");
            assert!(
                gain(0.0) < 1e-6,
                "a sine at 0 Hz is silence, factor {factor}"
            );
            assert!(gain(1500.0) > 0.85, "1.5 kHz, factor {factor}");
            assert!(gain(6500.0) < 0.06, "6.5 kHz, factor {factor}");
        }
    }

    #[test]
    fn quarter_band_passes_low_and_stops_high_frequencies() {
        let gain = |cycles_per_sample: f64| {
            let mut x: Vec<f32> = (0..2048)
                .map(|i| (core::f64::consts::TAU * cycles_per_sample * i as f64).sin() as f32)
                .collect();
            quarter_band(&mut x);
            let mid = &x[512..1536];
            (mid.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / mid.len() as f64 * 2.0).sqrt()
        };
        assert!(
            (gain(0.05) - 0.952).abs() < 0.01,
            "a twentieth of the rate passes"
        );
        assert!(
            (gain(0.25) - 0.25).abs() < 0.01,
            "a quarter at a quarter of the rate"
        );
        assert!(gain(0.375) < 0.03, "0.375 of the rate is stopped");
        let mut dc = vec![0.25f32; 16];
        quarter_band(&mut dc);
        assert!((dc[8] - 0.25).abs() < 1e-6, "DC passes");
        assert!(dc[0] < 0.25 && dc[15] < 0.25, "outside reads as 0");
    }

    #[test]
    fn passes_dc() {
        for factor in [2usize, 4, 8] {
            let mut d = Decimator::new(factor, 1000);
            let x = vec![0.5f32; 1000];
            let mut y = vec![0.0f32; d.output_len(1000)];
            d.process(&x, &mut y);
            assert!((y[y.len() / 2] - 0.5).abs() < 1e-6, "DC, factor {factor}");
        }
    }

    #[test]
    fn lengths_and_edges() {
        let mut d = Decimator::new(4, 10);
        let x = vec![1.0f32; 10];
        let mut y = [f32::NAN; 8];
        assert_eq!(d.process(&x, &mut y), 2);
        assert!(y[..2].iter().all(|v| v.is_finite() && *v > 0.0));
        assert!(y[2].is_nan(), "writes only its outputs");
        assert_eq!(d.process(&x, &mut y[..1]), 1);
        assert_eq!(d.process(&[], &mut y), 0);
    }
}
