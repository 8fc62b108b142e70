//! Tones for the pitch detector and the checks made on its estimates.

use std::f64::consts::TAU;

use pitchtap::dsp::pitch::{analyze, PitchConfig, PitchDetector, PitchEstimate};

use super::signals::cents;

/// The sample rates the accuracy tests run at.
pub const RATES: [f32; 4] = [22050.0, 44100.0, 48000.0, 96000.0];

/// `f0` with harmonics `k` weighted `weight(k)`, up to 0.45·rate, normalised to `peak`.
pub fn tone(
    f0: f64,
    rate: f32,
    seconds: f64,
    peak: f32,
    weight: impl Fn(usize) -> f64,
) -> Vec<f32> {
    let n = (seconds * rate as f64) as usize;
    let kmax = ((0.45 * rate as f64 / f0) as usize).max(1);
    let mut out: Vec<f64> = vec![0.0; n];
    for k in 1..=kmax {
        let w = weight(k);
        if w == 0.0 {
            continue;
        }
        let phase0 = 0.37 * k as f64;
        for (i, o) in out.iter_mut().enumerate() {
            *o += w * (TAU * f0 * k as f64 * i as f64 / rate as f64 + phase0).sin();
        }
    }
    let max = out.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    out.iter().map(|v| (v / max) as f32 * peak).collect()
}

pub fn sine(f0: f64, rate: f32, seconds: f64, peak: f32) -> Vec<f32> {
    tone(f0, rate, seconds, peak, |k| if k == 1 { 1.0 } else { 0.0 })
}

pub fn harmonic(f0: f64, rate: f32, seconds: f64, peak: f32) -> Vec<f32> {
    tone(f0, rate, seconds, peak, |k| 1.0 / k as f64)
}

/// Every estimate of `samples` with the default options, and the window they used.
pub fn track(samples: &[f32], rate: f32) -> (Vec<PitchEstimate>, usize) {
    let mut out = Vec::new();
    let window = PitchDetector::new(PitchConfig::default(), rate)
        .unwrap()
        .window_size();
    analyze(samples, rate, PitchConfig::default(), |e| out.push(*e)).unwrap();
    (out, window)
}

/// Estimates whose whole window lies inside `samples[from..to]`.
pub fn inside(est: &[PitchEstimate], window: usize, from: usize, to: usize) -> Vec<PitchEstimate> {
    let half = (window / 2) as f64;
    est.iter()
        .filter(|e| e.centre_frame - half >= from as f64 && e.centre_frame + half <= to as f64)
        .copied()
        .collect()
}

/// Every estimate of `est` is voiced and within `tolerance` cents of `f0`.
pub fn assert_voiced_at<'a>(
    est: impl IntoIterator<Item = &'a PitchEstimate>,
    f0: f64,
    tolerance: f64,
    what: &str,
) {
    for e in est {
        assert!(
            e.voiced,
            "{what}: unvoiced at frame {} ({e:?})",
            e.centre_frame
        );
        let c = cents(e.frequency, f0);
        assert!(
            c.abs() <= tolerance,
            "{what}: {c:.1} cents off at {} ({e:?})",
            e.centre_frame
        );
    }
}

/// Every estimate with a full window of signal is voiced and within `tolerance` cents.
pub fn assert_tracks(samples: &[f32], rate: f32, f0: f64, tolerance: f64, what: &str) {
    let (est, window) = track(samples, rate);
    let full = inside(&est, window, 0, samples.len());
    assert!(
        full.len() >= 5,
        "{what}: too few estimates ({})",
        full.len()
    );
    assert_voiced_at(&full, f0, tolerance, what);
}
