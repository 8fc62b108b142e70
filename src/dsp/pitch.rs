//! Pitch detector: a streaming McLeod (MPM) tracker with octave-safe candidate choice.
//!
//! # Algorithm
//! Every hop, the last `windowSize` samples are analysed:
//!
//! 1. **Clean-up.** On the way in, NaN/±Infinity become 0 (counted by
//!    [`PitchDetector::non_finite_samples`]), samples are clamped to ±[`INPUT_LIMIT`] and
//!    magnitudes below 1e-30 become 0 (no denormal arithmetic). The window's mean is
//!    removed (DC offset), its RMS level is compared with `minDb`, then it is scaled to a
//!    peak of 1 so that a −50 dBFS voice is analysed exactly like a loud one.
//! 2. **Coarse NSDF.** The normalised square difference function of McLeod & Wyvill
//!    (2005), `n(τ) = 2·r(τ) / m(τ)`, with `m(τ) = Σ x[j]² + x[j+τ]²` over the overlapping
//!    part, on the window low-passed and decimated by a power of two, then low-passed to
//!    a quarter of that rate (see `coarse_factor` and `decimate.rs`): the pitch range
//!    needs a few kHz, not the stream's bandwidth. The autocorrelation `r` comes from a real FFT planned at
//!    construction ([`Correlator`]). `n` is 1 for a perfectly periodic window at its period,
//!    whatever the level.
//! 3. **Candidates.** Every positive lobe of `n` after its first zero crossing gives its
//!    maximum, refined by parabolic interpolation; lobes whose lag lies outside
//!    `minFrequency..maxFrequency` (with a quarter-tone margin) are dropped. The candidates
//!    that decide step 4 are measured again at the full rate, by hill-climbing the
//!    window's time-domain NSDF (`PitchDetector::refine_candidate`).
//! 4. **Choice.** McLeod's k·max rule (the shortest lag whose peak reaches
//!    [`OCTAVE_K`] × the highest peak) avoids sub-octaves; then continuity with the last
//!    30 ms overrides a pick that jumps by more than half an octave when a candidate near
//!    the previous pitch is clear enough (a longer lag must be clearer than the pick, or a
//!    sub-octave would lock in: every multiple of a period is as clear as the period).
//! 5. **Centre refinement.** The window is sized for two periods of 50 Hz and smears
//!    onsets, offsets and glides, while the estimate is stamped at its centre; so the chosen
//!    period is re-measured around the centre by hill-climbing time-domain NSDFs to their
//!    nearest peak, three times: over max(2.5 periods, 25 ms) (its height is the
//!    *clarity*; a centre much quieter than the window has clarity 0), then Hann-weighted
//!    over max(5 periods, 50 ms) as far as the window allows (the frequency: centre-weighted,
//!    yet long enough to average vibrato), then over max(1.5 periods, 15 ms), which gives
//!    the frequency when it agrees with the Hann-weighted one within 35 cents (fast speech
//!    intonation) and, when at least 0.8 clear, may raise the clarity (speech onsets and
//!    offsets).
//! 6. **Voicing.** Voiced when the clarity reaches `clarityThreshold` (or, while continuing
//!    a nearby voiced pitch in a window at most [`CONTINUE_GATE_DB`] below the loudest
//!    recent voiced window, 0.75 × that: hysteresis keeps the weak ends of a note, not the
//!    quiet tail after it; or, at an onset, 0.6 × that when the 25 ms and 15 ms centre
//!    clarities both reach it and the part of the window after the centre, already
//!    received, is at least 0.75 clear at the same pitch and not at half its period), the
//!    window is louder than `minDb`, it is at most
//!    [`RELATIVE_GATE_DB`] below the loudest recent voiced window (a scale-free gate against
//!    breaths, bleed and hum between phrases; that level falls at
//!    [`GATE_FALL_DB_PER_SECOND`]), and it is not mains hum: a run of windows no louder than
//!    [`HUM_MAX_DB`] whose pitch stays within 1 % of its mean, and that mean within 0.3 % of
//!    50 or 60 Hz ([`MAINS_HZ`]), is unvoiced whatever its clarity, and does not set the
//!    relative gate's level.
//!
//! `docs/pitch.md` has the measured accuracy and speed.
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

use super::decimate::{quarter_band, Decimator};
use super::error::ConfigError;
use super::fft::Correlator;
use super::meter::{amplitude_to_db, check_sample_rate, MIN_DB};
use super::trig::sin_cos_turns;

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
/// or above: 1024 at 44.1 and 48 kHz). Mirrored in `js/pitchtap.js` (tests/js_mirrors.rs).
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
/// McLeod's k: the shortest-lag peak within this fraction of the highest one wins.
pub const OCTAVE_K: f32 = 0.85;
/// Lowest allowed `pitch.minFrequency`, in Hz.
pub const LOWEST_FREQUENCY: f32 = 20.0;
/// Highest allowed `pitch.maxFrequency`, in Hz (also at most a quarter of the sample rate).
pub const HIGHEST_FREQUENCY: f32 = 8000.0;

