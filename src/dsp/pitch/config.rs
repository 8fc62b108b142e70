//! Options of the pitch detector, their defaults and limits, and the sizes they give at a
//! sample rate (window, hop, lag range, coarse decimation, FFT length).

use super::super::error::ConfigError;
use super::super::fft::Correlator;
use super::super::meter::{check_sample_rate, MIN_DB};

/// Default lowest pitch, in Hz (`pitch.minFrequency`).
pub const DEFAULT_MIN_FREQUENCY: f32 = 50.0;
/// Default highest pitch, in Hz (`pitch.maxFrequency`).
pub const DEFAULT_MAX_FREQUENCY: f32 = 1500.0;

/// `pitch.maxFrequency` when the caller gives none: [`DEFAULT_MAX_FREQUENCY`], or a quarter
/// of the sample rate where that is lower (under 6 kHz), the highest the detector allows.
pub fn default_max_frequency(sample_rate: f32) -> f32 {
    DEFAULT_MAX_FREQUENCY.min(sample_rate / 4.0)
}
/// Default voicing threshold on clarity (`pitch.clarityThreshold`).
pub const DEFAULT_CLARITY_THRESHOLD: f32 = 0.65;
/// Default volume gate in dBFS (`pitch.minDb`): 20 dB below a −50 dBFS voice.
pub const DEFAULT_MIN_DB: f32 = -70.0;
/// Default tuning reference, in Hz (`pitch.a4`).
pub const DEFAULT_A4: f32 = 440.0;
/// Default window length in seconds; the window is the next power of two of samples at
/// or above this (2048 at 44.1 and 48 kHz), long enough for two periods of 50 Hz.
pub const DEFAULT_WINDOW_SECONDS: f64 = 0.0425;
/// Window length of the `latency: 'low'` preset, in seconds (next power of two of samples at
/// or above: 1024 at 44.1 and 48 kHz). Mirrored in `js/main/constants.js` (tests/js_mirrors.rs).
pub const LOW_LATENCY_WINDOW_SECONDS: f64 = 0.02125;
/// Lowest pitch of the `latency: 'low'` preset, in Hz: two periods fit its window.
pub const LOW_LATENCY_MIN_FREQUENCY: f32 = 100.0;
/// Default hop in seconds (one estimate every 10 ms).
pub const DEFAULT_HOP_SECONDS: f64 = 0.010;
/// Shortest window accepted, in samples.
pub const MIN_WINDOW_SIZE: usize = 64;
/// Longest window accepted, in samples.
pub const MAX_WINDOW_SIZE: usize = 65536;
/// Input samples are clamped to ±this (60 dB above full scale) so that a wild spike cannot
/// overflow the window's sums.
pub const INPUT_LIMIT: f32 = 1000.0;
/// Lowest allowed `pitch.minFrequency`, in Hz.
pub const LOWEST_FREQUENCY: f32 = 20.0;
/// Highest allowed `pitch.maxFrequency`, in Hz (also at most a quarter of the sample rate).
pub const HIGHEST_FREQUENCY: f32 = 8000.0;

/// Candidates are searched this far outside `minFrequency..maxFrequency` (a quarter tone),
/// so a tone exactly at a limit is found from both sides of its peak.
pub(super) const RANGE_MARGIN: f32 = 1.03;

/// Options of a [`PitchDetector`](super::PitchDetector).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitchConfig {
    /// Lowest pitch reported, Hz (`pitch.minFrequency`, 20 to 8000, below `maxFrequency`).
    pub min_frequency: f32,
    /// Highest pitch reported, Hz (`pitch.maxFrequency`, up to 8000 and a quarter of the
    /// sample rate).
    pub max_frequency: f32,
    /// Analysis window in samples (`pitch.windowSize`, 64 to 65536, at least two periods
    /// of `minFrequency`). `None`: the next power of two at or above 42.5 ms and two periods
    /// of `minFrequency`.
    pub window_size: Option<usize>,
    /// Samples between estimates (`pitch.hopSize`, 1 to `windowSize`). `None`: 10 ms.
    pub hop_size: Option<usize>,
    /// Clarity (0 to 1) an estimate needs to be voiced (`pitch.clarityThreshold`).
    pub clarity_threshold: f32,
    /// Windows quieter than this RMS level in dBFS are unvoiced (`pitch.minDb`, −120 to 0).
    pub min_db: f32,
    /// Frequency of A4 for note names and cents, Hz (`pitch.a4`, 300 to 600).
    pub a4: f32,
}

