//! The glue in a real browser (`wasm-pack test --headless --chrome`): a WorkletTap posting
//! through a real MessageChannel to a MainTap, and the refusal rules for returned buffers.
//! Both sides are driven the way `js/worklet/processor.js` and `js/main/receive.js` drive
//! them: quanta copied into the tap's input area then `processCopied`, batches copied
//! through `inputView` then `receiveBatch`, their numbers read from the report.

use js_sys::{Array, Float32Array, Float64Array, Promise, Uint8Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MessageChannel, MessageEvent, MessagePort};

use super::main_thread::MainTap;
use super::worklet::{check_tap_options, offline_pool_size, WorkletTap};
use crate::dsp::batcher::ledger;
use crate::dsp::header::{flags, HEADER_BYTES};
use crate::dsp::options::{CHANNELS_ALL, CHANNELS_MIX};
use crate::dsp::report::{
    R_CHANNELS, R_DROPPED_BEFORE, R_FLAGS, R_FRAMES, R_SAMPLE_RATE, R_SEQ, R_START_FRAME,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Option slots as JavaScript passes them (`crate::dsp::options`).
fn slots(values: &[f64]) -> Array {
    values.iter().map(|&v| JsValue::from_f64(v)).collect()
}

/// Tap option slots: batch size, pool size, max pool size, channel mode and argument,
/// max latency (negative: off), render frames (0: live).
fn tap_options(
    batch: f64,
    pool: f64,
    max_pool: f64,
    mode: u32,
    arg: f64,
    latency: f64,
    render: f64,
) -> Array {
    slots(&[batch, pool, max_pool, mode as f64, arg, latency, render])
}

fn tap(port: MessagePort, batch: f64, pool: f64) -> WorkletTap {
    WorkletTap::new(
        port,
        48000.0,
        &tap_options(batch, pool, pool, CHANNELS_MIX, 0.0, -1.0, 0.0),
    )
    .unwrap()
}

fn main_tap(capacity: usize) -> MainTap {
    // Every analyzer option not given: the defaults.
    MainTap::new(capacity, 48000.0, true, &Array::new()).unwrap()
}

/// One mono 128-frame quantum holding `start, start + 1, …`, at context frame `start`, as
/// `processor.js` delivers it: copied into the input area through a view of wasm memory,
/// then `processCopied`.
fn push_quantum(w: &mut WorkletTap, start: usize) {
    let x: Vec<f32> = (start..start + 128).map(|i| i as f32).collect();
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let view = Float32Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        w.input_ptr(),
        w.quantum_capacity(),
    );
    view.subarray(0, 128).copy_from(&x);
    w.process_copied(1, 128, start as f64);
}

/// Delivers a message to the main side as `js/main/receive.js` does (copied through
/// `inputView`, then `receiveBatch`); returns the status and the report's head.
fn deliver(m: &mut MainTap, message: &Uint8Array) -> (u32, Vec<f64>) {
    let len = message.byte_length() as usize;
    m.input_view(len).set(message, 0);
    let status = m.receive_batch(len);
    (status, m.report().to_vec())
}

/// Resolves with the next `n` messages that arrive on `port`.
fn next_messages(port: &MessagePort, n: u32) -> JsFuture {
    let got = Array::new();
    let port2 = port.clone();
    let promise = Promise::new(&mut |resolve, _| {
        let got = got.clone();
        let port3 = port2.clone();
        let cb = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            got.push(&e.data());
            if got.length() == n {
                port3.set_onmessage(None);
                resolve.call1(&JsValue::NULL, &got).unwrap();
            }
        });
        port2.set_onmessage(Some(cb.as_ref().unchecked_ref()));
        cb.forget();
    });
    JsFuture::from(promise)
}

