//! Peak picking: the coarse NSDF's lobes as candidates, McLeod's k·max choice on their
//! full-rate values, continuity with the previous pitch, and the hill-climb and parabolic
//! interpolation every measurement uses.

use super::nsdf::products;
use super::voicing::NEAR_OCTAVES;
use super::PitchDetector;

/// McLeod's k: the shortest-lag peak within this fraction of the highest one wins.
pub const OCTAVE_K: f32 = 0.85;
/// How much clearer than k·max's pick a longer-lag candidate near the previous pitch must be
/// to replace it.
const LONGER_MARGIN: f32 = 0.02;
/// Lobes kept per window; the clearest are kept when a noisy window has more.
const MAX_CANDIDATES: usize = 48;
/// Coarse candidates at least this fraction of the highest coarse peak are measured at the
/// full rate when k·max's choice may fall on them (the coarse NSDF's heights are
/// approximate: low-passed, and sampled every `factor` lags).
const REFINE_FRACTION: f32 = 0.5;
/// At most this many candidates per window are measured at the full rate (besides a
/// continuity candidate): a high voice has dozens of lobes, one per multiple of its period.
const MAX_REFINED: usize = 6;
/// A candidate near the previous pitch replaces an octave-jumping pick if it is at least
/// this fraction as clear as the highest peak.
const CONTINUITY_K: f32 = 0.6;

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

impl PitchDetector {
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
    pub(super) fn choose(&self) -> (f32, f32) {
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

/// Hill-climbs `at` (an NSDF by integer lag) from lag `t` to its nearest peak, at most
/// `max_step` lags away, and interpolates the peak parabolically. Returns the integer lag
/// of the peak, the interpolated lag and the clarity.
pub(super) fn climb(mut t: usize, max_step: usize, at: impl Fn(usize) -> f32) -> (usize, f32, f32) {
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
