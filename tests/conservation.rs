//! Conservation, proven generally: proptest drives `QuantumBatcher` and
//! its `BufferPool` with random schedules — quanta of 1 to 128 frames and longer, quanta
//! with no input, jumps in time, buffer returns in order, out of order, late, twice, stale
//! or foreign, stalls with no returns at all, flushes and batch-size changes — against a
//! model of what the main thread holds. After every step and at the end:
//!
//! - every rendered frame is delivered exactly once, in order, in a batch that is
//!   contiguous in time and bit-exact, or counted as dropped, and the header's
//!   `dropped_total`/`dropped_before` say exactly which ones;
//! - the pool hands out a slot only when it is free, accepts a return only for the slot's
//!   current trip (so it never holds a buffer twice) and counts every refusal;
//! - memory stays bounded: at most `maxPoolSize` slots ever exist, and the staging area is
//!   no larger than the largest batch size asked for.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{HashMap, HashSet};

mod common;
use common::batches::{batcher, push_ramp, samples, Posted};
use common::signals;

use pitchtap::dsp::batcher::QuantumBatcher;
use pitchtap::dsp::config::{ChannelMode, TapConfig};
use pitchtap::dsp::header::{flags, BatchHeader, HEADER_BYTES};
use proptest::prelude::*;

/// One step of a schedule.
#[derive(Debug, Clone)]
enum Op {
    /// A quantum of `frames` frames with input.
    Audio { frames: usize },
    /// A quantum with no input (nothing connected): time passes, no audio.
    Silent { frames: usize },
    /// The next quantum starts this many frames later (the context was suspended).
    Jump { frames: usize },
    /// The main thread returns the held buffer at this position (modulo the count).
    Return { pick: usize },
    /// It returns a buffer it already returned (at this position in the returned list).
    Duplicate { pick: usize },
    /// A buffer of an earlier trip of a slot, or a made-up slot and lease.
    Foreign { slot: u32, lease: u32 },
    /// The main thread stalls: this many 128-frame quanta with no return.
    Stall { quanta: usize },
    /// `tap.flush()`.
    Flush,
    /// `tap.configure({ batchSize })`, valid or not.
    BatchSize { size: f64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (1usize..=128).prop_map(|frames| Op::Audio { frames }),
        6 => Just(Op::Audio { frames: 128 }),
        1 => (129usize..=1200).prop_map(|frames| Op::Audio { frames }),
        1 => (1usize..=256).prop_map(|frames| Op::Silent { frames }),
        1 => (1usize..=5000).prop_map(|frames| Op::Jump { frames }),
        6 => any::<usize>().prop_map(|pick| Op::Return { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Duplicate { pick }),
        1 => (0u32..12, 0u32..6).prop_map(|(slot, lease)| Op::Foreign { slot, lease }),
        1 => (1usize..=60).prop_map(|quanta| Op::Stall { quanta }),
        1 => Just(Op::Flush),
        1 => prop_oneof![
            (1usize..=128).prop_map(|k| (128 * k) as f64),
            Just(0.0), Just(100.0), Just(1000.5), Just(16512.0), Just(f64::NAN),
        ]
        .prop_map(|size| Op::BatchSize { size }),
    ]
}

#[derive(Debug, Clone)]
struct Setup {
    batch_size: usize,
    pool_size: usize,
    max_pool_size: usize,
    two_channels: bool,
    latency_ms: Option<f64>,
    /// Quanta up to this long are taken whole (`reserve_quantum`); longer ones lose their
    /// tail, which must be counted as dropped.
    quantum_capacity: usize,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        1usize..=16,
        1usize..=6,
        0usize..=3,
        any::<bool>(),
        prop_oneof![Just(None), (1u32..=60).prop_map(|ms| Some(ms as f64))],
        prop_oneof![Just(128usize), Just(512), Just(1024)],
    )
        .prop_map(|(k, pool, extra, two, latency, cap)| Setup {
            batch_size: 128 * k,
            pool_size: pool,
            max_pool_size: pool + extra,
            two_channels: two,
            latency_ms: latency,
            quantum_capacity: cap,
        })
}

/// The main thread and the book-keeping of what should have happened.
struct Model {
    b: QuantumBatcher,
    two: bool,
    frame: usize,
    /// Frames given to the batcher with input, as `[start, end)` runs.
    rendered: Vec<(usize, usize)>,
    /// Buffers on the main thread: `(slot, lease)`, in arrival order.
    held: Vec<(u32, u32)>,
    /// Every `(slot, lease)` ever returned and accepted.
    returned: Vec<(u32, u32)>,
    /// The lease of the trip each slot is on, while it is out.
    out: HashMap<u32, u32>,
    slots_seen: HashSet<u32>,
    refusals: u32,
    /// Frames delivered, in order of arrival.
    received: usize,
    last_end: Option<f64>,
    last_seq: Option<u32>,
    largest_batch: usize,
    max_pool: usize,
}

