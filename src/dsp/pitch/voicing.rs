//! Voicing: whether a measured pitch is reported, from its clarity (with hysteresis for a
//! continuing pitch and a look ahead at onsets) and its level against the loudest recent
//! voiced window (the relative gate).

use super::PitchDetector;

/// Relative gate: a periodic window more than this many dB below the loudest recent
/// periodic window (capped at 0 dBFS) is unvoiced. Breaths, bleed and hum between phrases
/// are periodic enough to pass any clarity threshold; their level gives them away.
/// Scale-free, so a −50 dBFS voice is treated like a loud one. The cost: for a few seconds
/// after a loud note, a note more than 25 dB quieter reads unvoiced.
pub const RELATIVE_GATE_DB: f32 = 25.0;
/// How fast the "loudest recent periodic window" level of the relative gate falls, in dB
/// per second.
pub const GATE_FALL_DB_PER_SECOND: f32 = 2.0;
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
pub(super) const CONTINUITY_SECONDS: f32 = 0.03;
/// A pitch that moves less than this many octaves from the previous hop is "nearby".
pub(super) const NEAR_OCTAVES: f32 = 0.2;
/// The hysteresis of step 6 (a continuing pitch needs only `CONTINUE_FACTOR` × the
/// threshold) applies only to windows at most this many dB below the loudest recent voiced
/// window. A note's weak end stays voiced; the breath, reverb tail or release 20 dB down
/// after it, still periodic enough for the lower threshold, does not.
pub const CONTINUE_GATE_DB: f32 = 20.0;

impl PitchDetector {
    /// The voicing decision (step 6 of docs/pitch.md) for a window whose centre measured
    /// `lag` (`frequency` Hz) with `clarity` and `short_clarity`, at `db` dBFS. Returns
    /// (frequency or 0, clarity, db) and updates the relative gate's level.
    pub(super) fn voice(
        &mut self,
        lag: f32,
        frequency: f32,
        clarity: f32,
        short_clarity: f32,
        db: f32,
    ) -> (f32, f32, f32) {
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
}
