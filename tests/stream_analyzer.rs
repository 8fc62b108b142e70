//! The main thread's analysis of a stream of batches (`pitchtap::dsp::analysis`), natively:
//! channel mix-down, a change of sample rate, the fixed-capacity estimate list, early
//! estimates only at onsets, and `analyze()`'s chunked pitch track. No file I/O, threads or
//! clocks, so the same tests run natively and in the browser under wasm-bindgen-test.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use pitchtap::dsp::analysis::{AnalysisOptions, PitchTrack, StreamAnalyzer};
use pitchtap::dsp::meter::VolumeConfig;
use pitchtap::dsp::pitch::{self, PitchConfig, PitchDetector, PitchEstimate};

const PI2: f32 = 2.0 * core::f32::consts::PI;

fn sine(hz: f32, rate: f32, amplitude: f32, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|i| amplitude * (PI2 * hz * i as f32 / rate).sin())
        .collect()
}

fn analyzer(rate: f32, reserve: usize) -> StreamAnalyzer {
    let mut a = StreamAnalyzer::new(AnalysisOptions::default(), rate).unwrap();
    a.reserve(reserve);
    a
}

fn cents(f: f32, reference: f32) -> f32 {
    1200.0 * (f / reference).log2()
}

/// Everything a batch reported, to compare two analyzers.
fn results(a: &StreamAnalyzer) -> (bool, [f32; 4], Vec<PitchEstimate>, Option<PitchEstimate>) {
    let v = a.volume();
    (
        a.analyzed(),
        [v.rms, v.peak, v.db, v.smoothed_db],
        a.estimates().to_vec(),
        a.early_estimate().copied(),
    )
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn several_channels_are_analysed_as_their_mean() {
    let rate = 48_000.0;
    let tone = sine(220.0, rate, 0.4, 48_000);
    // Two equal channels mix to the channel itself, a channel and silence to half of it:
    // both exactly, so the results must equal those of the mono signal bit for bit.
    let half: Vec<f32> = tone.iter().map(|x| x * 0.5).collect();
    let mut mono = analyzer(rate, 2 * 1024);
    let mut mono_half = analyzer(rate, 2 * 1024);
    let mut twin = analyzer(rate, 2 * 1024);
    let mut with_silence = analyzer(rate, 2 * 1024);
    let mut voiced = 0;
    for (k, (x, h)) in tone.chunks(1024).zip(half.chunks(1024)).enumerate() {
        let start = (k * 1024) as f64;
        let frames = x.len();
        let planar_twin = [x, x].concat();
        let planar_silence = [x, &vec![0.0; frames][..]].concat();
        assert!(mono.process(start, rate, 1, x));
        assert!(mono_half.process(start, rate, 1, h));
        assert!(twin.process(start, rate, 2, &planar_twin));
        assert!(with_silence.process(start, rate, 2, &planar_silence));
        assert_eq!(results(&twin), results(&mono), "batch {k}");
        assert_eq!(results(&with_silence), results(&mono_half), "batch {k}");
        voiced += mono.estimates().iter().filter(|e| e.voiced).count();
    }
    assert!(voiced > 50, "{voiced} voiced estimates");
    // Half the amplitude: 6 dB down.
    let (db, db_half) = (mono.volume().db, with_silence.volume().db);
    assert!((db - db_half - 6.02).abs() < 0.01, "{db} vs {db_half}");
    // A batch longer than reserved, of several channels: still analysed (it allocates).
    let long = [&tone[..], &tone[..]].concat();
    assert!(twin.process(48_000.0, rate, 2, &long));
    assert!(mono.process(48_000.0, rate, 1, &tone));
    assert_eq!(results(&twin), results(&mono));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn batches_without_frames_or_channels_are_not_analysed() {
    let mut a = analyzer(48_000.0, 1024);
    let tone = sine(440.0, 48_000.0, 0.5, 4096);
    assert!(a.process(0.0, 48_000.0, 1, &tone));
    assert!(!a.estimates().is_empty());
    // The results of the batch before are forgotten.
    assert!(!a.process(4096.0, 48_000.0, 0, &tone));
    assert!(!a.analyzed());
    assert!(a.estimates().is_empty() && a.early_estimate().is_none());
    assert!(!a.process(4096.0, 48_000.0, 2, &tone[..1]));
    assert!(!a.process(4096.0, 48_000.0, 1, &[]));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_analyzers_follow_the_sample_rate_of_the_batches() {
    let mut a = analyzer(48_000.0, 4096);
    let mut frame = 0.0;
    let mut feed = |a: &mut StreamAnalyzer, rate: f32| {
        let tone = sine(440.0, rate, 0.5, rate as usize / 2);
        let mut found = Vec::new();
        for batch in tone.chunks(1024) {
            assert!(a.process(frame, rate, 1, batch));
            found.extend(
                a.estimates()
                    .iter()
                    .filter(|e| e.voiced)
                    .map(|e| e.frequency),
            );
            frame += batch.len() as f64;
        }
        found
    };
    for rate in [48_000.0, 16_000.0, 96_000.0] {
        let found = feed(&mut a, rate);
        assert!(found.len() > 20, "{rate} Hz: {} voiced", found.len());
        // Read at the wrong rate, 440 Hz would be off by an octave or more.
        for f in &found[found.len() / 2..] {
            assert!(cents(*f, 440.0).abs() < 10.0, "{rate} Hz: {f}");
        }
        assert_eq!(a.estimates_dropped(), 0, "{rate} Hz");
    }
    // A rate the analyzers cannot use: the batch is not analysed; a good rate again is.
    let tone = sine(440.0, 48_000.0, 0.5, 1024);
    assert!(!a.process(frame, 1000.0, 1, &tone));
    assert!(!a.analyzed());
    assert!(a.process(frame, 48_000.0, 1, &tone));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn estimates_past_the_capacity_are_dropped_and_counted() {
    let rate = 48_000.0;
    let mut a = analyzer(rate, 1024);
    // A batch of 1024 samples gives at most 1024 / 480 + 1 estimates at the default 10 ms
    // hop: the reserve holds them.
    let capacity = a.estimate_capacity();
    assert!(capacity >= 1024 / 480 + 2, "{capacity}");
    let tone = sine(330.0, rate, 0.5, 48_000);
    let mut all = Vec::new();
    PitchDetector::new(PitchConfig::default(), rate)
        .unwrap()
        .push(0.0, &tone, &mut |e| all.push(*e));
    assert!(all.len() > capacity + 10, "{} estimates", all.len());
    // One batch of a whole second: the first `capacity` estimates are kept, the rest
    // counted.
    assert!(a.process(0.0, rate, 1, &tone));
    assert_eq!(a.estimates(), &all[..capacity]);
    let dropped = (all.len() - capacity) as u32;
    assert_eq!(a.estimates_dropped(), dropped);
    // The next batch starts afresh; the count stays.
    assert!(a.process(48_000.0, rate, 1, &tone[..480]));
    assert!(a.estimates().len() <= 2);
    assert_eq!(a.estimates_dropped(), dropped);
    // Reserving for longer batches makes room (and only grows).
    a.reserve(48_000);
    assert!(a.estimate_capacity() >= all.len());
    a.reserve(16);
    assert!(a.estimate_capacity() >= all.len());
}

/// `silence` frames of silence, then a sine of `hz` at 0.5 for `tone` frames, delivered in
/// 128-frame batches; every estimate reported, with the batch it came in, and whether early.
fn run_onset(
    a: &mut StreamAnalyzer,
    rate: f32,
    silence: usize,
    tone: usize,
    hz: f32,
) -> Vec<(usize, PitchEstimate, bool)> {
    let signal: Vec<f32> = (0..silence + tone)
        .map(|i| {
            if i < silence {
                0.0
            } else {
                0.5 * (PI2 * hz * (i - silence) as f32 / rate).sin()
            }
        })
        .collect();
    let mut out = Vec::new();
    for (k, batch) in signal.chunks(128).enumerate() {
        assert!(a.process((k * 128) as f64, rate, 1, batch));
        out.extend(a.estimates().iter().map(|e| (k, *e, false)));
        out.extend(a.early_estimate().map(|e| (k, *e, true)));
    }
    out
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn early_estimates_come_only_at_an_onset() {
    let rate = 44_100.0;
    let mut a = analyzer(rate, 1024);
    assert_eq!(a.early_window_size(), 1024);
    let silence = 22_050;
    let reported = run_onset(&mut a, rate, silence, 44_100, 440.0);
    let early: Vec<_> = reported.iter().filter(|r| r.2).collect();
    assert!(!early.is_empty(), "no early estimate at the onset");
    let first_hop_voiced = reported
        .iter()
        .find(|r| !r.2 && r.1.voiced)
        .expect("the detector voices the tone");
    let first_early = early[0];
    // Earlier than the detector's own first voiced estimate, in the same pitch.
    assert!(
        first_early.0 < first_hop_voiced.0,
        "early in batch {}, hop in {}",
        first_early.0,
        first_hop_voiced.0
    );
    assert!(cents(first_early.1.frequency, 440.0).abs() < 20.0);
    // Every early estimate is voiced, newer than everything reported before it, and made
    // while the detector's latest estimate was unvoiced; none once the tone is steady.
    let mut newest = f64::NEG_INFINITY;
    let mut detector_voiced = false;
    for (k, e, is_early) in &reported {
        if *is_early {
            assert!(e.voiced);
            assert!(
                e.centre_frame > newest,
                "early estimate in batch {k} is not the newest"
            );
            assert!(
                !detector_voiced,
                "early estimate in batch {k} while the detector is voiced"
            );
        } else {
            detector_voiced = e.voiced;
        }
        newest = newest.max(e.centre_frame);
    }
    let steady = silence / 128 + 44_100 / 128 / 2;
    assert!(
        early.iter().all(|r| r.0 < steady),
        "early estimates in the steady tone"
    );
    // The stream starts again at frame 0 (the frames went back): the same onset, but an
    // early estimate must be newer than every estimate reported so far, so none comes.
    let again = run_onset(&mut a, rate, silence, 44_100, 440.0);
    assert!(again.iter().any(|r| !r.2 && r.1.voiced));
    assert!(
        again.iter().all(|r| !r.2),
        "an early estimate went back in time"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn without_pitch_only_the_volume_is_measured() {
    let options = AnalysisOptions {
        pitch: None,
        volume: VolumeConfig::default(),
    };
    let mut a = StreamAnalyzer::new(options, 44_100.0).unwrap();
    a.reserve(1024);
    assert_eq!(a.early_window_size(), 0);
    let reported = run_onset(&mut a, 44_100.0, 4096, 8192, 440.0);
    assert!(reported.is_empty());
    assert!(a.analyzed());
    assert!(a.volume().db > -10.0, "{}", a.volume().db);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_pitch_track_in_chunks_equals_one_pass() {
    let rate = 44_100.0;
    let signal: Vec<f32> = sine(196.0, rate, 0.3, 30_000)
        .into_iter()
        .chain(sine(523.25, rate, 0.3, 30_000))
        .collect();
    let mut whole = Vec::new();
    pitch::analyze(&signal, rate, PitchConfig::default(), |e| whole.push(*e)).unwrap();
    let mut track = PitchTrack::new(PitchConfig::default(), f64::from(rate)).unwrap();
    let mut chunked = Vec::new();
    for chunk in signal.chunks(4567) {
        track.push(chunk, |time, e| chunked.push((time, *e)));
    }
    assert_eq!(chunked.len(), whole.len());
    for ((time, e), w) in chunked.iter().zip(&whole) {
        assert_eq!(e, w);
        assert_eq!(*time, w.centre_frame / f64::from(rate));
    }
}
