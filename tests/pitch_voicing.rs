//! When the pitch detector says voiced: silence, noise, the `minDb` gate and mains hum are
//! not notes; notes near the mains frequency are; a weak end of a note is kept, a tail far
//! below it is not; a slow onset is voiced early but never before it starts. No file I/O,
//! threads or clocks, so the same tests run natively and in the browser under
//! wasm-bindgen-test.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::pitch::{assert_tracks, harmonic, inside, sine, tone, track, RATES};
use common::signals::{cents, XorShift, RNG_SEED};
use pitchtap::dsp::meter::MIN_DB;
use pitchtap::dsp::pitch::{analyze, PitchConfig, PitchEstimate};

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn silence_and_white_noise_are_unvoiced() {
    for rate in RATES {
        let silence = vec![0.0f32; (0.5 * rate) as usize];
        let (est, _) = track(&silence, rate);
        assert!(!est.is_empty());
        assert!(est
            .iter()
            .all(|e| !e.voiced && e.frequency == 0.0 && e.clarity == 0.0));
        assert!(est.iter().all(|e| e.db == MIN_DB && e.note.is_empty()));

        let mut rng = XorShift(RNG_SEED ^ rate as u64);
        for level in [0.5f32, 0.003] {
            let noise: Vec<f32> = (0..(1.0 * rate) as usize)
                .map(|_| level * rng.uniform())
                .collect();
            let (est, _) = track(&noise, rate);
            let voiced = est.iter().filter(|e| e.voiced).count();
            assert_eq!(
                voiced,
                0,
                "white noise at {rate}: {voiced}/{} voiced",
                est.len()
            );
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn min_db_gates_quiet_windows() {
    let rate = 44100.0;
    let cfg = PitchConfig {
        min_db: -40.0,
        ..PitchConfig::default()
    };
    let mut est = Vec::new();
    // RMS of a sine of peak 0.005 is about -49 dBFS: below the gate.
    analyze(&sine(440.0, rate, 0.3, 0.005), rate, cfg, |e| est.push(*e)).unwrap();
    assert!(!est.is_empty() && est.iter().all(|e| !e.voiced && e.db < -40.0));
}

/// Mains hum as recorded: the mains frequency with a strong third and a weaker fifth
/// harmonic, `rms_db` dBFS, over a little white noise (60 dB below the hum).
fn hum(mains: f64, rate: f32, seconds: f64, rms_db: f32, rng: &mut XorShift) -> Vec<f32> {
    let x = tone(mains, rate, seconds, 1.0, |k| match k {
        1 => 1.0,
        3 => 0.6,
        5 => 0.2,
        _ => 0.0,
    });
    let rms = (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
    let gain = 10f32.powf(rms_db / 20.0) / rms;
    x.iter()
        .map(|v| gain * (v + 1e-3 * rng.gaussian()))
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn mains_hum_stays_unvoiced() {
    let mut rng = XorShift(RNG_SEED ^ 1);
    for rate in [16000.0f32, 44100.0, 48000.0] {
        for mains in [50.0, 60.0] {
            for rms_db in [-65.0, -50.0, -40.0] {
                let x = hum(mains, rate, 1.0, rms_db, &mut rng);
                let (est, window) = track(&x, rate);
                let full = inside(&est, window, 0, x.len());
                assert!(full.len() > 40);
                // The hum is periodic enough to be voiced by clarity alone…
                assert!(
                    full.iter().all(|e| e.clarity > 0.9),
                    "{mains} Hz hum at {rate}"
                );
                // …but after the first 50 ms of the stream (where the window is still half
                // empty and the pitch less exact), not one estimate is.
                let settled = (0.05 * rate) as f64;
                let voiced: Vec<_> = est
                    .iter()
                    .filter(|e| e.voiced && e.centre_frame >= settled)
                    .collect();
                assert!(
                    voiced.is_empty(),
                    "{mains} Hz hum at {rms_db} dBFS, {rate} Hz: {} voiced, first {:?}",
                    voiced.len(),
                    voiced.first()
                );
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_note_after_hum_is_found_within_two_hops() {
    let rate = 44100.0;
    let mut rng = XorShift(RNG_SEED ^ 2);
    let onset = (0.5 * rate) as usize;
    let note = harmonic(220.0, rate, 0.5, 0.3);
    let mut x = hum(60.0, rate, 1.0, -50.0, &mut rng);
    for (v, n) in x[onset..].iter_mut().zip(&note) {
        *v += n;
    }
    let (est, window) = track(&x, rate);
    let first = est.iter().find(|e| e.voiced).expect("the note is found");
    // The first voiced estimate is centred at most two hops (20 ms) after the onset.
    let delay = (first.centre_frame - onset as f64) / rate as f64;
    assert!(
        delay <= 0.0201,
        "first voiced estimate {delay:.4} s after the onset"
    );
    for e in inside(&est, window, onset, x.len()) {
        assert!(e.voiced, "unvoiced inside the note: {e:?}");
        assert!(cents(e.frequency, 220.0).abs() < 10.0, "{e:?}");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn notes_near_the_mains_frequency_are_not_hum() {
    // Quiet notes 1.5 % and more off 50/60 Hz, and loud notes exactly on them, are notes.
    let quiet = 10f32.powf(-50.0 / 20.0);
    for (f0, peak) in [
        (61.0, quiet),
        (49.2, quiet),
        (66.0, quiet),
        (60.0, 0.3),
        (50.0, 0.3),
    ] {
        for rate in [16000.0f32, 48000.0] {
            let x = harmonic(f0, rate, 0.5, peak);
            assert_tracks(
                &x,
                rate,
                f0,
                10.0,
                &format!("{f0} Hz, peak {peak}, {rate} Hz"),
            );
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hysteresis_keeps_a_weak_end_but_not_a_tail_far_below_the_note() {
    // A clean note, then a "tail": the same pitch in white noise, the tone 57 % of the
    // tail's power, so its clarity (about 0.57) is below the threshold (0.65) but above the
    // continuation threshold (0.75 × 0.65 ≈ 0.49).
    let rate = 44100.0;
    let f0 = 220.0;
    let note = harmonic(f0, rate, 0.4, 0.5);
    let note_rms = (note.iter().map(|v| v * v).sum::<f32>() / note.len() as f32).sqrt();
    let voiced_share = |tail_db: f32| {
        let mut rng = XorShift(RNG_SEED ^ 3);
        let tail_rms = note_rms * 10f32.powf(tail_db / 20.0);
        let tone_part = harmonic(f0, rate, 0.3, 1.0);
        let tone_rms =
            (tone_part.iter().map(|v| v * v).sum::<f32>() / tone_part.len() as f32).sqrt();
        let tone_share = 0.57f32;
        let (a, sigma) = (
            tail_rms * tone_share.sqrt() / tone_rms,
            tail_rms * (1.0 - tone_share).sqrt(),
        );
        let mut x = note.clone();
        x.extend(tone_part.iter().map(|v| a * v + sigma * rng.gaussian()));
        let (est, window) = track(&x, rate);
        let tail = inside(&est, window, note.len(), x.len());
        assert!(tail.len() > 5);
        let mean_clarity = tail.iter().map(|e| e.clarity).sum::<f32>() / tail.len() as f32;
        assert!(
            (0.49..0.65).contains(&mean_clarity),
            "tail at {tail_db} dB: mean clarity {mean_clarity}"
        );
        tail.iter().filter(|e| e.voiced).count() as f64 / tail.len() as f64
    };
    let near = voiced_share(-10.0);
    let far = voiced_share(-23.0);
    assert!(near >= 0.8, "tail 10 dB below the note: {near:.2} voiced");
    assert!(far <= 0.2, "tail 23 dB below the note: {far:.2} voiced");
}

/// The estimates of `note` (a tone) fading in linearly over `ramp_s` seconds after 0.3 s of
/// white noise (from `seed`), the noise `noise_db` below the note's RMS level and going on
/// under it; and the onset's frame.
fn onset_in_noise(
    note: &[f32],
    rate: f32,
    noise_db: f32,
    ramp_s: f64,
    seed: u64,
) -> (Vec<PitchEstimate>, usize) {
    let mut rng = XorShift(RNG_SEED ^ seed);
    let lead = (0.15 * rate) as usize;
    let ramp = (ramp_s * rate as f64) as usize;
    let rms = (note.iter().map(|v| v * v).sum::<f32>() / note.len() as f32).sqrt();
    let sigma = rms * 10f32.powf(noise_db / 20.0);
    let mut x: Vec<f32> = (0..lead).map(|_| sigma * rng.gaussian()).collect();
    x.extend(
        note.iter()
            .enumerate()
            .map(|(i, v)| v * (i as f32 / ramp as f32).min(1.0) + sigma * rng.gaussian()),
    );
    (track(&x, rate).0, lead)
}

/// Centre of the first voiced estimate, in ms after `lead`.
fn first_voiced_ms(est: &[PitchEstimate], lead: usize, rate: f32) -> f64 {
    let first = est.iter().find(|e| e.voiced).expect("voiced somewhere");
    1000.0 * (first.centre_frame - lead as f64) / rate as f64
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_slow_onset_is_voiced_early_but_never_before_it_starts() {
    for (rate, f0) in [
        (20000.0f32, 120.0),
        (16000.0, 220.0),
        (44100.0, 150.0),
        (48000.0, 300.0),
        (96000.0, 200.0),
    ] {
        let note = harmonic(f0, rate, 0.2, 0.5);
        for noise_db in [-20.0f32, -10.0] {
            for ramp_s in [0.02, 0.08] {
                let what = format!("{f0} Hz at {rate} Hz, noise {noise_db} dB, ramp {ramp_s} s");
                let (est, lead) = onset_in_noise(&note, rate, noise_db, ramp_s, 5);
                let ms = first_voiced_ms(&est, lead, rate);
                // Measured: 0 to 40 ms (the slowest fade in the most noise).
                assert!(
                    (0.0..=40.0).contains(&ms),
                    "{what}: first voiced at {ms} ms"
                );
                for e in est.iter().filter(|e| e.voiced) {
                    let c = cents(e.frequency, f0);
                    assert!(
                        c.abs() <= 50.0,
                        "{what}: {c:.0} cents at {}",
                        e.centre_frame
                    );
                }
            }
        }
    }
    // The onset rule of step 6 (a weak centre is voiced when the part of the window after it
    // is clearly periodic at its pitch), on low voices fading in over 80 ms in noise 20 dB
    // down: measured 10.8 and 10.0 ms on average over the 12 noises; 15.8 and 20.0 ms
    // without the rule.
    for (rate, f0) in [(20000.0f32, 120.0), (44100.0, 150.0)] {
        let note = harmonic(f0, rate, 0.2, 0.5);
        let seeds = 1..=12u64;
        let mean = seeds
            .clone()
            .map(|seed| {
                let (est, lead) = onset_in_noise(&note, rate, -20.0, 0.08, seed);
                first_voiced_ms(&est, lead, rate)
            })
            .sum::<f64>()
            / seeds.count() as f64;
        assert!(
            mean <= 13.0,
            "{f0} Hz at {rate} Hz: first voiced at {mean} ms on average"
        );
    }
}
