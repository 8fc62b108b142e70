//! The only wasm-bindgen code of pitchtap: the glue between the pure-Rust core
//! ([`crate::dsp`]) and JavaScript. The same module is instantiated twice per page: inside
//! the AudioWorkletGlobalScope ([`worklet::WorkletTap`], driven by `js/worklet/processor.js`)
//! and on the main thread ([`main_thread::MainTap`], driven by `js/main/`).
//!
//! Real-time rule: per quantum and per batch, nothing here creates a JavaScript object or
//! allocates in Rust. Every JS object the hot paths touch (views over wasm memory, pool
//! buffers, the one-element transfer list) is made at construction and reused; see
//! `docs/architecture.md`.

mod interop;
pub mod main_thread;
pub mod worklet;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

thread_local! {
    /// The message of the latest panic, kept for [`take_panic_message`]: the trap that
    /// follows a panic reaches JavaScript as a bare `RuntimeError: unreachable`.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs once per instantiation (main thread and worklet): panics go to the console with
/// their message (console_error_panic_hook) and are kept for [`take_panic_message`].
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let msg = info.to_string();
        // try_borrow_mut: a panic while the message is being taken must not panic again.
        LAST_PANIC.with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                *m = msg;
            }
        });
    }));
}

/// The message of the latest Rust panic in this instance, or `""`; clears it. Called by
/// the JS side after a call trapped, to put the message in the tap's `error` event.
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> String {
    LAST_PANIC.with(|m| {
        m.try_borrow_mut()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests;
