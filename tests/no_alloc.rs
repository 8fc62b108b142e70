//! Proves the real-time paths allocate nothing: a counting global allocator, then
//! 200,000 quanta of mixed traffic through the batcher after construction.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{allocations, assert_counting};

use pitchtap::dsp::batcher::{BatchSink, QuantumBatcher};
use pitchtap::dsp::config::{ChannelMode, TapConfig};
use pitchtap::dsp::header::BatchHeader;

/// Like the glue: remembers which slots went out, in a fixed array, to return them later.
struct Returns {
    held: [(u32, u32); 64],
    len: usize,
    posted: u64,
}
impl BatchSink for Returns {
    fn post(&mut self, _slot: usize, batch: &[u8]) {
        let h = BatchHeader::parse(batch).expect("well-formed");
        self.held[self.len] = (h.slot, h.lease);
        self.len += 1;
        self.posted += 1;
    }
}

#[test]
fn batcher_allocates_nothing_after_construction() {
    // The counter must see allocations, or the test below proves nothing.
    assert_counting();

    for mode in [
        ChannelMode::Mix,
        ChannelMode::Select(1),
        ChannelMode::All(2),
    ] {
        let mut b = QuantumBatcher::new(TapConfig {
            batch_size: 1024,
            pool_size: 4,
            max_pool_size: 6,
            channels: mode,
            max_latency_ms: Some(15.0),
            ..TapConfig::default()
        })
        .unwrap();
        b.set_onset_post(512); // the per-quantum level check and the early posts
        b.set_batch_size(2048.0).unwrap(); // grows the staging now, not later
        b.set_batch_size(1024.0).unwrap();
        let left: Vec<f32> = (0..128).map(|i| (i as f32 * 0.1).sin()).collect();
        let right: Vec<f32> = vec![f32::NAN; 128];
        let mut sink = Returns {
            held: [(0, 0); 64],
            len: 0,
            posted: 0,
        };
        let start = allocations();
        let mut frame = 0.0;
        for q in 0..200_000u64 {
            match q % 97 {
                0 => b.push(frame, &[], &mut sink), // no input
                1 => b.flush(&mut sink),            // flush
                2 => b
                    .set_batch_size(if q % 2 == 0 { 512.0 } else { 2048.0 })
                    .unwrap(),
                _ => b.push(frame, &[&left, &right], &mut sink), // audio
            }
            frame += 128.0;
            // Return buffers late now and then, so the pool runs dry and drops happen.
            if q % 7 != 0 {
                for k in 0..sink.len {
                    let (s, l) = sink.held[k];
                    b.release(s, l).unwrap();
                }
                sink.len = 0;
            }
            let _ = b.release(99, 0); // a foreign return, refused
        }
        let allocs = allocations() - start;
        assert_eq!(
            allocs, 0,
            "{mode:?}: {allocs} allocations on the real-time path"
        );
        assert!(
            sink.posted > 10_000,
            "{mode:?}: only {} batches",
            sink.posted
        );
    }
}
