//! The constants the JavaScript mirrors from the Rust core must equal them.
//! `js/worklet/processor.js` copies each quantum into the input area itself (channel stride,
//! channel limit, frames of an input-less quantum) and reads the ledger after a panic;
//! `js/pitchtap.js` reads batch headers (size, magic, flags, field offsets). A drift
//! would corrupt audio or counters without any other test noticing at once.

use pitchtap::dsp::batcher::ledger;
use pitchtap::dsp::config::MAX_CHANNELS;
use pitchtap::dsp::RENDER_QUANTUM_SIZE;

const PROCESSOR: &str = include_str!("../js/worklet/processor.js");

/// The text of `<value>` in `const NAME = <value>;` in `src` (the JS file `file`).
fn const_text<'a>(src: &'a str, file: &str, name: &str) -> &'a str {
    let needle = format!("const {name} = ");
    let start = src
        .find(&needle)
        .unwrap_or_else(|| panic!("{file} has no `{needle}`"))
        + needle.len();
    let rest = &src[start..];
    rest[..rest.find(';').expect("a `;` after the constant")].trim()
}

/// The whole number in `const NAME = <number>;` (decimal or 0x hex).
fn const_in(src: &str, file: &str, name: &str) -> u64 {
    let text = const_text(src, file, name);
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .unwrap_or_else(|e| panic!("{file}: {name} = {text:?}: {e}"))
}

/// The number in `const NAME = <number>;` in processor.js.
fn js_const(name: &str) -> usize {
    const_in(PROCESSOR, "processor.js", name) as usize
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

const MAIN: &str = include_str!("../js/pitchtap.js");

/// `KEY: number` pairs of the object literal after `export const FLAGS = Object.freeze({`.
fn js_flags() -> Vec<(String, u32)> {
    let start = MAIN
        .find("export const FLAGS = Object.freeze({")
        .expect("FLAGS in pitchtap.js");
    let body = &MAIN[start..start + MAIN[start..].find("})").expect("end of FLAGS")];
    let body = &body[body.find('{').unwrap() + 1..];
    body.split(',')
        .filter_map(|pair| {
            let (k, v) = pair.split_once(':')?;
            Some((k.trim().to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

#[test]
fn main_thread_constants_mirror_the_header() {
    use pitchtap::dsp::header::{flags, BatchHeader, HEADER_BYTES, MAGIC};
    let file = "pitchtap.js";
    assert_eq!(const_in(MAIN, file, "HEADER_BYTES"), HEADER_BYTES as u64);
    assert_eq!(const_in(MAIN, file, "MAGIC"), u64::from(MAGIC));
    let expected = [
        ("PARTIAL", flags::PARTIAL),
        ("FLUSHED", flags::FLUSHED),
        ("GAP", flags::GAP),
        ("LATENCY", flags::LATENCY),
        ("DISCONTINUITY", flags::DISCONTINUITY),
        ("END", flags::END),
        ("ONSET", flags::ONSET),
    ];
    let got = js_flags();
    assert_eq!(got.len(), expected.len(), "FLAGS in pitchtap.js: {got:?}");
    for (key, value) in expected {
        assert!(
            got.contains(&(key.to_string(), value)),
            "FLAGS.{key} should be {value}: {got:?}"
        );
    }
    // The offsets pitchtap.js reads a header at: write a header of distinct values and read
    // them back where pitchtap.js looks.
    let h = BatchHeader {
        start_frame: 12345.0,
        sample_rate: 44100.0,
        frames: 1024,
        slot: 7,
        lease: 99,
        epoch: 3,
        ..BatchHeader::default()
    };
    let mut b = vec![0u8; HEADER_BYTES];
    h.write(&mut b);
    let at = |name: &str| const_in(MAIN, file, name) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let f64_at = |o: usize| f64::from_le_bytes(b[o..o + 8].try_into().unwrap());
    assert_eq!(u32_at(at("H_FRAMES")), h.frames);
    assert_eq!(u32_at(at("H_SLOT")), h.slot);
    assert_eq!(u32_at(at("H_LEASE")), h.lease);
    assert_eq!(u32_at(at("H_EPOCH")), h.epoch);
    assert_eq!(f64_at(at("H_START_FRAME")), h.start_frame);
    assert_eq!(f64_at(at("H_SAMPLE_RATE")), h.sample_rate);
}

#[test]
fn main_thread_low_latency_preset_mirrors_the_core() {
    use pitchtap::dsp::pitch::{LOW_LATENCY_MIN_FREQUENCY, LOW_LATENCY_WINDOW_SECONDS};
    let number = |name: &str| -> f64 {
        let text = const_text(MAIN, "pitchtap.js", name);
        text.parse()
            .unwrap_or_else(|e| panic!("{name} = {text:?}: {e}"))
    };
    assert_eq!(
        number("LOW_LATENCY_WINDOW_SECONDS"),
        LOW_LATENCY_WINDOW_SECONDS
    );
    assert_eq!(
        number("LOW_LATENCY_MIN_FREQUENCY"),
        f64::from(LOW_LATENCY_MIN_FREQUENCY)
    );
}
