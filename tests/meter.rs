//! The volume meter: hand-computed readings, attack and release time constants, the level of
//! a steady tone, and an envelope independent of the batch split. No file I/O, threads or
//! clocks, so the same tests run natively and in the browser under wasm-bindgen-test.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::pitch::{harmonic, sine};
use common::signals::{XorShift, RNG_SEED};
use pitchtap::dsp::meter::{VolumeConfig, VolumeMeter, MIN_DB, RMS_TIME_MS};

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn meter_matches_hand_computed_values() {
    let mut m = VolumeMeter::new(VolumeConfig::default(), 48000.0).unwrap();
    let r = m.process(&[0.5, -0.5, 0.5, -0.5]);
    assert!((r.rms - 0.5).abs() < 1e-7);
    assert_eq!(r.peak, 0.5);
    assert!((r.db - (-6.020_6)).abs() < 1e-3, "{r:?}");
    // rms = sqrt((0.01 + 0.64 + 0 + 0.09) / 4) = sqrt(0.185); peak 0.8.
    let r = m.process(&[0.1, -0.8, 0.0, 0.3]);
    assert!((r.rms - 0.185f32.sqrt()).abs() < 1e-6);
    assert_eq!(r.peak, 0.8);
    assert!((r.db - 20.0 * 0.185f32.sqrt().log10()).abs() < 1e-4);
    // Non-finite samples read as 0 and are counted.
    let r = m.process(&[f32::NAN, 1.0, f32::INFINITY, -1.0]);
    assert_eq!(r.non_finite, 2);
    assert!((r.rms - 0.5f32.sqrt()).abs() < 1e-6 && r.peak == 1.0);
    assert!(r.smoothed_db.is_finite());
    // Silence and empty batches read the floor, never -Inf or NaN.
    m.reset();
    let r = m.process(&[0.0; 64]);
    assert_eq!(
        (r.rms, r.peak, r.db, r.smoothed_db),
        (0.0, 0.0, MIN_DB, MIN_DB)
    );
    let r = m.process(&[]);
    assert_eq!((r.db, r.smoothed_db), (MIN_DB, MIN_DB));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn meter_attack_and_release_time_constants() {
    let rate = 48000.0;
    // Instant attack: the level is the mean-square integrator alone, a one-pole with
    // RMS_TIME_MS: after one time constant of a full-scale DC step, 1 - 1/e of the power.
    let mut m = VolumeMeter::new(
        VolumeConfig {
            attack_ms: 0.0,
            release_ms: 300.0,
        },
        rate,
    )
    .unwrap();
    let tau = (RMS_TIME_MS * rate / 1000.0) as usize;
    let r = m.process(&vec![1.0; tau]);
    let expected = 10.0 * (1.0 - (-1.0f32).exp()).log10();
    assert!((r.smoothed_db - expected).abs() < 0.01, "{r:?}");
    let r = m.process(&vec![1.0; 48000]);
    assert!(r.smoothed_db.abs() < 1e-3);
    // Then silence: two one-poles in cascade (the integrator, 300 ms release):
    // y(t) = (τr·e^(-t/τr) − τi·e^(-t/τi)) / (τr − τi), about -4 dB at t = 300 ms.
    let r = m.process(&vec![0.0; 14400]);
    let (ti, tr, t) = (RMS_TIME_MS as f64 / 1000.0, 0.3f64, 0.3f64);
    let y = (tr * (-t / tr).exp() - ti * (-t / ti).exp()) / (tr - ti);
    let expected = 10.0 * y.log10();
    assert!(
        (r.smoothed_db as f64 - expected).abs() < 0.02,
        "{r:?} vs {expected}"
    );
    // ... and it keeps falling to the floor, never below it.
    let r = m.process(&vec![0.0; 48000 * 20]);
    assert_eq!(r.smoothed_db, MIN_DB);
    // A slow attack slows the rise: the integrator then a 100 ms attack.
    let mut slow = VolumeMeter::new(
        VolumeConfig {
            attack_ms: 100.0,
            release_ms: 300.0,
        },
        rate,
    )
    .unwrap();
    let fast_rise = {
        let mut f = VolumeMeter::new(
            VolumeConfig {
                attack_ms: 0.0,
                release_ms: 300.0,
            },
            rate,
        )
        .unwrap();
        f.process(&vec![1.0; 2400]).smoothed_db
    };
    let slow_rise = slow.process(&vec![1.0; 2400]).smoothed_db;
    assert!(slow_rise < fast_rise - 3.0, "{slow_rise} vs {fast_rise}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn smoothed_level_of_a_steady_tone_is_its_rms_level() {
    let rate = 44100.0;
    for f in [100.0, 220.0, 1000.0, 5000.0] {
        let mut m = VolumeMeter::new(VolumeConfig::default(), rate).unwrap();
        let r = m.process(&sine(f, rate, 1.0, 0.5));
        // 0.5 amplitude: RMS 0.3536, -9.03 dBFS.
        assert!((r.db + 9.03).abs() < 0.05, "{f} Hz: {r:?}");
        assert!((r.smoothed_db - r.db).abs() < 0.15, "{f} Hz: {r:?}");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn meter_envelope_identical_whatever_the_batch_split() {
    let rate = 44100.0;
    let mut rng = XorShift(RNG_SEED);
    let mut x: Vec<f32> = harmonic(220.0, rate, 0.5, 0.8);
    x.extend((0..20000).map(|i| if i < 10000 { 0.0 } else { 0.3 * rng.uniform() }));
    x.extend(sine(1000.0, rate, 0.2, 0.05));
    let mut whole = VolumeMeter::new(VolumeConfig::default(), rate).unwrap();
    let reference = whole.process(&x).smoothed_db;
    for max_batch in [1usize, 7, 128, 4096] {
        let mut m = VolumeMeter::new(VolumeConfig::default(), rate).unwrap();
        let mut at = 0;
        let mut last = MIN_DB;
        while at < x.len() {
            let len = (1 + rng.next_u64() as usize % max_batch).min(x.len() - at);
            last = m.process(&x[at..at + len]).smoothed_db;
            at += len;
        }
        assert_eq!(last, reference, "batches up to {max_batch}");
        assert_eq!(m.smoothed_db(), reference);
    }
}