impl Default for PitchConfig {
    fn default() -> Self {
        PitchConfig {
            min_frequency: DEFAULT_MIN_FREQUENCY,
            max_frequency: DEFAULT_MAX_FREQUENCY,
            window_size: None,
            hop_size: None,
            clarity_threshold: DEFAULT_CLARITY_THRESHOLD,
            min_db: DEFAULT_MIN_DB,
            a4: DEFAULT_A4,
        }
    }
}

/// Sizes derived from a [`PitchConfig`] at one sample rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Layout {
    pub(super) window: usize,
    pub(super) hop: usize,
    /// Shortest and longest lag searched, in samples (the pitch range with
    /// [`RANGE_MARGIN`]).
    pub(super) lag_lo: usize,
    pub(super) lag_hi: usize,
    /// Down-sampling factor of the coarse search (1: none).
    pub(super) factor: usize,
    /// The window, and the shortest and longest lag searched, in decimated samples.
    pub(super) coarse_window: usize,
    pub(super) coarse_lag_lo: usize,
    pub(super) coarse_lag_hi: usize,
    /// A length the target's FFT is fast at ([`Correlator::fast_len`]) for the coarse
    /// window and its lags.
    pub(super) fft_len: usize,
}

/// The coarse search's rate must stay at or above this, in Hz. The coarse window is
/// low-passed to a quarter of its rate ([`quarter_band`]), so 8 kHz keeps the voice's
/// harmonics up to ~2 kHz for the candidates; the deciding ones are measured at the full
/// rate. Tested over rates, pitches and strong high harmonics in tests/pitch_tracking.rs
/// (`a_strong_high_harmonic_does_not_move_the_pitch`).
const COARSE_MIN_RATE: f64 = 8000.0;
/// … and give at least this many samples per period of `maxFrequency` (with
/// [`RANGE_MARGIN`]), so the shortest periods still have a lobe to interpolate.
const COARSE_MIN_PERIOD: f64 = 5.0;
/// … and leave at least this many samples in the decimated window.
const COARSE_MIN_WINDOW: usize = 64;

/// Down-sampling factor of the coarse search: the largest power of two that keeps the
/// decimated rate at or above [`COARSE_MIN_RATE`] and [`COARSE_MIN_PERIOD`] samples per
/// period of `max_frequency`, and the window at [`COARSE_MIN_WINDOW`] samples or more.
/// 2 at 16 to 22.05 kHz, 4 at 44.1 and 48 kHz, 8 at 96 kHz (with the default range).
fn coarse_factor(sample_rate: f64, max_frequency: f64, window: usize) -> usize {
    let mut factor = 1;
    loop {
        let next = factor * 2;
        let rate = sample_rate / next as f64;
        if rate < COARSE_MIN_RATE
            || rate < COARSE_MIN_PERIOD * max_frequency * RANGE_MARGIN as f64
            || window / next < COARSE_MIN_WINDOW
        {
            return factor;
        }
        factor = next;
    }
}

impl PitchConfig {
    /// Checks every option against a sample rate without building a detector (no FFT
    /// planning, no allocation): what [`PitchDetector::new`](super::PitchDetector::new)
    /// would refuse, this refuses.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending option (`pitch.*` or `sampleRate`).
    pub fn validate(&self, sample_rate: f32) -> Result<(), ConfigError> {
        self.layout(sample_rate).map(|_| ())
    }