/// A ramp: frame `i` carries `i` in channel 0 and `-i - 0.5` in channel 1 (exact in f32
/// below 2^22; schedules stay far below).
fn ramp(start: usize, n: usize) -> (Vec<f32>, Vec<f32>) {
    let a = signals::ramp(start, n);
    let b: Vec<f32> = a.iter().map(|&v| -v - 0.5).collect();
    (a, b)
}

impl Model {
    fn rendered_before(&self, frame: f64) -> f64 {
        self.rendered
            .iter()
            .map(|&(a, b)| (frame.min(b as f64) - a as f64).max(0.0))
            .sum()
    }

    fn audio(&mut self, frames: usize) -> Result<(), TestCaseError> {
        let (a, b) = ramp(self.frame, frames);
        let mut out = Vec::new();
        if self.two {
            self.b.push(self.frame as f64, &[&a, &b], &mut out);
        } else {
            self.b.push(self.frame as f64, &[&a], &mut out);
        }
        self.rendered.push((self.frame, self.frame + frames));
        self.frame += frames;
        self.arrive(out)
    }

    fn silent(&mut self, frames: usize) -> Result<(), TestCaseError> {
        // The glue passes an empty channel list and the quantum's length.
        let mut out = Vec::new();
        self.b.process(self.frame as f64, 0, frames, &mut out);
        self.frame += frames;
        self.arrive(out)
    }

    /// Batches reaching the main thread: check each one against the model.
    fn arrive(&mut self, out: Vec<(usize, Vec<u8>)>) -> Result<(), TestCaseError> {
        for (slot, bytes) in out {
            let h =
                BatchHeader::parse(&bytes).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(h.slot as usize, slot);
            prop_assert!(
                slot < self.max_pool,
                "slot {} of max {}",
                slot,
                self.max_pool
            );
            prop_assert!(
                !self.out.contains_key(&h.slot),
                "slot {} posted while still out",
                slot
            );
            self.out.insert(h.slot, h.lease);
            self.slots_seen.insert(h.slot);
            if let Some(s) = self.last_seq {
                prop_assert_eq!(h.seq, s.wrapping_add(1));
            }
            self.last_seq = Some(h.seq);
            let ch = if self.two { 2 } else { 1 };
            prop_assert_eq!(h.channels, ch);
            let n = h.frames as usize;
            prop_assert!(n >= 1 && n <= h.batch_size as usize, "{:?}", h);
            prop_assert_eq!(bytes.len(), HEADER_BYTES + 4 * n * ch as usize);
            // Contiguous, in order, bit-exact: channel 0 is the ramp from start_frame.
            let s = samples(&bytes);
            let (a, b) = ramp(h.start_frame as usize, n);
            prop_assert!(
                s[..n] == a[..],
                "batch {} not contiguous from {}",
                h.seq,
                h.start_frame
            );
            if self.two {
                prop_assert!(s[n..] == b[..], "channel 1 of batch {}", h.seq);
            }
            if let Some(end) = self.last_end {
                prop_assert!(h.start_frame >= end, "overlap: {} < {}", h.start_frame, end);
            }
            // Every rendered frame before this batch is delivered or counted as dropped.
            let missing = self.rendered_before(h.start_frame) - self.received as f64;
            prop_assert_eq!(h.dropped_total, missing, "dropped_total of batch {}", h.seq);
            // A drop right before this batch is flagged on it, with its exact size; without a
            // jump in time (DISCONTINUITY) the dropped frames are the ones right before it,
            // which is where the `gap` event says they were.
            let skipped = self.rendered_before(h.start_frame)
                - self.rendered_before(self.last_end.unwrap_or(0.0));
            if h.flags & flags::GAP != 0 {
                prop_assert_eq!(h.dropped_before, skipped, "GAP size on batch {}", h.seq);
                prop_assert!(skipped > 0.0);
                if h.flags & flags::DISCONTINUITY == 0 {
                    let from = h.start_frame - h.dropped_before;
                    prop_assert_eq!(
                        self.rendered_before(h.start_frame) - self.rendered_before(from),
                        h.dropped_before,
                        "gap of batch {} not right before it",
                        h.seq
                    );
                }
            } else {
                prop_assert_eq!(h.dropped_before, 0.0);
                prop_assert_eq!(
                    skipped,
                    0.0,
                    "frames vanished before batch {} without GAP",
                    h.seq
                );
            }
            self.received += n;
            self.last_end = Some(h.start_frame + n as f64);
            self.largest_batch = self.largest_batch.max(h.batch_size as usize);
            self.held.push((h.slot, h.lease));
        }
        self.invariants()
    }

    fn give_back(&mut self, slot: u32, lease: u32) -> Result<(), TestCaseError> {
        let expect_ok = self.out.get(&slot) == Some(&lease);
        let r = self.b.release(slot, lease);
        prop_assert_eq!(
            r.is_ok(),
            expect_ok,
            "release({}, {}) = {:?}",
            slot,
            lease,
            r
        );
        if expect_ok {
            self.out.remove(&slot);
            self.returned.push((slot, lease));
        } else {
            self.refusals += 1;
        }
        self.invariants()
    }