/// Length of the centre measurement: this many periods of the chosen pitch…
const CENTRE_PERIODS: f32 = 2.5;
/// … and at least this long, in seconds: shorter follows speech better, longer averages
/// the vibrato of singing; 25 ms serves both.
const CENTRE_MIN_SECONDS: f32 = 0.025;
/// The frequency is then re-measured twice. First on a Hann-weighted span of this many
/// periods…
const HANN_PERIODS: f32 = 5.0;
/// … and at least this long, in seconds (capped by the window): its effective length is
/// about half, centre-weighted, which neither smears a glide like the flat 25 ms span nor
/// follows the vibrato of a held note.
const HANN_MIN_SECONDS: f32 = 0.05;
/// Then on a flat span of this many periods…
const SHORT_PERIODS: f32 = 1.5;
/// … and at least this long, in seconds: the instantaneous pitch of speech.
const SHORT_MIN_SECONDS: f32 = 0.015;
/// The short measurement gives the frequency only when it lies within this many cents of
/// the Hann-weighted one; otherwise it is a glide into a held note or noise, and the
/// Hann-weighted frequency stands.
const SHORT_AGREE_CENTS: f32 = 35.0;
/// When the short measurement agrees and is at least this clear, its clarity may voice the
/// window: at speech onsets and offsets the centre is periodic while the 25 ms span is not.
/// A short span reaches a given clarity more easily by chance, hence a stricter threshold
/// than the default 0.65.
const SHORT_VOICING_CLARITY: f32 = 0.8;
/// At a voice onset (no voiced pitch nearby before it), a weakly periodic centre is voiced
/// when the part of the window after the centre is at least this clear at the same pitch
/// (see [`PitchDetector::onset_ahead`]). Stricter than the default 0.65 because a span of
/// one to two periods reaches a given clarity by chance more easily than the 25 ms span.
/// 0.75 (0.8 before the stricter [`CONTINUE_FACTOR`]): the continuation no longer carries
/// a wrong onset pick along, so the onset may accept a little more (two-fold check in
/// docs/pitch.md).
const AHEAD_VOICING_CLARITY: f32 = 0.75;
/// How much clearer than k·max's pick a longer-lag candidate near the previous pitch must be
/// to replace it.
const LONGER_MARGIN: f32 = 0.02;
/// The centre measurement's mean power, relative to the whole window's, below which the
/// window centre counts as silent (the pitch belongs to a neighbour): −10 dB.
const CENTRE_MIN_POWER: f32 = 0.1;
/// Relative gate: a periodic window more than this many dB below the loudest recent
/// periodic window (capped at 0 dBFS) is unvoiced. Breaths, bleed and hum between phrases
/// are periodic enough to pass any clarity threshold; their level gives them away.
/// Scale-free, so a −50 dBFS voice is treated like a loud one. The cost: for a few seconds
/// after a loud note, a note more than 25 dB quieter reads unvoiced.
pub const RELATIVE_GATE_DB: f32 = 25.0;
/// How fast the "loudest recent periodic window" level of the relative gate falls, in dB
/// per second.
pub const GATE_FALL_DB_PER_SECOND: f32 = 2.0;
/// Lobes kept per window; the clearest are kept when a noisy window has more.
const MAX_CANDIDATES: usize = 48;
/// Coarse candidates at least this fraction of the highest coarse peak are measured at the
/// full rate when k·max's choice may fall on them (the coarse NSDF's heights are
/// approximate: low-passed, and sampled every `factor` lags).
const REFINE_FRACTION: f32 = 0.5;
/// At most this many candidates per window are measured at the full rate (besides a
/// continuity candidate): a high voice has dozens of lobes, one per multiple of its period.
const MAX_REFINED: usize = 6;
/// Candidates are searched this far outside `minFrequency..maxFrequency` (a quarter tone),
/// so a tone exactly at a limit is found from both sides of its peak.
const RANGE_MARGIN: f32 = 1.03;
/// A continuation needs this fraction of the voicing threshold (hysteresis): 0.47 with the
/// default threshold. Lower (0.6) voiced mostly wrong frames at the ends of speech (creak,
/// formant ringing, the breath after a word): half or more of fda's gross errors and a third
/// of its false alarms, and they did not carry over to held-out files (docs/pitch.md,
/// "Two-fold evaluation").
const CONTINUE_FACTOR: f32 = 0.72;
/// A voice onset (see [`AHEAD_VOICING_CLARITY`]) needs this fraction of the voicing
/// threshold at the centre, lower than [`CONTINUE_FACTOR`]: the part of the window after
/// the centre must already be clearly periodic at the same pitch, stronger evidence than
/// a continuation's "near the previous pitch".
const ONSET_FACTOR: f32 = 0.6;
/// Continuity only looks back this far, in seconds.
const CONTINUITY_SECONDS: f32 = 0.03;
/// A pitch that moves less than this many octaves from the previous hop is "nearby".
const NEAR_OCTAVES: f32 = 0.2;
/// A candidate near the previous pitch replaces an octave-jumping pick if it is at least
/// this fraction as clear as the highest peak.
const CONTINUITY_K: f32 = 0.6;
/// The hysteresis of step 6 (a continuing pitch needs only `CONTINUE_FACTOR` × the
/// threshold) applies only to windows at most this many dB below the loudest recent voiced
/// window. A note's weak end stays voiced; the breath, reverb tail or release 20 dB down
/// after it, still periodic enough for the lower threshold, does not.
pub const CONTINUE_GATE_DB: f32 = 20.0;
/// Mains frequencies, Hz. A quiet pitch that stays at one of them is hum (see
/// `HumTracker`).
pub const MAINS_HZ: [f32; 2] = [50.0, 60.0];
/// A hop's pitch within this fraction of a mains frequency may be hum (2 %: the pitch
/// measured on quiet, noisy hum strays up to about 1 % from hop to hop).
const HUM_SEARCH: f32 = 0.02;
/// … and a run of such hops is hum when their mean pitch is within this fraction of the
/// mains frequency (0.3 %: grids hold their frequency within about ±0.2 Hz).
const HUM_TOLERANCE: f32 = 0.003;
/// Hum is steady: a hop more than this fraction away from the run's mean pitch starts a
/// new run (1 %: twice the spread measured on quiet hum, where 85 % of hops fall within
/// 0.5 % of the mains frequency).
const HUM_STEADY: f32 = 0.01;
/// Hops a run needs before its mean is trusted.
const HUM_MIN_HOPS: u32 = 2;
/// The run's mean is a running mean over at most this many hops.
const HUM_MEAN_HOPS: u32 = 16;
/// Hum is quiet: a window louder than this (dBFS) is never taken for hum, so a loud
/// 50 or 60 Hz note stays voiced.
pub const HUM_MAX_DB: f32 = -35.0;

