//! The worklet side: one [`WorkletTap`] per `AudioWorkletNode`, driven by
//! `js/worklet/processor.js`. It owns the pool's `ArrayBuffer`s (one `Uint8Array` per slot),
//! copies each render quantum into wasm memory, lets [`QuantumBatcher`] build the batch,
//! and posts the finished buffer with `port.postMessage(view, [view.buffer])`.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::MessagePort;

use super::interop::{config_error, option_slots, MemoryView};
use crate::dsp::batcher::{ledger, BatchSink, Carry, QuantumBatcher};
use crate::dsp::config::MAX_CHANNELS;
use crate::dsp::header::{offset, HEADER_BYTES, MAGIC};
use crate::dsp::options::{tap, tap_config};

/// Checks tap options on the main thread before any node exists, so `PitchTap.create`
/// throws and leaves nothing half-made. Same arguments as [`WorkletTap::new`] minus the port.
#[wasm_bindgen(js_name = checkTapOptions)]
pub fn check_tap_options(sample_rate: f64, options: &Array) -> Result<(), JsValue> {
    tap_config(sample_rate, &option_slots(options))
        .and_then(|config| config.validate())
        .map_err(config_error)
}

/// The pool a tap on an OfflineAudioContext of `renderFrames` frames needs to keep every
/// frame ([`crate::dsp::config::offline_pool_size`]); throws a `RangeError` naming
/// `context.length` when that is more than a tap may hold. `options` as for
/// [`WorkletTap::new`]; its pool sizes are not read.
#[wasm_bindgen(js_name = offlinePoolSize)]
pub fn offline_pool_size(sample_rate: f64, options: &Array) -> Result<u32, JsValue> {
    let mut slots = option_slots(options);
    slots[tap::POOL_SIZE] = Some(1.0);
    slots[tap::MAX_POOL_SIZE] = Some(1.0);
    let config = tap_config(sample_rate, &slots).map_err(config_error)?;
    crate::dsp::config::offline_pool_size(&config)
        .map(|n| n as u32)
        .map_err(config_error)
}

// The whole post of a batch in one call from wasm to JS: copy the staging bytes into the
// slot's buffer, put that buffer in the reused transfer list, post, clear the list.
// `web_sys::MessagePort::post_message_with_transferable` is a `catch` import whose glue
// makes a closure and an `arguments` object per call; and doing the copy, the `.buffer`
// read, the list update and the post as separate imports measured about 57 bytes of
// garbage per batch on the worklet thread (benches/browser/worklet-heap.mjs). This import
// catches in plain JS and allocates nothing.
#[wasm_bindgen(module = "/js/worklet/post-batch.js")]
extern "C" {
    #[wasm_bindgen(js_name = postBatch)]
    fn post_batch(
        port: &MessagePort,
        buf: &Uint8Array,
        staging: &Uint8Array,
        transfer: &Array,
    ) -> bool;
}

/// The JS side of the pool and the port: the batcher's [`BatchSink`].
struct Outbox {
    port: MessagePort,
    /// One buffer per slot: `Some` while the worklet owns it, `None` while in flight.
    buffers: Vec<Option<Uint8Array>>,
    /// Byte length of each slot's buffer, in hand or in flight (kept here, not asked of JS
    /// per batch); a returned buffer must have it.
    issued: Vec<usize>,
    staging: MemoryView<u8>,
    /// Byte length of the staging area (= of every pool buffer), set with `staging`.
    staging_len: usize,
    /// The one-element transfer list, reused for every post.
    transfer: Array,
    post_errors: u32,
}

impl BatchSink for Outbox {
    fn post(&mut self, slot: usize, _batch: &[u8]) {
        // `staging` was refreshed by the caller just before the core ran.
        let Some(staging) = self.staging.current() else {
            self.post_errors += 1;
            return;
        };
        let len = self.staging_len;
        let buf = match self.buffers[slot].take() {
            Some(b) if self.issued[slot] == len => b,
            // A slot's first trip after the pool grew or the batch size rose: the only
            // allocation here, bounded by maxPoolSize and by configure() calls.
            _ => {
                self.issued[slot] = len;
                Uint8Array::new_with_length(len as u32)
            }
        };
        if !post_batch(&self.port, &buf, staging, &self.transfer) {
            self.post_errors += 1;
        }
    }
}

