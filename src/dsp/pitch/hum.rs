//! Mains hum rejection: a quiet pitch that stays at 50 or 60 Hz is hum, not a voice.

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

/// Recognises mains hum: a run of hops whose pitch stays within [`HUM_SEARCH`] of 50 or
/// 60 Hz and within [`HUM_STEADY`] of the run's mean, in windows no louder than
/// [`HUM_MAX_DB`], with a mean pitch within [`HUM_TOLERANCE`] of that mains frequency.
/// Hum is periodic enough to pass any clarity threshold and, before the first note, the
/// relative gate has no level to compare it with; its frequency, its steadiness and its
/// level give it away. A quiet note held within 0.3 % of 50 or 60 Hz is taken for hum too:
/// nothing in the sound tells them apart.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct HumTracker {
    /// The mains frequency of the current run (0: no run).
    mains: f32,
    /// Hops in the run.
    hops: u32,
    /// Mean pitch of the run (see [`HUM_MEAN_HOPS`]).
    mean: f32,
}

impl HumTracker {
    /// Takes this hop's pitch (0: none) and window level; true if the hop is hum.
    pub(super) fn update(&mut self, frequency: f32, db: f32) -> bool {
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
