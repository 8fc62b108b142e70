//! The main-thread side: one [`MainTap`] per tap, driven by `js/main/receive.js`. Each
//! batch the worklet transfers is copied once into wasm memory, its header is checked and
//! read here, the samples go straight into the analyzers ([`StreamAnalyzer`]: volume meter
//! and pitch detector), and the buffer goes back to the worklet. What `receive.js` needs
//! for every batch (header fields, volume, pitch estimates) is written to one preallocated
//! `Float64Array` over wasm memory (the *report*, `crate::dsp::report`), so that the hot path reads it
//! with no call into wasm and nothing is allocated per batch or per estimate; the counters
//! `stats()` reads are getters.

use js_sys::{Array, Float64Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::interop::{config_error, option_slots};
use crate::dsp::analysis::{PitchTrack, StreamAnalyzer};
use crate::dsp::header::{BatchHeader, HEADER_BYTES};
use crate::dsp::options::analysis_options;
use crate::dsp::report::{
    analyze_row, report_len, write_report, S_BATCH, S_MALFORMED, S_REPORT_MOVED,
};

/// Receives batches on the main thread and hands them to a [`StreamAnalyzer`].
#[wasm_bindgen]
pub struct MainTap {
    /// The received buffer, as 32-bit words so the samples are f32-aligned.
    input: Vec<f32>,
    analyzer: StreamAnalyzer,
    header: BatchHeader,
    batches: f64,
    frames: f64,
    malformed: u32,
    seq_breaks: u32,
    next_seq: Option<u32>,
    /// Test hook: the next `receiveBatch()` panics (see [`MainTap::debug_panic`]).
    panic_next: bool,
    /// What `receive.js` reads per batch (`crate::dsp::report`); sized by
    /// [`MainTap::reserve`] for the analyzer's estimate capacity.
    report: Vec<f64>,
    /// The report's storage moved since the last `receive_batch` (JS must re-fetch its view).
    report_moved: bool,
}

/// The bytes of an f32 slice (wasm is little-endian, as the batch layout is).
fn as_bytes(words: &[f32]) -> &[u8] {
    // SAFETY: same allocation and length in bytes; u8 has no alignment or invalid values.
    unsafe {
        core::slice::from_raw_parts(words.as_ptr().cast::<u8>(), core::mem::size_of_val(words))
    }
}

#[wasm_bindgen]
impl MainTap {
    /// A receiver for buffers of up to `capacity` bytes (it grows if a larger one arrives,
    /// e.g. after `configure({ batchSize })`), with a volume meter and, unless
    /// `pitch_enabled` is false, a pitch detector, both at `sample_rate` (they follow the
    /// rate in each batch header). `options` holds the `pitch` and `volume` options in the
    /// slots of `crate::dsp::options::analysis` (holes: defaults). Throws `RangeError`
    /// naming a bad analyzer option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        capacity: usize,
        sample_rate: f64,
        pitch_enabled: bool,
        options: &Array,
    ) -> Result<MainTap, JsValue> {
        let options = analysis_options(sample_rate, pitch_enabled, &option_slots(options))
            .map_err(config_error)?;
        let analyzer = StreamAnalyzer::new(options, sample_rate as f32).map_err(config_error)?;
        let mut tap = MainTap {
            input: Vec::new(),
            analyzer,
            header: BatchHeader::default(),
            batches: 0.0,
            frames: 0.0,
            malformed: 0,
            seq_breaks: 0,
            next_seq: None,
            panic_next: false,
            report: Vec::new(),
            report_moved: true,
        };
        tap.reserve(capacity.max(HEADER_BYTES));
        Ok(tap)
    }

    /// Sizes every buffer for received buffers of `bytes` bytes. Allocates only to grow.
    fn reserve(&mut self, bytes: usize) {
        let words = bytes.div_ceil(4);
        if words <= self.input.len() {
            return;
        }
        self.input.resize(words, 0.0);
        self.analyzer.reserve(words - HEADER_BYTES / 4);
        let len = report_len(self.analyzer.estimate_capacity());
        if self.report.len() < len {
            let before = self.report.as_ptr();
            self.report.resize(len, 0.0);
            self.report_moved |= self.report.as_ptr() != before;
        }
    }

    /// A `Uint8Array` over the place where a received buffer is copied, at least `bytes`
    /// long (it grows to fit; allocates only then). `receive.js` copies each buffer there
    /// itself (`view.set(message)`) and calls [`receive_batch`](Self::receive_batch): no
    /// call from wasm into JS per batch. Valid until the next `inputView` or until wasm
    /// memory grows (then its `length` is 0).
    #[wasm_bindgen(js_name = inputView)]
    pub fn input_view(&mut self, bytes: usize) -> Uint8Array {
        self.reserve(bytes);
        // SAFETY: a view over memory this tap owns; JS writes it only between calls (no
        // Rust reference to `input` is alive then) and re-takes it when it is too short or
        // detached; `input` moves only in `reserve`, i.e. in this call.
        unsafe { Uint8Array::view(as_bytes(&self.input)) }
    }

    /// Receives a message of `bytes` bytes that JS has already copied through
    /// [`input_view`](Self::input_view): checks and reads its header, runs the analyzers on a
    /// well-formed batch (allocating nothing unless the sample rate changed), and writes what
    /// `receive.js` reads per batch to the report (see [`MainTap::report`]). Returns
    /// [`S_MALFORMED`] for a message that is not a well-formed batch, [`S_BATCH`] for a
    /// batch, [`S_REPORT_MOVED`] for a batch after which the report's storage has moved (JS
    /// must take a new view with `report()`; a view also needs replacing when wasm memory
    /// grew, which detaches it: its `length` is then 0).
    #[wasm_bindgen(js_name = receiveBatch)]
    pub fn receive_batch(&mut self, bytes: usize) -> u32 {
        if bytes > self.input.len() * 4 {
            self.malformed += 1; // not copied in whole: cannot be trusted
            return S_MALFORMED;
        }
        if !self.process(bytes) {
            return S_MALFORMED;
        }
        write_report(&mut self.report, &self.header, &self.analyzer);
        if core::mem::take(&mut self.report_moved) {
            S_REPORT_MOVED
        } else {
            S_BATCH
        }
    }

    /// A `Float64Array` over the report: what [`receive_batch`](Self::receive_batch) wrote
    /// for the last batch (`REPORT_HEAD` numbers, then `REPORT_ESTIMATE_FIELDS` per
    /// estimate). Valid until the next `receive_batch` that returns [`S_REPORT_MOVED`] or
    /// until wasm memory grows (then its `length` is 0); read it, never write it.
    pub fn report(&mut self) -> Float64Array {
        self.report_moved = false;
        // SAFETY: a view over memory this tap owns; JS only reads it between calls, and
        // re-takes it when the storage moves (S_REPORT_MOVED) or memory grows.
        unsafe { Float64Array::view(&self.report) }
    }

    /// Reads the header of the `len` bytes at the start of `input` and, for a well-formed
    /// pitchtap batch, runs the analyzers on its samples. Returns `true` for a well-formed
    /// batch; anything else is counted in `malformed` and must not be trusted.
    fn process(&mut self, len: usize) -> bool {
        if self.panic_next {
            self.panic_next = false;
            panic!("pitchtap: debug panic on the main thread (debugPanic)");
        }
        let h = match BatchHeader::parse(&as_bytes(&self.input)[..len]) {
            Ok(h) => h,
            Err(_) => {
                self.malformed += 1;
                return false;
            }
        };
        if self.next_seq.is_some_and(|s| s != h.seq) {
            self.seq_breaks += 1;
        }
        self.next_seq = Some(h.seq.wrapping_add(1));
        self.header = h;
        self.batches += 1.0;
        self.frames += h.frames as f64;
        // `parse` checked that the samples it announces are within `len`.
        let start = HEADER_BYTES / 4;
        let samples = &self.input[start..start + h.frames as usize * h.channels as usize];
        self.analyzer.process(
            h.start_frame,
            h.sample_rate as f32,
            h.channels as usize,
            samples,
        );
        true
    }

    /// Test hook for the fault tests: the next `receiveBatch()` panics. Not for production use.
    #[wasm_bindgen(js_name = debugPanic)]
    pub fn debug_panic(&mut self) {
        self.panic_next = true;
    }

    /// Last batch: times the worklet's pool had been found dry (saturating).
    #[wasm_bindgen(getter)]
    pub fn exhausted(&self) -> u32 {
        self.header.exhausted
    }
    /// Last batch: the worklet pool's low-water mark (fewest free buffers so far).
    #[wasm_bindgen(getter, js_name = lowWater)]
    pub fn low_water(&self) -> u32 {
        self.header.low_water as u32
    }
    /// Last batch: the worklet wasm instance that posted it (0, +1 per recovery).
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> u32 {
        self.header.epoch
    }

    /// Samples of the early pitch window (see `crate::dsp::early`); 0 when early estimates
    /// are off.
    #[wasm_bindgen(getter, js_name = earlyWindowSize)]
    pub fn early_window_size(&self) -> u32 {
        self.analyzer.early_window_size() as u32
    }

    /// Estimates that did not fit their preallocated place (should stay 0).
    #[wasm_bindgen(getter, js_name = estimatesDropped)]
    pub fn estimates_dropped(&self) -> u32 {
        self.analyzer.estimates_dropped()
    }
    /// Batches received.
    #[wasm_bindgen(getter)]
    pub fn batches(&self) -> f64 {
        self.batches
    }
    /// Frames received.
    #[wasm_bindgen(getter)]
    pub fn frames(&self) -> f64 {
        self.frames
    }
    /// Messages that were not well-formed batches.
    #[wasm_bindgen(getter)]
    pub fn malformed(&self) -> u32 {
        self.malformed
    }
    /// Times a sequence number did not follow the previous one (should stay 0).
    #[wasm_bindgen(getter, js_name = seqBreaks)]
    pub fn seq_breaks(&self) -> u32 {
        self.seq_breaks
    }
    /// Worklet's count of dropped frames when it posted the last batch.
    #[wasm_bindgen(getter, js_name = droppedTotal)]
    pub fn dropped_total(&self) -> f64 {
        self.header.dropped_total
    }
    /// Worklet's count of gaps when it posted the last batch.
    #[wasm_bindgen(getter, js_name = gapsTotal)]
    pub fn gaps_total(&self) -> u32 {
        self.header.gaps_total
    }
    /// Worklet's count of refused returns when it posted the last batch.
    #[wasm_bindgen(getter, js_name = refusedTotal)]
    pub fn refused_total(&self) -> u32 {
        self.header.refused_total
    }
    /// Pool size when the last batch was posted.
    #[wasm_bindgen(getter, js_name = poolSize)]
    pub fn pool_size(&self) -> u32 {
        self.header.pool_size as u32
    }
    /// Buffers in flight when the last batch was posted (itself included).
    #[wasm_bindgen(getter, js_name = inFlight)]
    pub fn in_flight(&self) -> u32 {
        self.header.in_flight as u32
    }
    /// Batch size in effect for the last batch.
    #[wasm_bindgen(getter, js_name = batchSize)]
    pub fn batch_size(&self) -> u32 {
        self.header.batch_size
    }
}

