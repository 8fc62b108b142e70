//! Volume meter (RMS, peak, dBFS, smoothed level).
//!
//! [`VolumeMeter::process`] gives one [`VolumeReading`] per batch. The smoothed level is a
//! one-pole envelope of the signal power, advanced once per sample with separate attack
//! and release time constants, so it is the same however the stream is cut into batches
//! (bit for bit: every sample goes through the same floating-point operations in the same
//! order).
//!
//! Non-finite samples (NaN, ±Infinity) are read as 0 and counted in
//! [`VolumeReading::non_finite`]; they never reach the envelope, so one bad sample cannot
//! poison later readings. Samples beyond ±[`INPUT_LIMIT`] (+60 dBFS) read as ±1000, as in
//! the pitch detector: one absurd sample (say `f32::MAX`) cannot pin the smoothed level for
//! a minute.

use super::config::{MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};
use super::error::ConfigError;
pub use super::pitch::INPUT_LIMIT;

/// The lowest level any dB figure reports, in dBFS. Silence reads exactly this, never
/// `-Infinity` or NaN. Mirrored as the meter floor in the JavaScript API docs.
pub const MIN_DB: f32 = -120.0;

/// Longest attack or release time accepted, in milliseconds.
pub const MAX_TIME_MS: f32 = 60_000.0;

/// Power below which the envelope snaps to zero: 20 dB under [`MIN_DB`], so the snap is
/// never visible, and denormal arithmetic never happens on the real-time thread.
const ENVELOPE_FLOOR: f64 = 1e-14;

/// Options of a [`VolumeMeter`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeConfig {
    /// Time constant of a rising level, in ms (`volume.attackMs`, 0 to 60000; 0 = instant).
    pub attack_ms: f32,
    /// Time constant of a falling level, in ms (`volume.releaseMs`, 0 to 60000; 0 = instant).
    pub release_ms: f32,
}

impl Default for VolumeConfig {
    /// 10 ms attack and 300 ms release: the ballistics of a typical peak-programme meter,
    /// fast enough to show a syllable, slow enough to read.
    fn default() -> Self {
        VolumeConfig {
            attack_ms: 10.0,
            release_ms: 300.0,
        }
    }
}

impl VolumeConfig {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), ConfigError> {
        const ALLOWED: &str = "a time in milliseconds from 0 to 60000";
        ConfigError::check_range(
            "volume.attackMs",
            ALLOWED,
            self.attack_ms as f64,
            0.0,
            MAX_TIME_MS as f64,
        )?;
        ConfigError::check_range(
            "volume.releaseMs",
            ALLOWED,
            self.release_ms as f64,
            0.0,
            MAX_TIME_MS as f64,
        )
    }
}

/// What one batch measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeReading {
    /// Root mean square of the batch's samples (linear, 1.0 = full scale sine peak).
    pub rms: f32,
    /// Largest absolute sample of the batch (linear).
    pub peak: f32,
    /// `rms` in dBFS (`20·log10(rms)`), floored at [`MIN_DB`].
    pub db: f32,
    /// The attack/release envelope of the signal power at the batch's last sample, in dBFS,
    /// floored at [`MIN_DB`].
    pub smoothed_db: f32,
    /// Samples of this batch that were NaN or ±Infinity and were read as 0.
    pub non_finite: u32,
}

/// Measures the level of a stream, batch by batch. Allocates nothing at all.
#[derive(Debug, Clone)]
pub struct VolumeMeter {
    config: VolumeConfig,
    sample_rate: f32,
    rms_coeff: f64,
    attack_coeff: f64,
    release_coeff: f64,
    /// Mean square of the recent signal (one-pole, [`RMS_TIME_MS`]).
    mean_square: f64,
    envelope: f64,
}

/// Time constant, in ms, of the mean-square integrator in front of the attack/release
/// envelope. Attack/release acting on the instantaneous power x² would chase every cycle
/// of a tone (a 10 ms attack follows a 220 Hz sine's peaks and reads ≈3 dB above its RMS);
/// integrating first makes `smoothedDb` of a steady tone equal its RMS level (within 0.15 dB
/// from 100 Hz up, tested) while the envelope keeps its attack/release ballistics.
pub const RMS_TIME_MS: f32 = 20.0;

/// Converts a linear amplitude to dBFS, floored at [`MIN_DB`].
pub fn amplitude_to_db(amplitude: f32) -> f32 {
    if amplitude.is_nan() || amplitude <= 0.0 {
        return MIN_DB;
    }
    (20.0 * amplitude.log10()).max(MIN_DB)
}