    /// Checks the options against a sample rate and works out the sizes.
    pub(super) fn layout(&self, sample_rate: f32) -> Result<Layout, ConfigError> {
        check_sample_rate(sample_rate)?;
        let sr = sample_rate as f64;
        ConfigError::check_range(
            "pitch.minFrequency",
            "a frequency in Hz from 20 to 8000",
            self.min_frequency as f64,
            LOWEST_FREQUENCY as f64,
            HIGHEST_FREQUENCY as f64,
        )?;
        ConfigError::check_range(
            "pitch.maxFrequency",
            "a frequency in Hz from 20 to 8000",
            self.max_frequency as f64,
            LOWEST_FREQUENCY as f64,
            HIGHEST_FREQUENCY as f64,
        )?;
        if self.min_frequency >= self.max_frequency {
            return Err(ConfigError::Conflict {
                option: "pitch.minFrequency",
                allowed: "below pitch.maxFrequency",
            });
        }
        if self.max_frequency as f64 > sr / 4.0 {
            return Err(ConfigError::Conflict {
                option: "pitch.maxFrequency",
                allowed: "at most a quarter of the sample rate",
            });
        }
        ConfigError::check_range(
            "pitch.clarityThreshold",
            "a number from 0 to 1",
            self.clarity_threshold as f64,
            0.0,
            1.0,
        )?;
        ConfigError::check_range(
            "pitch.minDb",
            "a level in dBFS from -120 to 0",
            self.min_db as f64,
            MIN_DB as f64,
            0.0,
        )?;
        ConfigError::check_range(
            "pitch.a4",
            "a frequency in Hz from 300 to 600",
            self.a4 as f64,
            300.0,
            600.0,
        )?;
        let two_periods = (2.0 * sr / self.min_frequency as f64).ceil() as usize;
        let window = match self.window_size {
            Some(w) => {
                ConfigError::check_range(
                    "pitch.windowSize",
                    "a number of samples from 64 to 65536",
                    w as f64,
                    MIN_WINDOW_SIZE as f64,
                    MAX_WINDOW_SIZE as f64,
                )?;
                if w < two_periods {
                    return Err(ConfigError::Conflict {
                        option: "pitch.windowSize",
                        allowed: "at least two periods of pitch.minFrequency",
                    });
                }
                w
            }
            None => {
                let w = ((DEFAULT_WINDOW_SECONDS * sr).round() as usize)
                    .max(two_periods)
                    .next_power_of_two();
                if w > MAX_WINDOW_SIZE {
                    return Err(ConfigError::Conflict {
                        option: "pitch.minFrequency",
                        allowed: "high enough for two periods to fit 65536 samples",
                    });
                }
                w
            }
        };
        let hop = match self.hop_size {
            Some(h) => {
                ConfigError::check_range(
                    "pitch.hopSize",
                    "a number of samples from 1 to pitch.windowSize",
                    h as f64,
                    1.0,
                    window as f64,
                )?;
                h
            }
            None => ((DEFAULT_HOP_SECONDS * sr).round() as usize).clamp(1, window),
        };
        let lag_lo =
            ((sr / (self.max_frequency as f64 * RANGE_MARGIN as f64)).floor() as usize).max(2);
        let lag_hi = ((sr * RANGE_MARGIN as f64 / self.min_frequency as f64).ceil() as usize)
            .min(window - 2);
        let factor = coarse_factor(sr, self.max_frequency as f64, window);
        let coarse_window = window / factor;
        let coarse_lag_lo = (lag_lo / factor).max(2);
        let coarse_lag_hi = lag_hi.div_ceil(factor).min(coarse_window - 2);
        Ok(Layout {
            window,
            hop,
            lag_lo,
            lag_hi,
            factor,
            coarse_window,
            coarse_lag_lo,
            coarse_lag_hi,
            // Linear (not circular) correlation up to coarse_lag_hi + 1 needs this much
            // padding.
            fft_len: Correlator::fast_len(coarse_window + coarse_lag_hi + 2),
        })
    }
}