/// Note names by MIDI number, sharps only.
static NOTE_NAMES: [&str; 128] = [
    "C-1", "C#-1", "D-1", "D#-1", "E-1", "F-1", "F#-1", "G-1", "G#-1", "A-1", "A#-1", "B-1", "C0",
    "C#0", "D0", "D#0", "E0", "F0", "F#0", "G0", "G#0", "A0", "A#0", "B0", "C1", "C#1", "D1",
    "D#1", "E1", "F1", "F#1", "G1", "G#1", "A1", "A#1", "B1", "C2", "C#2", "D2", "D#2", "E2", "F2",
    "F#2", "G2", "G#2", "A2", "A#2", "B2", "C3", "C#3", "D3", "D#3", "E3", "F3", "F#3", "G3",
    "G#3", "A3", "A#3", "B3", "C4", "C#4", "D4", "D#4", "E4", "F4", "F#4", "G4", "G#4", "A4",
    "A#4", "B4", "C5", "C#5", "D5", "D#5", "E5", "F5", "F#5", "G5", "G#5", "A5", "A#5", "B5", "C6",
    "C#6", "D6", "D#6", "E6", "F6", "F#6", "G6", "G#6", "A6", "A#6", "B6", "C7", "C#7", "D7",
    "D#7", "E7", "F7", "F#7", "G7", "G#7", "A7", "A#7", "B7", "C8", "C#8", "D8", "D#8", "E8", "F8",
    "F#8", "G8", "G#8", "A8", "A#8", "B8", "C9", "C#9", "D9", "D#9", "E9", "F9", "F#9", "G9",
];

/// The name of a MIDI note (`"A4"` for 69, sharps only), or `""` outside 0..=127.
pub fn note_name(midi: i32) -> &'static str {
    usize::try_from(midi)
        .ok()
        .and_then(|i| NOTE_NAMES.get(i))
        .copied()
        .unwrap_or("")
}

/// Options of a [`PitchDetector`].
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
struct Layout {
    window: usize,
    hop: usize,
    /// Shortest and longest lag searched, in samples (the pitch range with
    /// [`RANGE_MARGIN`]).
    lag_lo: usize,
    lag_hi: usize,
    /// Down-sampling factor of the coarse search (1: none).
    factor: usize,
    /// The window, and the shortest and longest lag searched, in decimated samples.
    coarse_window: usize,
    coarse_lag_lo: usize,
    coarse_lag_hi: usize,
    /// A length the target's FFT is fast at ([`Correlator::fast_len`]) for the coarse
    /// window and its lags.
    fft_len: usize,
}

