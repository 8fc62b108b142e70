//! A cheap energy-onset check for the worklet, one render quantum at a time.
//!
//! The main thread can make an early pitch estimate (see [`super::early`]) once it holds
//! half an early window of a new sound; with batches of 1024 frames it would otherwise
//! wait up to a whole batch for those samples. [`OnsetDetector`] finds where a sound starts
//! (a jump in level), so that the batcher can post the batch being filled as soon as
//! enough frames after the onset are in it ([`super::batcher::QuantumBatcher::set_onset_post`]),
//! one extra message per onset at most.
//!
//! Per block of [`BLOCK`] frames: the mean square of the input (all channels) is compared
//! with a background level, a one-pole average of the blocks before it with a time constant
//! of [`BACKGROUND_SECONDS`]. An onset is a block at least [`RISE_DB`] above the background
//! and above [`MIN_DB`] dBFS, at least [`REFRACTORY_SECONDS`] after the previous onset.
//! No allocation anywhere.

/// Frames per level measurement.
pub const BLOCK: usize = 32;
/// Rise over the background that makes an onset, dB.
pub const RISE_DB: f32 = 12.0;
/// A block quieter than this (dBFS, mean square over the block) is never an onset.
pub const MIN_DB: f32 = -60.0;
/// Time constant of the background level, seconds.
pub const BACKGROUND_SECONDS: f32 = 0.05;
/// Shortest time between two onsets, seconds: at most this many extra posts per second.
pub const REFRACTORY_SECONDS: f64 = 0.1;

/// Finds energy onsets in a stream of quanta. See the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct OnsetDetector {
    /// Background mean square.
    background: f32,
    /// Per-block weight of a new block in the background.
    alpha: f32,
    rise: f32,
    floor: f32,
    refractory: f64,
    /// Frame of the last onset (−∞ before any).
    last: f64,
    /// Mean square and frames of the block being measured, and the frame it started at.
    acc: f32,
    acc_frames: usize,
    acc_start: f64,
}

impl OnsetDetector {
    /// A detector for a stream at `sample_rate` Hz.
    pub fn new(sample_rate: f64) -> Self {
        let blocks_per_tau = BACKGROUND_SECONDS * sample_rate as f32 / BLOCK as f32;
        OnsetDetector {
            background: 0.0,
            alpha: 1.0 - (-1.0 / blocks_per_tau.max(1.0)).exp(),
            rise: 10f32.powf(RISE_DB / 10.0),
            floor: 10f32.powf(MIN_DB / 10.0),
            refractory: (REFRACTORY_SECONDS * sample_rate).ceil(),
            last: f64::NEG_INFINITY,
            acc: 0.0,
            acc_frames: 0,
            acc_start: 0.0,
        }
    }

    /// Forgets the stream (after a discontinuity).
    pub fn reset(&mut self) {
        self.background = 0.0;
        self.acc = 0.0;
        self.acc_frames = 0;
    }

    /// Takes `frames` frames of `channels` planar channels from `input` (channel `c` at
    /// `c * stride`), the first at context frame `start_frame`. Returns the frame where the
    /// earliest onset among them begins (the start of its block), if any.
    pub fn process(
        &mut self,
        input: &[f32],
        stride: usize,
        channels: usize,
        frames: usize,
        start_frame: f64,
    ) -> Option<f64> {
        let mut found = None;
        let scale = 1.0 / channels.max(1) as f32;
        for i in 0..frames {
            if self.acc_frames == 0 {
                self.acc_start = start_frame + i as f64;
            }
            let mut sq = 0.0f32;
            for c in 0..channels {
                let v = input[c * stride + i];
                sq += if v.is_finite() { v * v } else { 0.0 };
            }
            self.acc += sq * scale;
            self.acc_frames += 1;
            if self.acc_frames == BLOCK {
                let power = self.acc / BLOCK as f32;
                let onset = power > self.floor
                    && power > self.rise * self.background
                    && self.acc_start - self.last >= self.refractory;
                if onset {
                    self.last = self.acc_start;
                    found = found.or(Some(self.acc_start));
                }
                self.background += self.alpha * (power - self.background);
                self.acc = 0.0;
                self.acc_frames = 0;
            }
        }
        found
    }
}
