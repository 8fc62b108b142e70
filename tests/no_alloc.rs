//! Proves the real-time paths allocate nothing: a counting global allocator, then
//! 200,000 quanta of mixed traffic through the batcher after construction.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use pitchtap::dsp::batcher::{BatchSink, QuantumBatcher};
use pitchtap::dsp::config::{ChannelMode, TapConfig};
use pitchtap::dsp::header::BatchHeader;

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    let before = ALLOCS.load(Ordering::SeqCst);
    let v: Vec<u64> = Vec::with_capacity(16);
    assert!(
        ALLOCS.load(Ordering::SeqCst) > before,
        "allocator not installed"
    );
    drop(v);

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
        b.set_batch_size(2048.0).unwrap(); // grows the staging now, not later
        b.set_batch_size(1024.0).unwrap();
        let left: Vec<f32> = (0..128).map(|i| (i as f32 * 0.1).sin()).collect();
        let right: Vec<f32> = vec![f32::NAN; 128];
        let mut sink = Returns {
            held: [(0, 0); 64],
            len: 0,
            posted: 0,
        };
        let start = ALLOCS.load(Ordering::SeqCst);
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
        let allocs = ALLOCS.load(Ordering::SeqCst) - start;
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
