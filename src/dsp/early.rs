//! Early pitch estimates at voice onsets.
//!
//! A [`PitchDetector`] stamps each estimate at its window's centre and can make it only once
//! the window's second half has arrived: half the default window, 23 ms at 44.1 kHz, is the
//! floor of its latency. At an onset the detector has nothing better to say anyway (its last
//! estimate is unvoiced), so [`EarlyPitch`] answers the question on a shorter window over the
//! newest samples: by default half the detector's window, so its estimate is made half as
//! long after the time it describes. Its estimates are still stamped at their own window's
//! centre, so `time` means what it means for every other estimate; they are extra estimates,
//! between the detector's hops, and the detector's own estimate for the same time follows
//! when its window is complete.
//!
//! The early window is analysed by a second [`PitchDetector`] (the same algorithm, the same
//! voicing rules, options and thresholds), restarted for each question: it sees the newest
//! `window` samples as a fresh stream, so nothing from before them (an old note's level or
//! pitch) voices it. Its lowest frequency is raised to two periods per early window (86 Hz
//! at 44.1 kHz for the default 1024 samples): a lower voice waits for the full window.
//!
//! # Real time
//! [`EarlyPitch::new`] allocates; [`EarlyPitch::push`], [`EarlyPitch::estimate`] and
//! [`EarlyPitch::reset`] never do (`tests/analyzers_no_alloc.rs`).

use super::error::ConfigError;
use super::pitch::{PitchConfig, PitchDetector, PitchEstimate};

/// The span checked for sound right after an early window's centre: this fraction of the
/// window (64 samples, 1.5 ms, for 1024 at 44.1 kHz).
const CENTRE_SPAN: usize = 16;
/// … must be at least this fraction of the loudest span after the centre (−10 dB, the
/// detector's own `CENTRE_MIN_POWER`).
const CENTRE_MIN_POWER: f32 = 0.1;

/// Shortest early window accepted, in samples.
pub const MIN_EARLY_WINDOW: usize = 64;

/// Keeps the newest samples of a stream and makes one early estimate over them on request.
/// See the [module docs](self).
pub struct EarlyPitch {
    detector: PitchDetector,
    window: usize,
    /// The newest `window` samples, oldest first; the last `valid` are real.
    recent: Vec<f32>,
    valid: usize,
    /// The frame after the newest sample (where the next push should start).
    end_frame: f64,
    started: bool,
}

impl core::fmt::Debug for EarlyPitch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EarlyPitch")
            .field("window", &self.window)
            .field("end_frame", &self.end_frame)
            .finish_non_exhaustive()
    }
}

impl EarlyPitch {
    /// Early estimates over `window` samples for a detector with `config` at
    /// `sample_rate`. `Ok(None)` when the early window is too short for any pitch in
    /// `minFrequency..maxFrequency` (two periods must fit it) or no shorter than the
    /// detector's own window (it would not be early).
    ///
    /// # Errors
    /// [`ConfigError`] when `config` itself is invalid at `sample_rate`
    /// (`pitch.*`, `sampleRate`), or `window` is below [`MIN_EARLY_WINDOW`]
    /// (`pitch.earlyWindowSize`).
    pub fn new(
        config: PitchConfig,
        sample_rate: f32,
        window: usize,
    ) -> Result<Option<Self>, ConfigError> {
        config.validate(sample_rate)?;
        if window < MIN_EARLY_WINDOW {
            return Err(ConfigError::OutOfRange {
                option: "pitch.earlyWindowSize",
                allowed: "0 (off) or a number of samples from 64 to 65536",
                value: window as f64,
            });
        }
        let full = PitchDetector::new(config, sample_rate)?.window_size();
        // Two periods of the lowest pitch must fit the early window (the detector's rule);
        // the small margin keeps the rounding in PitchConfig's check on the right side.
        let lowest = (2.0 * sample_rate / window as f32 * 1.001).max(config.min_frequency);
        if window >= full || lowest >= config.max_frequency {
            return Ok(None);
        }
        let early = PitchConfig {
            min_frequency: lowest,
            window_size: Some(window),
            hop_size: Some(window / 2),
            ..config
        };
        Ok(Some(EarlyPitch {
            detector: PitchDetector::new(early, sample_rate)?,
            window,
            recent: vec![0.0; window],
            valid: 0,
            end_frame: 0.0,
            started: false,
        }))
    }

