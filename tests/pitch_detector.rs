//! The pitch detector as a stream and as configured: garbage in, batch splits, the timing of
//! its estimates, gaps and resets, window and hop per rate, sample-rate changes, options
//! checked under their JavaScript names (the meter's too), notes and cents. No file I/O,
//! threads or clocks, so the same tests run natively and in the browser under
//! wasm-bindgen-test.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::pitch::{harmonic, inside, sine, track};
use common::signals::{cents, XorShift, RNG_SEED};
use pitchtap::dsp::error::ConfigError;
use pitchtap::dsp::meter::{VolumeConfig, VolumeMeter};
use pitchtap::dsp::pitch::{analyze, note_name, PitchConfig, PitchDetector};

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn garbage_input_never_poisons_later_estimates() {
    let rate = 48000.0;
    let f0 = 261.63;
    let mut det = PitchDetector::new(PitchConfig::default(), rate).unwrap();
    let clean = harmonic(f0, rate, 1.0, 0.5);
    let mut garbage: Vec<f32> = vec![f32::NAN; 3000];
    garbage.extend([
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e30,
        -1e30,
        f32::MAX,
        f32::MIN,
    ]);
    garbage.extend(std::iter::repeat(1e-40f32).take(4000)); // denormals
    garbage.extend((0..2000).map(|i| if i % 97 == 0 { 1e20 } else { 0.1 }));
    let mut out = Vec::new();
    let mut frame = 0.0;
    for part in [&clean[..], &garbage[..], &clean[..]] {
        for batch in part.chunks(128) {
            det.push(frame, batch, &mut |e| out.push(*e));
            frame += batch.len() as f64;
        }
    }
    assert_eq!(det.non_finite_samples(), 3002);
    for e in &out {
        assert!(e.frequency.is_finite() && e.clarity.is_finite() && e.cents.is_finite());
        assert!(e.db.is_finite() && (0.0..=1.0).contains(&e.clarity));
    }
    // The last clean second, once the garbage has left the window, is right again.
    let clean_from = (clean.len() + garbage.len()) as f64 + 2048.0;
    let tail: Vec<_> = out
        .iter()
        .filter(|e| e.centre_frame >= clean_from)
        .collect();
    assert!(tail.len() > 50);
    for e in tail {
        assert!(e.voiced && cents(e.frequency, f0).abs() <= 10.0, "{e:?}");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn estimates_identical_whatever_the_batch_split() {
    let rate = 44100.0;
    let mut x = harmonic(196.0, rate, 0.4, 0.5);
    x.extend(vec![0.0; 5000]);
    x.extend(sine(523.25, rate, 0.3, 0.2));
    let mut whole = Vec::new();
    analyze(&x, rate, PitchConfig::default(), |e| whole.push(*e)).unwrap();
    let mut rng = XorShift(RNG_SEED);
    for max_batch in [1usize, 128, 1000, 4096] {
        let mut det = PitchDetector::new(PitchConfig::default(), rate).unwrap();
        let mut split = Vec::new();
        let mut at = 0usize;
        while at < x.len() {
            let len = (1 + rng.next_u64() as usize % max_batch).min(x.len() - at);
            det.push(at as f64 + 1000.0, &x[at..at + len], &mut |e| {
                split.push(*e)
            });
            at += len;
        }
        assert_eq!(split.len(), whole.len());
        for (a, b) in split.iter().zip(&whole) {
            assert_eq!(a.centre_frame, b.centre_frame + 1000.0);
            assert_eq!(
                (a.frequency, a.clarity, a.voiced),
                (b.frequency, b.clarity, b.voiced)
            );
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn timing_first_centre_hop_and_gaps() {
    let rate = 48000.0;
    let mut det = PitchDetector::new(PitchConfig::default(), rate).unwrap();
    assert_eq!((det.window_size(), det.hop_size()), (2048, 480));
    let x = sine(440.0, rate, 0.1, 0.5);
    let mut centres = Vec::new();
    // First estimate once half a window has arrived, centred on the first frame.
    det.push(5000.0, &x[..1023], &mut |e| centres.push(e.centre_frame));
    assert!(centres.is_empty());
    det.push(6023.0, &x[1023..1024], &mut |e| {
        centres.push(e.centre_frame)
    });
    assert_eq!(centres, vec![5000.0]);
    det.push(6024.0, &x[1024..1024 + 960], &mut |e| {
        centres.push(e.centre_frame)
    });
    assert_eq!(centres, vec![5000.0, 5480.0, 5960.0]);
    // A gap restarts the window at the new start frame.
    centres.clear();
    det.push(100_000.0, &x[..2000], &mut |e| centres.push(e.centre_frame));
    assert_eq!(centres, vec![100_000.0, 100_480.0, 100_960.0]);
    // reset() forgets the stream the same way.
    det.reset();
    centres.clear();
    det.push(100_000.0 + 2000.0, &x[..1024], &mut |e| {
        centres.push(e.centre_frame)
    });
    assert_eq!(centres, vec![102_000.0]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn default_window_and_hop_follow_the_rate() {
    for (rate, window, hop) in [
        (22050.0, 1024, 221),
        (44100.0, 2048, 441),
        (48000.0, 2048, 480),
        (96000.0, 4096, 960),
        (16000.0, 1024, 160),
    ] {
        let det = PitchDetector::new(PitchConfig::default(), rate).unwrap();
        assert_eq!((det.window_size(), det.hop_size()), (window, hop), "{rate}");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sample_rate_change_reconfigures() {
    let mut det = PitchDetector::new(PitchConfig::default(), 44100.0).unwrap();
    assert_eq!((det.window_size(), det.hop_size()), (2048, 441));
    det.set_sample_rate(22050.0).unwrap();
    assert_eq!((det.window_size(), det.hop_size()), (1024, 221));
    assert_eq!(det.sample_rate(), 22050.0);
    let x = harmonic(440.0, 22050.0, 0.3, 0.5);
    let mut est = Vec::new();
    det.push(0.0, &x, &mut |e| est.push(*e));
    let full = inside(&est, 1024, 0, x.len());
    assert!(full.len() > 10);
    assert!(full
        .iter()
        .all(|e| e.voiced && cents(e.frequency, 440.0).abs() < 10.0));
    // A rate the options cannot use is refused and changes nothing.
    let err = det.set_sample_rate(2000.0).unwrap_err();
    assert_eq!(err.option(), "sampleRate");
    assert_eq!(det.sample_rate(), 22050.0);
    let err = det.set_sample_rate(4000.0).unwrap_err();
    assert_eq!(err.option(), "pitch.maxFrequency");

    let mut meter = VolumeMeter::new(VolumeConfig::default(), 48000.0).unwrap();
    meter.set_sample_rate(96000.0).unwrap();
    assert_eq!(meter.sample_rate(), 96000.0);
    assert_eq!(
        meter.set_sample_rate(f32::NAN).unwrap_err().option(),
        "sampleRate"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn options_are_validated_with_js_names() {
    let bad = |c: PitchConfig| PitchDetector::new(c, 48000.0).unwrap_err().option();
    let d = PitchConfig::default();
    assert_eq!(
        bad(PitchConfig {
            min_frequency: 5.0,
            ..d
        }),
        "pitch.minFrequency"
    );
    assert_eq!(
        bad(PitchConfig {
            min_frequency: 2000.0,
            ..d
        }),
        "pitch.minFrequency"
    );
    assert_eq!(
        bad(PitchConfig {
            max_frequency: f32::NAN,
            ..d
        }),
        "pitch.maxFrequency"
    );
    assert_eq!(
        bad(PitchConfig {
            window_size: Some(32),
            ..d
        }),
        "pitch.windowSize"
    );
    assert_eq!(
        bad(PitchConfig {
            window_size: Some(1024),
            ..d
        }),
        "pitch.windowSize"
    );
    assert_eq!(
        bad(PitchConfig {
            hop_size: Some(0),
            ..d
        }),
        "pitch.hopSize"
    );
    assert_eq!(
        bad(PitchConfig {
            hop_size: Some(4096),
            ..d
        }),
        "pitch.hopSize"
    );
    assert_eq!(
        bad(PitchConfig {
            clarity_threshold: 1.5,
            ..d
        }),
        "pitch.clarityThreshold"
    );
    assert_eq!(bad(PitchConfig { min_db: 3.0, ..d }), "pitch.minDb");
    assert_eq!(bad(PitchConfig { a4: 0.0, ..d }), "pitch.a4");
    assert!(matches!(
        PitchDetector::new(d, f32::INFINITY).unwrap_err(),
        ConfigError::NotFinite {
            option: "sampleRate",
            ..
        }
    ));
    assert_eq!(
        PitchConfig { a4: 1000.0, ..d }
            .validate(48000.0)
            .unwrap_err()
            .option(),
        "pitch.a4"
    );
    assert!(d.validate(8000.0).is_ok());
    let ok = PitchDetector::new(
        PitchConfig {
            window_size: Some(3000),
            hop_size: Some(100),
            ..d
        },
        48000.0,
    )
    .unwrap();
    assert_eq!((ok.window_size(), ok.hop_size()), (3000, 100));

    let vbad = |c: VolumeConfig| VolumeMeter::new(c, 48000.0).unwrap_err().option();
    assert_eq!(
        vbad(VolumeConfig {
            attack_ms: -1.0,
            release_ms: 1.0
        }),
        "volume.attackMs"
    );
    assert_eq!(
        vbad(VolumeConfig {
            attack_ms: 1.0,
            release_ms: f32::NAN
        }),
        "volume.releaseMs"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn notes_and_cents() {
    assert_eq!(note_name(69), "A4");
    assert_eq!(note_name(61), "C#4");
    assert_eq!(note_name(0), "C-1");
    assert_eq!(note_name(127), "G9");
    assert_eq!(note_name(128), "");
    let rate = 44100.0;
    // 20 cents above C#3.
    let f = 138.591 * 2f64.powf(20.0 / 1200.0);
    let (est, window) = track(&harmonic(f, rate, 0.3, 0.5), rate);
    for e in inside(&est, window, 0, (0.3 * rate) as usize) {
        assert_eq!((e.midi, e.note), (49, "C#3"));
        assert!((e.cents - 20.0).abs() < 3.0, "{e:?}");
    }
    // a4 = 415 Hz (baroque): 415 Hz is A4.
    let cfg = PitchConfig {
        a4: 415.0,
        ..PitchConfig::default()
    };
    let x = sine(415.0, rate, 0.3, 0.5);
    let mut est = Vec::new();
    analyze(&x, rate, cfg, |e| est.push(*e)).unwrap();
    for e in inside(&est, 2048, 0, x.len()) {
        assert_eq!(e.note, "A4");
        assert!(e.cents.abs() < 3.0);
    }
}
