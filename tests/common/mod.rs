//! Helpers shared by the native test binaries. Test binaries share no crate, so each one that
//! uses them says `mod common;` and compiles its own copy; a binary may use only part of it.
//! The counting allocator (`counting_alloc.rs`) is not in here: it installs itself as the
//! binary's global allocator, so only the zero-allocation tests include it, by `#[path]`.
#![allow(dead_code)]

pub mod batches;
pub mod pitch;
pub mod signals;
