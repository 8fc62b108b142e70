//! The worklet-side transport's pool and what it drops, natively: an exhausted pool, refused
//! returns, drops not yet reported, conservation under random schedules, a replacement after
//! a panic, and the pool of an offline render. The same tests run in the browser under
//! `wasm-pack test` (see the attributes).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::batches::{batcher, give_back, push_ramp, samples, Posted};
use common::signals::{ramp, XorShift, RNG_SEED};
use pitchtap::dsp::batcher::QuantumBatcher;
use pitchtap::dsp::config::{ChannelMode, TapConfig};
use pitchtap::dsp::header::{flags, BatchHeader};
use pitchtap::dsp::pool::ReturnError;
use pitchtap::dsp::RENDER_QUANTUM_SIZE as Q;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn exhausted_pool_drops_whole_quanta_counts_them_and_flags_the_gap() {
    let mut b = batcher(128, 2, 2);
    let mut out = Posted::new();
    push_ramp(&mut b, 0..5, &mut out);
    // Two buffers went out, three quanta found no buffer.
    assert_eq!(out.len(), 2);
    assert_eq!(b.dropped_frames(), 3.0 * Q as f64);
    assert_eq!(b.gaps(), 1);
    assert_eq!(b.pool().exhausted(), 3);
    give_back(&mut b, &out);
    out.clear();
    push_ramp(&mut b, 5..6, &mut out);
    let h = BatchHeader::parse(&out[0].1).unwrap();
    assert_eq!(h.flags & flags::GAP, flags::GAP);
    assert_eq!(h.dropped_before, 3.0 * Q as f64);
    assert_eq!(h.dropped_total, 3.0 * Q as f64);
    assert_eq!(h.start_frame, (5 * Q) as f64);
    assert_eq!(h.gaps_total, 1);
    assert_eq!(h.seq, 2, "dropped audio consumes no sequence number");
    assert_eq!(samples(&out[0].1), ramp(5 * Q, Q));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn refused_returns_never_reach_the_pool() {
    let mut b = batcher(128, 2, 2);
    let mut out = Posted::new();
    b.push(0.0, &[&ramp(0, Q)], &mut out);
    let (slot, lease) = BatchHeader::parse_slot_lease(&out[0].1).unwrap();
    assert_eq!(b.release(slot, lease), Ok(()));
    assert_eq!(b.release(slot, lease), Err(ReturnError::NotInFlight(slot)));
    assert_eq!(b.release(9, 1), Err(ReturnError::UnknownSlot(9)));
    b.count_refused();
    assert_eq!(b.refused(), 3);
    assert_eq!(b.pool().free(), 2);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn pending_drops_include_those_the_batch_being_filled_carries() {
    let mut b = batcher(256, 1, 1);
    let mut out = Posted::new();
    push_ramp(&mut b, 0..4, &mut out);
    // One batch out, two quanta dropped (the pool is dry): pending, from frame 256.
    assert_eq!(b.pending_drop(), (2.0 * Q as f64, 2.0 * Q as f64));
    give_back(&mut b, &out);
    push_ramp(&mut b, 4..5, &mut out);
    // A batch has started and carries them; not posted yet, so still pending for the main
    // thread, which has seen no GAP batch for them.
    assert_eq!(b.pending_drop().0, 2.0 * Q as f64);
    push_ramp(&mut b, 5..6, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(b.pending_drop().0, 0.0);
}

/// Random quanta, returns, stalls, flushes and batch-size changes: every frame is
/// delivered once and in order, or counted as dropped.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn conservation_under_random_schedules() {
    for seed in 1..=40u64 {
        let mut rng = XorShift(RNG_SEED ^ seed);
        let pool = 1 + rng.below(6) as usize;
        let mut b = QuantumBatcher::new(TapConfig {
            batch_size: 128 * (1 + rng.below(8) as usize),
            pool_size: pool,
            max_pool_size: pool + rng.below(3) as usize,
            max_latency_ms: if rng.below(2) == 0 { None } else { Some(5.0) },
            ..TapConfig::default()
        })
        .unwrap();
        let mut held: Posted = Vec::new();
        let mut received: Vec<(f64, Vec<f32>)> = Vec::new();
        let mut frame = 0usize;
        let mut rendered = 0usize;
        let mut last_seq: Option<u32> = None;
        for _ in 0..600 {
            let mut out = Posted::new();
            match rng.below(20) {
                0 => b.flush(&mut out),
                1 => b
                    .set_batch_size((128 * (1 + rng.below(16))) as f64)
                    .unwrap(),
                2 => {
                    // No input for a quantum.
                    b.push(frame as f64, &[], &mut out);
                    frame += Q;
                }
                _ => {
                    let x = ramp(frame, Q);
                    b.push(frame as f64, &[&x], &mut out);
                    frame += Q;
                    rendered += Q;
                }
            }
            for (slot, bytes) in out {
                let h = BatchHeader::parse(&bytes).unwrap();
                assert_eq!(h.slot as usize, slot);
                if let Some(s) = last_seq {
                    assert_eq!(h.seq, s.wrapping_add(1), "seed {seed}");
                }
                last_seq = Some(h.seq);
                received.push((h.start_frame, samples(&bytes)));
                held.push((slot, bytes));
            }
            // The main thread returns some buffers, sometimes after a stall.
            while !held.is_empty() && rng.below(3) != 0 {
                let (_, bytes) = held.remove(0);
                let (slot, lease) = BatchHeader::parse_slot_lease(&bytes).unwrap();
                b.release(slot, lease).unwrap();
            }
            assert!(b.pool().size() <= b.pool().max_size());
        }
        let mut out = Posted::new();
        b.flush(&mut out);
        for (_, bytes) in out {
            let h = BatchHeader::parse(&bytes).unwrap();
            received.push((h.start_frame, samples(&bytes)));
        }
        let got: usize = received.iter().map(|(_, s)| s.len()).sum();
        assert_eq!(
            got as f64 + b.dropped_frames(),
            rendered as f64,
            "seed {seed}"
        );
        // In order, each sample once, each batch's samples at its own start frame.
        let mut last = -1.0f32;
        for (start, s) in &received {
            for (i, v) in s.iter().enumerate() {
                assert!(*v > last, "seed {seed}: out of order");
                last = *v;
                assert_eq!(*v, (*start as usize + i) as f32, "seed {seed}");
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_replacement_carries_on_from_the_ledger_and_counts_the_lost_frames() {
    use pitchtap::dsp::batcher::{ledger, Carry};
    let config = TapConfig {
        batch_size: 512,
        pool_size: 4,
        max_pool_size: 4,
        sample_rate: 44100.0,
        ..TapConfig::default()
    };
    let mut old = QuantumBatcher::new(config).unwrap();
    let mut out = Posted::new();
    // 5 quanta: one full batch of 512 posted, 128 frames waiting in the next.
    push_ramp(&mut old, 0..5, &mut out);
    assert_eq!(out.len(), 1);
    let l = old.ledger();
    assert_eq!(l[ledger::PENDING], 128.0);
    assert_eq!(l[ledger::SEQ], 1.0);
    // The 6th quantum "panics": the replacement takes over at the 7th.
    let lost = l[ledger::PENDING] + Q as f64;
    let mut new = QuantumBatcher::new(config).unwrap();
    new.carry_on(Carry {
        epoch: l[ledger::EPOCH] as u32 + 1,
        lost,
        ..Carry::from_ledger(&l)
    });
    push_ramp(&mut new, 6..10, &mut out);
    assert_eq!(out.len(), 2);
    let h = BatchHeader::parse(&out[1].1).unwrap();
    assert_eq!(h.seq, 1, "the sequence carries on");
    assert_eq!(h.epoch, 1);
    assert_ne!(h.flags & flags::GAP, 0);
    assert_eq!(h.dropped_before, 256.0);
    assert_eq!(
        h.start_frame - h.dropped_before,
        4.0 * Q as f64,
        "the gap starts at the lost batch"
    );
    assert_eq!(h.dropped_total, 256.0);
    assert_eq!(h.gaps_total, 1);
    assert_eq!(samples(&out[1].1), ramp(6 * Q, 512));
    assert_eq!(new.frames_posted() + new.dropped_frames(), 10.0 * Q as f64);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_offline_render_ends_with_its_batch_posted_at_once_and_flagged_end() {
    // 10 quanta and 40 frames: the last quantum runs 88 frames past the render's end.
    let render = 10 * Q + 40;
    let config = TapConfig {
        batch_size: 512,
        render_frames: Some(render as f64),
        ..TapConfig::default()
    };
    let slots = pitchtap::dsp::config::offline_pool_size(&config).unwrap();
    assert_eq!(slots, render.div_ceil(512) + 1);
    let mut b = QuantumBatcher::new(TapConfig {
        pool_size: 2,
        max_pool_size: slots,
        ..config
    })
    .unwrap();
    let mut out = Posted::new();
    for q in 0..11 {
        // Nothing is returned: the pool grows to hold the render.
        b.push((q * Q) as f64, &[&ramp(q * Q, Q)], &mut out);
    }
    // A quantum after the end (there is none in a real render) is not taken.
    push_ramp(&mut b, 11..12, &mut out);
    let headers: Vec<_> = out
        .iter()
        .map(|(_, x)| BatchHeader::parse(x).unwrap())
        .collect();
    let frames: u32 = headers.iter().map(|h| h.frames).sum();
    assert_eq!(
        frames as usize, render,
        "every frame of the render, none past it"
    );
    assert_eq!(b.dropped_frames(), 0.0);
    let last = headers.last().unwrap();
    assert_eq!(last.flags, flags::END | flags::PARTIAL);
    assert_eq!(last.start_frame as usize + last.frames as usize, render);
    assert!(headers[..headers.len() - 1]
        .iter()
        .all(|h| h.flags & flags::END == 0));
    let all: Vec<f32> = out.iter().flat_map(|(_, x)| samples(x)).collect();
    assert_eq!(all, ramp(0, render));

    // A render that ends on a batch boundary: the full last batch carries END, and a flush
    // after it posts nothing.
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: 256,
        pool_size: 8,
        max_pool_size: 8,
        render_frames: Some((4 * Q) as f64),
        ..TapConfig::default()
    })
    .unwrap();
    let mut out = Posted::new();
    push_ramp(&mut b, 0..4, &mut out);
    b.flush(&mut out);
    let flags: Vec<u32> = out
        .iter()
        .map(|(_, x)| BatchHeader::parse(x).unwrap().flags)
        .collect();
    assert_eq!(flags, [0, flags::END]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_pool_sized_to_an_offline_render_is_bounded_and_named_in_its_error() {
    let at = |render: f64, batch: usize, channels: ChannelMode, latency: Option<f64>| {
        pitchtap::dsp::config::offline_pool_size(&TapConfig {
            batch_size: batch,
            channels,
            max_latency_ms: latency,
            sample_rate: 48_000.0,
            render_frames: Some(render),
            ..TapConfig::default()
        })
    };
    // 5 minutes at 48 kHz: 14063 batches of 1024 (59 MB), one more for a flush.
    assert_eq!(at(14_400_000.0, 1024, ChannelMode::Mix, None), Ok(14_064));
    // maxLatencyMs 10 ms = 480 frames: batches of at least 384 frames (whole quanta).
    assert_eq!(at(48_000.0, 1024, ChannelMode::Mix, Some(10.0)), Ok(126));
    // 32 channels of 5 minutes: 1.8 GB; 128-frame batches of 2 hours: over 65535 batches.
    for e in [
        at(14_400_000.0, 1024, ChannelMode::All(32), None),
        at(345_600_000.0, 128, ChannelMode::Mix, None),
    ] {
        let e = e.unwrap_err();
        assert_eq!(e.option(), "context.length");
        assert!(e.to_string().contains("512 MiB"), "{e}");
    }
    // A live context keeps the pool it was given.
    let live = TapConfig {
        max_pool_size: 16,
        ..TapConfig::default()
    };
    assert_eq!(pitchtap::dsp::config::offline_pool_size(&live), Ok(16));
    // Only the pool sized to the render may pass 256.
    let offline = TapConfig {
        render_frames: Some(14_400_000.0),
        sample_rate: 48_000.0,
        ..TapConfig::default()
    };
    assert!(TapConfig {
        max_pool_size: 14_064,
        ..offline
    }
    .validate()
    .is_ok());
    assert_eq!(
        TapConfig {
            max_pool_size: 1000,
            ..offline
        }
        .validate()
        .unwrap_err()
        .option(),
        "maxPoolSize"
    );
}