fn power_to_db(power: f64) -> f32 {
    if power.is_nan() || power <= 0.0 {
        return MIN_DB;
    }
    ((10.0 * power.log10()) as f32).max(MIN_DB)
}

/// The per-sample coefficient of a one-pole smoother with time constant `ms`.
fn coefficient(ms: f32, sample_rate: f32) -> f64 {
    let samples = ms as f64 * 1e-3 * sample_rate as f64;
    if samples <= 0.0 {
        0.0
    } else {
        (-1.0 / samples).exp()
    }
}

pub(crate) fn check_sample_rate(sample_rate: f32) -> Result<(), ConfigError> {
    ConfigError::check_range(
        "sampleRate",
        "a rate in Hz from 3000 to 768000",
        sample_rate as f64,
        MIN_SAMPLE_RATE,
        MAX_SAMPLE_RATE,
    )
}

impl VolumeMeter {
    /// A meter for a stream at `sample_rate` Hz.
    ///
    /// # Errors
    /// [`ConfigError`] naming `volume.attackMs`, `volume.releaseMs` or `sampleRate` when one
    /// is out of range (sample rate: 3000 to 768000 Hz).
    pub fn new(config: VolumeConfig, sample_rate: f32) -> Result<Self, ConfigError> {
        config.validate()?;
        check_sample_rate(sample_rate)?;
        Ok(VolumeMeter {
            config,
            sample_rate,
            rms_coeff: coefficient(RMS_TIME_MS, sample_rate),
            attack_coeff: coefficient(config.attack_ms, sample_rate),
            release_coeff: coefficient(config.release_ms, sample_rate),
            mean_square: 0.0,
            envelope: 0.0,
        })
    }

    /// The options in use.
    pub fn config(&self) -> VolumeConfig {
        self.config
    }

    /// The sample rate in use, in Hz.
    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// Measures one batch and advances the envelope. An empty batch reads silence for
    /// `rms`/`peak`/`db` and leaves the envelope as it was. Never allocates.
    pub fn process(&mut self, samples: &[f32]) -> VolumeReading {
        let mut sum_sq = 0.0f64;
        let mut peak = 0.0f32;
        let mut non_finite = 0u32;
        let mut env = self.envelope;
        let mut ms = self.mean_square;
        let (avg, att, rel) = (self.rms_coeff, self.attack_coeff, self.release_coeff);
        for &s in samples {
            let s = if s.is_finite() {
                s.clamp(-INPUT_LIMIT, INPUT_LIMIT)
            } else {
                non_finite = non_finite.saturating_add(1);
                0.0
            };
            let p = (s as f64) * (s as f64);
            sum_sq += p;
            peak = peak.max(s.abs());
            ms = p + avg * (ms - p);
            if ms < ENVELOPE_FLOOR {
                ms = 0.0;
            }
            let c = if ms > env { att } else { rel };
            env = ms + c * (env - ms);
            if env < ENVELOPE_FLOOR {
                env = 0.0;
            }
        }
        self.mean_square = ms;
        self.envelope = env;
        let rms = if samples.is_empty() {
            0.0
        } else {
            (sum_sq / samples.len() as f64).sqrt() as f32
        };
        VolumeReading {
            rms,
            peak,
            db: amplitude_to_db(rms),
            smoothed_db: power_to_db(env),
            non_finite,
        }
    }

    /// The current envelope in dBFS, without processing anything.
    pub fn smoothed_db(&self) -> f32 {
        power_to_db(self.envelope)
    }

    /// Changes the sample rate; the envelope carries on from its current level. Never
    /// allocates.
    ///
    /// # Errors
    /// [`ConfigError`] naming `sampleRate` when it is out of range; the meter is unchanged.
    pub fn set_sample_rate(&mut self, sample_rate: f32) -> Result<(), ConfigError> {
        check_sample_rate(sample_rate)?;
        self.sample_rate = sample_rate;
        self.rms_coeff = coefficient(RMS_TIME_MS, sample_rate);
        self.attack_coeff = coefficient(self.config.attack_ms, sample_rate);
        self.release_coeff = coefficient(self.config.release_ms, sample_rate);
        Ok(())
    }

    /// Back to silence, as if just constructed.
    pub fn reset(&mut self) {
        self.mean_square = 0.0;
        self.envelope = 0.0;
    }
}
