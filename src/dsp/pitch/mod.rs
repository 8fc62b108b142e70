//! Pitch detector: a streaming McLeod (MPM) tracker with octave-safe candidate choice.
//!
//! Every hop, the newest `windowSize` samples are cleaned and normalised; the NSDF of the
//! window, low-passed and decimated, gives candidate periods (`nsdf.rs`); McLeod's k·max
//! rule and continuity with the previous pitch choose one, measured again at the full rate
//! (`peaks.rs`); that period is re-measured around the window centre (`centre.rs`); hum
//! (`hum.rs`) and the voicing rules (`voicing.rs`) decide whether it is reported; options
//! and the sizes they give are in `config.rs`. `docs/pitch.md` explains each step with its
//! reasons and gives the measured accuracy and speed.
//!
//! # Timing
//! After construction, [`PitchDetector::reset`] or a gap, the first estimate is centred on
//! the first frame received (the half window before it reads as silence), and then one
//! estimate every `hopSize` frames: estimate `k` is centred on `origin + k·hopSize`.
//! An estimate is emitted as soon as the last sample of its window has arrived, so its
//! latency is `windowSize / 2` frames. [`analyze`] pushes a whole signal as one stream
//! starting at frame 0, so offline and live results are identical.
//!
//! # Real time
//! [`PitchDetector::new`] and [`PitchDetector::set_sample_rate`] allocate; [`push`],
//! [`reset`] and everything else never do (`tests/analyzers_no_alloc.rs` proves it).
//!
//! [`push`]: PitchDetector::push
//! [`reset`]: PitchDetector::reset

mod centre;
mod config;
mod hum;
mod note;
mod nsdf;
mod peaks;
mod voicing;

pub use config::*;
pub use hum::{HUM_MAX_DB, MAINS_HZ};
use note::nearest_note;
pub use note::note_name;
pub use peaks::OCTAVE_K;
pub use voicing::{CONTINUE_GATE_DB, GATE_FALL_DB_PER_SECOND, RELATIVE_GATE_DB};

use super::decimate::Decimator;
use super::error::ConfigError;
use super::fft::Correlator;
use super::meter::{amplitude_to_db, MIN_DB};
use super::trig::sin_cos_turns;
use centre::Centre;
use hum::HumTracker;
use voicing::CONTINUITY_SECONDS;

/// One pitch estimate, for one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitchEstimate {
    /// Absolute stream frame at the centre of the analysis window.
    pub centre_frame: f64,
    /// Fundamental frequency in Hz; 0 when unvoiced.
    pub frequency: f32,
    /// How periodic the window is at the chosen lag, 0 to 1 (the NSDF peak height); 0 when
    /// the window is below `minDb` or silent.
    pub clarity: f32,
    /// Whether a pitch was found (`frequency > 0`).
    pub voiced: bool,
    /// Nearest MIDI note number (69 = A4); 0 when unvoiced.
    pub midi: i32,
    /// Name of `midi`, e.g. `"A4"` or `"C#3"`; `""` when unvoiced.
    pub note: &'static str,
    /// Distance from `midi` in cents, −50 to +50; 0 when unvoiced.
    pub cents: f32,
    /// RMS level of the window after DC removal, dBFS (floored at [`MIN_DB`]).
    pub db: f32,
}

/// Streaming pitch detector. See the [module docs](self) for the algorithm and timing.
pub struct PitchDetector {
    config: PitchConfig,
    sample_rate: f32,
    layout: Layout,
    fft: Correlator,
    /// The raw window being filled, oldest first.
    buf: Vec<f32>,
    /// The cleaned, normalised window.
    x: Vec<f32>,
    /// The coarse search's low-pass and down-sampling.
    decimator: Decimator,
    /// `x` decimated (its real samples only).
    coarse: Vec<f32>,
    /// FFT input, then the autocorrelation.
    frame: Vec<f32>,
    nsdf: Vec<f32>,
    /// Mean square of the normalised window over its real samples.
    window_power: f32,
    /// Running maximum of the window level, dBFS, falling slowly.
    level_max_db: f32,
    /// Next write position in `buf`; an estimate is due when it reaches the window length.
    write: usize,
    /// Real (not pre-roll) samples at the end of `buf`.
    valid: usize,
    started: bool,
    origin: f64,
    next_frame: f64,
    emitted: u64,
    prev_frequency: f32,
    hum: HumTracker,
    hops_since_voiced: u32,
    continuity_hops: u32,
    non_finite: u64,
    /// Pair weights of the Hann-weighted centre measurement, filled for its length…
    weights: Vec<f32>,
    /// … which is this (0: not yet).
    weights_len: usize,
}

