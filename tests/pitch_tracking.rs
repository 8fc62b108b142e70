//! Pitch accuracy on generated tones: sines, harmonic tones and missing fundamentals across
//! the range and the sample rates, DC, quiet and noisy input, clipping, octave traps, fast
//! intonation and strong high harmonics. No file I/O, threads or clocks, so the same tests
//! run natively and in the browser under wasm-bindgen-test.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;
use std::f64::consts::TAU;

use common::pitch::{assert_tracks, harmonic, inside, sine, tone, track, RATES};
use common::signals::{cents, XorShift, RNG_SEED};

const PITCHES: [f64; 8] = [50.0, 65.0, 110.0, 233.08, 440.0, 830.6, 1200.0, 1500.0];

/// A quarter second of `make(f0, rate, seconds, peak 0.5)` at every rate of [`RATES`] and
/// pitch of [`PITCHES`] that `fits`, each tracked within 10 cents.
fn assert_tracks_everywhere(
    what: &str,
    fits: impl Fn(f64, f32) -> bool,
    make: impl Fn(f64, f32, f64, f32) -> Vec<f32>,
) {
    for rate in RATES {
        for f0 in PITCHES.into_iter().filter(|&f0| fits(f0, rate)) {
            let x = make(f0, rate, 0.25, 0.5);
            assert_tracks(&x, rate, f0, 10.0, &format!("{what} {f0} Hz at {rate}"));
        }
    }
}

