//! Render quanta in, finished batch buffers out.
//!
//! [`QuantumBatcher`] is everything the worklet does, minus JavaScript: it takes each
//! render quantum (already copied into its own input area, see
//! [`QuantumBatcher::input_mut`]), mixes or selects channels into a staging batch laid out
//! exactly as the transferred buffer ([`header`](super::header)), and hands each finished
//! batch to a [`BatchSink`] together with the pool slot whose buffer should carry it. The
//! glue's sink copies the staging bytes into that slot's `ArrayBuffer` and posts it.
//!
//! A batch takes a pool slot when its first frame arrives. When no slot is free the
//! quantum's frames are dropped and counted, and the next batch carries
//! [`flags::GAP`] with the number dropped right before it. Every frame handed to
//! [`QuantumBatcher::process`] is therefore either in exactly one posted batch or counted
//! in [`QuantumBatcher::dropped_frames`].

use super::config::{validate_batch_size, TapConfig, MAX_CHANNELS};
use super::error::ConfigError;
use super::header::{flags, BatchHeader, HEADER_BYTES};
use super::onset::OnsetDetector;
use super::pool::{BufferPool, ReturnError};
use super::RENDER_QUANTUM_SIZE;

mod channels;
mod onset_post;
mod recovery;

pub use recovery::Carry;

/// Where finished batches go.
pub trait BatchSink {
    /// Called once per finished batch. `batch` is the header and the samples
    /// (`HEADER_BYTES + 4 · frames · channels` bytes, the start of the staging area); the
    /// buffer of pool slot `slot` must carry it to the main thread. Must not call back
    /// into the batcher.
    fn post(&mut self, slot: usize, batch: &[u8]);
}

/// Collects batches into owned vectors. For tests and offline use: it allocates.
impl BatchSink for Vec<(usize, Vec<u8>)> {
    fn post(&mut self, slot: usize, batch: &[u8]) {
        self.push((slot, batch.to_vec()));
    }
}

/// The worklet-side state machine. See the module docs.
///
/// Allocates in [`QuantumBatcher::new`], and in [`QuantumBatcher::set_batch_size`] /
/// [`QuantumBatcher::reserve_quantum`] only when they need more room than before;
/// [`QuantumBatcher::process`], [`QuantumBatcher::flush`] and
/// [`QuantumBatcher::release`] never allocate.
#[derive(Debug, Clone)]
pub struct QuantumBatcher {
    config: TapConfig,
    out_channels: usize,
    pool: BufferPool,
    /// Header + samples of the batch being filled, planar with a stride of
    /// `batch_size` frames while filling (compacted to `filled` on a partial post).
    staging: Vec<u8>,
    /// Frames per channel the staging area holds.
    capacity_frames: usize,
    /// Planar input of the current quantum: channel c at `c * quantum_capacity`.
    input: Vec<f32>,
    quantum_capacity: usize,
    latency_frames: Option<f64>,
    /// Posts the batch early this many frames after an energy onset (see
    /// [`Self::set_onset_post`]); `None` when off.
    onset: Option<(OnsetDetector, f64)>,
    /// The frame by which the batch must be posted, after an onset.
    onset_due: Option<f64>,

    // The batch being filled.
    filling: Option<usize>,
    batch_size: usize,
    pending_batch_size: Option<usize>,
    filled: usize,
    batch_start: f64,
    batch_flags: u32,
    batch_dropped_before: f64,

    /// The frame that would continue the stream (end of the last frame taken or dropped).
    next_frame: Option<f64>,
    /// Set when the next batch does not follow the previous one for a reason other than
    /// dropped frames.
    discontinuity: bool,
    /// Frames dropped since the last batch started (non-zero = in a gap).
    pending_drop: f64,
    /// Context frame where the run of drops in `pending_drop` began (NaN when unknown: frames
    /// lost to a panic).
    pending_drop_start: f64,

    seq: u32,
    messages: u64,
    frames_posted: f64,
    dropped_total: f64,
    gaps: u32,
    refused: u32,
    epoch: u32,
}