    fn invariants(&self) -> Result<(), TestCaseError> {
        let p = self.b.pool();
        prop_assert!(p.size() <= p.max_size() && p.max_size() == self.max_pool);
        prop_assert_eq!(p.in_flight(), self.out.len());
        let filling = usize::from(self.b.pending_frames() > 0);
        prop_assert_eq!(p.free() + p.in_flight() + filling, p.size());
        prop_assert_eq!(self.b.refused(), self.refusals);
        prop_assert!(self.slots_seen.len() <= self.max_pool);
        // Staging: one batch of the largest size asked for, no more.
        let ch = if self.two { 2 } else { 1 };
        prop_assert!(
            self.b.staging().len()
                <= HEADER_BYTES + 4 * ch * self.largest_batch.max(self.b.config().batch_size)
        );
        Ok(())
    }
}

fn run(setup: Setup, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut b = QuantumBatcher::new(TapConfig {
        batch_size: setup.batch_size,
        pool_size: setup.pool_size,
        max_pool_size: setup.max_pool_size,
        channels: if setup.two_channels {
            ChannelMode::All(2)
        } else {
            ChannelMode::Mix
        },
        max_latency_ms: setup.latency_ms,
        sample_rate: 44_100.0,
        render_frames: None,
    })
    .unwrap();
    b.reserve_quantum(setup.quantum_capacity);
    let mut m = Model {
        b,
        two: setup.two_channels,
        frame: 0,
        rendered: Vec::new(),
        held: Vec::new(),
        returned: Vec::new(),
        out: HashMap::new(),
        slots_seen: HashSet::new(),
        refusals: 0,
        received: 0,
        last_end: None,
        last_seq: None,
        largest_batch: setup.batch_size,
        max_pool: setup.max_pool_size,
    };
    for op in ops {
        match op {
            Op::Audio { frames } => m.audio(frames)?,
            Op::Silent { frames } => m.silent(frames)?,
            Op::Jump { frames } => m.frame += frames,
            Op::Return { pick } => {
                if !m.held.is_empty() {
                    let (slot, lease) = m.held.remove(pick % m.held.len());
                    m.give_back(slot, lease)?;
                }
            }
            Op::Duplicate { pick } => {
                if !m.returned.is_empty() {
                    let (slot, lease) = m.returned[pick % m.returned.len()];
                    m.give_back(slot, lease)?;
                }
            }
            Op::Foreign { slot, lease } => m.give_back(slot, lease)?,
            Op::Stall { quanta } => {
                for _ in 0..quanta {
                    m.audio(128)?;
                }
            }
            Op::Flush => {
                let mut out = Vec::new();
                m.b.flush(&mut out);
                prop_assert!(out.len() <= 1);
                m.arrive(out)?;
                prop_assert_eq!(m.b.pending_frames(), 0);
            }
            Op::BatchSize { size } => {
                let before = m.b.config().batch_size;
                match m.b.set_batch_size(size) {
                    Ok(()) => {
                        prop_assert_eq!(size.fract(), 0.0);
                        prop_assert_eq!(size as usize % 128, 0);
                        m.largest_batch = m.largest_batch.max(size as usize);
                    }
                    Err(e) => {
                        prop_assert_eq!(e.option(), "batchSize");
                        prop_assert_eq!(
                            m.b.config().batch_size,
                            before,
                            "a refused size changed the config"
                        );
                    }
                }
            }
        }
    }
    // The main thread gives everything back; the last partial batch is flushed.
    while let Some((slot, lease)) = m.held.pop() {
        m.give_back(slot, lease)?;
    }
    let mut out = Vec::new();
    m.b.flush(&mut out);
    m.arrive(out)?;
    let rendered = m.rendered_before(f64::INFINITY);
    prop_assert_eq!(
        m.received as f64 + m.b.dropped_frames(),
        rendered,
        "received + dropped != rendered"
    );
    prop_assert_eq!(m.b.frames_posted(), m.received as f64);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_frame_is_delivered_once_in_order_or_counted(
        setup in setup(),
        ops in proptest::collection::vec(op(), 1..400),
    ) {
        run(setup, ops)?;
    }
}

/// The same, with the main thread never returning anything: the pool runs dry, everything
/// after it is dropped and counted, and the pool stays at `maxPoolSize`.
#[test]
fn a_main_thread_that_never_returns_drops_everything_after_the_pool() {
    let mut b = batcher(256, 2, 5);
    let mut out = Posted::new();
    push_ramp(&mut b, 0..100, &mut out);
    assert_eq!(out.len(), 5);
    assert_eq!(b.pool().size(), 5);
    assert_eq!(b.frames_posted(), 5.0 * 256.0);
    assert_eq!(b.dropped_frames(), 100.0 * 128.0 - 5.0 * 256.0);
    assert_eq!(b.gaps(), 1);
}
