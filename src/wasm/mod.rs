//! The only wasm-bindgen code of pitchtap: the glue between the pure-Rust core
//! ([`crate::dsp`]) and JavaScript. The same module is instantiated twice per page: inside
//! the AudioWorkletGlobalScope ([`worklet::WorkletTap`], driven by `worklet/processor.js`)
//! and on the main thread ([`main_thread::MainTap`], driven by `src/wasm/pitchtap.js`).
//!
//! Real-time rule: per quantum and per batch, nothing here creates a JavaScript object or
//! allocates in Rust. Every JS object the hot paths touch (views over wasm memory, pool
//! buffers, the one-element transfer list) is made at construction and reused; see
//! `docs/architecture.md`.

mod interop;
pub mod main_thread;
pub mod worklet;

use wasm_bindgen::prelude::*;

/// Runs once per instantiation (main thread and worklet): panics go to the console with
/// their message instead of a bare `unreachable` trap.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[cfg(test)]
mod tests;