/// The coarse search's rate must stay at or above this, in Hz. The coarse window is
/// low-passed to a quarter of its rate ([`quarter_band`]), so 8 kHz keeps the voice's
/// harmonics up to ~2 kHz for the candidates; the deciding ones are measured at the full
/// rate. Tested over rates, pitches and strong high harmonics in tests/analyzers.rs
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
    /// planning, no allocation): what [`PitchDetector::new`] would refuse, this refuses.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending option (`pitch.*` or `sampleRate`).
    pub fn validate(&self, sample_rate: f32) -> Result<(), ConfigError> {
        self.layout(sample_rate).map(|_| ())
    }

    /// Checks the options against a sample rate and works out the sizes.
    fn layout(&self, sample_rate: f32) -> Result<Layout, ConfigError> {
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

#[derive(Debug, Clone, Copy, Default)]
struct Candidate {
    /// Lag in samples at the full rate.
    lag: f32,
    /// NSDF peak height.
    value: f32,
    /// Whether `lag` and `value` were measured at the full rate (else: from the coarse
    /// search).
    fine: bool,
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
            let semis = 12.0 * (frequency / self.config.a4).log2() + 69.0;
            let midi = semis.round();
            (midi as i32, note_name(midi as i32), 100.0 * (semis - midi))
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
        // Hysteresis keeps the weak end of a note, not a quiet tail well below it.
        let weak = self.config.clarity_threshold * CONTINUE_FACTOR;
        let onset_weak = self.config.clarity_threshold * ONSET_FACTOR;
        let within_gate = db >= self.level_max_db - CONTINUE_GATE_DB;
        let near_previous = self.hops_since_voiced <= self.continuity_hops
            && (frequency / self.prev_frequency).log2().abs() < NEAR_OCTAVES
            && within_gate;
        // The same hysteresis run forwards, inside the window: a weak centre at a voice
        // onset is voiced when the part of the window after it is clearly periodic at the
        // same pitch.
        let onset = !near_previous
            && within_gate
            && clarity < self.config.clarity_threshold
            && clarity >= onset_weak
            && short_clarity >= onset_weak
            && self.onset_ahead(lag);
        let threshold = if near_previous {
            weak
        } else if onset {
            onset_weak
        } else {
            self.config.clarity_threshold
        };
        if clarity < threshold || clarity <= 0.0 {
            return (0.0, clarity, db);
        }
        // Only periodic windows set the reference level, and never above full scale, so
        // noise bursts and spikes cannot hold the gate shut.
        self.level_max_db = self.level_max_db.max(db.min(0.0));
        if db >= self.level_max_db - RELATIVE_GATE_DB {
            (frequency, clarity, db)
        } else {
            (0.0, clarity, db)
        }
    }

    /// Fills `nsdf[0..=coarse_lag_hi+1]` from `x` decimated by the layout's factor (lags
    /// in decimated samples).
    fn compute_nsdf(&mut self) {
        // Only the real samples take part: counting the pre-roll zeros in m(τ) would
        // depress long lags in the first windows of a stream and favour octave-up picks.
        let n = self.layout.window;
        let valid = self.valid.clamp(1, n);
        let valid = self
            .decimator
            .process(&self.x[n - valid..], &mut self.coarse)
            .max(1);
        quarter_band(&mut self.coarse[..valid]);
        let xs = &self.coarse[..valid];
        self.frame[..valid].copy_from_slice(xs);
        self.frame[valid..].fill(0.0);
        self.fft.autocorrelate(&mut self.frame);
        // frame[τ] = fft_len · r(τ); m(τ) runs down from 2·r(0) as the overlap shrinks.
        let norm = 1.0 / self.layout.fft_len as f64;
        let mut m: f64 = 2.0 * xs.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>();
        for (tau, out) in self.nsdf.iter_mut().enumerate() {
            if tau + 1 >= valid {
                *out = 0.0;
                continue;
            }
            let r = self.frame[tau] as f64 * norm;
            *out = if m > 1e-9 { (2.0 * r / m) as f32 } else { 0.0 };
            let a = xs[tau] as f64;
            let b = xs[valid - 1 - tau] as f64;
            m -= a * a + b * b;
        }
    }

    /// Re-measures the chosen period around the window centre: the full window (sized for
    /// 50 Hz) smears onsets, offsets and fast glides, while the estimate is stamped at the
    /// centre. Three measurements, each hill-climbing a time-domain NSDF from the previous
    /// lag to its nearest peak:
    /// 1. flat, max(2.5 periods, 25 ms): the clarity that voices the window;
    /// 2. Hann-weighted, max(5 periods, 50 ms) as far as the window allows: the frequency;
    /// 3. flat, max(1.5 periods, 15 ms): replaces that frequency when within
    ///    [`SHORT_AGREE_CENTS`] of it, and its clarity may voice the window (at least
    ///    [`SHORT_VOICING_CLARITY`]).
    ///
    /// Returns the lag, the clarity and the short span's own clarity.
    fn refine_centre(&mut self, lag: f32) -> Centre {
        let (lag, clarity) =
            self.measure_centre(lag, CENTRE_PERIODS, CENTRE_MIN_SECONDS, Weight::Flat);
        if clarity <= 0.0 {
            return Centre {
                lag,
                clarity,
                short_clarity: 0.0,
            };
        }
        self.fill_hann(self.centre_len(lag, HANN_PERIODS, HANN_MIN_SECONDS));
        let (long, _) = self.measure_centre(lag, HANN_PERIODS, HANN_MIN_SECONDS, Weight::Hann);
        // A climb to the end of its ±15 % range found no peak near the pitch: keep the lag.
        let long = if cents(long, lag).abs() < 200.0 {
            long
        } else {
            lag
        };
        let (short, short_clarity) =
            self.measure_centre(long, SHORT_PERIODS, SHORT_MIN_SECONDS, Weight::Flat);
        let (lag, clarity) = if cents(short, long).abs() >= SHORT_AGREE_CENTS {
            (long, clarity)
        } else if short_clarity >= SHORT_VOICING_CLARITY {
            (short, clarity.max(short_clarity))
        } else {
            (short, clarity)
        };
        Centre {
            lag,
            clarity,
            short_clarity,
        }
    }

    /// At a voice onset the 25 ms centre span is half unvoiced and its clarity weak, while
    /// the rest of the window, already received, shows whether a voice follows. True when
    /// the NSDF over the pairs from the window centre to its end (see [`Self::measure_ahead`])
    /// has a peak within [`NEAR_OCTAVES`] of `lag` at least [`AHEAD_VOICING_CLARITY`] clear,
    /// and that span is not as periodic at half the lag ([`OCTAVE_K`]: `lag` would be a
    /// sub-octave of the voice that follows).
    fn onset_ahead(&self, lag: f32) -> bool {
        let (ahead, clarity) = self.measure_ahead(lag);
        if clarity < AHEAD_VOICING_CLARITY || cents(ahead, lag).abs() >= NEAR_OCTAVES * 1200.0 {
            return false;
        }
        let (_, half) = self.measure_ahead(0.5 * lag);
        half < OCTAVE_K * clarity
    }

    /// Hill-climbs a flat NSDF over the pairs that start at the window centre, as many as
    /// fit the rest of the window, from `lag` to its nearest peak (at most ±15 %). Returns
    /// (lag, clarity); the clarity is 0 when fewer pairs than one period fit (a clarity over
    /// less than a period means little). With the default windows that is from 68 Hz up at
    /// 16 kHz, 85 Hz at 20 kHz, 93 Hz at 44.1 kHz and 101 Hz at 48 and 96 kHz.
    fn measure_ahead(&self, lag: f32) -> (f32, f32) {
        let n = self.layout.window;
        let t = lag.round() as usize;
        let max_step = hill_climb_steps(lag);
        let c0 = n / 2;
        let len = (n - c0).saturating_sub(t + max_step + 2);
        if len < 8 || (len as f32) < lag || t < 2 {
            return (lag, 0.0);
        }
        let x = &self.x[c0..];
        let (_, peak, clarity) = climb(t, max_step, |tau| {
            let (r, m) = products(&x[..len], &x[tau..tau + len], None);
            if m > 1e-12 {
                2.0 * r / m
            } else {
                0.0
            }
        });
        (peak, clarity)
    }

    /// Hill-climbs the centre NSDF over max(`periods` × `lag`, `min_seconds`) pairs (capped
    /// by the window) from `lag` to its nearest peak (at most ±15 %). Returns (lag, clarity);
    /// the clarity is 0 when that span is much quieter than the window.
    fn measure_centre(
        &self,
        lag: f32,
        periods: f32,
        min_seconds: f32,
        weight: Weight,
    ) -> (f32, f32) {
        let t = lag.round() as usize;
        let max_step = hill_climb_steps(lag);
        let len = self.centre_len(lag, periods, min_seconds);
        if len < 8 || t < 2 {
            return (lag, 0.0);
        }
        let (t, peak, clarity) = climb(t, max_step, |tau| self.centre_nsdf(tau, len, weight));
        if self.centre_power(t, len) < CENTRE_MIN_POWER * self.window_power {
            (peak, 0.0)
        } else {
            (peak, clarity)
        }
    }

    /// Pairs of a centre measurement from `lag`: max(`periods` × `lag`, `min_seconds`),
    /// capped so that every lag the hill-climb may reach fits the window.
    fn centre_len(&self, lag: f32, periods: f32, min_seconds: f32) -> usize {
        let reach = lag.round() as usize + hill_climb_steps(lag) + 2;
        ((lag * periods).max(min_seconds * self.sample_rate).round() as usize)
            .min(self.layout.window.saturating_sub(reach))
    }

    /// `weights[j] = sin²(π(j + ½)/len)` for `j < len`: the first half by four interleaved
    /// rotations (no `sin` per pair, no long dependency chain), the second half mirrored.
    /// Nothing to do when the last call had the same `len` (a steady pitch, or a span
    /// capped by the window).
    fn fill_hann(&mut self, len: usize) {
        const CHAINS: usize = 4;
        let len = len.min(self.weights.len());
        if len == self.weights_len {
            return;
        }
        self.weights_len = len;
        let half = len.div_ceil(2);
        // Angles (k + ½)·2π/len, as (2k + 1) / (2·len) turns.
        let turns = 2 * len.max(1) as u64;
        let (ds, dc) = sin_cos_turns(2 * CHAINS as u64, turns);
        let (mut c, mut s) = ([0.0f64; CHAINS], [0.0f64; CHAINS]);
        for k in 0..CHAINS {
            (s[k], c[k]) = sin_cos_turns(2 * k as u64 + 1, turns);
        }
        for chunk in self.weights[..half].chunks_mut(CHAINS) {
            for (w, &ck) in chunk.iter_mut().zip(&c) {
                *w = (0.5 * (1.0 - ck)) as f32;
            }
            for k in 0..CHAINS {
                (c[k], s[k]) = (c[k] * dc - s[k] * ds, s[k] * dc + c[k] * ds);
            }
        }
        for j in half..len {
            self.weights[j] = self.weights[len - 1 - j];
        }
    }

    /// Mean square of the samples `centre_nsdf(tau, len, _)` reads.
    fn centre_power(&self, tau: usize, len: usize) -> f32 {
        let n = self.layout.window;
        let span = len + tau;
        let j0 = (n / 2).saturating_sub(span / 2).min(n - span);
        let x = &self.x[j0..j0 + span];
        products(x, x, None).0 / span as f32
    }

    /// NSDF at `tau` over `len` pairs whose span is centred on the window centre, each pair
    /// weighted by `weight` over the `len` pairs.
    fn centre_nsdf(&self, tau: usize, len: usize, weight: Weight) -> f32 {
        let n = self.layout.window;
        let span = len + tau;
        let j0 = (n / 2).saturating_sub(span / 2).min(n - span);
        let (a, b) = (&self.x[j0..j0 + len], &self.x[j0 + tau..j0 + tau + len]);
        let (r, m) = match weight {
            Weight::Flat => products(a, b, None),
            Weight::Hann => products(a, b, Some(&self.weights[..len])),
        };
        if m > 1e-12 {
            2.0 * r / m
        } else {
            0.0
        }
    }

    /// Measures a coarse candidate at the full rate: hill-climbs the NSDF of the window's
    /// real samples (the function the coarse search sampled at every `factor`-th lag, there
    /// low-passed) from its lag to the nearest peak, at most `factor` lags away. Then the
    /// candidate is what a full-rate search would have found in its place; one whose peak
    /// lies outside the searched range gets the value −1, as a full-rate search would
    /// have dropped it.
    fn refine_candidate(&self, c: &mut Candidate) {
        if c.fine {
            return;
        }
        c.fine = true;
        let n = self.layout.window;
        let valid = self.valid.clamp(1, n);
        let xs = &self.x[n - valid..];
        let t = c.lag.round() as usize;
        let max_step = self.layout.factor.max(2);
        if t < 2 || t + max_step + 2 >= valid {
            return;
        }
        let (_, lag, value) = climb(t, max_step, |tau| {
            let (r, m) = products(&xs[..valid - tau], &xs[tau..], None);
            if m > 1e-9 {
                2.0 * r / m
            } else {
                0.0
            }
        });
        let in_range = (self.layout.lag_lo as f32..=self.layout.lag_hi as f32).contains(&lag);
        *c = Candidate {
            lag,
            value: if in_range { value } else { -1.0 },
            fine: true,
        };
    }

    /// Picks the lag in samples (0 if none) and its clarity from `nsdf` (lags in decimated
    /// samples), the candidates that decide measured again at the full rate.
    fn choose(&self) -> (f32, f32) {
        let nsdf = &self.nsdf;
        let (lo, hi) = (self.layout.coarse_lag_lo, self.layout.coarse_lag_hi);
        let factor = self.layout.factor as f32;
        let mut cands = [Candidate::default(); MAX_CANDIDATES];
        let mut count = 0usize;
        // Skip the lobe around lag 0: it is no period.
        let Some(first_negative) = nsdf.iter().position(|&v| v < 0.0) else {
            return (0.0, 0.0);
        };
        let mut tau = first_negative;
        let last = nsdf.len() - 1;
        while tau < last {
            // Find the next positive lobe and its maximum.
            while tau < last && nsdf[tau] <= 0.0 {
                tau += 1;
            }
            let mut best = tau;
            while tau < last && nsdf[tau] > 0.0 {
                if nsdf[tau] > nsdf[best] {
                    best = tau;
                }
                tau += 1;
            }
            if best >= last || best < lo.saturating_sub(1) || best > hi || nsdf[best] <= 0.0 {
                continue;
            }
            // A lobe still rising at the end of the searched range has no peak in range.
            if best + 1 > last || nsdf[best + 1] > nsdf[best] {
                continue;
            }
            let mut c = interpolate(nsdf, best);
            if c.lag < lo as f32 || c.lag > hi as f32 {
                continue;
            }
            c.lag *= factor;
            c.fine = self.layout.factor == 1;
            // Lobes come in order of lag, so `cands` stays sorted by lag: a candidate that
            // displaces the weakest goes to the end.
            if count < MAX_CANDIDATES {
                cands[count] = c;
                count += 1;
            } else if let Some((i, weakest)) = cands
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.value.total_cmp(&b.1.value))
            {
                if c.value > weakest.value {
                    cands.copy_within(i + 1.., i);
                    cands[MAX_CANDIDATES - 1] = c;
                }
            }
        }
        let cands = &mut cands[..count];
        if cands.is_empty() {
            return (0.0, 0.0);
        }
        // k·max on full-rate values: the highest coarse peak first, then the shorter lags
        // that may reach OCTAVE_K of the highest, shortest first, until one does.
        let coarse_best = cands.iter().map(|c| c.value).fold(0.0f32, f32::max);
        // The highest coarse peak, measured at the full rate (the next highest if its peak
        // falls out of range).
        let top = loop {
            let Some((i, _)) = cands
                .iter()
                .enumerate()
                .filter(|(_, c)| c.value > 0.0)
                .max_by(|a, b| a.1.value.total_cmp(&b.1.value).then(b.0.cmp(&a.0)))
            else {
                return (0.0, 0.0);
            };
            self.refine_candidate(&mut cands[i]);
            if cands[i].value >= 0.0 {
                break i;
            }
        };
        let mut best = cands[top].value;
        let mut pick = top;
        let mut refined = 1;
        for (i, c) in cands[..top].iter_mut().enumerate() {
            if refined >= MAX_REFINED {
                break;
            }
            if c.value < REFINE_FRACTION * coarse_best {
                continue;
            }
            self.refine_candidate(c);
            refined += 1;
            best = best.max(c.value);
            if c.value >= OCTAVE_K * best {
                pick = i;
                break;
            }
        }
        let mut pick = cands[pick];
        if self.hops_since_voiced <= self.continuity_hops && self.prev_frequency > 0.0 {
            let prev_lag = self.sample_rate / self.prev_frequency;
            let dist = |c: &Candidate| (c.lag / prev_lag).log2().abs();
            if dist(&pick) > 0.5 {
                if let Some(i) = (0..cands.len())
                    .filter(|&i| cands[i].value >= CONTINUITY_K * best)
                    .min_by(|&a, &b| dist(&cands[a]).total_cmp(&dist(&cands[b])))
                {
                    self.refine_candidate(&mut cands[i]);
                    let near = cands[i];
                    // A longer lag than k·max's pick must be clearly better: every
                    // multiple of a period is as clear as the period itself, and following
                    // one would lock the track an octave low for good.
                    let allowed = near.lag < pick.lag || near.value > pick.value + LONGER_MARGIN;
                    if dist(&near) < NEAR_OCTAVES && near.value >= CONTINUITY_K * best && allowed {
                        pick = near;
                    }
                }
            }
        }
        (pick.lag, pick.value.clamp(0.0, 1.0))
    }
}

