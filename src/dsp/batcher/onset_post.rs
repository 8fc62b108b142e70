//! The early post at an onset: the batch being filled goes to the main thread a set number
//! of frames after an energy onset instead of when it is full, so that a new note's pitch can
//! be estimated without waiting for the batch.

use super::{BatchSink, QuantumBatcher};
use crate::dsp::header::flags;
use crate::dsp::onset::{OnsetDetector, BLOCK};

impl QuantumBatcher {
    /// Posts the batch being filled (flagged [`flags::PARTIAL`] and [`flags::ONSET`]) at the
    /// end of the quantum in which `frames` frames after an energy onset (after the end of
    /// the [`BLOCK`] in which the level jumped) have arrived
    /// ([`OnsetDetector`]), so that the main thread can estimate a new note's pitch without
    /// waiting for the batch to fill; 0 turns it off. At most one extra post per onset, and
    /// onsets are at least 100 ms apart. Never allocates.
    pub fn set_onset_post(&mut self, frames: usize) {
        self.onset =
            (frames > 0).then(|| (OnsetDetector::new(self.config.sample_rate), frames as f64));
        self.onset_due = None;
    }

    /// Looks for an onset in the quantum just taken and posts the batch once the frames
    /// [`Self::set_onset_post`] asks for are in.
    pub(super) fn check_onset(
        &mut self,
        current_frame: f64,
        channels: usize,
        frames: usize,
        sink: &mut impl BatchSink,
    ) {
        let Some((detector, delay)) = self.onset.as_mut() else {
            return;
        };
        let cap = self.quantum_capacity;
        if let Some(at) = detector.process(&self.input, cap, channels, frames, current_frame) {
            // The sound starts somewhere in the onset's block: count from the block's end.
            self.onset_due = self.onset_due.or(Some(at + BLOCK as f64 + *delay));
        }
        if let Some(due) = self.onset_due {
            if current_frame + frames as f64 >= due {
                self.onset_due = None;
                if self.filling.is_some() && self.filled > 0 {
                    self.finish(flags::ONSET, sink);
                }
            }
        }
    }
}
