//! Centre refinement: the chosen period measured again around the window centre, where
//! the estimate is stamped, and the look ahead that voices an onset.

use super::nsdf::products;
use super::peaks::climb;
use super::sin_cos_turns;
use super::voicing::NEAR_OCTAVES;
use super::{PitchDetector, OCTAVE_K};

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
pub(super) const AHEAD_VOICING_CLARITY: f32 = 0.75;
/// The centre measurement's mean power, relative to the whole window's, below which the
/// window centre counts as silent (the pitch belongs to a neighbour): −10 dB.
const CENTRE_MIN_POWER: f32 = 0.1;

impl PitchDetector {
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
    pub(super) fn refine_centre(&mut self, lag: f32) -> Centre {
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
    pub(super) fn onset_ahead(&self, lag: f32) -> bool {
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
}

/// How the pairs of a centre measurement are weighted.
#[derive(Debug, Clone, Copy)]
enum Weight {
    Flat,
    Hann,
}

/// What the centre refinement (step 5) measured.
#[derive(Debug, Clone, Copy)]
pub(super) struct Centre {
    /// The refined lag, in samples.
    pub(super) lag: f32,
    /// The clarity that voices the window.
    pub(super) clarity: f32,
    /// The short span's own clarity, whether or not it gave the frequency.
    pub(super) short_clarity: f32,
}

/// How far a centre measurement may move from its starting lag, in samples (±15 %).
fn hill_climb_steps(lag: f32) -> usize {
    ((lag * 0.15).ceil() as usize).max(2)
}

/// Interval from lag `b` to lag `a`, in cents (positive when `a` is the longer lag).
pub(super) fn cents(a: f32, b: f32) -> f32 {
    1200.0 * (a / b).log2()
}