/// How the pairs of a centre measurement are weighted.
#[derive(Debug, Clone, Copy)]
enum Weight {
    Flat,
    Hann,
}

/// Lanes of the sums in [`products`]: independent partial sums that the compiler can keep
/// in one SIMD register (a single running sum is a serial chain of additions).
const LANES: usize = 8;

/// [`products`] with wasm SIMD: the same [`LANES`] partial sums, each lane computed with
/// the same operations in the same order, so the result is bit-identical to the scalar
/// version (LLVM vectorises only a small part of the scalar loop for wasm).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    use core::arch::wasm32::{
        f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load,
    };
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let whole = len - len % LANES;
    let zero = f32x4_splat(0.0);
    let (mut r0, mut r1, mut m0, mut m1) = (zero, zero, zero, zero);
    // SAFETY: every load reads 4 f32 at j or j + 4 with j + 8 <= whole <= len of each slice;
    // wasm loads need no alignment.
    let load = |s: &[f32], j: usize| unsafe { v128_load(s.as_ptr().add(j).cast::<v128>()) };
    match w {
        None => {
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                r0 = f32x4_add(r0, f32x4_mul(a0, b0));
                r1 = f32x4_add(r1, f32x4_mul(a1, b1));
                m0 = f32x4_add(m0, f32x4_add(f32x4_mul(a0, a0), f32x4_mul(b0, b0)));
                m1 = f32x4_add(m1, f32x4_add(f32x4_mul(a1, a1), f32x4_mul(b1, b1)));
            }
        }
        Some(w) => {
            let w = &w[..len];
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                let (w0, w1) = (load(w, j), load(w, j + 4));
                r0 = f32x4_add(r0, f32x4_mul(f32x4_mul(w0, a0), b0));
                r1 = f32x4_add(r1, f32x4_mul(f32x4_mul(w1, a1), b1));
                m0 = f32x4_add(
                    m0,
                    f32x4_mul(w0, f32x4_add(f32x4_mul(a0, a0), f32x4_mul(b0, b0))),
                );
                m1 = f32x4_add(
                    m1,
                    f32x4_mul(w1, f32x4_add(f32x4_mul(a1, a1), f32x4_mul(b1, b1))),
                );
            }
        }
    }
    let lanes = |v0: v128, v1: v128| -> [f32; LANES] {
        [
            f32x4_extract_lane::<0>(v0),
            f32x4_extract_lane::<1>(v0),
            f32x4_extract_lane::<2>(v0),
            f32x4_extract_lane::<3>(v0),
            f32x4_extract_lane::<0>(v1),
            f32x4_extract_lane::<1>(v1),
            f32x4_extract_lane::<2>(v1),
            f32x4_extract_lane::<3>(v1),
        ]
    };
    let (mut r, mut m) = (
        lanes(r0, r1).iter().sum::<f32>(),
        lanes(m0, m1).iter().sum::<f32>(),
    );
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}

