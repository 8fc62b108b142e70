#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![warn(clippy::missing_panics_doc)]

pub mod dsp;

#[cfg(target_arch = "wasm32")]
mod wasm;
