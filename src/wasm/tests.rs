//! The glue in a real browser (`wasm-pack test --headless --chrome`): a WorkletTap posting
//! through a real MessageChannel to a MainTap, and the refusal rules for returned buffers.

use js_sys::{Array, Float32Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MessageChannel, MessageEvent, MessagePort};

use super::main_thread::MainTap;
use super::worklet::{check_tap_options, WorkletTap, CHANNELS_MIX};
use crate::dsp::header::{flags, HEADER_BYTES};

wasm_bindgen_test_configure!(run_in_browser);

fn tap(port: MessagePort, batch: f64, pool: f64) -> WorkletTap {
    WorkletTap::new(port, 48000.0, batch, pool, pool, CHANNELS_MIX, 0.0, -1.0).unwrap()
}

fn main_tap(capacity: usize) -> MainTap {
    MainTap::new(
        capacity, 48000.0, true, None, None, None, None, None, None, None, None, None,
    )
    .unwrap()
}

fn quantum(start: usize) -> Array {
    let x: Vec<f32> = (start..start + 128).map(|i| i as f32).collect();
    let a = Array::new();
    a.push(&Float32Array::from(&x[..]));
    a
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
        w.process(&quantum(q * 128), (q * 128) as f64);
    }
    assert_eq!(w.messages(), 1.0);
    let msgs: Array = arrived.await.unwrap().unchecked_into();
    let buf: Uint8Array = msgs.get(0).unchecked_into();
    assert_eq!(buf.byte_length() as usize, HEADER_BYTES + 4 * 256);
    let mut m = main_tap(HEADER_BYTES + 4 * 256);
    assert!(m.receive(&buf));
    assert_eq!((m.seq(), m.batch_frames(), m.channels()), (0, 256, 1));
    assert_eq!(m.sample_rate(), 48000.0);
    assert_eq!(m.flags(), 0);
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
    w.process(&quantum(0), 0.0); // posted: the only buffer is out
    w.process(&quantum(128), 128.0); // dropped
    w.process(&quantum(256), 256.0); // dropped
    assert_eq!(w.dropped_frames(), 256.0);
    assert_eq!((w.gaps(), w.exhausted(), w.low_water()), (1, 2.0, 0));
    let first: Array = arrived.await.unwrap().unchecked_into();
    assert!(w.receive(&first.get(0)));
    let arrived = next_messages(&ch.port2(), 1);
    w.process(&quantum(384), 384.0);
    let second: Array = arrived.await.unwrap().unchecked_into();
    let mut m = main_tap(HEADER_BYTES + 4 * 128);
    assert!(m.receive(&second.get(0).unchecked_into()));
    assert_eq!(m.seq(), 1);
    assert_ne!(m.flags() & flags::GAP, 0);
    assert_eq!(m.dropped_before(), 256.0);
    assert_eq!(m.start_frame(), 384.0);
    assert_eq!((m.dropped_total(), m.gaps_total()), (256.0, 1));
}

#[wasm_bindgen_test]
fn malformed_messages_are_counted_on_the_main_side() {
    let mut m = main_tap(64);
    assert!(!m.receive(&Uint8Array::new_with_length(8)));
    assert!(!m.receive(&Uint8Array::new_with_length(200)));
    assert_eq!(m.malformed(), 2);
    assert_eq!(m.batches(), 0.0);
}

#[wasm_bindgen_test]
fn bad_options_become_range_and_type_errors() {
    let e = check_tap_options(44100.0, 100.0, 8.0, 8.0, CHANNELS_MIX, 0.0, -1.0).unwrap_err();
    assert!(e.is_instance_of::<js_sys::RangeError>());
    let msg = js_sys::Error::from(e).message().as_string().unwrap();
    assert!(msg.contains("batchSize"), "{msg}");
    let e = check_tap_options(44100.0, 1024.0, 8.0, 8.0, 9, 0.0, -1.0).unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>());
    assert!(check_tap_options(44100.0, 1024.0, 8.0, 8.0, CHANNELS_MIX, 0.0, 5.0).is_ok());
}