/// Entries of [`QuantumBatcher::ledger`]: the counters needed to carry on after a panic.
pub mod ledger {
    /// Next sequence number.
    pub const SEQ: usize = 0;
    /// Batches posted.
    pub const MESSAGES: usize = 1;
    /// Frames posted.
    pub const FRAMES_POSTED: usize = 2;
    /// Frames dropped.
    pub const DROPPED: usize = 3;
    /// Gaps.
    pub const GAPS: usize = 4;
    /// Refused returns.
    pub const REFUSED: usize = 5;
    /// Frames in the batch being filled.
    pub const PENDING: usize = 6;
    /// Epoch.
    pub const EPOCH: usize = 7;
    /// Entries.
    pub const LEN: usize = 8;
}

impl QuantumBatcher {
    /// Validates `config` and sizes everything: the pool, the staging batch and an input
    /// area for [`MAX_CHANNELS`] channels of one render quantum.
    pub fn new(config: TapConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let out_channels = config.channels.output_channels();
        let mut b = QuantumBatcher {
            config,
            out_channels,
            pool: BufferPool::new(config.pool_size, config.max_pool_size),
            staging: Vec::new(),
            capacity_frames: 0,
            input: Vec::new(),
            quantum_capacity: 0,
            latency_frames: config.max_latency_frames(),
            onset: None,
            onset_due: None,
            filling: None,
            batch_size: config.batch_size,
            pending_batch_size: None,
            filled: 0,
            batch_start: 0.0,
            batch_flags: 0,
            batch_dropped_before: 0.0,
            next_frame: None,
            discontinuity: false,
            pending_drop: 0.0,
            pending_drop_start: f64::NAN,
            seq: 0,
            messages: 0,
            frames_posted: 0.0,
            dropped_total: 0.0,
            gaps: 0,
            refused: 0,
            epoch: 0,
        };
        b.grow_staging(config.batch_size);
        b.reserve_quantum(RENDER_QUANTUM_SIZE);
        Ok(b)
    }

    fn grow_staging(&mut self, frames: usize) {
        if frames > self.capacity_frames {
            self.capacity_frames = frames;
            self.staging
                .resize(HEADER_BYTES + 4 * frames * self.out_channels, 0);
        }
    }

    /// Makes room for quanta of `frames` frames (128 unless the context was created with a
    /// larger `renderSizeHint`). Allocates only when growing.
    pub fn reserve_quantum(&mut self, frames: usize) {
        if frames > self.quantum_capacity {
            self.quantum_capacity = frames;
            self.input.clear();
            self.input.resize(MAX_CHANNELS * frames, 0.0);
        }
    }

    /// Changes the batch size from the next batch on (immediately if no batch is being
    /// filled). No frame is lost or repeated. Allocates if the new size is larger than
    /// any before: the glue must then refresh its views of [`Self::staging`].
    pub fn set_batch_size(&mut self, batch_size: f64) -> Result<(), ConfigError> {
        let n = validate_batch_size(batch_size)?;
        self.grow_staging(n);
        if self.filling.is_some() {
            self.pending_batch_size = Some(n);
        } else {
            self.batch_size = n;
            self.pending_batch_size = None;
        }
        self.config.batch_size = n;
        Ok(())
    }

    /// The planar input area: write channel `c` of the quantum at
    /// `c * quantum_capacity()`, then call [`Self::process`].
    pub fn input_mut(&mut self) -> &mut [f32] {
        &mut self.input
    }
    /// Frames per channel in the input area.
    pub fn quantum_capacity(&self) -> usize {
        self.quantum_capacity
    }
    /// The staging batch (header + samples at full capacity). Its length is the byte
    /// length of every pool buffer.
    pub fn staging(&self) -> &[u8] {
        &self.staging
    }

    /// Copies `input` (one slice per channel, all the same length) into the input area and
    /// processes it. A convenience for native callers; the glue writes the input area
    /// directly.
    pub fn push(&mut self, current_frame: f64, input: &[&[f32]], sink: &mut impl BatchSink) {
        let channels = input.len().min(MAX_CHANNELS);
        let frames = input.first().map_or(RENDER_QUANTUM_SIZE, |c| c.len());
        let cap = self.quantum_capacity;
        for (c, ch) in input.iter().take(channels).enumerate() {
            let n = ch.len().min(cap);
            self.input[c * cap..c * cap + n].copy_from_slice(&ch[..n]);
        }
        self.process(current_frame, channels, frames, sink);
    }

