//! Cost of the analyzers per second of audio, fed as 128-frame render quanta like the
//! worklet does. Construction (FFT planning, buffers) happens outside the timed loop; the
//! detector keeps streaming across iterations, so every iteration is steady-state work.
//!
//! `cargo bench --bench pitch_cost`; criterion reports time per iteration = per second of
//! audio, so 2.5 ms means 0.0025 CPU s per audio s.
//!
//! criterion is a native dev-dependency and Cargo.toml has the
//! `[[bench]] name = "pitch_cost", harness = false` stanza this file needs.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

use pitchtap::dsp::meter::{VolumeConfig, VolumeMeter};
use pitchtap::dsp::pitch::{PitchConfig, PitchDetector};

/// One second of a voiced-like signal: a 1/k harmonic tone gliding 110–220 Hz with a little
/// deterministic noise, so the detector takes its ordinary (voiced) path.
fn voice(rate: f32) -> Vec<f32> {
    let n = rate as usize;
    let mut phase = 0.0f64;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|i| {
            let f0 = 110.0 * 2f64.powf(i as f64 / n as f64);
            phase += std::f64::consts::TAU * f0 / rate as f64;
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let noise = (seed >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
            let tone: f64 = (1..=8).map(|k| (k as f64 * phase).sin() / k as f64).sum();
            (0.3 * tone + 0.01 * noise) as f32
        })
        .collect()
}

fn pitch(c: &mut Criterion) {
    let mut group = c.benchmark_group("pitch_per_audio_second");
    for rate in [16000.0f32, 44100.0, 48000.0, 96000.0] {
        let x = voice(rate);
        group.throughput(Throughput::Elements(x.len() as u64));
        let mut det = PitchDetector::new(PitchConfig::default(), rate).unwrap();
        let mut frame = 0.0f64;
        group.bench_with_input(BenchmarkId::from_parameter(rate as u32), &x, |b, x| {
            b.iter(|| {
                let mut voiced = 0u32;
                for quantum in x.chunks(128) {
                    det.push(frame, black_box(quantum), &mut |e| {
                        voiced += e.voiced as u32
                    });
                    frame += quantum.len() as f64;
                }
                voiced
            })
        });
    }
    group.finish();
}

fn meter(c: &mut Criterion) {
    let x = voice(48000.0);
    let mut m = VolumeMeter::new(VolumeConfig::default(), 48000.0).unwrap();
    let mut group = c.benchmark_group("meter_per_audio_second");
    group.throughput(Throughput::Elements(x.len() as u64));
    group.bench_function("48000", |b| {
        b.iter(|| {
            let mut last = 0.0;
            for batch in x.chunks(1024) {
                last = m.process(black_box(batch)).smoothed_db;
            }
            last
        })
    });
    group.finish();
}

criterion_group!(benches, pitch, meter);
criterion_main!(benches);
