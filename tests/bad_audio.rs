//! Bad audio in: NaN, ±Infinity, denormals, DC offset, full-scale
//! clipping, silence and single spikes, pushed through the whole native pipeline
//! (`QuantumBatcher` → `VolumeMeter` + `PitchDetector`) in 128-frame quanta.
//!
//! For every fault: nothing panics, the transport carries the samples bit for bit (it
//! is not its job to judge them), every reading and estimate is finite, silence reads the
//! −120 dB floor, and the state is never poisoned: once the bad stretch has left the
//! analysis window, the next clean second gives the right pitch and level again (the
//! smoothed level within 2 s: it falls with the 300 ms release time constant).
#![cfg(not(target_arch = "wasm32"))]

use std::f64::consts::TAU;

mod common;
use common::batches::samples;
use common::pitch::{assert_voiced_at, inside};

use pitchtap::dsp::batcher::QuantumBatcher;
use pitchtap::dsp::config::TapConfig;
use pitchtap::dsp::header::BatchHeader;
use pitchtap::dsp::meter::{VolumeConfig, VolumeMeter, VolumeReading, MIN_DB};
use pitchtap::dsp::pitch::{PitchConfig, PitchDetector, PitchEstimate};
use pitchtap::dsp::RENDER_QUANTUM_SIZE as Q;

const RATE: f32 = 48_000.0;
/// A3 with harmonics: the clean signal around every fault.
const F0: f64 = 220.0;
const PEAK: f32 = 0.5;

/// 220 Hz with harmonics 1/k up to 0.45·rate, scaled to `PEAK`.
fn clean(seconds: f64, phase_frame: usize) -> Vec<f32> {
    let n = (seconds * RATE as f64) as usize;
    let kmax = (0.45 * RATE as f64 / F0) as usize;
    let raw = |i: usize| -> f64 {
        (1..=kmax)
            .map(|k| {
                (TAU * F0 * k as f64 * (i + phase_frame) as f64 / RATE as f64).sin() / k as f64
            })
            .sum()
    };
    // The 1/k series peaks at π/2 (a sawtooth's Gibbs overshoot aside): scale by the
    // measured maximum of one period so that PEAK is exact.
    let period = (RATE as f64 / F0).ceil() as usize;
    let max = (0..period * 2).map(|i| raw(i).abs()).fold(0.0, f64::max);
    (0..n).map(|i| (raw(i) / max) as f32 * PEAK).collect()
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / x.len() as f64).sqrt()
}

/// What the analyzers saw, per batch and per hop.
struct Run {
    /// (first frame of the batch, frames, reading)
    readings: Vec<(f64, usize, VolumeReading)>,
    estimates: Vec<PitchEstimate>,
    delivered: Vec<f32>,
    dropped: f64,
    window: usize,
}

/// The worklet's transport and the main thread's analyzers, natively: every batch is
/// read back from its bytes, analysed, and its buffer returned at once.
fn run(signal: &[f32]) -> Run {
    let mut batcher = QuantumBatcher::new(TapConfig {
        sample_rate: RATE as f64,
        ..TapConfig::default()
    })
    .unwrap();
    let mut meter = VolumeMeter::new(VolumeConfig::default(), RATE).unwrap();
    let mut pitch = PitchDetector::new(PitchConfig::default(), RATE).unwrap();
    let mut r = Run {
        readings: Vec::new(),
        estimates: Vec::new(),
        delivered: Vec::with_capacity(signal.len()),
        dropped: 0.0,
        window: pitch.window_size(),
    };
    let mut frame = 0usize;
    let mut analyse = |posted: Vec<(usize, Vec<u8>)>, b: &mut QuantumBatcher, r: &mut Run| {
        for (_, bytes) in posted {
            let h = BatchHeader::parse(&bytes).unwrap();
            let samples = samples(&bytes);
            r.readings
                .push((h.start_frame, samples.len(), meter.process(&samples)));
            pitch.push(h.start_frame, &samples, &mut |e| r.estimates.push(*e));
            r.delivered.extend_from_slice(&samples);
            b.release(h.slot, h.lease).unwrap();
        }
    };
    for quantum in signal.chunks(Q) {
        let mut out = Vec::new();
        batcher.push(frame as f64, &[quantum], &mut out);
        analyse(out, &mut batcher, &mut r);
        frame += quantum.len();
    }
    let mut out = Vec::new();
    batcher.flush(&mut out);
    analyse(out, &mut batcher, &mut r);
    r.dropped = batcher.dropped_frames();
    r
}

