//! The worklet-side transport, natively: batches, their samples, headers and flags, partial
//! batches (flush, `maxLatencyMs`, quanta without input, jumps in time), channel modes, other
//! quantum lengths and batch-size changes. The pool and dropped audio are in
//! tests/transport_pool.rs. The same tests run in the browser under `wasm-pack test` (see the
//! attributes).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::batches::{give_back, push_ramp, samples, Posted};
use common::signals::ramp;
use pitchtap::dsp::batcher::QuantumBatcher;
use pitchtap::dsp::config::{ChannelMode, TapConfig};
use pitchtap::dsp::header::{flags, BatchHeader};
use pitchtap::dsp::RENDER_QUANTUM_SIZE as Q;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn full_batches_carry_exact_samples_and_headers() {
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 256,
        pool_size: 4,
        max_pool_size: 4,
        sample_rate: 48000.0,
        ..TapConfig::default()
    })
    .unwrap();
    let mut out = Posted::new();
    for q in 0..4 {
        let x = ramp(q * Q, Q);
        b.push((1000 + q * Q) as f64, &[&x], &mut out);
    }
    assert_eq!(out.len(), 2);
    for (k, (slot, bytes)) in out.iter().enumerate() {
        let h = BatchHeader::parse(bytes).unwrap();
        assert_eq!(h.seq, k as u32);
        assert_eq!(h.slot as usize, *slot);
        assert_eq!(h.frames, 256);
        assert_eq!(h.channels, 1);
        assert_eq!(h.sample_rate, 48000.0);
        assert_eq!(h.start_frame, (1000 + k * 256) as f64);
        assert_eq!(h.flags, 0);
        assert_eq!(h.batch_size, 256);
        assert_eq!(samples(bytes), ramp(k * 256, 256));
    }
    assert_eq!(b.pool().in_flight(), 2);
    assert_eq!(b.messages(), 2);
    assert_eq!(b.frames_posted(), 512.0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn flush_posts_the_partial_batch() {
    let mut b = QuantumBatcher::new(TapConfig::default()).unwrap();
    let mut out = Posted::new();
    b.push(0.0, &[&ramp(0, Q)], &mut out);
    b.push(Q as f64, &[&ramp(Q, Q)], &mut out);
    assert!(out.is_empty());
    b.flush(&mut out);
    assert_eq!(out.len(), 1);
    let h = BatchHeader::parse(&out[0].1).unwrap();
    assert_eq!(h.frames, 2 * Q as u32);
    assert_eq!(h.flags, flags::PARTIAL | flags::FLUSHED);
    assert_eq!(samples(&out[0].1), ramp(0, 2 * Q));
    // Nothing pending: a second flush posts nothing.
    b.flush(&mut out);
    assert_eq!(out.len(), 1);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn max_latency_posts_partial_batches_in_time() {
    // 10 ms at 44.1 kHz = 441 frames: the batch goes when its first frame is ≥ 441 old.
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 4096,
        max_latency_ms: Some(10.0),
        ..TapConfig::default()
    })
    .unwrap();
    let mut out = Posted::new();
    for q in 0..16 {
        let n = out.len();
        b.push((q * Q) as f64, &[&ramp(q * Q, Q)], &mut out);
        give_back(&mut b, &out[n..]);
    }
    assert!(out.len() >= 4);
    let mut expected_start = 0.0;
    for (_, bytes) in &out {
        let h = BatchHeader::parse(bytes).unwrap();
        assert_eq!(h.start_frame, expected_start);
        assert_eq!(h.flags, flags::PARTIAL | flags::LATENCY);
        // Posted at the end of its last quantum, so the oldest sample's age then is the
        // batch's length: at least the limit, at most the limit + one quantum.
        let age = h.frames as f64;
        assert!(age >= 441.0 && age <= 441.0 + Q as f64, "age {age}");
        expected_start += h.frames as f64;
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn quanta_without_input_are_not_audio_but_age_the_waiting_batch() {
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 1024,
        max_latency_ms: Some(20.0), // 882 frames
        ..TapConfig::default()
    })
    .unwrap();
    let mut out = Posted::new();
    b.push(0.0, &[&ramp(0, Q)], &mut out);
    // Source disconnected: no channels.
    let mut frame = Q;
    while out.is_empty() {
        b.push(frame as f64, &[], &mut out);
        frame += Q;
        assert!(frame < 2000, "the waiting batch was never flushed");
    }
    let h = BatchHeader::parse(&out[0].1).unwrap();
    assert_eq!(h.frames, Q as u32);
    assert_eq!(h.flags, flags::PARTIAL | flags::LATENCY);
    assert_eq!(b.frames_posted(), Q as f64);
    // Input comes back later: the new batch is marked discontinuous, not a gap.
    give_back(&mut b, &out);
    out.clear();
    b.push(frame as f64, &[&ramp(0, Q)], &mut out);
    b.flush(&mut out);
    let h = BatchHeader::parse(&out[0].1).unwrap();
    assert_eq!(h.start_frame, frame as f64);
    assert_eq!(
        h.flags & (flags::DISCONTINUITY | flags::GAP),
        flags::DISCONTINUITY
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_jump_in_frames_closes_the_batch_so_each_batch_is_contiguous() {
    let mut b = QuantumBatcher::new(TapConfig::default()).unwrap();
    let mut out = Posted::new();
    b.push(0.0, &[&ramp(0, Q)], &mut out);
    b.push(10_000.0, &[&ramp(Q, Q)], &mut out);
    b.flush(&mut out);
    assert_eq!(out.len(), 2);
    let a = BatchHeader::parse(&out[0].1).unwrap();
    let c = BatchHeader::parse(&out[1].1).unwrap();
    assert_eq!(
        (a.start_frame, a.frames, a.flags),
        (0.0, Q as u32, flags::PARTIAL)
    );
    assert_eq!(c.start_frame, 10_000.0);
    assert_ne!(c.flags & flags::DISCONTINUITY, 0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn channel_modes() {
    let l: Vec<f32> = vec![1.0; Q];
    let r: Vec<f32> = vec![3.0; Q];
    let run = |mode: ChannelMode, input: &[&[f32]]| {
        let mut b = QuantumBatcher::new(TapConfig {
            batch_size: 128,
            channels: mode,
            ..TapConfig::default()
        })
        .unwrap();
        let mut out = Posted::new();
        b.push(0.0, input, &mut out);
        let h = BatchHeader::parse(&out[0].1).unwrap();
        (h.channels, samples(&out[0].1))
    };
    assert_eq!(run(ChannelMode::Mix, &[&l, &r]), (1, vec![2.0; Q]));
    assert_eq!(run(ChannelMode::Select(1), &[&l, &r]), (1, vec![3.0; Q]));
    // Mono feeds every index (Web Audio's up-mix of mono); a missing channel is silent.
    assert_eq!(run(ChannelMode::Select(1), &[&l]), (1, vec![1.0; Q]));
    assert_eq!(run(ChannelMode::Select(2), &[&l, &r]), (1, vec![0.0; Q]));
    let (ch, s) = run(ChannelMode::All(2), &[&l, &r]);
    assert_eq!(ch, 2);
    assert_eq!(&s[..Q], &l[..]);
    assert_eq!(&s[Q..], &r[..]);
    let (ch, s) = run(ChannelMode::All(3), &[&l, &r]);
    assert_eq!(ch, 3);
    assert_eq!(&s[2 * Q..], &vec![0.0; Q][..]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn partial_multichannel_batches_are_compacted_planar() {
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 1024,
        channels: ChannelMode::All(2),
        ..TapConfig::default()
    })
    .unwrap();
    let mut out = Posted::new();
    let l = ramp(0, Q);
    let r = ramp(5000, Q);
    b.push(0.0, &[&l, &r], &mut out);
    b.flush(&mut out);
    let s = samples(&out[0].1);
    assert_eq!(s.len(), 2 * Q);
    assert_eq!(&s[..Q], &l[..]);
    assert_eq!(&s[Q..], &r[..]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn quanta_of_other_lengths_are_split_across_batches() {
    // A context with a larger render quantum (renderSizeHint) gives 384-frame quanta.
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 256,
        ..TapConfig::default()
    })
    .unwrap();
    b.reserve_quantum(384);
    let mut out = Posted::new();
    for q in 0..4 {
        let n = out.len();
        b.push((q * 384) as f64, &[&ramp(q * 384, 384)], &mut out);
        give_back(&mut b, &out[n..]);
    }
    b.flush(&mut out);
    let all: Vec<f32> = out.iter().flat_map(|(_, x)| samples(x)).collect();
    assert_eq!(all, ramp(0, 4 * 384));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn batch_size_changes_at_the_boundary() {
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 256,
        ..TapConfig::default()
    })
    .unwrap();
    let mut out = Posted::new();
    b.push(0.0, &[&ramp(0, Q)], &mut out);
    b.set_batch_size(512.0).unwrap();
    push_ramp(&mut b, 1..6, &mut out);
    let sizes: Vec<u32> = out
        .iter()
        .map(|(_, x)| BatchHeader::parse(x).unwrap().frames)
        .collect();
    assert_eq!(sizes, vec![256, 512]);
    let all: Vec<f32> = out.iter().flat_map(|(_, x)| samples(x)).collect();
    assert_eq!(all, ramp(0, 768));
    assert!(b.set_batch_size(100.0).is_err());
}