    /// Takes one render quantum: `channels` channels (0 when nothing is connected) of
    /// `frames` frames each, already in the input area, starting at context frame
    /// `current_frame`. Posts every batch that fills, and a partial one when
    /// `maxLatencyMs` says so. Never allocates.
    pub fn process(
        &mut self,
        current_frame: f64,
        channels: usize,
        frames: usize,
        sink: &mut impl BatchSink,
    ) {
        let channels = channels.min(MAX_CHANNELS);
        // An offline render ends at `render_frames`: a last quantum that runs past it is
        // cut there (the context's output has no frame past its length either).
        let frames = match self.config.render_frames {
            Some(end) => frames.min((end - current_frame).max(0.0) as usize),
            None => frames,
        };
        if channels == 0 || frames == 0 {
            // No input: not audio, not counted; a waiting batch may still be old enough.
            self.check_latency(current_frame + frames as f64, sink);
            self.check_end(current_frame + frames as f64, sink);
            return;
        }
        if let Some(next) = self.next_frame {
            if next != current_frame {
                if self.filling.is_some() {
                    self.finish(0, sink);
                }
                self.discontinuity = true;
                self.onset_due = None;
                if let Some((detector, _)) = self.onset.as_mut() {
                    detector.reset();
                }
            }
        }
        // Frames past the input area cannot be read: dropped and counted, never silent.
        let usable = frames.min(self.quantum_capacity);
        let mut taken = 0;
        while taken < usable {
            if self.filling.is_none() && !self.start(current_frame + taken as f64) {
                self.drop_frames(current_frame + taken as f64, (usable - taken) as f64);
                break;
            }
            let n = (usable - taken).min(self.batch_size - self.filled);
            self.write(channels, taken, n);
            self.filled += n;
            taken += n;
            if self.filled == self.batch_size {
                self.finish(0, sink);
            }
        }
        if usable < frames {
            // The tail is lost: close the batch here so that it stays contiguous in time
            // and the next one carries the GAP.
            if self.filling.is_some() {
                self.finish(0, sink);
            }
            self.drop_frames(current_frame + usable as f64, (frames - usable) as f64);
        }
        self.next_frame = Some(current_frame + frames as f64);
        self.check_onset(current_frame, channels, usable, sink);
        self.check_latency(current_frame + frames as f64, sink);
        self.check_end(current_frame + frames as f64, sink);
    }

    /// At the end of an offline render, posts what is left at once: the main thread gets
    /// every frame without asking (a finished OfflineAudioContext may never run the
    /// worklet's message handler again).
    fn check_end(&mut self, end_frame: f64, sink: &mut impl BatchSink) {
        if let Some(end) = self.config.render_frames {
            if end_frame >= end && self.filling.is_some() {
                self.finish(0, sink);
            }
        }
    }

    /// Posts the batch being filled, if any, flagged [`flags::FLUSHED`].
    pub fn flush(&mut self, sink: &mut impl BatchSink) {
        if self.filling.is_some() {
            self.finish(flags::FLUSHED, sink);
        }
    }

    /// A buffer came back from the main thread. Refusals are counted (see
    /// [`Self::refused`]) and leave the pool unchanged.
    pub fn release(&mut self, slot: u32, lease: u32) -> Result<(), ReturnError> {
        let r = self.pool.release(slot, lease);
        if r.is_err() {
            self.refused = self.refused.wrapping_add(1);
        }
        r
    }

    /// Counts a returned message the glue could not even read as a batch buffer.
    pub fn count_refused(&mut self) {
        self.refused = self.refused.wrapping_add(1);
    }

    fn drop_frames(&mut self, from_frame: f64, n: f64) {
        if self.pending_drop == 0.0 {
            self.pending_drop_start = from_frame;
            self.gaps = self.gaps.wrapping_add(1);
        }
        self.pending_drop += n;
        self.dropped_total += n;
    }