/// Clean (1 s) + `bad` + clean (2.5 s), and every check of the module docs. Returns the run
/// and the frame range of the bad stretch, for fault-specific checks.
fn check_fault(name: &str, bad: &[f32]) -> (Run, std::ops::Range<usize>) {
    check_fault_settling(name, bad, 2.0)
}

/// [`check_fault`] with `settle` seconds for the smoothed level to come back.
fn check_fault_settling(name: &str, bad: &[f32], settle: f64) -> (Run, std::ops::Range<usize>) {
    let head = clean(1.0, 0);
    let bad_at = head.len()..head.len() + bad.len();
    let tail = clean(settle + 0.5, bad_at.end);
    let signal: Vec<f32> = [&head[..], bad, &tail[..]].concat();
    let r = run(&signal);

    // The transport is lossless and bit-exact, NaN payloads included.
    assert_eq!(r.dropped, 0.0, "{name}");
    assert_eq!(r.delivered.len(), signal.len(), "{name}");
    let differ = r
        .delivered
        .iter()
        .zip(&signal)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    assert_eq!(differ, 0, "{name}: samples changed in transport");

    // Every number out is finite and in its range.
    for (start, _, v) in &r.readings {
        for x in [v.rms, v.peak, v.db, v.smoothed_db] {
            assert!(x.is_finite(), "{name}: reading at {start}: {v:?}");
        }
        assert!(v.db >= MIN_DB && v.smoothed_db >= MIN_DB, "{name}: {v:?}");
        assert!(v.rms >= 0.0 && v.peak >= 0.0, "{name}: {v:?}");
    }
    for e in &r.estimates {
        for x in [e.frequency, e.clarity, e.cents, e.db] {
            assert!(x.is_finite(), "{name}: {e:?}");
        }
        assert!((0.0..=1.0).contains(&e.clarity), "{name}: {e:?}");
        assert!((-50.0..=50.0).contains(&e.cents), "{name}: {e:?}");
        assert!(e.db >= MIN_DB, "{name}: {e:?}");
        if e.voiced {
            assert!(
                (50.0 * 0.97..=1500.0 * 1.03).contains(&e.frequency),
                "{name}: {e:?}"
            );
        } else {
            assert_eq!((e.frequency, e.midi, e.note), (0.0, 0, ""), "{name}: {e:?}");
        }
    }

    // Not poisoned: from the moment the bad stretch has left the window (its end plus a
    // window, plus a hop of margin), every estimate is A3 again, within 10 cents.
    let recovered_from = (bad_at.end + r.window + 480) as f64;
    let after: Vec<_> = r
        .estimates
        .iter()
        .filter(|e| {
            e.centre_frame >= recovered_from
                && e.centre_frame + (r.window / 2) as f64 <= signal.len() as f64
        })
        .collect();
    assert!(
        after.len() >= 90,
        "{name}: {} estimates after recovery",
        after.len()
    );
    assert_voiced_at(after, F0, 10.0, &format!("{name}: not recovered"));
    // The level too: every batch wholly in the tail reads the tail's RMS at once, and the
    // smoothed level has settled on it (within 1 dB) `settle` s into the tail. From 0 dBFS
    // the 300 ms release needs ≈1.2 s for that; a level far above full scale would need far
    // longer, which is what this catches.
    let level = 20.0 * rms(&tail).log10();
    for (start, frames, v) in &r.readings {
        let (start, end) = (*start as usize, *start as usize + frames);
        if start >= bad_at.end && *frames >= 512 {
            assert!(
                (v.db as f64 - level).abs() < 0.5,
                "{name}: db {v:?} vs {level:.2} at {start}"
            );
        }
        if start as f64 >= bad_at.end as f64 + settle * RATE as f64 && end <= signal.len() {
            assert!(
                (v.smoothed_db as f64 - level).abs() < 1.0,
                "{name}: smoothed level not back at frame {start}: {v:?} vs {level:.2}"
            );
        }
    }
    (r, bad_at)
}