impl core::fmt::Debug for PitchDetector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PitchDetector")
            .field("config", &self.config)
            .field("sample_rate", &self.sample_rate)
            .field("window_size", &self.layout.window)
            .field("hop_size", &self.layout.hop)
            .finish_non_exhaustive()
    }
}

impl PitchDetector {
    /// A detector for a stream at `sample_rate` Hz. Plans the FFT and sizes every buffer.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending option (`pitch.*` or `sampleRate`).
    pub fn new(config: PitchConfig, sample_rate: f32) -> Result<Self, ConfigError> {
        let layout = config.layout(sample_rate)?;
        let mut d = PitchDetector {
            config,
            sample_rate,
            layout,
            fft: Correlator::new(layout.fft_len),
            buf: vec![0.0; layout.window],
            x: vec![0.0; layout.window],
            decimator: Decimator::new(layout.factor, layout.window),
            coarse: vec![0.0; layout.coarse_window],
            frame: vec![0.0; layout.fft_len],
            nsdf: vec![0.0; layout.coarse_lag_hi + 2],
            window_power: 0.0,
            level_max_db: MIN_DB,
            write: 0,
            valid: 0,
            started: false,
            origin: 0.0,
            next_frame: 0.0,
            emitted: 0,
            prev_frequency: 0.0,
            hum: HumTracker::default(),
            hops_since_voiced: u32::MAX,
            continuity_hops: 1,
            non_finite: 0,
            weights: vec![0.0; layout.window],
            weights_len: 0,
        };
        d.continuity_hops = ((CONTINUITY_SECONDS * sample_rate) / layout.hop as f32)
            .ceil()
            .max(1.0) as u32;
        d.reset();
        Ok(d)
    }

    /// The options in use.
    pub fn config(&self) -> PitchConfig {
        self.config
    }

    /// The sample rate in use, in Hz.
    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// Analysis window, in samples.
    pub fn window_size(&self) -> usize {
        self.layout.window
    }

    /// Samples between estimates.
    pub fn hop_size(&self) -> usize {
        self.layout.hop
    }

    /// Level of the loudest recent voiced window, dBFS, falling at
    /// [`GATE_FALL_DB_PER_SECOND`]: the reference of the relative gate ([`MIN_DB`] before the
    /// first voiced window).
    pub fn voiced_level_db(&self) -> f32 {
        self.level_max_db
    }

