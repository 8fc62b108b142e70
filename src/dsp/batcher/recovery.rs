//! Carrying on after a panic: the counters a replacement batcher takes over from the one that
//! panicked, so that sequence numbers, totals and the accounting of dropped frames go on as
//! if nothing had happened, and the frames lost in the panic are counted as dropped.

use super::{ledger, QuantumBatcher};

/// The counters a replacement batcher carries on from one that panicked, read from the
/// last [`QuantumBatcher::ledger`] the old one wrote (see `src/wasm/worklet.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Carry {
    /// Epoch of the replacement (the old one's + 1): returns of older buffers are refused.
    pub epoch: u32,
    /// Next sequence number.
    pub seq: u32,
    /// Batches posted so far.
    pub messages: u64,
    /// Frames posted so far.
    pub frames_posted: f64,
    /// Frames dropped so far.
    pub dropped_total: f64,
    /// Gaps so far.
    pub gaps: u32,
    /// Refused returns so far.
    pub refused: u32,
    /// Frames that were taken but never posted (the old batch being filled and the quantum
    /// that panicked): dropped and counted, so the next batch carries
    /// [`flags::GAP`](crate::dsp::header::flags::GAP).
    pub lost: f64,
}

impl Carry {
    /// The counters as a [`ledger`](super::ledger) holds them, each slot as written (whole
    /// numbers; the caller puts the replacement's epoch in `EPOCH` and the lost frames in
    /// `PENDING`).
    pub fn from_ledger(l: &[f64; super::ledger::LEN]) -> Carry {
        use super::ledger::*;
        Carry {
            epoch: l[EPOCH] as u32,
            seq: l[SEQ] as u32,
            messages: l[MESSAGES] as u64,
            frames_posted: l[FRAMES_POSTED],
            dropped_total: l[DROPPED],
            gaps: l[GAPS] as u32,
            refused: l[REFUSED] as u32,
            lost: l[PENDING],
        }
    }
}

impl QuantumBatcher {
    /// Carries on the counters of a batcher that panicked (see [`Carry`]). Call right
    /// after [`Self::new`], before the first quantum.
    pub fn carry_on(&mut self, c: Carry) {
        self.epoch = c.epoch;
        self.seq = c.seq;
        self.messages = c.messages;
        self.frames_posted = c.frames_posted;
        self.dropped_total = c.dropped_total;
        self.gaps = c.gaps;
        self.refused = c.refused;
        if c.lost > 0.0 {
            self.drop_frames(f64::NAN, c.lost);
        }
    }

    /// The counters a replacement needs, as numbers (indices in [`ledger`]). The glue
    /// copies them to a place JavaScript can still read after a panic.
    pub fn ledger(&self) -> [f64; ledger::LEN] {
        let mut l = [0.0; ledger::LEN];
        l[ledger::SEQ] = self.seq as f64;
        l[ledger::MESSAGES] = self.messages as f64;
        l[ledger::FRAMES_POSTED] = self.frames_posted;
        l[ledger::DROPPED] = self.dropped_total;
        l[ledger::GAPS] = self.gaps as f64;
        l[ledger::REFUSED] = self.refused as f64;
        l[ledger::PENDING] = self.filled as f64;
        l[ledger::EPOCH] = self.epoch as f64;
        l
    }

    /// Which instance this is (0, +1 per recovery).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }
}