fn missing_fundamental(f0: f64, rate: f32, seconds: f64, peak: f32) -> Vec<f32> {
    tone(f0, rate, seconds, peak, |k| {
        if k == 1 {
            0.0
        } else {
            1.0 / k as f64
        }
    })
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sines_across_range_and_rates_within_10_cents() {
    assert_tracks_everywhere("sine", |_, _| true, sine);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn harmonic_tones_across_range_and_rates_within_10_cents() {
    assert_tracks_everywhere("harmonic", |_, _| true, harmonic);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn missing_fundamental_is_heard_at_the_fundamental() {
    // Only where the second harmonic is below 0.45·rate: there is nothing to hear otherwise.
    assert_tracks_everywhere(
        "missing fundamental",
        |f0, rate| 2.0 * f0 <= 0.45 * rate as f64,
        missing_fundamental,
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn dc_offset_is_removed() {
    for (f0, dc) in [(98.0, 0.4f32), (440.0, -0.6), (1318.5, 0.3)] {
        let x: Vec<f32> = harmonic(f0, 48000.0, 0.3, 0.3)
            .iter()
            .map(|v| v + dc)
            .collect();
        assert_tracks(&x, 48000.0, f0, 10.0, &format!("{f0} Hz with DC {dc}"));
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn minus_50_dbfs_is_tracked() {
    let peak = 10f32.powf(-50.0 / 20.0);
    for f0 in [55.0, 330.0, 1046.5] {
        let x = harmonic(f0, 44100.0, 0.3, peak);
        assert_tracks(&x, 44100.0, f0, 10.0, &format!("{f0} Hz at -50 dBFS"));
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn five_db_snr_noise_is_tracked() {
    let mut rng = XorShift(RNG_SEED);
    for (f0, rate) in [
        (82.4, 44100.0f32),
        (196.0, 48000.0),
        (440.0, 22050.0),
        (880.0, 96000.0),
    ] {
        let clean = harmonic(f0, rate, 0.5, 0.5);
        let power = clean.iter().map(|v| v * v).sum::<f32>() / clean.len() as f32;
        let sigma = (power / 10f32.powf(0.5)).sqrt();
        let noisy: Vec<f32> = clean.iter().map(|v| v + sigma * rng.gaussian()).collect();
        let (est, window) = track(&noisy, rate);
        let full = inside(&est, window, 0, noisy.len());
        let good = full
            .iter()
            .filter(|e| e.voiced && cents(e.frequency, f0).abs() <= 10.0)
            .count();
        // Noise moves single estimates; nearly all must still be within 10 cents and
        // none may be a gross error.
        assert!(
            good * 100 >= full.len() * 95,
            "{f0} Hz: {good}/{}",
            full.len()
        );
        for e in full.iter().filter(|e| e.voiced) {
            assert!(cents(e.frequency, f0).abs() <= 50.0, "{f0} Hz: {e:?}");
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn clipped_tone_is_tracked() {
    let f0 = 146.8;
    let x: Vec<f32> = harmonic(f0, 44100.0, 0.3, 1.0)
        .iter()
        .map(|v| (v * 4.0).clamp(-0.5, 0.5))
        .collect();
    assert_tracks(&x, 44100.0, f0, 10.0, "clipped");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn octave_torture_has_no_octave_errors() {
    let rate = 44100.0;
    for f0 in [73.4, 155.6, 311.1, 622.3] {
        // Strong second harmonic and weak fundamental, then a strong fundamental, then
        // strong even harmonics: the weights change every 100 ms (20 ms crossfades, phase
        // continuous), so the period's peak and the half period's peak trade places.
        let sets: [[f64; 6]; 3] = [
            [0.3, 1.0, 0.15, 0.5, 0.0, 0.1],
            [1.0, 0.2, 0.6, 0.05, 0.04, 0.03],
            [0.2, 1.0, 0.2, 0.8, 0.1, 0.4],
        ];
        let n = (1.2 * rate) as usize;
        let seg = (0.1 * rate) as usize;
        let fade = (0.02 * rate) as usize;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                let (s, pos) = (i / seg, i % seg);
                let (cur, next) = (sets[s % 3], sets[(s + 1) % 3]);
                let mix = pos.saturating_sub(seg - fade) as f64 / fade as f64;
                let phase = TAU * f0 * i as f64 / rate as f64;
                let v: f64 = (0..6)
                    .filter(|k| (k + 1) as f64 * f0 < 0.45 * rate as f64)
                    .map(|k| {
                        let w = cur[k] * (1.0 - mix) + next[k] * mix;
                        w * ((k + 1) as f64 * phase + 0.37 * k as f64).sin()
                    })
                    .sum();
                (0.2 * v) as f32
            })
            .collect();
        let (est, window) = track(&x, rate);
        let full = inside(&est, window, 0, x.len());
        assert!(full.len() > 100);
        for e in &full {
            assert!(e.voiced, "{f0} Hz: unvoiced {e:?}");
            // Phase jumps at the joins blur single estimates; octave errors would be 1200.
            let c = cents(e.frequency, f0);
            assert!(
                c.abs() < 50.0,
                "{f0} Hz: {c:.0} cents at {}",
                e.centre_frame
            );
        }
    }
}

/// A harmonic tone (harmonics `k` at 1/k, up to 0.45·rate) whose pitch follows `f0(t)`,
/// phase-continuous, normalised to a peak of 0.5.
fn contour(rate: f32, seconds: f64, f0: impl Fn(f64) -> f64) -> Vec<f32> {
    let n = (seconds * rate as f64) as usize;
    let dt = 1.0 / rate as f64;
    let mut phase = 0.0f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let f = f0(i as f64 * dt);
        let kmax = ((0.45 * rate as f64 / f) as usize).max(1);
        out.push(
            (1..=kmax)
                .map(|k| (k as f64 * phase).sin() / k as f64)
                .sum::<f64>(),
        );
        phase = (phase + TAU * f * dt) % (TAU * 1e6);
    }
    let max = out.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    out.iter().map(|v| (0.5 * v / max) as f32).collect()
}

/// Speech-like intonation: level, a fast rise (0.7 octave in 80 ms), level, a fall, level:
/// the corners of a pitch accent, where a long window lags.
fn accent(t: f64, low: f64, high: f64) -> f64 {
    let ramp = |t: f64, t0: f64, t1: f64| ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
    let octaves = (high / low).log2() * (ramp(t, 0.2, 0.28) - ramp(t, 0.45, 0.55));
    low * octaves.exp2()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fast_speech_intonation_is_followed_at_the_window_centre() {
    // Every estimate with a full window is voiced and near the pitch at its own centre.
    for (rate, low, high) in [
        (20000.0f32, 110.0, 180.0),
        (16000.0, 200.0, 320.0),
        (48000.0, 110.0, 180.0),
    ] {
        let x = contour(rate, 0.8, |t| accent(t, low, high));
        let (est, window) = track(&x, rate);
        let full = inside(&est, window, 0, x.len());
        let errors: Vec<f64> = full
            .iter()
            .map(|e| {
                assert!(
                    e.voiced,
                    "{rate} Hz: unvoiced at {} ({e:?})",
                    e.centre_frame
                );
                cents(e.frequency, accent(e.centre_frame / rate as f64, low, high)).abs()
            })
            .collect();
        let worst = errors.iter().fold(0.0f64, |m, &v| m.max(v));
        let mean = errors.iter().sum::<f64>() / errors.len() as f64;
        // Measured: worst 34 / 17 / 44 cents, mean 3.5 / 1.9 / 4.2. The 44 is one estimate
        // at 48 kHz at a corner of the contour (34 without the coarse search's quarter-band
        // low-pass, which a strong high harmonic needs). The flat 25 ms centre measurement
        // alone (before the Hann and short re-measurements) gave worst 34 / 17 / 47, mean
        // 4.2 / 2.1 / 4.4: it lags at the corners of the contour.
        assert!(
            worst <= 45.0 && mean <= 4.5,
            "{rate} Hz, {low}-{high} Hz: worst {worst:.1} cents, mean {mean:.2}"
        );
    }
}

/// Tones with one harmonic between 2 and 3.5 kHz at 0.6 of the fundamental, at five rates:
/// the coarse search must not read a ripple of the harmonic as the period.
#[test]
fn a_strong_high_harmonic_does_not_move_the_pitch() {
    // WebKit's fake microphone is 150 Hz with a strong 3 kHz harmonic. Without the coarse
    // search's quarter-band low-pass, 5 of these 60 read a ripple of the harmonic off the
    // period (110 Hz with 2970 or 3520 Hz at 16 and 22.05 kHz, undecimated), and 15 did with
    // decimation down to 8 kHz.
    for rate in [16000.0f32, 20000.0, 22050.0, 44100.0, 48000.0] {
        for f0 in [110.0f64, 150.0, 220.0] {
            for harmonic_hz in [2000.0f64, 2500.0, 3000.0, 3500.0] {
                let k_strong = (harmonic_hz / f0).round() as usize;
                let x = tone(f0, rate, 1.0, 0.3, |k| match k {
                    1 => 1.0,
                    _ if k == k_strong => 0.6,
                    _ => 0.0,
                });
                let what = format!("{f0} Hz with a strong {harmonic_hz} Hz harmonic at {rate} Hz");
                assert_tracks(&x, rate, f0, 20.0, &what);
            }
        }
    }
}