/// Readings of batches wholly inside `range`.
fn readings_inside(r: &Run, range: &std::ops::Range<usize>) -> Vec<VolumeReading> {
    r.readings
        .iter()
        .filter(|(s, n, _)| *s as usize >= range.start && *s as usize + n <= range.end)
        .map(|(_, _, v)| *v)
        .collect()
}

/// Estimates whose whole window lies inside `range`.
fn estimates_inside(r: &Run, range: &std::ops::Range<usize>) -> Vec<PitchEstimate> {
    inside(&r.estimates, r.window, range.start, range.end)
}

const HALF_SECOND: usize = 24_000;

#[test]
fn nan_stretch() {
    let (r, bad) = check_fault("NaN", &vec![f32::NAN; HALF_SECOND]);
    // NaN reads as 0: the batches inside it are silence, and no window inside it is voiced.
    let inside = readings_inside(&r, &bad);
    assert!(inside.len() >= 20);
    for v in inside {
        assert_eq!((v.rms, v.peak, v.db), (0.0, 0.0, MIN_DB), "{v:?}");
        assert_eq!(v.non_finite, 1024);
    }
    assert!(estimates_inside(&r, &bad).iter().all(|e| !e.voiced));
}

#[test]
fn nan_payloads_and_negative_nan() {
    // Quiet and signalling NaNs with payloads, both signs: all the same to the analyzers.
    let nans = [
        f32::from_bits(0x7fc0_0001),
        f32::from_bits(0xffc0_0000),
        f32::from_bits(0x7f80_0001),
        -f32::NAN,
    ];
    let bad: Vec<f32> = (0..HALF_SECOND).map(|i| nans[i % nans.len()]).collect();
    check_fault("NaN payloads", &bad);
}

#[test]
fn positive_infinity_stretch() {
    let (r, bad) = check_fault("+Inf", &vec![f32::INFINITY; HALF_SECOND]);
    assert!(readings_inside(&r, &bad)
        .iter()
        .all(|v| v.non_finite == 1024 && v.db == MIN_DB));
}

#[test]
fn negative_infinity_stretch() {
    check_fault("-Inf", &vec![f32::NEG_INFINITY; HALF_SECOND]);
}

#[test]
fn scattered_non_finite_samples_inside_a_tone() {
    // Every 37th sample of the tone is NaN or ±Inf: the rest is still a tone.
    let mut bad = clean(0.5, 48_000);
    for (i, s) in bad.iter_mut().enumerate() {
        if i % 37 == 0 {
            *s = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][i / 37 % 3];
        }
    }
    check_fault("scattered non-finite", &bad);
}

#[test]
fn denormals() {
    // Subnormal f32 of both signs, the smallest and the largest.
    let d = [
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        1e-40,
        -1e-42,
    ];
    let bad: Vec<f32> = (0..HALF_SECOND).map(|i| d[i % d.len()]).collect();
    let (r, range) = check_fault("denormals", &bad);
    // Far below the floor: silence to the meter and unvoiced to the detector.
    for v in readings_inside(&r, &range) {
        assert_eq!(v.db, MIN_DB, "{v:?}");
    }
    assert!(estimates_inside(&r, &range).iter().all(|e| !e.voiced));
}

#[test]
fn denormal_tone() {
    // A 220 Hz tone scaled into the subnormal range: still far below minDb, never voiced.
    let bad: Vec<f32> = clean(0.5, 48_000).iter().map(|v| v * 1e-38).collect();
    assert!(bad.iter().any(|v| v.is_subnormal()));
    let (r, range) = check_fault("denormal tone", &bad);
    assert!(estimates_inside(&r, &range).iter().all(|e| !e.voiced));
}

#[test]
fn dc_offset_alone_and_under_a_tone() {
    // A step to a constant 0.8 (DC alone): no pitch; the meter reads the DC level.
    let (r, range) = check_fault("DC alone", &vec![0.8; HALF_SECOND]);
    assert!(estimates_inside(&r, &range).iter().all(|e| !e.voiced));
    for v in readings_inside(&r, &range) {
        assert!((v.db - 20.0 * 0.8f32.log10()).abs() < 0.01, "{v:?}");
    }
    // The same tone riding on −0.4 of DC: the detector removes it and keeps the pitch.
    let bad: Vec<f32> = clean(0.5, 48_000).iter().map(|v| v - 0.4).collect();
    let (r, range) = check_fault("DC under a tone", &bad);
    let tone = estimates_inside(&r, &range);
    assert!(tone.len() >= 20);
    assert_voiced_at(&tone, F0, 10.0, "DC under a tone");
}

