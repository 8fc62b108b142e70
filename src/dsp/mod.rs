//! The pure-Rust core of pitchtap. Nothing here imports wasm-bindgen: every type is
//! built, tested and benchmarked natively, and the glue in `src/wasm/` only moves bytes
//! between these types and JavaScript objects.
//!
//! Real-time rule for the whole module: constructors (`new`, `with_config`, `configure`)
//! size every buffer; the per-quantum and per-batch methods take `&mut self` and never
//! allocate. `tests/no_alloc.rs` proves it with a counting global allocator.

pub mod analysis;
pub mod batcher;
pub mod config;
pub(crate) mod decimate;
pub mod early;
pub mod error;
pub mod fft;
pub mod header;
pub mod meter;
pub mod onset;
pub mod options;
pub mod pitch;
pub mod pool;
pub mod report;
pub(crate) mod trig;

/// Frames in one Web Audio render quantum.
///
/// Mirrors `RENDER_QUANTUM_SIZE` of the Web Audio API
/// (<https://webaudio.github.io/web-audio-api/#render-quantum-size>) and the
/// `RENDER_QUANTUM_FRAMES` constant in `js/worklet/processor.js`. The batcher does not rely on
/// it: a quantum of any length up to [`MAX_QUANTUM_FRAMES`] is accepted.
pub const RENDER_QUANTUM_SIZE: usize = 128;

/// The longest render quantum the batcher accepts in one call (the spec's
/// `renderSizeHint` allows larger quanta than 128; see `js/worklet/processor.js`).
pub const MAX_QUANTUM_FRAMES: usize = 4096;