    fn start(&mut self, frame: f64) -> bool {
        let Some(slot) = self.pool.acquire() else {
            return false;
        };
        if let Some(n) = self.pending_batch_size.take() {
            self.batch_size = n;
        }
        self.filling = Some(slot);
        self.filled = 0;
        self.batch_start = frame;
        self.batch_flags = 0;
        if self.pending_drop > 0.0 {
            self.batch_flags |= flags::GAP;
        }
        if self.discontinuity {
            self.batch_flags |= flags::DISCONTINUITY;
            self.discontinuity = false;
        }
        self.batch_dropped_before = self.pending_drop;
        self.pending_drop = 0.0;
        true
    }

    fn check_latency(&mut self, end_frame: f64, sink: &mut impl BatchSink) {
        if let (Some(limit), Some(_)) = (self.latency_frames, self.filling) {
            if end_frame - self.batch_start >= limit {
                self.finish(flags::LATENCY, sink);
            }
        }
    }

    fn finish(&mut self, extra_flags: u32, sink: &mut impl BatchSink) {
        let Some(slot) = self.filling.take() else {
            return;
        };
        let frames = self.filled;
        let ch = self.out_channels;
        let mut batch_flags = self.batch_flags | extra_flags;
        if let Some(end) = self.config.render_frames {
            if self.batch_start + frames as f64 >= end {
                batch_flags |= flags::END;
            }
        }
        if frames < self.batch_size {
            batch_flags |= flags::PARTIAL;
            // Planar with stride `batch_size` while filling; compact to stride `frames`.
            for c in 1..ch {
                let from = HEADER_BYTES + 4 * c * self.batch_size;
                let to = HEADER_BYTES + 4 * c * frames;
                self.staging.copy_within(from..from + 4 * frames, to);
            }
        }
        let lease = self.pool.dispatch(slot);
        let header = BatchHeader {
            start_frame: self.batch_start,
            dropped_before: self.batch_dropped_before,
            dropped_total: self.dropped_total,
            sample_rate: self.config.sample_rate,
            seq: self.seq,
            flags: batch_flags,
            frames: frames as u32,
            channels: ch as u32,
            slot: slot as u32,
            lease,
            gaps_total: self.gaps,
            refused_total: self.refused,
            pool_size: self.pool.size() as u16,
            in_flight: self.pool.in_flight() as u16,
            batch_size: self.batch_size as u32,
            exhausted: self.pool.exhausted().min(u32::MAX as u64) as u32,
            low_water: self.pool.low_water().min(u16::MAX as usize) as u16,
            epoch: self.epoch,
        };
        header.write(&mut self.staging);
        let len = HEADER_BYTES + 4 * frames * ch;
        sink.post(slot, &self.staging[..len]);
        self.seq = self.seq.wrapping_add(1);
        self.messages += 1;
        self.frames_posted += frames as f64;
        self.filled = 0;
        if let Some(n) = self.pending_batch_size.take() {
            self.batch_size = n;
        }
    }

    /// The pool's book-keeping.
    pub fn pool(&self) -> &BufferPool {
        &self.pool
    }
    /// Frames dropped since the last posted batch, which the next batch to be posted will
    /// flag as `GAP` (the batch being filled, if any, already carries them), and the context
    /// frame where that run of drops began (NaN when unknown).
    pub fn pending_drop(&self) -> (f64, f64) {
        let frames = if self.filling.is_some() {
            self.batch_dropped_before
        } else {
            self.pending_drop
        };
        (frames, self.pending_drop_start)
    }
    /// The configuration in effect (with the latest batch size).
    pub fn config(&self) -> &TapConfig {
        &self.config
    }
    /// Channels in every batch.
    pub fn out_channels(&self) -> usize {
        self.out_channels
    }
    /// Batches posted.
    pub fn messages(&self) -> u64 {
        self.messages
    }
    /// Frames posted.
    pub fn frames_posted(&self) -> f64 {
        self.frames_posted
    }
    /// Frames dropped because no buffer was free.
    pub fn dropped_frames(&self) -> f64 {
        self.dropped_total
    }
    /// Runs of dropped frames.
    pub fn gaps(&self) -> u32 {
        self.gaps
    }
    /// Returned buffers refused (wrong slot, lease, size or content).
    pub fn refused(&self) -> u32 {
        self.refused
    }
    /// Frames in the batch being filled.
    pub fn pending_frames(&self) -> usize {
        self.filled
    }
    /// The batch size of the batch being filled (or the next one).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }
}