#[wasm_bindgen_test]
async fn worklet_posts_transferred_batches_the_main_side_reads() {
    let ch = MessageChannel::new().unwrap();
    let mut w = tap(ch.port1(), 256.0, 2.0);
    let arrived = next_messages(&ch.port2(), 1);
    for q in 0..2 {
        push_quantum(&mut w, q * 128);
    }
    assert_eq!(w.messages(), 1.0);
    let msgs: Array = arrived.await.unwrap().unchecked_into();
    let buf: Uint8Array = msgs.get(0).unchecked_into();
    assert_eq!(buf.byte_length() as usize, HEADER_BYTES + 4 * 256);
    let mut m = main_tap(HEADER_BYTES + 4 * 256);
    let (status, r) = deliver(&mut m, &buf);
    assert_ne!(status, 0);
    assert_eq!((r[R_SEQ], r[R_FRAMES], r[R_CHANNELS]), (0.0, 256.0, 1.0));
    assert_eq!(
        (r[R_SAMPLE_RATE], r[R_START_FRAME], r[R_FLAGS]),
        (48000.0, 0.0, 0.0)
    );
    assert_eq!(m.batches(), 1.0);
    // The samples went through bit-exact.
    let samples =
        Float32Array::new_with_byte_offset_and_length(&buf.buffer(), HEADER_BYTES as u32, 256);
    for i in 0..256 {
        assert_eq!(samples.get_index(i), i as f32);
    }
    // Taken back once; the same buffer again, a foreign value or a short array: refused.
    assert!(w.receive(&buf));
    assert!(!w.receive(&buf));
    assert!(!w.receive(&JsValue::from_str("not a buffer")));
    assert!(!w.receive(&Uint8Array::new_with_length(10)));
    assert!(!w.receive(&Uint8Array::new_with_length(
        (HEADER_BYTES + 4 * 256) as u32
    )));
    assert_eq!(w.refused(), 4);
    assert_eq!(w.pool_free(), 2);
}

#[wasm_bindgen_test]
async fn pool_exhaustion_drops_counted_and_the_next_batch_says_gap() {
    let ch = MessageChannel::new().unwrap();
    let mut w = tap(ch.port1(), 128.0, 1.0);
    let arrived = next_messages(&ch.port2(), 1);
    push_quantum(&mut w, 0); // posted: the only buffer is out
    push_quantum(&mut w, 128); // dropped
    push_quantum(&mut w, 256); // dropped
    assert_eq!(w.dropped_frames(), 256.0);
    assert_eq!((w.gaps(), w.exhausted(), w.low_water()), (1, 2.0, 0));
    let first: Array = arrived.await.unwrap().unchecked_into();
    assert!(w.receive(&first.get(0)));
    let arrived = next_messages(&ch.port2(), 1);
    push_quantum(&mut w, 384);
    let second: Array = arrived.await.unwrap().unchecked_into();
    let mut m = main_tap(HEADER_BYTES + 4 * 128);
    let (status, r) = deliver(&mut m, &second.get(0).unchecked_into());
    assert_ne!(status, 0);
    assert_eq!(r[R_SEQ], 1.0);
    assert_ne!(r[R_FLAGS] as u32 & flags::GAP, 0);
    assert_eq!((r[R_DROPPED_BEFORE], r[R_START_FRAME]), (256.0, 384.0));
    assert_eq!((m.dropped_total(), m.gaps_total()), (256.0, 1));
}

/// After a panic `processor.js` copies the old tap's ledger out of wasm memory, sets its
/// EPOCH slot to the new epoch and its PENDING slot to the frames lost, and hands it to the
/// replacement's `carryOn`: the counters and the sequence carry on, the lost frames are one
/// gap, and buffers of the old tap are refused.
#[wasm_bindgen_test]
async fn a_replacement_carries_on_from_the_ledger_it_is_handed() {
    let ch = MessageChannel::new().unwrap();
    let mut old = tap(ch.port1(), 256.0, 4.0);
    let arrived = next_messages(&ch.port2(), 1);
    // One batch posted, 128 frames waiting in the next.
    for q in 0..3 {
        push_quantum(&mut old, q * 128);
    }
    let msgs: Array = arrived.await.unwrap().unchecked_into();
    let old_buf: Uint8Array = msgs.get(0).unchecked_into();
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let at_ptr = Float64Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        old.ledger_ptr(),
        ledger::LEN as u32,
    );
    let carry = Array::from(&at_ptr);
    let slot = |s: usize| carry.get(s as u32).as_f64().unwrap();
    assert_eq!((slot(ledger::SEQ), slot(ledger::MESSAGES)), (1.0, 1.0));
    assert_eq!((slot(ledger::PENDING), slot(ledger::EPOCH)), (128.0, 0.0));
    // The 4th quantum "panicked": its frames are lost too.
    carry.set(ledger::EPOCH as u32, JsValue::from_f64(1.0));
    carry.set(ledger::PENDING as u32, JsValue::from_f64(256.0));

    let ch2 = MessageChannel::new().unwrap();
    let mut new = tap(ch2.port1(), 256.0, 4.0);
    new.carry_on(&carry);
    assert_eq!(new.messages(), 1.0);
    assert_eq!((new.dropped_frames(), new.gaps()), (256.0, 1));
    let arrived = next_messages(&ch2.port2(), 1);
    for q in 4..6 {
        push_quantum(&mut new, q * 128);
    }
    let msgs: Array = arrived.await.unwrap().unchecked_into();
    let buf: Uint8Array = msgs.get(0).unchecked_into();
    let (_, r) = deliver(&mut main_tap(HEADER_BYTES + 4 * 256), &buf);
    assert_eq!(r[R_SEQ], 1.0, "the sequence carries on");
    assert_ne!(r[R_FLAGS] as u32 & flags::GAP, 0);
    assert_eq!((r[R_DROPPED_BEFORE], r[R_START_FRAME]), (256.0, 512.0));
    assert!(!new.receive(&old_buf), "a buffer of the old epoch");
    assert!(new.receive(&buf));
}

