//! The options as JavaScript hands them to the wasm: one array of numbers per constructor,
//! each option at a fixed index, its *slot*; a hole (`undefined`) means "not given".
//!
//! One array instead of one argument per option keeps wasm-bindgen's glue small (the
//! package has a size budget: docs/benchmarks.md, "Package size") and names every option on
//! both sides: JavaScript builds each array from a list of option keys in slot order
//! (`TAP_OPTION_KEYS` in `js/main/constants.js` and `js/worklet/processor.js`;
//! `PITCH_KEYS` then `VOLUME_KEYS` in constants.js), and `tests/js_mirrors.rs` checks those lists against
//! [`tap`] and [`analysis`].
//!
//! [`tap_config`] and [`analysis_options`] turn the slots into the core's option structs,
//! checking what only the conversion can get wrong (a count that is not a whole number);
//! the structs' own validation checks the rest. Errors name the option as the JS API
//! spells it.

use super::analysis::AnalysisOptions;
use super::config::{validate_batch_size, ChannelMode, TapConfig};
use super::error::ConfigError;
use super::meter::VolumeConfig;
use super::pitch::{default_max_frequency, PitchConfig};

/// Slots of the transport's options (`checkTapOptions`, `offlinePoolSize`, `WorkletTap`).
pub mod tap {
    /// `batchSize`.
    pub const BATCH_SIZE: usize = 0;
    /// `poolSize`.
    pub const POOL_SIZE: usize = 1;
    /// `maxPoolSize`.
    pub const MAX_POOL_SIZE: usize = 2;
    /// How `channels` reads: [`CHANNELS_MIX`](super::CHANNELS_MIX),
    /// [`CHANNELS_SELECT`](super::CHANNELS_SELECT) or [`CHANNELS_ALL`](super::CHANNELS_ALL);
    /// not given: mix.
    pub const CHANNEL_MODE: usize = 3;
    /// The channel index (select) or `channelCount` (all); not given: 0.
    pub const CHANNEL_ARG: usize = 4;
    /// `maxLatencyMs`; negative or not given: off.
    pub const MAX_LATENCY_MS: usize = 5;
    /// Frames an OfflineAudioContext renders; 0 or not given: a live context.
    pub const RENDER_FRAMES: usize = 6;
    /// Slots.
    pub const LEN: usize = 7;
}

/// Slots of the analyzers' options (`MainTap`, `PitchAnalysis`): the `pitch` group, then
/// the `volume` group. Not given: the core's default.
pub mod analysis {
    /// `pitch.minFrequency`.
    pub const MIN_FREQUENCY: usize = 0;
    /// `pitch.maxFrequency`.
    pub const MAX_FREQUENCY: usize = 1;
    /// `pitch.windowSize`.
    pub const WINDOW_SIZE: usize = 2;
    /// `pitch.hopSize`.
    pub const HOP_SIZE: usize = 3;
    /// `pitch.clarityThreshold`.
    pub const CLARITY_THRESHOLD: usize = 4;
    /// `pitch.minDb`.
    pub const MIN_DB: usize = 5;
    /// `pitch.a4`.
    pub const A4: usize = 6;
    /// `volume.attackMs`.
    pub const ATTACK_MS: usize = 7;
    /// `volume.releaseMs`.
    pub const RELEASE_MS: usize = 8;
    /// Slots.
    pub const LEN: usize = 9;
}

/// [`tap::CHANNEL_MODE`] of `channels: 'mix'`. The codes mirror `CHANNEL_MODES` in
/// `js/main/constants.js`.
pub const CHANNELS_MIX: u32 = 0;
/// [`tap::CHANNEL_MODE`] of `channels: <index>`.
pub const CHANNELS_SELECT: u32 = 1;
/// [`tap::CHANNEL_MODE`] of `channels: 'all'` with `channelCount`.
pub const CHANNELS_ALL: u32 = 2;