    /// NaN or ±Infinity samples read as 0 since construction.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite
    }

    /// Changes the sample rate: re-derives the default window and hop, re-plans the FFT and
    /// restarts the stream. **Allocates**: call it off the real-time path, or accept one
    /// allocation when the context's rate changes.
    ///
    /// # Errors
    /// [`ConfigError`] when the options do not fit the new rate (e.g. `sampleRate` out of
    /// range, or `pitch.maxFrequency` above a quarter of it); the detector is unchanged.
    pub fn set_sample_rate(&mut self, sample_rate: f32) -> Result<(), ConfigError> {
        *self = PitchDetector::new(self.config, sample_rate)?;
        Ok(())
    }

    /// Forgets the stream: the next [`push`](Self::push) starts a new one at its
    /// `start_frame`. Never allocates.
    pub fn reset(&mut self) {
        self.started = false;
        self.restart(0.0);
    }

    fn restart(&mut self, origin: f64) {
        self.buf.fill(0.0);
        self.write = self.layout.window / 2;
        self.valid = 0;
        self.origin = origin;
        self.next_frame = origin;
        self.emitted = 0;
        self.prev_frequency = 0.0;
        self.hum = HumTracker::default();
        self.hops_since_voiced = u32::MAX;
        self.level_max_db = MIN_DB;
    }

    /// Feeds a batch of any length and calls `on_estimate` once per completed hop (zero,
    /// one or several times). `start_frame` is the absolute stream frame of `samples[0]`:
    /// when it does not continue the previous push exactly, the window restarts there (a
    /// gap; see the module docs for the timing). A non-finite `start_frame` is read as
    /// contiguous. Never allocates.
    pub fn push(
        &mut self,
        start_frame: f64,
        samples: &[f32],
        on_estimate: &mut impl FnMut(&PitchEstimate),
    ) {
        if !self.started || (start_frame.is_finite() && start_frame != self.next_frame) {
            self.started = true;
            self.restart(start_frame);
        }
        self.next_frame += samples.len() as f64;
        let n = self.layout.window;
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (n - self.write).min(rest.len());
            let (head, tail) = rest.split_at(take);
            for (dst, &s) in self.buf[self.write..self.write + take].iter_mut().zip(head) {
                *dst = if s.is_finite() {
                    if s.abs() < 1e-30 {
                        0.0
                    } else {
                        s.clamp(-INPUT_LIMIT, INPUT_LIMIT)
                    }
                } else {
                    self.non_finite += 1;
                    0.0
                };
            }
            rest = tail;
            self.write += take;
            self.valid = (self.valid + take).min(n);
            if self.write == n {
                let estimate = self.estimate();
                on_estimate(&estimate);
                let hop = self.layout.hop;
                self.buf.copy_within(hop.., 0);
                self.write = n - hop;
                self.valid = self.valid.min(n - hop);
                self.emitted += 1;
            }
        }
    }

    /// Analyses the full window in `buf`.
    fn estimate(&mut self) -> PitchEstimate {
        let centre_frame = self.origin + self.emitted as f64 * self.layout.hop as f64;
        let (frequency, clarity, db) = self.analyse();
        let voiced = frequency > 0.0;
        if voiced {
            self.prev_frequency = frequency;
            self.hops_since_voiced = 0;
        } else {
            self.hops_since_voiced = self.hops_since_voiced.saturating_add(1);
        }
        let (midi, note, cents) = if voiced {
            nearest_note(frequency, self.config.a4)
        } else {
            (0, "", 0.0)
        };
        PitchEstimate {
            centre_frame,
            frequency,
            clarity,
            voiced,
            midi,
            note,
            cents,
            db,
        }
    }

    /// Returns (frequency or 0, clarity, window dB).
    fn analyse(&mut self) -> (f32, f32, f32) {
        let n = self.layout.window;
        let valid = self.valid.clamp(1, n);
        let start = n - valid;
        let mean = (self.buf[start..].iter().map(|&s| s as f64).sum::<f64>() / valid as f64) as f32;
        self.x[..start].fill(0.0);
        let mut peak = 0.0f32;
        let mut energy = 0.0f64;
        for (x, &b) in self.x[start..].iter_mut().zip(&self.buf[start..]) {
            let v = b - mean;
            *x = v;
            peak = peak.max(v.abs());
            energy += (v as f64) * (v as f64);
        }
        let db = amplitude_to_db((energy / valid as f64).sqrt() as f32);
        let hop_seconds = self.layout.hop as f32 / self.sample_rate;
        self.level_max_db = (self.level_max_db - GATE_FALL_DB_PER_SECOND * hop_seconds).max(MIN_DB);
        if peak <= 0.0 || db < self.config.min_db {
            self.hum.update(0.0, db);
            return (0.0, 0.0, db);
        }
        let scale = 1.0 / peak;
        self.window_power = (energy / valid as f64) as f32 * scale * scale;
        for x in &mut self.x[start..] {
            *x *= scale;
        }
        self.compute_nsdf();
        let (lag, full_clarity) = self.choose();
        if lag <= 0.0 {
            self.hum.update(0.0, db);
            return (0.0, full_clarity, db);
        }
        let Centre {
            lag,
            clarity,
            short_clarity,
        } = self.refine_centre(lag);
        let frequency = self.sample_rate / lag;
        if self.hum.update(frequency, db) {
            // Hum neither voices nor raises the relative gate's reference level.
            return (0.0, clarity, db);
        }
        self.voice(lag, frequency, clarity, short_clarity, db)
    }
}

/// Runs a whole signal through a fresh [`PitchDetector`] as one stream starting at frame 0
/// and calls `on_estimate` for each hop: exactly what a live tap fed the same samples
/// computes. Allocates (it builds the detector).
///
/// # Errors
/// [`ConfigError`] from [`PitchDetector::new`].
pub fn analyze(
    samples: &[f32],
    sample_rate: f32,
    config: PitchConfig,
    mut on_estimate: impl FnMut(&PitchEstimate),
) -> Result<(), ConfigError> {
    let mut detector = PitchDetector::new(config, sample_rate)?;
    detector.push(0.0, samples, &mut on_estimate);
    Ok(())
}
