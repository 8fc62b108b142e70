//! The constants `worklet/processor.js` mirrors from the Rust core must equal them: the
//! processor copies each quantum into the input area itself (channel stride, channel limit,
//! frames of an input-less quantum) and reads the ledger after a panic, so a drift would
//! corrupt audio or counters without any other test noticing at once.

use pitchtap::dsp::batcher::ledger;
use pitchtap::dsp::config::MAX_CHANNELS;
use pitchtap::dsp::RENDER_QUANTUM_SIZE;

const PROCESSOR: &str = include_str!("../worklet/processor.js");

/// The number in `const NAME = <number>;` in processor.js.
fn js_const(name: &str) -> usize {
    let needle = format!("const {name} = ");
    let start = PROCESSOR
        .find(&needle)
        .unwrap_or_else(|| panic!("processor.js has no `{needle}`"))
        + needle.len();
    let rest = &PROCESSOR[start..];
    let end = rest.find(';').expect("a `;` after the constant");
    rest[..end]
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{name} = {:?}: {e}", &rest[..end]))
}

/// The number after `KEY: ` inside processor.js's `LEDGER` object.
fn ledger_field(key: &str) -> usize {
    let start = PROCESSOR
        .find("const LEDGER = ")
        .expect("LEDGER in processor.js");
    let body = &PROCESSOR[start..start + PROCESSOR[start..].find("});").expect("end")];
    let needle = format!(" {key}: ");
    let at = body
        .find(&needle)
        .unwrap_or_else(|| panic!("LEDGER has no {key}"))
        + needle.len();
    let digits: String = body[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().expect("a number")
}

#[test]
fn processor_constants_mirror_the_core() {
    assert_eq!(js_const("MAX_CHANNELS"), MAX_CHANNELS);
    assert_eq!(js_const("RENDER_QUANTUM_FRAMES"), RENDER_QUANTUM_SIZE);
    for (key, value) in [
        ("SEQ", ledger::SEQ),
        ("MESSAGES", ledger::MESSAGES),
        ("FRAMES_POSTED", ledger::FRAMES_POSTED),
        ("DROPPED", ledger::DROPPED),
        ("GAPS", ledger::GAPS),
        ("REFUSED", ledger::REFUSED),
        ("PENDING", ledger::PENDING),
        ("EPOCH", ledger::EPOCH),
        ("LEN", ledger::LEN),
    ] {
        assert_eq!(ledger_field(key), value, "LEDGER.{key}");
    }
}