/// The transport's options at `sample_rate` from their [`tap`] slots. Checks that the
/// counts are whole numbers; [`TapConfig::validate`] checks the rest.
///
/// # Errors
/// [`ConfigError`] naming the option: `batchSize` (fully checked here), `poolSize`,
/// `maxPoolSize`, `channels` or `channelCount`. A `batchSize`, `poolSize` or `maxPoolSize`
/// not given reads as NaN, an error (the JS API always gives them).
pub fn tap_config(
    sample_rate: f64,
    slots: &[Option<f64>; tap::LEN],
) -> Result<TapConfig, ConfigError> {
    let count = |slot: usize, option: &'static str, allowed: &'static str| {
        let value = slots[slot].unwrap_or(f64::NAN);
        ConfigError::check_whole(option, allowed, value, 0.0, u32::MAX as f64)
    };
    const CHANNELS: &str = "'mix', 'all' or a channel index from 0 to 31";
    let arg = slots[tap::CHANNEL_ARG].unwrap_or(0.0);
    let channels = match slots[tap::CHANNEL_MODE].unwrap_or(CHANNELS_MIX as f64) {
        m if m == CHANNELS_MIX as f64 => ChannelMode::Mix,
        m if m == CHANNELS_SELECT as f64 => ChannelMode::Select(ConfigError::check_whole(
            "channels",
            CHANNELS,
            arg,
            0.0,
            u32::MAX as f64,
        )?),
        m if m == CHANNELS_ALL as f64 => ChannelMode::All(ConfigError::check_whole(
            "channelCount",
            "an integer from 1 to 32",
            arg,
            0.0,
            u32::MAX as f64,
        )?),
        _ => {
            return Err(ConfigError::WrongType {
                option: "channels",
                allowed: CHANNELS,
            })
        }
    };
    let max_latency_ms = slots[tap::MAX_LATENCY_MS].unwrap_or(-1.0);
    let render_frames = slots[tap::RENDER_FRAMES].unwrap_or(0.0);
    Ok(TapConfig {
        batch_size: validate_batch_size(slots[tap::BATCH_SIZE].unwrap_or(f64::NAN))?,
        pool_size: count(tap::POOL_SIZE, "poolSize", "an integer from 1 to 256")?,
        max_pool_size: count(
            tap::MAX_POOL_SIZE,
            "maxPoolSize",
            "an integer from poolSize to 256",
        )?,
        channels,
        // Negative means off; NaN stays in so that validate() reports it.
        max_latency_ms: (max_latency_ms.is_nan() || max_latency_ms >= 0.0)
            .then_some(max_latency_ms),
        sample_rate,
        render_frames: (render_frames != 0.0).then_some(render_frames),
    })
}