/// [`products`] with SSE, which every x86-64 CPU has: the same [`LANES`] partial sums as
/// the wasm SIMD version, each lane with the same operations in the same order, so native
/// and wasm results stay bit-identical. LLVM vectorised the portable loop poorly (it paired
/// `r[k]` with `m[k]` in two-lane vectors): this takes 3.5× fewer instructions (callgrind).
#[cfg(target_arch = "x86_64")]
fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    use core::arch::x86_64::{
        __m128, _mm_add_ps, _mm_loadu_ps, _mm_mul_ps, _mm_setzero_ps, _mm_storeu_ps,
    };
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let whole = len - len % LANES;
    // SAFETY: SSE is part of the x86-64 baseline; every load reads 4 f32 at j or j + 4 with
    // j + 8 <= whole <= len of each slice; `loadu` needs no alignment.
    let load = |s: &[f32], j: usize| unsafe { _mm_loadu_ps(s.as_ptr().add(j)) };
    let (mul, add) = (
        |x: __m128, y: __m128| unsafe { _mm_mul_ps(x, y) },
        |x: __m128, y: __m128| unsafe { _mm_add_ps(x, y) },
    );
    // SAFETY: SSE is part of the x86-64 baseline.
    let zero = unsafe { _mm_setzero_ps() };
    let (mut r0, mut r1, mut m0, mut m1) = (zero, zero, zero, zero);
    match w {
        None => {
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                r0 = add(r0, mul(a0, b0));
                r1 = add(r1, mul(a1, b1));
                m0 = add(m0, add(mul(a0, a0), mul(b0, b0)));
                m1 = add(m1, add(mul(a1, a1), mul(b1, b1)));
            }
        }
        Some(w) => {
            let w = &w[..len];
            for j in (0..whole).step_by(LANES) {
                let (a0, a1, b0, b1) = (load(a, j), load(a, j + 4), load(b, j), load(b, j + 4));
                let (w0, w1) = (load(w, j), load(w, j + 4));
                r0 = add(r0, mul(mul(w0, a0), b0));
                r1 = add(r1, mul(mul(w1, a1), b1));
                m0 = add(m0, mul(w0, add(mul(a0, a0), mul(b0, b0))));
                m1 = add(m1, mul(w1, add(mul(a1, a1), mul(b1, b1))));
            }
        }
    }
    let lanes = |v0: __m128, v1: __m128| -> [f32; LANES] {
        let mut out = [0.0f32; LANES];
        // SAFETY: SSE is part of the x86-64 baseline; each store writes 4 f32 into `out`.
        unsafe {
            _mm_storeu_ps(out.as_mut_ptr(), v0);
            _mm_storeu_ps(out.as_mut_ptr().add(4), v1);
        }
        out
    };
    let (mut r, mut m) = (
        lanes(r0, r1).iter().sum::<f32>(),
        lanes(m0, m1).iter().sum::<f32>(),
    );
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}

