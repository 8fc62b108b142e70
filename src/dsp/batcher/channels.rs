//! How the channels of a render quantum become the batch's: mixed down, one selected, or
//! all carried (planar), as [`ChannelMode`] says.

use super::QuantumBatcher;
use crate::dsp::config::ChannelMode;
use crate::dsp::header::HEADER_BYTES;

impl QuantumBatcher {
    /// Writes frames `from..from + n` of the quantum in the input area (`channels` channels)
    /// into the batch being filled, after its `filled` frames. Never allocates.
    pub(super) fn write(&mut self, channels: usize, from: usize, n: usize) {
        let cap = self.quantum_capacity;
        let stride = self.batch_size;
        let filled = self.filled;
        let staging = &mut self.staging[HEADER_BYTES..];
        let input = &self.input;
        let mut put = |c: usize, i: usize, v: f32| {
            let at = 4 * (c * stride + filled + i);
            staging[at..at + 4].copy_from_slice(&v.to_le_bytes());
        };
        let channel = |c: usize| &input[c * cap + from..c * cap + from + n];
        match self.config.channels {
            ChannelMode::Mix => {
                if channels == 1 {
                    for (i, &v) in channel(0).iter().enumerate() {
                        put(0, i, v);
                    }
                } else {
                    let scale = 1.0 / channels as f32;
                    for i in 0..n {
                        let mut sum = 0.0f32;
                        for c in 0..channels {
                            sum += input[c * cap + from + i];
                        }
                        put(0, i, sum * scale);
                    }
                }
            }
            ChannelMode::Select(k) => {
                let src = source(k, channels);
                for i in 0..n {
                    put(0, i, src.map_or(0.0, |s| channel(s)[i]));
                }
            }
            ChannelMode::All(count) => {
                for c in 0..count {
                    let src = source(c, channels);
                    for i in 0..n {
                        put(c, i, src.map_or(0.0, |s| channel(s)[i]));
                    }
                }
            }
        }
    }
}

/// The input channel that feeds output channel `c` when `channels` arrive: its own, else the
/// only one (Web Audio up-mixes mono to every channel), else none (silence).
fn source(c: usize, channels: usize) -> Option<usize> {
    if c < channels {
        Some(c)
    } else if channels == 1 {
        Some(0)
    } else {
        None
    }
}
