//! Transport options and their validation.
//!
//! The ranges here are the single source of truth: the JavaScript API passes numbers
//! through unchanged and reports the [`ConfigError`] these checks return.

use super::error::ConfigError;
use super::header::HEADER_BYTES;

/// Smallest batch, in frames.
pub const MIN_BATCH_SIZE: usize = 128;
/// Largest batch, in frames.
pub const MAX_BATCH_SIZE: usize = 16384;
/// Batch sizes are multiples of this (one render quantum, see
/// [`RENDER_QUANTUM_SIZE`](super::RENDER_QUANTUM_SIZE)).
pub const BATCH_SIZE_STEP: usize = 128;
/// Default batch size: 1024 frames, ≈23 ms at 44.1 kHz, ≈43 messages per second.
pub const DEFAULT_BATCH_SIZE: usize = 1024;
/// Default number of pooled buffers: 16 × 1024 frames hold ≈372 ms at 44.1 kHz, so a
/// 200 ms main-thread stall drops nothing (8 dropped 15 ms of it; docs/tuning.md).
pub const DEFAULT_POOL_SIZE: usize = 16;
/// Largest pool (and `maxPoolSize`) a user may ask for.
pub const MAX_POOL_SIZE: usize = 256;
/// Largest pool of a tap on an OfflineAudioContext sized to its render (see
/// [`offline_pool_size`]): the header's pool size is a u16 (`src/dsp/header.rs`).
pub const MAX_OFFLINE_POOL_SIZE: usize = u16::MAX as usize;
/// Most bytes of batch buffers a tap sized to an offline render may hold: 512 MiB, about
/// 46 minutes of mono audio at 48 kHz. Past it `PitchTap.create` throws instead.
pub const MAX_OFFLINE_POOL_BYTES: f64 = 512.0 * 1024.0 * 1024.0;
/// Most channels a tap carries. Mirrors the 32 channels every Web Audio implementation
/// must support (<https://webaudio.github.io/web-audio-api/#dom-baseaudiocontext-createbuffer>),
/// and `MAX_CHANNELS` in `js/worklet/processor.js`.
pub const MAX_CHANNELS: usize = 32;
/// Lowest sample rate a context may have (Web Audio: 3000 Hz).
pub const MIN_SAMPLE_RATE: f64 = 3000.0;
/// Highest sample rate a context may have (Web Audio: 768000 Hz).
pub const MAX_SAMPLE_RATE: f64 = 768_000.0;
/// Longest `maxLatencyMs`.
pub const MAX_LATENCY_MS: f64 = 60_000.0;

/// Which channels of the input a tap carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelMode {
    /// The mean of all input channels, one channel out (`channels: 'mix'`, the default).
    Mix,
    /// One input channel by index (`channels: 0`, `1`, …). A mono input feeds every index
    /// (the Web Audio "speakers" up-mix of mono); an index the input lacks gives silence.
    Select(usize),
    /// Every channel, `count` of them (`channels: 'all'`, `channelCount`). Missing input
    /// channels are silent; a mono input is copied to all of them.
    All(usize),
}

impl ChannelMode {
    /// Channels in each batch.
    pub fn output_channels(&self) -> usize {
        match *self {
            ChannelMode::Mix | ChannelMode::Select(_) => 1,
            ChannelMode::All(n) => n,
        }
    }
}

/// Options of the worklet-side transport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TapConfig {
    /// Frames per batch (`batchSize`).
    pub batch_size: usize,
    /// Buffers allocated at start (`poolSize`).
    pub pool_size: usize,
    /// The pool may grow to this many buffers when it runs dry (`maxPoolSize`, default
    /// equal to `poolSize`: no growth).
    pub max_pool_size: usize,
    /// Channel handling (`channels`, `channelCount`).
    pub channels: ChannelMode,
    /// Post a partial batch once its first sample is this old (`maxLatencyMs`); `None`
    /// waits for full batches.
    pub max_latency_ms: Option<f64>,
    /// Sample rate of the context.
    pub sample_rate: f64,
    /// Frames an OfflineAudioContext renders (its `length`); `None` for a live context.
    /// The batch that reaches it is posted at once, flagged `END`, and nothing after it
    /// is taken.
    pub render_frames: Option<f64>,
}