    /// The early window, in samples.
    pub fn window_size(&self) -> usize {
        self.window
    }

    /// Forgets the samples kept so far. Never allocates.
    pub fn reset(&mut self) {
        self.valid = 0;
        self.started = false;
    }

    /// Keeps the newest samples of a batch starting at stream frame `start_frame`; when it
    /// does not follow the previous push, what was kept before is forgotten (a non-finite
    /// `start_frame` is taken as contiguous, as in [`PitchDetector::push`]). Never
    /// allocates.
    pub fn push(&mut self, start_frame: f64, samples: &[f32]) {
        let contiguous = !start_frame.is_finite() || start_frame == self.end_frame;
        if !self.started || !contiguous {
            self.valid = 0;
            if start_frame.is_finite() {
                self.end_frame = start_frame;
            }
            self.started = true;
        }
        self.end_frame += samples.len() as f64;
        let n = self.window;
        if samples.len() >= n {
            self.recent.copy_from_slice(&samples[samples.len() - n..]);
        } else {
            self.recent.copy_within(samples.len().., 0);
            self.recent[n - samples.len()..].copy_from_slice(samples);
        }
        self.valid = (self.valid + samples.len()).min(n);
    }

    /// The frame an estimate made now would be centred on: half an early window before
    /// the newest sample.
    pub fn next_centre(&self) -> f64 {
        self.end_frame - (self.window / 2) as f64
    }

    /// Analyses the newest early window and returns its estimate, centred
    /// [`next_centre`](Self::next_centre); `None` before half a window has arrived. With
    /// fewer than a whole window of samples since the stream (re)started, the part before
    /// them reads as silence, as at the start of a [`PitchDetector`]'s stream. Never
    /// allocates.
    pub fn estimate(&mut self) -> Option<PitchEstimate> {
        let half = self.window / 2;
        if self.valid < half {
            return None;
        }
        // A fresh stream for the detector: a whole window gives two estimates (centred on
        // its first sample, then on its centre) and the second is the one wanted; half a
        // window gives one, centred on its first sample, with silence before it.
        let take = if self.valid >= self.window {
            self.window
        } else {
            half
        };
        let target = self.next_centre();
        let mut out = None;
        self.detector.reset();
        self.detector.push(
            self.end_frame - take as f64,
            &self.recent[self.window - take..],
            &mut |e: &PitchEstimate| {
                if e.centre_frame == target {
                    out = Some(*e);
                }
            },
        );
        out.filter(|_| self.sound_at_centre())
    }

    /// Whether the sound has reached the centre: the first [`CENTRE_SPAN`] of a window
    /// after its centre is at least [`CENTRE_MIN_POWER`] as loud (mean square) as the
    /// loudest such span after it. The detector voices a window whose periodic part fills
    /// only its end when that part is loud enough against the silence before it (its
    /// clarity counts pairs, not time); an early window is short, so without this check a
    /// sound that started a few ms after the centre would be stamped before it began.
    fn sound_at_centre(&self) -> bool {
        let span = (self.window / CENTRE_SPAN).max(1);
        let after = &self.recent[self.window / 2..];
        let power = |s: &[f32]| s.iter().map(|v| v * v).sum::<f32>() / s.len() as f32;
        let loudest = after.chunks(span).map(power).fold(0.0f32, f32::max);
        power(&after[..span.min(after.len())]) >= CENTRE_MIN_POWER * loudest
    }
}