/// The same pitch detector, with the same defaults, over a whole signal given in chunks
/// ([`PitchTrack`]; `analyze()` in `js/main/analyze.js` pushes about a second at a time and yields
/// to the page in between). Allocates.
#[wasm_bindgen]
pub struct PitchAnalysis {
    track: PitchTrack,
    out: Vec<f64>,
}

#[wasm_bindgen]
impl PitchAnalysis {
    /// `options` as for [`MainTap::new`] (only the `pitch` slots are read). Checks them as
    /// `PitchTap.create`'s `pitch` group (RangeError naming them).
    #[wasm_bindgen(constructor)]
    pub fn new(sample_rate: f64, options: &Array) -> Result<PitchAnalysis, JsValue> {
        let options =
            analysis_options(sample_rate, true, &option_slots(options)).map_err(config_error)?;
        let config = options.pitch.unwrap_or_default();
        let track = PitchTrack::new(config, sample_rate).map_err(config_error)?;
        Ok(PitchAnalysis {
            track,
            out: Vec::new(),
        })
    }

    /// The next chunk of the signal; returns `ANALYZE_FIELDS` numbers per estimate it completed
    /// (`crate::dsp::report::analyze_row`).
    pub fn push(&mut self, samples: &[f32]) -> Float64Array {
        let out = &mut self.out;
        out.clear();
        self.track.push(samples, |time, e| {
            out.extend_from_slice(&analyze_row(time, e))
        });
        Float64Array::from(&self.out[..])
    }
}