/// `(Σ w·a·b, Σ w·(a² + b²))` over the pairs of `a` and `b` (`w` = 1 when `None`), in
/// [`LANES`] partial sums (the portable version, for targets without the SIMD ones above).
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
fn products(a: &[f32], b: &[f32], w: Option<&[f32]>) -> (f32, f32) {
    let len = a.len().min(b.len());
    let (mut r, mut m) = ([0.0f32; LANES], [0.0f32; LANES]);
    let whole = len - len % LANES;
    let (a, b) = (&a[..len], &b[..len]);
    match w {
        None => {
            for (ca, cb) in a[..whole]
                .chunks_exact(LANES)
                .zip(b[..whole].chunks_exact(LANES))
            {
                for k in 0..LANES {
                    r[k] += ca[k] * cb[k];
                    m[k] += ca[k] * ca[k] + cb[k] * cb[k];
                }
            }
        }
        Some(w) => {
            let w = &w[..len];
            for ((ca, cb), cw) in a[..whole]
                .chunks_exact(LANES)
                .zip(b[..whole].chunks_exact(LANES))
                .zip(w[..whole].chunks_exact(LANES))
            {
                for k in 0..LANES {
                    r[k] += cw[k] * ca[k] * cb[k];
                    m[k] += cw[k] * (ca[k] * ca[k] + cb[k] * cb[k]);
                }
            }
        }
    }
    let (mut r, mut m) = (r.iter().sum::<f32>(), m.iter().sum::<f32>());
    for j in whole..len {
        let wj = w.map_or(1.0, |w| w[j]);
        r += wj * a[j] * b[j];
        m += wj * (a[j] * a[j] + b[j] * b[j]);
    }
    (r, m)
}

