//! The transport's batches as the main thread sees them: collected, read back from their
//! bytes and returned to the pool.

use std::ops::Range;

use pitchtap::dsp::batcher::QuantumBatcher;
use pitchtap::dsp::config::TapConfig;
use pitchtap::dsp::header::{BatchHeader, HEADER_BYTES};
use pitchtap::dsp::RENDER_QUANTUM_SIZE as Q;

use super::signals::ramp;

/// Batches as posted: `(pool slot, header + samples)`.
pub type Posted = Vec<(usize, Vec<u8>)>;

/// A batcher of `batch_size`-frame batches and a pool of `pool_size` buffers that may grow to
/// `max_pool_size`, the other options at their defaults.
pub fn batcher(batch_size: usize, pool_size: usize, max_pool_size: usize) -> QuantumBatcher {
    QuantumBatcher::new(TapConfig {
        batch_size,
        pool_size,
        max_pool_size,
        ..TapConfig::default()
    })
    .unwrap()
}

/// Pushes the render quanta numbered `quanta` of a mono ramp (frame `i` carries `i`), each at
/// its own frame, as the worklet would one by one.
pub fn push_ramp(b: &mut QuantumBatcher, quanta: Range<usize>, out: &mut Posted) {
    for q in quanta {
        b.push((q * Q) as f64, &[&ramp(q * Q, Q)], out);
    }
}

/// The samples of a batch (every channel, planar), read back from its bytes.
pub fn samples(batch: &[u8]) -> Vec<f32> {
    batch[HEADER_BYTES..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Returns every batch in `posted` to the pool, as the main thread does once it is done.
pub fn give_back(b: &mut QuantumBatcher, posted: &[(usize, Vec<u8>)]) {
    for (_, bytes) in posted {
        let (slot, lease) = BatchHeader::parse_slot_lease(bytes).unwrap();
        b.release(slot, lease).unwrap();
    }
}