impl Default for TapConfig {
    fn default() -> Self {
        TapConfig {
            batch_size: DEFAULT_BATCH_SIZE,
            pool_size: DEFAULT_POOL_SIZE,
            max_pool_size: DEFAULT_POOL_SIZE,
            channels: ChannelMode::Mix,
            max_latency_ms: None,
            sample_rate: 44_100.0,
            render_frames: None,
        }
    }
}

/// Checks a batch size on its own (also used by `configure`).
pub fn validate_batch_size(batch_size: f64) -> Result<usize, ConfigError> {
    const ALLOWED: &str = "a multiple of 128 from 128 to 16384";
    let n = ConfigError::check_whole(
        "batchSize",
        ALLOWED,
        batch_size,
        MIN_BATCH_SIZE as f64,
        MAX_BATCH_SIZE as f64,
    )?;
    if n % BATCH_SIZE_STEP != 0 {
        return Err(ConfigError::OutOfRange {
            option: "batchSize",
            allowed: ALLOWED,
            value: batch_size,
        });
    }
    Ok(n)
}

impl TapConfig {
    /// Checks every field; returns the first problem.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate_batch_size(self.batch_size as f64)?;
        ConfigError::check_range(
            "poolSize",
            "an integer from 1 to 256",
            self.pool_size as f64,
            1.0,
            MAX_POOL_SIZE as f64,
        )?;
        // Only the pool sized to an offline render may pass 256.
        if self.render_frames.is_none() || Ok(self.max_pool_size) != offline_pool_size(self) {
            ConfigError::check_range(
                "maxPoolSize",
                "an integer from poolSize to 256",
                self.max_pool_size as f64,
                self.pool_size as f64,
                MAX_POOL_SIZE as f64,
            )?;
        }
        match self.channels {
            ChannelMode::Mix => {}
            ChannelMode::Select(i) => ConfigError::check_range(
                "channels",
                "'mix', 'all' or a channel index from 0 to 31",
                i as f64,
                0.0,
                (MAX_CHANNELS - 1) as f64,
            )?,
            ChannelMode::All(n) => ConfigError::check_range(
                "channelCount",
                "an integer from 1 to 32",
                n as f64,
                1.0,
                MAX_CHANNELS as f64,
            )?,
        }
        if let Some(ms) = self.max_latency_ms {
            if !ms.is_finite() {
                return Err(ConfigError::NotFinite {
                    option: "maxLatencyMs",
                    allowed: "a number of milliseconds above 0 and at most 60000",
                });
            }
            if ms <= 0.0 || ms > MAX_LATENCY_MS {
                return Err(ConfigError::OutOfRange {
                    option: "maxLatencyMs",
                    allowed: "a number of milliseconds above 0 and at most 60000",
                    value: ms,
                });
            }
        }
        ConfigError::check_range(
            "sampleRate",
            "from 3000 to 768000 Hz",
            self.sample_rate,
            MIN_SAMPLE_RATE,
            MAX_SAMPLE_RATE,
        )?;
        if let Some(n) = self.render_frames {
            ConfigError::check_range(
                "context.length",
                "a whole number of frames",
                n,
                1.0,
                f64::from(u32::MAX),
            )?;
        }
        Ok(())
    }

    /// `maxLatencyMs` in frames at this sample rate, rounded up (at least 1).
    pub fn max_latency_frames(&self) -> Option<f64> {
        self.max_latency_ms
            .map(|ms| (ms * self.sample_rate / 1000.0).ceil().max(1.0))
    }
}