#[test]
fn full_scale_clipping() {
    // The tone driven 20 dB into ±1.0 clipping: nearly a square wave, still A3.
    let bad: Vec<f32> = clean(0.5, 48_000)
        .iter()
        .map(|v| (v * 20.0).clamp(-1.0, 1.0))
        .collect();
    let (r, range) = check_fault("clipping", &bad);
    for v in readings_inside(&r, &range) {
        assert_eq!(v.peak, 1.0);
        assert!(v.db > -3.0 && v.db <= 0.0, "{v:?}");
    }
    let tone = estimates_inside(&r, &range);
    assert!(tone.len() >= 20);
    assert_voiced_at(&tone, F0, 10.0, "clipping");
}

#[test]
fn silence_reads_the_floor() {
    let (r, range) = check_fault("silence", &vec![0.0; HALF_SECOND]);
    let inside = readings_inside(&r, &range);
    assert!(inside.len() >= 20);
    for v in &inside {
        assert_eq!((v.rms, v.peak, v.db), (0.0, 0.0, MIN_DB), "{v:?}");
    }
    for e in estimates_inside(&r, &range) {
        assert!(!e.voiced && e.clarity == 0.0 && e.db == MIN_DB, "{e:?}");
    }
    // Negative zero is silence too.
    let (r, range) = check_fault("-0.0", &vec![-0.0; HALF_SECOND]);
    assert!(readings_inside(&r, &range).iter().all(|v| v.db == MIN_DB));
}

#[test]
fn the_smoothed_level_falls_to_the_floor_in_silence() {
    // The release acts on power: 300 ms is 4.34 dB per time constant, so from −12 dBFS the
    // floor (−120) is 25 time constants, 7.5 s, away. It falls steadily and gets there.
    let mut meter = VolumeMeter::new(VolumeConfig::default(), RATE).unwrap();
    for b in clean(1.0, 0).chunks(1024) {
        meter.process(b);
    }
    let silence = [0.0f32; 1024];
    let mut last = meter.smoothed_db();
    let mut floor_at = None;
    for i in 0..(10 * 48_000 / 1024) {
        let v = meter.process(&silence);
        assert_eq!(v.db, MIN_DB);
        assert!(v.smoothed_db <= last, "rose in silence: {v:?}");
        last = v.smoothed_db;
        if v.smoothed_db == MIN_DB && floor_at.is_none() {
            floor_at = Some((i + 1) * 1024);
        }
    }
    let seconds = floor_at.expect("never reached the floor") as f64 / 48_000.0;
    assert!((7.0..8.5).contains(&seconds), "floor after {seconds} s");
}

#[test]
fn a_stream_that_starts_silent_reads_the_floor_from_the_first_batch() {
    let r = run(&vec![0.0; 48_000]);
    assert!(r
        .readings
        .iter()
        .all(|(_, _, v)| v.db == MIN_DB && v.smoothed_db == MIN_DB));
    assert!(r.estimates.iter().all(|e| !e.voiced && e.db == MIN_DB));
}

#[test]
fn a_single_full_scale_spike_in_silence() {
    // A click: one sample at +1.0 in half a second of silence.
    let mut bad = vec![0.0; HALF_SECOND];
    bad[HALF_SECOND / 2] = 1.0;
    let (r, range) = check_fault("spike 1.0", &bad);
    // A click has no pitch.
    assert!(estimates_inside(&r, &range).iter().all(|e| !e.voiced));
}

#[test]
fn a_single_extreme_spike_in_a_tone() {
    // One sample at f32::MAX (a broken source): the estimates it touches may be wrong, but
    // nothing overflows and the tail is clean again. Its power reaches the smoothed level;
    // with samples limited to ±1000 (+60 dBFS, as the pitch detector's INPUT_LIMIT) the
    // 300 ms release brings it back within 1 dB in about 3 s. Unlimited, f32::MAX puts the
    // level at +700 dBFS and keeps it above 0 dBFS for about a minute.
    for spike in [f32::MAX, f32::MIN, 1e30, 1000.0] {
        let mut bad = clean(0.5, 48_000);
        bad[HALF_SECOND / 2] = spike;
        check_fault_settling(&format!("spike {spike:e}"), &bad, 4.0);
    }
}
