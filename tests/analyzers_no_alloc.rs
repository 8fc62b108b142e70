//! Proves the analyzers' real-time paths allocate nothing: a counting global allocator,
//! then 100,000 batches of mixed content through a meter and a detector after construction,
//! and the first 20,000 of them, as one or two channels, through a `StreamAnalyzer` (the
//! main thread's whole analysis of a batch).
//! One test in this file, so no other test thread can allocate while it counts.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{allocations, assert_counting};
mod common;
use common::signals::XorShift;

use pitchtap::dsp::analysis::{AnalysisOptions, StreamAnalyzer};
use pitchtap::dsp::early::EarlyPitch;
use pitchtap::dsp::meter::{VolumeConfig, VolumeMeter};
use pitchtap::dsp::pitch::{PitchConfig, PitchDetector};

#[test]
fn analyzers_allocate_nothing_after_construction() {
    // The counter must see allocations, or the check below proves nothing.
    assert_counting();

    let rate = 48000.0;
    let mut meter = VolumeMeter::new(VolumeConfig::default(), rate).unwrap();
    let mut detector = PitchDetector::new(PitchConfig::default(), rate).unwrap();
    let mut early = EarlyPitch::new(PitchConfig::default(), rate, 1024)
        .unwrap()
        .unwrap();
    let mut early_voiced = 0u64;
    // The coarse search decimates by 4 at 48 kHz (two half-band stages); these take the
    // other paths of its decimator, one stage (16 kHz) and three (96 kHz), for the first
    // 20,000 batches (the test runs unoptimised: four times as long with all 100,000).
    let mut others =
        [16000.0, 96000.0].map(|r| PitchDetector::new(PitchConfig::default(), r).unwrap());
    let mut other_estimates = 0u64;
    // Reserved for the longest batch, two channels; the default 10 ms hop.
    let mut stream = StreamAnalyzer::new(AnalysisOptions::default(), rate).unwrap();
    stream.reserve(2 * 4096);
    let mut planar = vec![0.0f32; 2 * 4096];
    let (mut stream_estimates, mut stream_early) = (0u64, 0u64);
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut batch = vec![0.0f32; 4096];
    let mut voiced = 0u64;
    let mut estimates = 0u64;
    let mut frame = 0.0f64;
    let mut phase = 0.0f32;

    let start = allocations();
    for i in 0..100_000u32 {
        // Mostly short batches (like render quanta) so the run stays quick, some long.
        let len = if i % 50 == 0 {
            1 + (rng.next_u64() % 4096) as usize
        } else {
            1 + (rng.next_u64() % 256) as usize
        };
        let kind = (i / 400) % 6;
        let step = 2.0 * core::f32::consts::PI * (100.0 + 50.0 * (i / 2400 % 8) as f32) / rate;
        for s in &mut batch[..len] {
            phase = (phase + step) % (2.0 * core::f32::consts::PI);
            *s = match kind {
                0 | 1 => 0.5 * phase.sin() + 0.2 * (2.0 * phase).sin(),
                2 => 0.3 * rng.uniform(),
                3 => 0.0,
                4 => {
                    if rng.next_u64() % 64 == 0 {
                        f32::NAN
                    } else {
                        0.4 * phase.sin()
                    }
                }
                _ => {
                    if rng.next_u64() % 997 == 0 {
                        f32::INFINITY
                    } else {
                        1e-3 * phase.sin() + 1e-39
                    }
                }
            };
        }
        let reading = meter.process(&batch[..len]);
        assert!(reading.db.is_finite());
        // Now and then a gap in the stream, which restarts the window.
        if i % 3001 == 0 {
            frame += 12345.0;
        }
        detector.push(frame, &batch[..len], &mut |e| {
            estimates += 1;
            voiced += e.voiced as u64;
        });
        early.push(frame, &batch[..len]);
        if i % 8 == 0 {
            early_voiced += early.estimate().is_some_and(|e| e.voiced) as u64;
        }
        if i < 20_000 {
            // Every third batch in two channels: the signal and its half (mixed down).
            let channels = if i % 3 == 0 { 2 } else { 1 };
            planar[..len].copy_from_slice(&batch[..len]);
            if channels == 2 {
                for (h, x) in planar[len..2 * len].iter_mut().zip(&batch[..len]) {
                    *h = 0.5 * x;
                }
            }
            assert!(stream.process(frame, rate, channels, &planar[..channels * len]));
            stream_estimates += stream.estimates().len() as u64;
            stream_early += stream.early_estimate().is_some() as u64;
        }
        for d in others.iter_mut().filter(|_| i < 20_000) {
            d.push(frame, &batch[..len], &mut |e| {
                other_estimates += 1;
                voiced += e.voiced as u64;
            });
        }
        frame += len as f64;
        if i == 50_000 {
            detector.reset();
            early.reset();
            for d in &mut others {
                d.reset();
            }
            meter.reset();
        }
    }
    let allocations = allocations() - start;
    assert_eq!(
        allocations, 0,
        "{allocations} allocations on the real-time path"
    );
    // The run did real work: estimates were made, and some were voiced.
    assert!(estimates > 1000, "{estimates} estimates");
    assert!(
        other_estimates > 1000,
        "{other_estimates} estimates at other rates"
    );
    assert!(voiced > 100, "{voiced} voiced");
    assert!(early_voiced > 100, "{early_voiced} early estimates voiced");
    assert!(
        stream_estimates > 1000,
        "{stream_estimates} stream estimates"
    );
    assert!(stream_early > 2, "{stream_early} early stream estimates");
    assert_eq!(stream.estimates_dropped(), 0);
}