/// Buffers a tap on an OfflineAudioContext needs to keep every frame of its render when
/// the main thread returns none before the render ends (an offline render runs faster than
/// real time, and Firefox has no `OfflineAudioContext.suspend` to pace it): one per batch of
/// the render, plus one for the batch a flush cuts short. The pool starts small and grows
/// to this only as the main thread falls behind. Batches are at least `batchSize` frames, or
/// the `maxLatencyMs` span rounded down to whole quanta when that is shorter.
///
/// Errors (naming `context.length`) when the render needs more than
/// [`MAX_OFFLINE_POOL_SIZE`] buffers or [`MAX_OFFLINE_POOL_BYTES`].
pub fn offline_pool_size(config: &TapConfig) -> Result<usize, ConfigError> {
    const ALLOWED: &str =
        "at most 512 MiB of batch buffers and 65535 batches when every frame is kept: \
        render in parts, use a larger batchSize, or set poolSize and pace the render \
        with suspend() and tap.sync()";
    let Some(frames) = config.render_frames else {
        return Ok(config.max_pool_size);
    };
    let step = BATCH_SIZE_STEP as f64;
    let shortest = match config.max_latency_frames() {
        // max/min, not clamp: clamp's panic message would link float formatting into the wasm.
        Some(l) => ((l / step).floor() * step)
            .max(step)
            .min(config.batch_size as f64),
        None => config.batch_size as f64,
    };
    let slots = (frames / shortest).ceil() + 1.0;
    let bytes_each =
        (HEADER_BYTES + 4 * config.batch_size * config.channels.output_channels()) as f64;
    if slots > MAX_OFFLINE_POOL_SIZE as f64 || slots * bytes_each > MAX_OFFLINE_POOL_BYTES {
        return Err(ConfigError::OutOfRange {
            option: "context.length",
            allowed: ALLOWED,
            value: frames,
        });
    }
    Ok(slots as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_size_rules() {
        assert_eq!(validate_batch_size(1024.0), Ok(1024));
        assert_eq!(validate_batch_size(128.0), Ok(128));
        assert_eq!(validate_batch_size(16384.0), Ok(16384));
        for bad in [0.0, 64.0, 100.0, 1000.0, 16512.0, 1024.5, -128.0] {
            let e = validate_batch_size(bad).unwrap_err();
            assert_eq!(e.option(), "batchSize", "{bad}");
            assert!(e.to_string().contains("multiple of 128"), "{e}");
        }
        assert!(matches!(
            validate_batch_size(f64::NAN),
            Err(ConfigError::NotFinite { .. })
        ));
    }

    #[test]
    fn each_field_is_named() {
        let ok = TapConfig::default();
        assert_eq!(ok.validate(), Ok(()));
        let cases: [(TapConfig, &str); 7] = [
            (TapConfig { pool_size: 0, ..ok }, "poolSize"),
            (
                TapConfig {
                    max_pool_size: 4,
                    ..ok
                },
                "maxPoolSize",
            ),
            (
                TapConfig {
                    max_pool_size: 257,
                    ..ok
                },
                "maxPoolSize",
            ),
            (
                TapConfig {
                    channels: ChannelMode::Select(32),
                    ..ok
                },
                "channels",
            ),
            (
                TapConfig {
                    channels: ChannelMode::All(0),
                    ..ok
                },
                "channelCount",
            ),
            (
                TapConfig {
                    max_latency_ms: Some(0.0),
                    ..ok
                },
                "maxLatencyMs",
            ),
            (
                TapConfig {
                    sample_rate: 1000.0,
                    ..ok
                },
                "sampleRate",
            ),
        ];
        for (cfg, name) in cases {
            assert_eq!(cfg.validate().unwrap_err().option(), name);
        }
        let inf = TapConfig {
            max_latency_ms: Some(f64::INFINITY),
            ..ok
        };
        assert!(matches!(inf.validate(), Err(ConfigError::NotFinite { .. })));
    }

    #[test]
    fn latency_in_frames() {
        let c = TapConfig {
            max_latency_ms: Some(10.0),
            sample_rate: 44100.0,
            ..TapConfig::default()
        };
        assert_eq!(c.max_latency_frames(), Some(441.0));
        assert_eq!(TapConfig::default().max_latency_frames(), None);
    }
}
