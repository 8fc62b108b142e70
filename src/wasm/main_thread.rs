//! The main-thread side: one [`MainTap`] per tap, driven by `src/wasm/pitchtap.js`. Each
//! batch the worklet transfers is copied once into wasm memory, its header is checked and
//! read here, the samples go straight into the volume meter and the pitch detector, and
//! the buffer goes back to the worklet. What `pitchtap.js` needs for every batch (header
//! fields, volume, pitch estimates) is written to one preallocated `Float64Array` over wasm
//! memory (the *report*, see [`MainTap::receive_batch`]), so that the hot path reads it
//! with no call into wasm and nothing is allocated per batch or per estimate; the counters
//! `stats()` reads are getters.

use js_sys::{Float64Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::interop::config_error;
use crate::dsp::early::EarlyPitch;
use crate::dsp::error::ConfigError;
use crate::dsp::header::{BatchHeader, HEADER_BYTES};
use crate::dsp::meter::{VolumeConfig, VolumeMeter, VolumeReading, MIN_DB};
use crate::dsp::pitch::{PitchConfig, PitchDetector, PitchEstimate, RELATIVE_GATE_DB};

/// Receives and analyses batches on the main thread.
#[wasm_bindgen]
pub struct MainTap {
    /// The received buffer, as 32-bit words so the samples are f32-aligned.
    input: Vec<f32>,
    /// Mono mix of a multi-channel batch, for the analyzers.
    mono: Vec<f32>,
    meter: VolumeMeter,
    volume: VolumeReading,
    pitch: Option<PitchDetector>,
    /// Estimates of the last batch; capacity fixed by [`MainTap::reserve`], never exceeded.
    estimates: Vec<PitchEstimate>,
    /// Estimates that did not fit (should stay 0: the capacity covers a whole batch).
    estimates_dropped: u32,
    /// Early estimates at onsets (see [`EarlyPitch`]); `None` when off.
    early: Option<EarlyPitch>,
    /// The early estimate of the last batch, reported after its hop estimates.
    early_estimate: Option<PitchEstimate>,
    /// Whether the detector's latest hop estimate was voiced.
    voiced: bool,
    /// Centre frame of the newest estimate reported (hop or early): an early estimate must
    /// be newer.
    newest_centre: f64,
    analyzed: bool,
    header: BatchHeader,
    batches: f64,
    frames: f64,
    malformed: u32,
    seq_breaks: u32,
    next_seq: Option<u32>,
    /// Test hook: the next `receiveBatch()` panics (see [`MainTap::debug_panic`]).
    panic_next: bool,
    /// What `pitchtap.js` reads per batch: [`REPORT_HEAD`] numbers, then
    /// [`REPORT_ESTIMATE_FIELDS`] per estimate; sized with `estimates` by [`MainTap::reserve`].
    report: Vec<f64>,
    /// The report's storage moved since the last `receive_batch` (JS must re-fetch its view).
    report_moved: bool,
}

/// Layout of the report (see [`MainTap::receive_batch`]); mirrored as `R_*` in
/// `src/wasm/pitchtap.js`. Header fields of the last well-formed batch:
pub(crate) const R_SEQ: usize = 0;
pub(crate) const R_START_FRAME: usize = 1;
pub(crate) const R_SAMPLE_RATE: usize = 2;
pub(crate) const R_FLAGS: usize = 3;
pub(crate) const R_FRAMES: usize = 4;
pub(crate) const R_CHANNELS: usize = 5;
pub(crate) const R_DROPPED_BEFORE: usize = 6;
pub(crate) const R_POOL_SIZE: usize = 7;
pub(crate) const R_IN_FLIGHT: usize = 8;
/// 1 when the analyzers ran on it, else 0 (and the fields below are stale).
pub(crate) const R_ANALYZED: usize = 9;
pub(crate) const R_RMS: usize = 10;
pub(crate) const R_PEAK: usize = 11;
pub(crate) const R_DB: usize = 12;
pub(crate) const R_SMOOTHED_DB: usize = 13;
/// Pitch estimates of the batch (0 when not analyzed).
pub(crate) const R_ESTIMATES: usize = 14;
/// Numbers before the first estimate.
pub const REPORT_HEAD: usize = 16;
/// Numbers per estimate: context frame of the window centre, frequency, clarity, MIDI note,
/// cents, dBFS, kind (0: the detector's hop estimate, 1: an early estimate, see
/// [`EarlyPitch`]).
pub const REPORT_ESTIMATE_FIELDS: usize = 7;

/// The bytes of an f32 slice (wasm is little-endian, as the batch layout is).
fn as_bytes(words: &[f32]) -> &[u8] {
    // SAFETY: same allocation and length in bytes; u8 has no alignment or invalid values.
    unsafe {
        core::slice::from_raw_parts(words.as_ptr().cast::<u8>(), core::mem::size_of_val(words))
    }
}

/// Builds the analyzers' options from what `pitchtap.js` passes (`None` = default; the
/// default `pitch.maxFrequency` fits `sample_rate`).
#[allow(clippy::too_many_arguments)] // one argument per JS option
fn analyzer_configs(
    sample_rate: f64,
    min_frequency: Option<f64>,
    max_frequency: Option<f64>,
    window_size: Option<f64>,
    hop_size: Option<f64>,
    clarity_threshold: Option<f64>,
    min_db: Option<f64>,
    a4: Option<f64>,
    attack_ms: Option<f64>,
    release_ms: Option<f64>,
) -> Result<(PitchConfig, VolumeConfig), ConfigError> {
    let d = PitchConfig::default();
    let v = VolumeConfig::default();
    let size = |option: &'static str, allowed: &'static str, x: Option<f64>| {
        x.map(|x| ConfigError::check_whole(option, allowed, x, 1.0, 1e9))
            .transpose()
    };
    let pitch = PitchConfig {
        min_frequency: min_frequency.map_or(d.min_frequency, |x| x as f32),
        max_frequency: max_frequency.map_or_else(
            || crate::dsp::pitch::default_max_frequency(sample_rate as f32),
            |x| x as f32,
        ),
        window_size: size(
            "pitch.windowSize",
            "a whole number of samples from 64 to 65536",
            window_size,
        )?,
        hop_size: size(
            "pitch.hopSize",
            "a whole number of samples from 1 to pitch.windowSize",
            hop_size,
        )?,
        clarity_threshold: clarity_threshold.map_or(d.clarity_threshold, |x| x as f32),
        min_db: min_db.map_or(d.min_db, |x| x as f32),
        a4: a4.map_or(d.a4, |x| x as f32),
    };
    let volume = VolumeConfig {
        attack_ms: attack_ms.map_or(v.attack_ms, |x| x as f32),
        release_ms: release_ms.map_or(v.release_ms, |x| x as f32),
    };
    Ok((pitch, volume))
}

#[wasm_bindgen]
impl MainTap {
    /// A receiver for buffers of up to `capacity` bytes (it grows if a larger one arrives,
    /// e.g. after `configure({ batchSize })`), with a volume meter and, unless
    /// `pitch_enabled` is false, a pitch detector, both at `sample_rate` (they follow the
    /// rate in each batch header). Throws `RangeError` naming a bad analyzer option.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one argument per JS option
    pub fn new(
        capacity: usize,
        sample_rate: f64,
        pitch_enabled: bool,
        min_frequency: Option<f64>,
        max_frequency: Option<f64>,
        window_size: Option<f64>,
        hop_size: Option<f64>,
        clarity_threshold: Option<f64>,
        min_db: Option<f64>,
        a4: Option<f64>,
        attack_ms: Option<f64>,
        release_ms: Option<f64>,
    ) -> Result<MainTap, JsValue> {
        let (pitch_config, volume_config) = analyzer_configs(
            sample_rate,
            min_frequency,
            max_frequency,
            window_size,
            hop_size,
            clarity_threshold,
            min_db,
            a4,
            attack_ms,
            release_ms,
        )
        .map_err(config_error)?;
        let sr = sample_rate as f32;
        let meter = VolumeMeter::new(volume_config, sr).map_err(config_error)?;
        let pitch = if pitch_enabled {
            Some(PitchDetector::new(pitch_config, sr).map_err(config_error)?)
        } else {
            None
        };
        let early = match &pitch {
            Some(p) => {
                EarlyPitch::new(pitch_config, sr, p.window_size() / 2).map_err(config_error)?
            }
            None => None,
        };
        let mut tap = MainTap {
            input: Vec::new(),
            mono: Vec::new(),
            meter,
            volume: VolumeReading {
                rms: 0.0,
                peak: 0.0,
                db: MIN_DB,
                smoothed_db: MIN_DB,
                non_finite: 0,
            },
            pitch,
            estimates: Vec::new(),
            estimates_dropped: 0,
            early,
            early_estimate: None,
            voiced: false,
            newest_centre: f64::NEG_INFINITY,
            analyzed: false,
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
        let samples = words - HEADER_BYTES / 4;
        self.mono.resize(samples, 0.0);
        let hop = self
            .pitch
            .as_ref()
            .map_or(usize::MAX, |p| p.hop_size().max(1));
        let per_batch = samples / hop + 2;
        if self.estimates.capacity() < per_batch {
            self.estimates
                .reserve_exact(per_batch - self.estimates.len());
        }
        // One more place for the early estimate.
        let report_len = REPORT_HEAD + REPORT_ESTIMATE_FIELDS * (self.estimates.capacity() + 1);
        if self.report.len() < report_len {
            let before = self.report.as_ptr();
            self.report.resize(report_len, 0.0);
            self.report_moved |= self.report.as_ptr() != before;
        }
    }

    /// A `Uint8Array` over the place where a received buffer is copied, at least `bytes`
    /// long (it grows to fit; allocates only then). `pitchtap.js` copies each buffer there
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
    /// `pitchtap.js` reads per batch to the report (see [`MainTap::report`]). Returns 0 for
    /// a message that is not a well-formed batch, 1 for a batch, 2 for a batch after which
    /// the report's storage has moved (JS must take a new view with `report()`; a view also
    /// needs replacing when wasm memory grew, which detaches it: its `length` is then 0).
    #[wasm_bindgen(js_name = receiveBatch)]
    pub fn receive_batch(&mut self, bytes: usize) -> u32 {
        if bytes > self.input.len() * 4 {
            self.malformed += 1; // not copied in whole: cannot be trusted
            return 0;
        }
        if !self.process(bytes) {
            return 0;
        }
        let h = &self.header;
        let r = &mut self.report;
        r[R_SEQ] = h.seq as f64;
        r[R_START_FRAME] = h.start_frame;
        r[R_SAMPLE_RATE] = h.sample_rate;
        r[R_FLAGS] = h.flags as f64;
        r[R_FRAMES] = h.frames as f64;
        r[R_CHANNELS] = h.channels as f64;
        r[R_DROPPED_BEFORE] = h.dropped_before;
        r[R_POOL_SIZE] = h.pool_size as f64;
        r[R_IN_FLIGHT] = h.in_flight as f64;
        r[R_ANALYZED] = if self.analyzed { 1.0 } else { 0.0 };
        if self.analyzed {
            r[R_RMS] = self.volume.rms as f64;
            r[R_PEAK] = self.volume.peak as f64;
            r[R_DB] = self.volume.db as f64;
            r[R_SMOOTHED_DB] = self.volume.smoothed_db as f64;
        }
        r[R_ESTIMATES] = (self.estimates.len() + usize::from(self.early_estimate.is_some())) as f64;
        // `reserve` sized the report for the estimates' capacity plus the early one.
        let kinds = self
            .estimates
            .iter()
            .map(|e| (e, 0.0))
            .chain(self.early_estimate.iter().map(|e| (e, 1.0)));
        for ((e, kind), out) in kinds.zip(r[REPORT_HEAD..].chunks_exact_mut(REPORT_ESTIMATE_FIELDS))
        {
            out.copy_from_slice(&[
                e.centre_frame,
                e.frequency as f64,
                e.clarity as f64,
                e.midi as f64,
                e.cents as f64,
                e.db as f64,
                kind,
            ]);
        }
        if core::mem::take(&mut self.report_moved) {
            2
        } else {
            1
        }
    }

    /// A `Float64Array` over the report: what [`receive_batch`](Self::receive_batch) wrote
    /// for the last batch ([`REPORT_HEAD`] numbers, then [`REPORT_ESTIMATE_FIELDS`] per
    /// estimate). Valid until the next `receive_batch` that returns 2 or until wasm memory
    /// grows (then its `length` is 0); read it, never write it.
    pub fn report(&mut self) -> Float64Array {
        self.report_moved = false;
        // SAFETY: a view over memory this tap owns; JS only reads it between calls, and
        // re-takes it when the storage moves (receive_batch returns 2) or memory grows.
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
        self.analyzed = false;
        self.estimates.clear();
        self.early_estimate = None;
        match BatchHeader::parse(&as_bytes(&self.input)[..len]) {
            Ok(h) => {
                if self.next_seq.is_some_and(|s| s != h.seq) {
                    self.seq_breaks += 1;
                }
                self.next_seq = Some(h.seq.wrapping_add(1));
                self.header = h;
                self.batches += 1.0;
                self.frames += h.frames as f64;
                self.analyze();
                true
            }
            Err(_) => {
                self.malformed += 1;
                false
            }
        }
    }

    fn analyze(&mut self) {
        let h = self.header;
        let frames = h.frames as usize;
        let channels = h.channels as usize;
        if frames == 0 || channels == 0 {
            return;
        }
        let sr = h.sample_rate as f32;
        if sr != self.meter.sample_rate() && self.meter.set_sample_rate(sr).is_err() {
            return; // a rate the analyzers cannot use: the batch is still delivered
        }
        if let Some(p) = self.pitch.as_mut() {
            if sr != p.sample_rate() {
                if p.set_sample_rate(sr).is_err() {
                    return;
                }
                // Allocates, as the detector's own change of rate does.
                let window = self.early.as_ref().map(EarlyPitch::window_size);
                self.early = window.and_then(|w| EarlyPitch::new(p.config(), sr, w).ok().flatten());
            }
        }
        let start = HEADER_BYTES / 4;
        let samples: &[f32] = if channels == 1 {
            &self.input[start..start + frames]
        } else {
            let scale = 1.0 / channels as f32;
            for i in 0..frames {
                let mut sum = 0.0;
                for c in 0..channels {
                    sum += self.input[start + c * frames + i];
                }
                self.mono[i] = sum * scale;
            }
            &self.mono[..frames]
        };
        self.volume = self.meter.process(samples);
        if let Some(p) = self.pitch.as_mut() {
            let out = &mut self.estimates;
            let dropped = &mut self.estimates_dropped;
            let (voiced, newest) = (&mut self.voiced, &mut self.newest_centre);
            p.push(h.start_frame, samples, &mut |e| {
                *voiced = e.voiced;
                *newest = newest.max(e.centre_frame);
                if out.len() < out.capacity() {
                    out.push(*e);
                } else {
                    *dropped += 1;
                }
            });
            if let Some(early) = self.early.as_mut() {
                early.push(h.start_frame, samples);
                // Only while the detector is unvoiced (an onset), and only newer than every
                // estimate reported so far.
                if !self.voiced && early.next_centre() > self.newest_centre {
                    let gate = p.voiced_level_db() - RELATIVE_GATE_DB;
                    if let Some(e) = early.estimate().filter(|e| e.voiced && e.db >= gate) {
                        self.newest_centre = e.centre_frame;
                        self.early_estimate = Some(e);
                    }
                }
            }
        }
        self.analyzed = true;
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

    /// Samples of the early pitch window (see [`EarlyPitch`]); 0 when early estimates are
    /// off.
    #[wasm_bindgen(getter, js_name = earlyWindowSize)]
    pub fn early_window_size(&self) -> u32 {
        self.early.as_ref().map_or(0, |e| e.window_size() as u32)
    }

    /// Estimates that did not fit their preallocated place (should stay 0).
    #[wasm_bindgen(getter, js_name = estimatesDropped)]
    pub fn estimates_dropped(&self) -> u32 {
        self.estimates_dropped
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

/// Fields per estimate in [`PitchAnalysis::push`]'s result, in this order: time in seconds of
/// the window centre, frequency (0 when unvoiced), clarity, MIDI note, cents, dBFS.
/// Mirrors `ANALYZE_FIELDS` in `src/wasm/pitchtap.js`.
pub const ANALYZE_FIELDS: usize = 6;

/// The same pitch detector, with the same defaults, over a whole signal given in chunks
/// (`analyze()` in `pitchtap.js` pushes about a second at a time and yields to the page in
/// between). The estimates equal those of one push of the whole signal. Allocates.
#[wasm_bindgen]
pub struct PitchAnalysis {
    detector: PitchDetector,
    sample_rate: f64,
    frames: f64,
    out: Vec<f64>,
}

#[wasm_bindgen]
impl PitchAnalysis {
    /// Checks the options as `PitchTap.create`'s `pitch` group (RangeError naming them).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one argument per JS option
    pub fn new(
        sample_rate: f64,
        min_frequency: Option<f64>,
        max_frequency: Option<f64>,
        window_size: Option<f64>,
        hop_size: Option<f64>,
        clarity_threshold: Option<f64>,
        min_db: Option<f64>,
        a4: Option<f64>,
    ) -> Result<PitchAnalysis, JsValue> {
        let (config, _) = analyzer_configs(
            sample_rate,
            min_frequency,
            max_frequency,
            window_size,
            hop_size,
            clarity_threshold,
            min_db,
            a4,
            None,
            None,
        )
        .map_err(config_error)?;
        let detector = PitchDetector::new(config, sample_rate as f32).map_err(config_error)?;
        Ok(PitchAnalysis {
            detector,
            sample_rate,
            frames: 0.0,
            out: Vec::new(),
        })
    }

    /// The next chunk of the signal; returns [`ANALYZE_FIELDS`] numbers per estimate it
    /// completed.
    pub fn push(&mut self, samples: &[f32]) -> Float64Array {
        let (out, rate) = (&mut self.out, self.sample_rate);
        out.clear();
        self.detector
            .push(self.frames, samples, &mut |e: &PitchEstimate| {
                let row: [f64; ANALYZE_FIELDS] = [
                    e.centre_frame / rate,
                    e.frequency as f64,
                    e.clarity as f64,
                    e.midi as f64,
                    e.cents as f64,
                    e.db as f64,
                ];
                out.extend_from_slice(&row);
            });
        self.frames += samples.len() as f64;
        Float64Array::from(&self.out[..])
    }
}