/// Hill-climbs `at` (an NSDF by integer lag) from lag `t` to its nearest peak, at most
/// `max_step` lags away, and interpolates the peak parabolically. Returns the integer lag
/// of the peak, the interpolated lag and the clarity.
fn climb(mut t: usize, max_step: usize, at: impl Fn(usize) -> f32) -> (usize, f32, f32) {
    let (lo, hi) = (t - max_step.min(t - 1), t + max_step);
    let (mut vm, mut v0, mut vp) = (at(t - 1), at(t), at(t + 1));
    while vp > v0 && t + 1 < hi {
        t += 1;
        (vm, v0, vp) = (v0, vp, at(t + 1));
    }
    while vm > v0 && t - 1 > lo {
        t -= 1;
        (vm, v0, vp) = (at(t - 1), vm, v0);
    }
    let c = interpolate(&[vm, v0, vp], 1);
    (t, t as f32 - 1.0 + c.lag, c.value.clamp(0.0, 1.0))
}

/// What the centre refinement (step 5) measured.
#[derive(Debug, Clone, Copy)]
struct Centre {
    /// The refined lag, in samples.
    lag: f32,
    /// The clarity that voices the window.
    clarity: f32,
    /// The short span's own clarity, whether or not it gave the frequency.
    short_clarity: f32,
}

/// How far a centre measurement may move from its starting lag, in samples (±15 %).
fn hill_climb_steps(lag: f32) -> usize {
    ((lag * 0.15).ceil() as usize).max(2)
}

/// Interval from lag `b` to lag `a`, in cents (positive when `a` is the longer lag).
fn cents(a: f32, b: f32) -> f32 {
    1200.0 * (a / b).log2()
}

/// Recognises mains hum: a run of hops whose pitch stays within [`HUM_SEARCH`] of 50 or
/// 60 Hz and within [`HUM_STEADY`] of the run's mean, in windows no louder than
/// [`HUM_MAX_DB`], with a mean pitch within [`HUM_TOLERANCE`] of that mains frequency. Hum is periodic enough to pass any clarity
/// threshold and, before the first note, the relative gate has no level to compare it
/// with; its frequency, its steadiness and its level give it away. A quiet note held
/// within 0.3 % of 50 or 60 Hz is taken for hum too: nothing in the sound tells them
/// apart.
#[derive(Debug, Clone, Copy, Default)]
struct HumTracker {
    /// The mains frequency of the current run (0: no run).
    mains: f32,
    /// Hops in the run.
    hops: u32,
    /// Mean pitch of the run (see [`HUM_MEAN_HOPS`]).
    mean: f32,
}

impl HumTracker {
    /// Takes this hop's pitch (0: none) and window level; true if the hop is hum.
    fn update(&mut self, frequency: f32, db: f32) -> bool {
        let near = MAINS_HZ
            .iter()
            .copied()
            .find(|&m| (frequency / m - 1.0).abs() <= HUM_SEARCH);
        let Some(mains) = near.filter(|_| db <= HUM_MAX_DB) else {
            *self = HumTracker::default();
            return false;
        };
        if mains != self.mains || (frequency / self.mean - 1.0).abs() > HUM_STEADY {
            *self = HumTracker {
                mains,
                hops: 0,
                mean: frequency,
            };
        }
        self.hops = self.hops.saturating_add(1);
        self.mean += (frequency - self.mean) / self.hops.min(HUM_MEAN_HOPS) as f32;
        self.hops >= HUM_MIN_HOPS && (self.mean / mains - 1.0).abs() <= HUM_TOLERANCE
    }
}

/// Parabolic interpolation of the peak at `i` (needs `i ± 1` in range).
fn interpolate(v: &[f32], i: usize) -> Candidate {
    let (a, b, c) = (v[i - 1], v[i], v[i + 1]);
    let denom = a - 2.0 * b + c;
    if denom >= 0.0 {
        return Candidate {
            lag: i as f32,
            value: b,
            fine: false,
        };
    }
    let delta = (0.5 * (a - c) / denom).clamp(-0.5, 0.5);
    Candidate {
        lag: i as f32 + delta,
        value: b - 0.25 * (a - c) * delta,
        fine: false,
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