/// The analyzers' options at `sample_rate` from their [`analysis`] slots; `pitch_enabled`
/// false leaves the pitch detector out (`pitch: false`). A default `maxFrequency` fits the
/// sample rate. Checks that `windowSize` and `hopSize` are whole numbers;
/// [`StreamAnalyzer::new`](super::analysis::StreamAnalyzer::new) and
/// [`PitchTrack::new`](super::analysis::PitchTrack::new) check the rest.
///
/// # Errors
/// [`ConfigError`] naming `pitch.windowSize` or `pitch.hopSize`.
pub fn analysis_options(
    sample_rate: f64,
    pitch_enabled: bool,
    slots: &[Option<f64>; analysis::LEN],
) -> Result<AnalysisOptions, ConfigError> {
    let d = PitchConfig::default();
    let v = VolumeConfig::default();
    let number = |slot: usize, default: f32| slots[slot].map_or(default, |x| x as f32);
    let samples = |slot: usize, option: &'static str, allowed: &'static str| {
        slots[slot]
            .map(|x| ConfigError::check_whole(option, allowed, x, 1.0, 1e9))
            .transpose()
    };
    let pitch = PitchConfig {
        min_frequency: number(analysis::MIN_FREQUENCY, d.min_frequency),
        max_frequency: number(
            analysis::MAX_FREQUENCY,
            default_max_frequency(sample_rate as f32),
        ),
        window_size: samples(
            analysis::WINDOW_SIZE,
            "pitch.windowSize",
            "a whole number of samples from 64 to 65536",
        )?,
        hop_size: samples(
            analysis::HOP_SIZE,
            "pitch.hopSize",
            "a whole number of samples from 1 to pitch.windowSize",
        )?,
        clarity_threshold: number(analysis::CLARITY_THRESHOLD, d.clarity_threshold),
        min_db: number(analysis::MIN_DB, d.min_db),
        a4: number(analysis::A4, d.a4),
    };
    Ok(AnalysisOptions {
        pitch: pitch_enabled.then_some(pitch),
        volume: VolumeConfig {
            attack_ms: number(analysis::ATTACK_MS, v.attack_ms),
            release_ms: number(analysis::RELEASE_MS, v.release_ms),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tap_slots(values: [f64; tap::LEN]) -> [Option<f64>; tap::LEN] {
        values.map(Some)
    }

    #[test]
    fn tap_slots_become_a_config() {
        let c = tap_config(48000.0, &tap_slots([2048.0, 8.0, 12.0, 2.0, 4.0, 5.0, 0.0])).unwrap();
        assert_eq!(c.batch_size, 2048);
        assert_eq!((c.pool_size, c.max_pool_size), (8, 12));
        assert_eq!(c.channels, ChannelMode::All(4));
        assert_eq!(c.max_latency_ms, Some(5.0));
        assert_eq!((c.sample_rate, c.render_frames), (48000.0, None));
        // Not given: mix, latency off, live; what worklet/processor.js used to fill in.
        let mut slots = [None; tap::LEN];
        slots[tap::BATCH_SIZE] = Some(1024.0);
        slots[tap::POOL_SIZE] = Some(16.0);
        slots[tap::MAX_POOL_SIZE] = Some(16.0);
        let c = tap_config(44100.0, &slots).unwrap();
        assert_eq!(c, TapConfig::default());
        assert_eq!(
            tap_config(44100.0, &[None; tap::LEN]).unwrap_err().option(),
            "batchSize"
        );
    }

    #[test]
    fn tap_slot_errors_name_the_option() {
        let ok = [1024.0, 8.0, 8.0, CHANNELS_MIX as f64, 0.0, -1.0, 0.0];
        let cases: [(usize, f64, &str); 6] = [
            (tap::POOL_SIZE, 1.5, "poolSize"),
            (tap::MAX_POOL_SIZE, -1.0, "maxPoolSize"),
            (tap::BATCH_SIZE, 1000.0, "batchSize"),
            (tap::CHANNEL_MODE, 9.0, "channels"),
            (tap::POOL_SIZE, f64::INFINITY, "poolSize"),
            (tap::MAX_POOL_SIZE, f64::NAN, "maxPoolSize"),
        ];
        for (slot, value, option) in cases {
            let mut v = ok;
            v[slot] = value;
            let e = tap_config(44100.0, &tap_slots(v)).unwrap_err();
            assert_eq!(e.option(), option, "slot {slot} = {value}");
            assert_eq!(e.is_type_error(), slot == tap::CHANNEL_MODE);
        }
        let mut v = ok;
        v[tap::CHANNEL_MODE] = CHANNELS_SELECT as f64;
        v[tap::CHANNEL_ARG] = 0.5;
        let e = tap_config(44100.0, &tap_slots(v)).unwrap_err();
        assert_eq!(e.option(), "channels");
        v[tap::CHANNEL_MODE] = CHANNELS_ALL as f64;
        v[tap::CHANNEL_ARG] = f64::NAN;
        let e = tap_config(44100.0, &tap_slots(v)).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::NotFinite {
                option: "channelCount",
                ..
            }
        ));
        // NaN latency stays in for validate(), which names it; negative is off.
        v[tap::CHANNEL_MODE] = CHANNELS_MIX as f64;
        v[tap::MAX_LATENCY_MS] = f64::NAN;
        let c = tap_config(44100.0, &tap_slots(v)).unwrap();
        assert_eq!(c.validate().unwrap_err().option(), "maxLatencyMs");
    }

    #[test]
    fn analysis_slots_become_options() {
        let none = [None; analysis::LEN];
        let o = analysis_options(48000.0, true, &none).unwrap();
        assert_eq!(o, AnalysisOptions::default());
        // The default highest pitch fits a low sample rate.
        let o = analysis_options(4000.0, true, &none).unwrap();
        assert_eq!(o.pitch.unwrap().max_frequency, 1000.0);
        assert_eq!(analysis_options(48000.0, false, &none).unwrap().pitch, None);
        let mut slots = none;
        slots[analysis::MIN_FREQUENCY] = Some(80.0);
        slots[analysis::WINDOW_SIZE] = Some(2048.0);
        slots[analysis::HOP_SIZE] = Some(256.0);
        slots[analysis::A4] = Some(442.0);
        slots[analysis::RELEASE_MS] = Some(100.0);
        let o = analysis_options(48000.0, true, &slots).unwrap();
        let p = o.pitch.unwrap();
        assert_eq!((p.min_frequency, p.a4), (80.0, 442.0));
        assert_eq!((p.window_size, p.hop_size), (Some(2048), Some(256)));
        assert_eq!(o.volume.release_ms, 100.0);
        for (slot, value, option) in [
            (analysis::WINDOW_SIZE, 1000.5, "pitch.windowSize"),
            (analysis::WINDOW_SIZE, 0.0, "pitch.windowSize"),
            (analysis::HOP_SIZE, f64::NAN, "pitch.hopSize"),
            (analysis::HOP_SIZE, -3.0, "pitch.hopSize"),
        ] {
            let mut s = none;
            s[slot] = Some(value);
            assert_eq!(
                analysis_options(48000.0, true, &s).unwrap_err().option(),
                option
            );
        }
    }
}