/// The wasm half of the AudioWorkletProcessor.
#[wasm_bindgen]
pub struct WorkletTap {
    core: QuantumBatcher,
    out: Outbox,
    /// The counters a replacement needs after a panic (see [`WorkletTap::ledger_ptr`]),
    /// written at the end of every call. Boxed so that its address never changes.
    ledger: Box<[f64; ledger::LEN]>,
    /// Test hook: the next `processCopied()` panics (see [`WorkletTap::debug_panic`]).
    panic_next: bool,
}

/// The little-endian u32 at byte `at` of `v` (a header field, [`offset`]).
fn read_u32(v: &Uint8Array, at: usize) -> u32 {
    let at = at as u32;
    u32::from_le_bytes([
        v.get_index(at),
        v.get_index(at + 1),
        v.get_index(at + 2),
        v.get_index(at + 3),
    ])
}

#[wasm_bindgen]
impl WorkletTap {
    /// Creates the tap and its pool of `poolSize` buffers. `options` holds the transport's
    /// options in the slots of `crate::dsp::options::tap`. Throws `RangeError`/`TypeError`
    /// for bad options (the main thread checked them already with `checkTapOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        port: MessagePort,
        sample_rate: f64,
        options: &Array,
    ) -> Result<WorkletTap, JsValue> {
        let config = tap_config(sample_rate, &option_slots(options)).map_err(config_error)?;
        let core = QuantumBatcher::new(config).map_err(config_error)?;
        let len = core.staging().len() as u32;
        let mut buffers = Vec::with_capacity(config.max_pool_size);
        for i in 0..config.max_pool_size {
            buffers.push((i < config.pool_size).then(|| Uint8Array::new_with_length(len)));
        }
        let transfer = Array::new_with_length(1);
        Ok(WorkletTap {
            out: Outbox {
                port,
                buffers,
                issued: (0..config.max_pool_size)
                    .map(|i| {
                        if i < config.pool_size {
                            len as usize
                        } else {
                            0
                        }
                    })
                    .collect(),
                staging: MemoryView::new(),
                staging_len: len as usize,
                transfer,
                post_errors: 0,
            },
            core,
            ledger: Box::new([0.0; ledger::LEN]),
            panic_next: false,
        })
    }

    /// Posts the batch being filled as soon as `frames` frames after an energy onset are in
    /// it (0: off); see `QuantumBatcher::set_onset_post`. `PitchTap.create` passes half the
    /// early pitch window (`processorOptions.onsetFrames`).
    #[wasm_bindgen(js_name = setOnsetPost)]
    pub fn set_onset_post(&mut self, frames: u32) {
        self.core.set_onset_post(frames as usize);
    }

    /// Carries on from a tap whose wasm panicked (`js/worklet/processor.js` makes this tap in
    /// a fresh instance): counters and sequence continue, the lost frames are counted as
    /// dropped (the next batch has `GAP`) and buffers of older epochs are refused when they
    /// come back. `carry` is the old tap's ledger ([`Self::ledger_ptr`]) in the same slots
    /// (`crate::dsp::batcher::ledger`), except two: [`ledger::EPOCH`] holds this tap's epoch
    /// (the old one's + 1) and [`ledger::PENDING`] the frames lost (those of the batch that
    /// was being filled and of the quantum that panicked). A slot without a count (not a
    /// finite number ≥ 0) reads as 0.
    #[wasm_bindgen(js_name = carryOn)]
    pub fn carry_on(&mut self, carry: &Array) {
        let slots: [Option<f64>; ledger::LEN] = option_slots(carry);
        let l = slots.map(|v| v.filter(|v| v.is_finite() && *v >= 0.0).unwrap_or(0.0));
        self.core.carry_on(Carry::from_ledger(&l));
        self.write_ledger();
    }

    /// Byte address in wasm memory of [`ledger::LEN`] f64s: the next sequence number,
    /// batches and frames posted, frames dropped, gaps, refused returns, frames in the
    /// batch being filled, epoch (indices in `crate::dsp::batcher::ledger`). Written at
    /// the end of every call, so after a trap it holds the state before the failed call.
    #[wasm_bindgen(getter, js_name = ledgerPtr)]
    pub fn ledger_ptr(&self) -> u32 {
        self.ledger.as_ptr() as u32
    }

    /// Test hook for the fault tests: the next `processCopied()` panics inside the core's call
    /// path. Not for production use.
    #[wasm_bindgen(js_name = debugPanic)]
    pub fn debug_panic(&mut self) {
        self.panic_next = true;
    }

    /// [`Self::receive`] without the ledger: checks a returned message and pools it, or
    /// counts a refusal.
    fn take_back(&mut self, message: &JsValue) -> bool {
        let Some(view) = message.dyn_ref::<Uint8Array>() else {
            self.core.count_refused();
            return false;
        };
        let len = view.byte_length() as usize;
        if len < HEADER_BYTES
            || view.byte_offset() != 0
            || view.buffer().byte_length() as usize != len
            || read_u32(view, offset::MAGIC) != MAGIC
        {
            self.core.count_refused();
            return false;
        }
        let slot = read_u32(view, offset::SLOT);
        let lease = read_u32(view, offset::LEASE);
        // A buffer of a wasm instance that panicked and was replaced: not this pool's.
        if self.out.issued.get(slot as usize) != Some(&len)
            || read_u32(view, offset::EPOCH) != self.core.epoch()
        {
            self.core.count_refused();
            return false;
        }
        let taken = self.core.release(slot, lease).is_ok(); // a refusal is counted by the core
        if taken {
            self.out.buffers[slot as usize] = Some(view.clone());
        }
        taken
    }

    fn write_ledger(&mut self) {
        *self.ledger = self.core.ledger();
    }

    /// Batches the quantum in the input area.
    fn run(&mut self, channels: usize, frames: usize, current_frame: f64) {
        if self.panic_next {
            self.panic_next = false;
            panic!("pitchtap: debug panic in the worklet (debugPanic)");
        }
        self.out.staging.over(self.core.staging());
        self.out.staging_len = self.core.staging().len();
        self.core
            .process(current_frame, channels, frames, &mut self.out);
        self.write_ledger();
    }

    /// Where `processor.js` copies each quantum: the byte offset in wasm memory of the
    /// input area, channel `c` at [`quantum_capacity`](Self::quantum_capacity)` × c` floats
    /// from it (up to [`MAX_CHANNELS`] channels). Moves only in
    /// [`reserve_quantum`](Self::reserve_quantum), which may also grow memory (detaching
    /// every view), so JS re-takes its view after that call.
    #[wasm_bindgen(getter, js_name = inputPtr)]
    pub fn input_ptr(&mut self) -> u32 {
        self.core.input_mut().as_ptr() as u32
    }

    /// Frames per channel the input area holds (128, or more after
    /// [`reserve_quantum`](Self::reserve_quantum)).
    #[wasm_bindgen(getter, js_name = quantumCapacity)]
    pub fn quantum_capacity(&self) -> u32 {
        self.core.quantum_capacity() as u32
    }

    /// Makes room for quanta of `frames` frames (a context with a larger
    /// `renderSizeHint`): allocates once, moves the input area.
    #[wasm_bindgen(js_name = reserveQuantum)]
    pub fn reserve_quantum(&mut self, frames: u32) {
        self.core.reserve_quantum(frames as usize);
    }

    /// One render quantum, which `processor.js` has already copied into the input area
    /// (see [`input_ptr`](Self::input_ptr)): `channels` channels of `frames` frames each
    /// (frames past [`quantum_capacity`](Self::quantum_capacity) are dropped and counted);
    /// `current_frame` is the global `currentFrame`.
    /// Takes only numbers, so the call makes no JS object and calls nothing back in JS per
    /// quantum. Allocates nothing.
    #[wasm_bindgen(js_name = processCopied)]
    pub fn process_copied(&mut self, channels: u32, frames: u32, current_frame: f64) {
        // Frames past the input area are dropped and counted by the batcher.
        self.run(
            (channels as usize).min(MAX_CHANNELS),
            frames as usize,
            current_frame,
        );
    }

    /// Posts the partial batch, if any.
    pub fn flush(&mut self) {
        self.out.staging.over(self.core.staging());
        self.out.staging_len = self.core.staging().len();
        self.core.flush(&mut self.out);
        self.write_ledger();
    }

    /// A buffer came back from the main thread. Returns whether it was taken back into the
    /// pool; anything else (a foreign object, the wrong size, a bad header, a slot not in
    /// flight, a stale lease) is refused and counted, never pooled.
    pub fn receive(&mut self, message: &JsValue) -> bool {
        let taken = self.take_back(message);
        self.write_ledger();
        taken
    }

    /// Changes the batch size at the next batch boundary.
    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&mut self, batch_size: f64) -> Result<(), JsValue> {
        self.core.set_batch_size(batch_size).map_err(config_error)
    }

    /// Batches posted.
    #[wasm_bindgen(getter)]
    pub fn messages(&self) -> f64 {
        self.core.messages() as f64
    }
    /// Frames posted.
    #[wasm_bindgen(getter, js_name = framesPosted)]
    pub fn frames_posted(&self) -> f64 {
        self.core.frames_posted()
    }
    /// Frames dropped for want of a free buffer.
    #[wasm_bindgen(getter, js_name = droppedFrames)]
    pub fn dropped_frames(&self) -> f64 {
        self.core.dropped_frames()
    }
    /// Runs of dropped frames.
    #[wasm_bindgen(getter)]
    pub fn gaps(&self) -> u32 {
        self.core.gaps()
    }
    /// Returned messages refused.
    #[wasm_bindgen(getter)]
    pub fn refused(&self) -> u32 {
        self.core.refused()
    }
    /// Pool slots that exist.
    #[wasm_bindgen(getter, js_name = poolSize)]
    pub fn pool_size(&self) -> u32 {
        self.core.pool().size() as u32
    }
    /// Free pool slots.
    #[wasm_bindgen(getter, js_name = poolFree)]
    pub fn pool_free(&self) -> u32 {
        self.core.pool().free() as u32
    }
    /// Buffers in flight.
    #[wasm_bindgen(getter, js_name = inFlight)]
    pub fn in_flight(&self) -> u32 {
        self.core.pool().in_flight() as u32
    }
    /// Fewest free buffers seen.
    #[wasm_bindgen(getter, js_name = lowWater)]
    pub fn low_water(&self) -> u32 {
        self.core.pool().low_water() as u32
    }
    /// Times a batch found no free buffer.
    #[wasm_bindgen(getter)]
    pub fn exhausted(&self) -> f64 {
        self.core.pool().exhausted() as f64
    }
    /// Batch size of the batch being filled.
    #[wasm_bindgen(getter, js_name = batchSize)]
    pub fn batch_size(&self) -> u32 {
        self.core.batch_size() as u32
    }
    /// Frames waiting in the batch being filled.
    /// Frames dropped since the last posted batch (not yet flagged on a batch).
    #[wasm_bindgen(getter, js_name = pendingDrop)]
    pub fn pending_drop(&self) -> f64 {
        self.core.pending_drop().0
    }
    /// Context frame where the drops of [`Self::pending_drop`] began (NaN if unknown).
    #[wasm_bindgen(getter, js_name = pendingDropStart)]
    pub fn pending_drop_start(&self) -> f64 {
        self.core.pending_drop().1
    }

    /// The main thread cannot return a buffer (a `batch` listener detached or kept it):
    /// frees its slot, whose next trip gets a new buffer. The same checks as a return (the
    /// slot must be in flight on that lease); refused and counted otherwise.
    pub fn forget(&mut self, slot: u32, lease: u32, epoch: u32) -> bool {
        let ok = if epoch == self.core.epoch() {
            self.core.release(slot, lease).is_ok()
        } else {
            // A buffer of a wasm instance that panicked and was replaced: not this pool's.
            self.core.count_refused();
            false
        };
        if ok {
            self.out.issued[slot as usize] = 0;
            self.out.buffers[slot as usize] = None;
        }
        self.write_ledger();
        ok
    }

    #[wasm_bindgen(getter, js_name = pendingFrames)]
    pub fn pending_frames(&self) -> u32 {
        self.core.pending_frames() as u32
    }
    /// `postMessage` calls that threw (should stay 0).
    #[wasm_bindgen(getter, js_name = postErrors)]
    pub fn post_errors(&self) -> u32 {
        self.out.post_errors
    }
}
