//! The batch header parser and the pool's return check, fuzzed with proptest: no input,
//! however malformed, panics or is trusted as a length or an index.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::batches::{batcher, push_ramp, Posted};
use pitchtap::dsp::config::DEFAULT_POOL_SIZE;
use pitchtap::dsp::header::{BatchHeader, HEADER_BYTES};
use proptest::prelude::*;

/// One real batch of 128 frames of a ramp, header and samples.
fn valid_batch() -> Vec<u8> {
    let mut b = batcher(128, DEFAULT_POOL_SIZE, DEFAULT_POOL_SIZE);
    let mut out = Posted::new();
    push_ramp(&mut b, 0..1, &mut out);
    out.remove(0).1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(h) = BatchHeader::parse(&bytes) {
            // Anything accepted fits in what was given.
            prop_assert!(HEADER_BYTES + h.sample_bytes() <= bytes.len());
        }
        let _ = BatchHeader::parse_slot_lease(&bytes);
    }

    #[test]
    fn mutated_valid_headers_never_panic_and_stay_in_bounds(
        flips in proptest::collection::vec((0usize..HEADER_BYTES, any::<u8>()), 1..12),
        cut in 0usize..(HEADER_BYTES + 512 + 1),
    ) {
        let mut bytes = valid_batch();
        for (at, v) in flips {
            bytes[at] = v;
        }
        bytes.truncate(cut.min(bytes.len()));
        if let Ok(h) = BatchHeader::parse(&bytes) {
            prop_assert!(HEADER_BYTES + h.sample_bytes() <= bytes.len());
        }
    }

    #[test]
    fn returns_with_any_slot_and_lease_never_corrupt_the_pool(
        returns in proptest::collection::vec((0u32..20, 0u32..5), 0..50),
    ) {
        let mut b = batcher(128, 4, 4);
        let mut out = Posted::new();
        push_ramp(&mut b, 0..3, &mut out);
        let mut accepted = 0;
        for (slot, lease) in returns {
            if b.release(slot, lease).is_ok() {
                accepted += 1;
            }
        }
        // At most the three buffers in flight can come back, each once.
        prop_assert!(accepted <= 3);
        prop_assert_eq!(b.pool().free() + b.pool().in_flight(), 4);
        prop_assert_eq!(b.pool().in_flight(), 3 - accepted);
    }
}