#[wasm_bindgen_test]
fn malformed_messages_are_counted_on_the_main_side() {
    let mut m = main_tap(64);
    assert_eq!(deliver(&mut m, &Uint8Array::new_with_length(8)).0, 0);
    assert_eq!(deliver(&mut m, &Uint8Array::new_with_length(200)).0, 0);
    // More bytes than were copied in (than the input area holds): never trusted.
    let held = m.input_view(64).length() as usize;
    assert_eq!(m.receive_batch(held + 4), 0);
    assert_eq!(m.malformed(), 3);
    assert_eq!(m.batches(), 0.0);
}

#[wasm_bindgen_test]
fn bad_options_become_range_and_type_errors() {
    let opts =
        |batch, mode, latency, render| tap_options(batch, 8.0, 8.0, mode, 0.0, latency, render);
    let e = check_tap_options(44100.0, &opts(100.0, CHANNELS_MIX, -1.0, 0.0)).unwrap_err();
    assert!(e.is_instance_of::<js_sys::RangeError>());
    let msg = js_sys::Error::from(e).message().as_string().unwrap();
    assert!(msg.contains("batchSize"), "{msg}");
    let e = check_tap_options(44100.0, &opts(1024.0, 9, -1.0, 0.0)).unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>());
    assert!(check_tap_options(44100.0, &opts(1024.0, CHANNELS_MIX, 5.0, 0.0)).is_ok());
    // A pool sized to an offline render may pass 256; a render too long to keep is refused
    // naming context.length.
    let n = offline_pool_size(48000.0, &opts(1024.0, CHANNELS_MIX, -1.0, 14_400_000.0)).unwrap();
    assert_eq!(n, 14_063 + 1);
    assert!(check_tap_options(
        48000.0,
        &tap_options(
            1024.0,
            16.0,
            n as f64,
            CHANNELS_MIX,
            0.0,
            -1.0,
            14_400_000.0
        )
    )
    .is_ok());
    let all = tap_options(1024.0, 8.0, 8.0, CHANNELS_ALL, 32.0, -1.0, 14_400_000.0);
    let e = offline_pool_size(48000.0, &all).unwrap_err();
    assert!(e.is_instance_of::<js_sys::RangeError>());
    let msg = js_sys::Error::from(e).message().as_string().unwrap();
    assert!(msg.contains("context.length"), "{msg}");
}

#[wasm_bindgen_test]
fn analyzer_options_read_their_slots_and_holes_mean_not_given() {
    use super::main_thread::PitchAnalysis;
    use crate::dsp::options::analysis;
    // Only `pitch.windowSize` given, and not a whole number: the error names it.
    let options = Array::new();
    options.set(analysis::WINDOW_SIZE as u32, JsValue::from_f64(1000.5));
    let message = |e: JsValue| js_sys::Error::from(e).message().as_string().unwrap();
    let e = MainTap::new(1024, 48000.0, true, &options).err().unwrap();
    assert!(e.is_instance_of::<js_sys::RangeError>());
    assert!(message(e).contains("pitch.windowSize"));
    let e = PitchAnalysis::new(48000.0, &options).err().unwrap();
    assert!(message(e).contains("pitch.windowSize"));
    // A NaN is given, not a hole: an error, not the default.
    let options = Array::new();
    options.set(analysis::RELEASE_MS as u32, JsValue::from_f64(f64::NAN));
    let e = MainTap::new(1024, 48000.0, true, &options).err().unwrap();
    assert!(message(e).contains("volume.releaseMs"));
    // A window given in its slot is the one used (early window: half of it).
    let options = Array::new();
    options.set(analysis::WINDOW_SIZE as u32, JsValue::from_f64(4096.0));
    let m = MainTap::new(1024, 48000.0, true, &options).unwrap();
    assert_eq!(m.early_window_size(), 2048);
}
