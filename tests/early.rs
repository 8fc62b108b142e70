//! Early pitch estimates at onsets (`pitchtap::dsp::early`) and the worklet's onset post
//! (`QuantumBatcher::set_onset_post`).

use pitchtap::dsp::batcher::QuantumBatcher;
use pitchtap::dsp::config::TapConfig;
use pitchtap::dsp::early::EarlyPitch;
use pitchtap::dsp::header::{flags, BatchHeader};
use pitchtap::dsp::pitch::PitchConfig;

const RATE: f32 = 44_100.0;

/// xorshift32 in [-1, 1).
fn noise(seed: &mut u32) -> f32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    (*seed as f32 / u32::MAX as f32) * 2.0 - 1.0
}

/// `silence` frames of `floor`-level noise, then a sine of `hz` at 0.5 for `tone` frames.
fn onset_signal(silence: usize, tone: usize, hz: f32, floor: f32, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..silence + tone)
        .map(|i| {
            let n = floor * noise(&mut s);
            if i < silence {
                n
            } else {
                let t = (i - silence) as f32 / RATE;
                n + 0.5 * (2.0 * core::f32::consts::PI * hz * t).sin()
            }
        })
        .collect()
}

/// The first voiced early estimate when the signal arrives in `step`-frame pieces: the
/// frames delivered by then, its frequency and its centre.
fn first_early(window: usize, signal: &[f32], step: usize) -> Option<(usize, f32, f64)> {
    let mut early = EarlyPitch::new(PitchConfig::default(), RATE, window)
        .unwrap()
        .unwrap();
    for (k, piece) in signal.chunks(step).enumerate() {
        early.push((k * step) as f64, piece);
        if let Some(e) = early.estimate().filter(|e| e.voiced) {
            return Some(((k * step) + piece.len(), e.frequency, e.centre_frame));
        }
    }
    None
}

#[test]
fn an_onset_is_estimated_half_an_early_window_after_it() {
    for window in [512usize, 1024] {
        for (i, offset) in [0usize, 37, 64, 100, 127].into_iter().enumerate() {
            let silence = 4410 + offset;
            let signal = onset_signal(silence, 8192, 440.0, 0.001, 7 + i as u32);
            let (delivered, f, centre) =
                first_early(window, &signal, 128).expect("an early estimate");
            let after_ms = (delivered - silence) as f64 * 1000.0 / RATE as f64;
            // Half a window plus the quantum it ends in.
            let limit = (window / 2 + 128) as f64 * 1000.0 / RATE as f64;
            assert!(
                after_ms <= limit,
                "window {window}, offset {offset}: {after_ms:.1} ms after the onset"
            );
            assert!((1200.0 * (f / 440.0).log2()).abs() < 20.0, "{f} Hz");
            // Stamped at its own window's centre, half an early window before the newest
            // sample, and the sound is there: at most a 16th of the window before the onset.
            assert_eq!(centre, (delivered - window / 2) as f64);
            assert!(centre >= (silence - window / 16) as f64, "centre {centre}");
        }
    }
}

#[test]
fn no_early_estimate_on_silence_or_noise() {
    for window in [512usize, 1024] {
        for (floor, seed) in [(0.0, 1u32), (0.001, 2), (0.1, 3), (0.5, 4)] {
            let signal = onset_signal(44_100, 0, 0.0, floor, seed);
            assert_eq!(
                first_early(window, &signal, 128),
                None,
                "window {window}, noise {floor}"
            );
        }
    }
}

#[test]
fn a_pitch_below_two_periods_of_the_early_window_waits_for_the_full_window() {
    // 80 Hz needs 1103 samples for two periods: no early window of 1024 may call it.
    let signal = onset_signal(4410, 8192, 80.0, 0.001, 5);
    if let Some((_, f, _)) = first_early(1024, &signal, 128) {
        assert!(f >= 86.0, "{f} Hz");
    }
    // An early window as long as the detector's own is no early window.
    assert!(EarlyPitch::new(PitchConfig::default(), RATE, 2048)
        .unwrap()
        .is_none());
}

/// Runs `signal` through a batcher (batch 1024) with the onset post at `delay` frames
/// (0: off), returning every buffer right away, and gives the posted headers.
fn batches(signal: &[f32], delay: usize) -> Vec<BatchHeader> {
    let mut b = QuantumBatcher::new(TapConfig {
        sample_rate: RATE as f64,
        ..TapConfig::default()
    })
    .unwrap();
    b.set_onset_post(delay);
    let mut out: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut headers = Vec::new();
    for (k, q) in signal.chunks(128).enumerate() {
        b.push((k * 128) as f64, &[q], &mut out);
        for (_, bytes) in out.drain(..) {
            let (slot, lease) = BatchHeader::parse_slot_lease(&bytes).unwrap();
            b.release(slot, lease).unwrap();
            headers.push(BatchHeader::parse(&bytes).unwrap());
        }
    }
    headers
}

#[test]
fn the_worklet_posts_a_batch_early_at_an_onset() {
    let silence = 44_100 + 300;
    let signal = onset_signal(silence, 44_100, 440.0, 0.001, 9);
    let posted = batches(&signal, 512);
    let onset: Vec<_> = posted
        .iter()
        .filter(|h| h.flags & flags::ONSET != 0)
        .collect();
    assert_eq!(onset.len(), 1, "one early post for one onset");
    let h = onset[0];
    assert_ne!(h.flags & flags::PARTIAL, 0);
    let end = h.start_frame + h.frames as f64;
    // 512 frames after the end of the onset's 32-frame block, at the end of that quantum.
    assert!(end >= (silence + 512) as f64, "ends at {end}");
    assert!(end <= (silence + 512 + 32 + 128) as f64, "ends at {end}");
    // Every frame still arrives once, in order.
    let mut next = 0.0;
    for h in &posted {
        assert_eq!(h.start_frame, next);
        next += h.frames as f64;
    }
    // Off: no early post; noise and silence alone: none either.
    assert!(batches(&signal, 0)
        .iter()
        .all(|h| h.flags & flags::ONSET == 0));
    let quiet = onset_signal(88_200, 0, 0.0, 0.01, 10);
    assert!(batches(&quiet, 512)
        .iter()
        .skip(1) // the stream's very first block may read as an onset
        .all(|h| h.flags & flags::ONSET == 0));
}
