//! [`RealFft`] checked against `realfft` natively: forward and inverse transforms at every
//! power of two it serves, the autocorrelation against a direct sum, and the two correlators
//! against each other.

use super::RealFft;
use realfft::RealFftPlanner;

/// Deterministic test signal (xorshift), RustFFT-style fixed seed.
fn signal(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

fn max_abs(v: impl Iterator<Item = f32>) -> f32 {
    v.fold(0.0, |a, b| a.max(b.abs()))
}

#[test]
fn forward_matches_realfft() {
    for log in 2..=17 {
        let n = 1usize << log;
        let x = signal(n, 0x9E37_79B9_7F4A_7C15 ^ n as u64);
        let mut planner = RealFftPlanner::<f64>::new();
        let reference = planner.plan_fft_forward(n);
        let mut input: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let mut want = reference.make_output_vec();
        reference.process(&mut input, &mut want).unwrap();
        let (mut re, mut im) = (vec![0.0; n / 2 + 1], vec![0.0; n / 2 + 1]);
        RealFft::new(n).forward(&x, &mut re, &mut im);
        let scale = max_abs(want.iter().map(|c| c.norm() as f32));
        let err = max_abs(
            want.iter()
                .zip(re.iter().zip(&im))
                .map(|(w, (&r, &i))| ((w.re - r as f64).hypot(w.im - i as f64)) as f32),
        );
        assert!(
            err <= 2e-6 * scale * log as f32,
            "n = {n}: error {err} of {scale}"
        );
    }
}

#[test]
fn inverse_matches_realfft() {
    for log in 2..=17 {
        let n = 1usize << log;
        let (re, mut im) = (
            signal(n / 2 + 1, 7 + n as u64),
            signal(n / 2 + 1, 11 + n as u64),
        );
        (im[0], im[n / 2]) = (0.0, 0.0);
        let mut planner = RealFftPlanner::<f64>::new();
        let reference = planner.plan_fft_inverse(n);
        let mut spectrum: Vec<_> = re
            .iter()
            .zip(&im)
            .map(|(&r, &i)| realfft::num_complex::Complex::new(r as f64, i as f64))
            .collect();
        let mut want = reference.make_output_vec();
        reference.process(&mut spectrum, &mut want).unwrap();
        let mut got = vec![0.0; n];
        RealFft::new(n).inverse(&re, &im, &mut got);
        let scale = max_abs(want.iter().map(|&v| v as f32));
        let err = max_abs(want.iter().zip(&got).map(|(&w, &g)| (w - g as f64) as f32));
        assert!(
            err <= 2e-6 * scale * log as f32,
            "n = {n}: error {err} of {scale}"
        );
    }
}

#[test]
fn both_correlators_agree() {
    for n in [128usize, 3072, 4096] {
        let mut x = signal(n, 5 + n as u64);
        x[n / 2..].fill(0.0);
        let mut planned = x.clone();
        super::PlannedFft::new(n).autocorrelate(&mut planned);
        if n.is_power_of_two() {
            let mut compact = x.clone();
            RealFft::new(n).autocorrelate(&mut compact);
            for tau in 0..n / 2 {
                assert!(
                    (planned[tau] - compact[tau]).abs() <= 1e-3 * n as f32,
                    "n = {n}, τ = {tau}"
                );
            }
        }
        let direct: f64 = (0..n).map(|j| x[j] as f64 * x[j] as f64).sum();
        assert!((planned[0] as f64 / n as f64 - direct).abs() < 1e-3 * direct);
    }
}

#[test]
fn autocorrelation_matches_direct_sum() {
    for n in [4usize, 8, 64, 128, 2048, 4096] {
        // Zero-padded as the detector pads: linear correlation up to n/2.
        let mut x = signal(n, 3 + n as u64);
        x[n / 2..].fill(0.0);
        let mut frame = x.clone();
        RealFft::new(n).autocorrelate(&mut frame);
        for tau in 0..n / 2 {
            let direct: f64 = (0..n - tau).map(|j| x[j] as f64 * x[j + tau] as f64).sum();
            let got = frame[tau] as f64 / n as f64;
            assert!(
                (got - direct).abs() <= 1e-4 * (n as f64).sqrt(),
                "n = {n}, τ = {tau}: {got} vs {direct}"
            );
        }
    }
}
