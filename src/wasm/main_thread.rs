//! The main-thread side: one [`MainTap`] per tap, driven by `src/wasm/pitchtap.js`. Each
//! batch the worklet transfers is copied once into wasm memory, its header is checked and
//! read here, and the buffer goes straight back to the worklet.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::interop::MemoryView;
use crate::dsp::header::{BatchHeader, HEADER_BYTES};

/// Receives batches on the main thread.
#[wasm_bindgen]
pub struct MainTap {
    input: Vec<u8>,
    view: MemoryView<u8>,
    header: BatchHeader,
    batches: f64,
    frames: f64,
    malformed: u32,
    seq_breaks: u32,
    next_seq: Option<u32>,
}

#[wasm_bindgen]
impl MainTap {
    /// A receiver whose input area holds buffers of up to `capacity` bytes (it grows if a
    /// larger one arrives, e.g. after `configure({ batchSize })`).
    #[wasm_bindgen(constructor)]
    pub fn new(capacity: usize) -> MainTap {
        MainTap {
            input: vec![0; capacity.max(HEADER_BYTES)],
            view: MemoryView::new(),
            header: BatchHeader::default(),
            batches: 0.0,
            frames: 0.0,
            malformed: 0,
            seq_breaks: 0,
            next_seq: None,
        }
    }

    /// Copies a received buffer into wasm memory and reads its header. Returns `true` for
    /// a well-formed pitchtap batch; anything else is counted in `malformed` and must not
    /// be trusted. Allocates nothing unless the buffer is larger than any before.
    pub fn receive(&mut self, message: &Uint8Array) -> bool {
        let len = message.byte_length() as usize;
        if len > self.input.len() {
            self.input.resize(len, 0);
        }
        self.view.over(&self.input).set(message, 0);
        match BatchHeader::parse(&self.input[..len]) {
            Ok(h) => {
                if self.next_seq.is_some_and(|s| s != h.seq) {
                    self.seq_breaks += 1;
                }
                self.next_seq = Some(h.seq.wrapping_add(1));
                self.header = h;
                self.batches += 1.0;
                self.frames += h.frames as f64;
                true
            }
            Err(_) => {
                self.malformed += 1;
                false
            }
        }
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
    /// Last batch: sequence number.
    #[wasm_bindgen(getter)]
    pub fn seq(&self) -> u32 {
        self.header.seq
    }
    /// Last batch: context frame of its first sample.
    #[wasm_bindgen(getter, js_name = startFrame)]
    pub fn start_frame(&self) -> f64 {
        self.header.start_frame
    }
    /// Last batch: frames.
    #[wasm_bindgen(getter, js_name = batchFrames)]
    pub fn batch_frames(&self) -> u32 {
        self.header.frames
    }
    /// Last batch: channels.
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> u32 {
        self.header.channels
    }
    /// Last batch: sample rate.
    #[wasm_bindgen(getter, js_name = sampleRate)]
    pub fn sample_rate(&self) -> f64 {
        self.header.sample_rate
    }
    /// Last batch: flags.
    #[wasm_bindgen(getter)]
    pub fn flags(&self) -> u32 {
        self.header.flags
    }
    /// Last batch: frames dropped right before it.
    #[wasm_bindgen(getter, js_name = droppedBefore)]
    pub fn dropped_before(&self) -> f64 {
        self.header.dropped_before
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
