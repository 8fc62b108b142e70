//! The values the JavaScript mirrors from the Rust core must equal them, name for name.
//! `js/worklet/processor.js` copies each quantum into the input area itself (channel stride,
//! channel limit, frames of an input-less quantum), reads the ledger after a panic, hands it
//! to the replacement tap and passes the tap's options in slot order;
//! `js/main/constants.js` holds every value the main thread mirrors: batch header size,
//! magic, flags and field offsets, the per-batch report (fields, estimate fields, status
//! codes), `analyze()`'s rows, option slots and defaults. A drift would corrupt audio,
//! counters or options without any other test noticing at once.
//!
//! Each check goes both ways: a name the JavaScript declares with a mirrored prefix (`R_`,
//! `E_`, `S_`, `A_`, `H_`, `KIND_`) must be in the table here and equal its Rust twin, and
//! every entry of the table must be declared in the JavaScript; the Rust side is named in
//! the table, so renaming it breaks the build of this test. No other module of `js/main/`
//! may declare a mirrored name: it would escape these checks.

use pitchtap::dsp::batcher::ledger;
use pitchtap::dsp::config::{DEFAULT_BATCH_SIZE, DEFAULT_POOL_SIZE, MAX_CHANNELS};
use pitchtap::dsp::header::offset;
use pitchtap::dsp::options::{analysis, tap, CHANNELS_ALL, CHANNELS_MIX, CHANNELS_SELECT};
use pitchtap::dsp::report;
use pitchtap::dsp::RENDER_QUANTUM_SIZE;

const PROCESSOR: &str = include_str!("../js/worklet/processor.js");
const MAIN: &str = include_str!("../js/main/constants.js");
/// How the checks below name `MAIN`.
const MAIN_FILE: &str = "main/constants.js";

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

/// Every `const NAME = <number>;` in `src` whose NAME starts with `prefix`, in order.
fn consts_with_prefix(src: &str, file: &str, prefix: &str) -> Vec<(String, f64)> {
    let needle = format!("const {prefix}");
    let mut found = Vec::new();
    let mut rest = src;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + "const ".len()..];
        let (name, after) = rest
            .split_once(" = ")
            .unwrap_or_else(|| panic!("{file}: no ` = ` after `const {prefix}…`"));
        let text = after[..after.find(';').expect("a `;` after the constant")].trim();
        let value = text
            .parse()
            .unwrap_or_else(|e| panic!("{file}: {name} = {text:?}: {e}"));
        found.push((name.to_string(), value));
    }
    found
}

/// The JS constants named `prefix…` must be exactly `expected` (name, Rust value).
fn assert_mirrors(src: &str, file: &str, prefix: &str, expected: &[(&str, f64)]) {
    let mut got = consts_with_prefix(src, file, prefix);
    let mut want: Vec<(String, f64)> = expected
        .iter()
        .map(|&(name, value)| (name.to_string(), value))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got, want,
        "{file}: the `{prefix}*` constants and their Rust twins"
    );
}

/// The `'…'` strings of the array literal in `const NAME = [...]` in `src`.
fn js_string_list(src: &str, file: &str, name: &str) -> Vec<String> {
    let text = const_text(src, file, name);
    let body = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or_else(|| panic!("{file}: {name} is not an array literal: {text:?}"));
    // Prettier may break the list over lines and leave a trailing comma.
    body.split(',')
        .map(|item| item.trim().trim_matches('\'').to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// `KEY: number` pairs of the object literal after `<head>` (up to the next `}`).
fn js_object(src: &str, file: &str, head: &str) -> Vec<(String, String)> {
    let start = src
        .find(head)
        .unwrap_or_else(|| panic!("{file} has no `{head}`"));
    let body = &src[start + head.len()..];
    let body = &body[..body.find('}').expect("end of the object")];
    body.split(',')
        .filter_map(|pair| {
            let (k, v) = pair.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// The number after `KEY: ` inside processor.js's `LEDGER` object.
fn ledger_field(key: &str) -> usize {
    let fields = js_object(PROCESSOR, "processor.js", "const LEDGER = Object.freeze({");
    let (_, value) = fields
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("LEDGER has no {key}: {fields:?}"));
    value.parse().expect("a number")
}

#[test]
fn processor_constants_mirror_the_core() {
    assert_eq!(js_const("MAX_CHANNELS"), MAX_CHANNELS);
    assert_eq!(js_const("RENDER_QUANTUM_FRAMES"), RENDER_QUANTUM_SIZE);
    let expected = [
        ("SEQ", ledger::SEQ),
        ("MESSAGES", ledger::MESSAGES),
        ("FRAMES_POSTED", ledger::FRAMES_POSTED),
        ("DROPPED", ledger::DROPPED),
        ("GAPS", ledger::GAPS),
        ("REFUSED", ledger::REFUSED),
        ("PENDING", ledger::PENDING),
        ("EPOCH", ledger::EPOCH),
        ("LEN", ledger::LEN),
    ];
    for (key, value) in expected {
        assert_eq!(ledger_field(key), value, "LEDGER.{key}");
    }
    let fields = js_object(PROCESSOR, "processor.js", "const LEDGER = Object.freeze({");
    assert_eq!(fields.len(), expected.len(), "LEDGER: {fields:?}");
    // What carryOn takes is in the same slots: processor.js reaches them by LEDGER's names
    // only, so that the order is written down once on each side.
    let uses: Vec<&str> = PROCESSOR
        .match_indices("carry[")
        .map(|(at, _)| &PROCESSOR[at..])
        .collect();
    assert!(!uses.is_empty(), "processor.js no longer builds a carry");
    for used in uses {
        assert!(
            used["carry[".len()..].starts_with("LEDGER."),
            "processor.js indexes the carry by number: {}",
            &used[..used.find('\n').unwrap_or(used.len())]
        );
    }
}

/// The option keys in slot order: `TAP_OPTION_KEYS` (both JS files) against
/// `pitchtap::dsp::options::tap`, `PITCH_KEYS` then `VOLUME_KEYS` against `analysis`.
#[test]
fn option_slots_mirror_the_core() {
    let tap_slots = [
        ("batchSize", tap::BATCH_SIZE),
        ("poolSize", tap::POOL_SIZE),
        ("maxPoolSize", tap::MAX_POOL_SIZE),
        ("channelMode", tap::CHANNEL_MODE),
        ("channelArg", tap::CHANNEL_ARG),
        ("maxLatencyMs", tap::MAX_LATENCY_MS),
        ("renderFrames", tap::RENDER_FRAMES),
    ];
    for (src, file) in [(MAIN, MAIN_FILE), (PROCESSOR, "processor.js")] {
        let keys = js_string_list(src, file, "TAP_OPTION_KEYS");
        assert_eq!(keys.len(), tap::LEN, "{file}: TAP_OPTION_KEYS {keys:?}");
        assert_eq!(tap_slots.len(), tap::LEN);
        for (key, slot) in tap_slots {
            assert_eq!(
                keys.get(slot).map(String::as_str),
                Some(key),
                "{file}: slot {slot}"
            );
        }
    }
    let pitch = js_string_list(MAIN, MAIN_FILE, "PITCH_KEYS");
    let volume = js_string_list(MAIN, MAIN_FILE, "VOLUME_KEYS");
    let keys: Vec<&str> = pitch.iter().chain(&volume).map(String::as_str).collect();
    let analysis_slots = [
        ("minFrequency", analysis::MIN_FREQUENCY),
        ("maxFrequency", analysis::MAX_FREQUENCY),
        ("windowSize", analysis::WINDOW_SIZE),
        ("hopSize", analysis::HOP_SIZE),
        ("clarityThreshold", analysis::CLARITY_THRESHOLD),
        ("minDb", analysis::MIN_DB),
        ("a4", analysis::A4),
        ("attackMs", analysis::ATTACK_MS),
        ("releaseMs", analysis::RELEASE_MS),
    ];
    assert_eq!(
        keys.len(),
        analysis::LEN,
        "PITCH_KEYS + VOLUME_KEYS: {keys:?}"
    );
    assert_eq!(analysis_slots.len(), analysis::LEN);
    for (key, slot) in analysis_slots {
        assert_eq!(keys.get(slot).copied(), Some(key), "analysis slot {slot}");
    }
    // The pitch group alone (what analyze() passes) fills the pitch slots.
    assert_eq!(pitch.len(), analysis::ATTACK_MS);

    let modes = js_object(MAIN, MAIN_FILE, "const CHANNEL_MODES = Object.freeze({");
    let want = [
        ("mix", CHANNELS_MIX),
        ("select", CHANNELS_SELECT),
        ("all", CHANNELS_ALL),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    assert_eq!(modes, want, "CHANNEL_MODES in {MAIN_FILE}");

    assert_eq!(
        const_in(MAIN, MAIN_FILE, "DEFAULT_BATCH_SIZE"),
        DEFAULT_BATCH_SIZE as u64
    );
    assert_eq!(
        const_in(MAIN, MAIN_FILE, "DEFAULT_POOL_SIZE"),
        DEFAULT_POOL_SIZE as u64
    );
}

#[test]
fn main_thread_constants_mirror_the_header() {
    use pitchtap::dsp::header::{flags, BatchHeader, HEADER_BYTES, MAGIC};
    let file = MAIN_FILE;
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
    let got = js_object(MAIN, file, "export const FLAGS = Object.freeze({");
    assert_eq!(got.len(), expected.len(), "FLAGS in {file}: {got:?}");
    for (key, value) in expected {
        assert!(
            got.contains(&(key.to_string(), value.to_string())),
            "FLAGS.{key} should be {value}: {got:?}"
        );
    }
    // Every header offset the main thread reads, by name.
    assert_mirrors(
        MAIN,
        file,
        "H_",
        &[
            ("H_MAGIC", offset::MAGIC as f64),
            ("H_START_FRAME", offset::START_FRAME as f64),
            ("H_SAMPLE_RATE", offset::SAMPLE_RATE as f64),
            ("H_FRAMES", offset::FRAMES as f64),
            ("H_SLOT", offset::SLOT as f64),
            ("H_LEASE", offset::LEASE as f64),
            ("H_EPOCH", offset::EPOCH as f64),
        ],
    );
    // … and the fields are where the main thread looks: write a header of distinct values and
    // read them back there.
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
    assert_eq!(u32_at(at("H_MAGIC")), MAGIC);
    assert_eq!(u32_at(at("H_FRAMES")), h.frames);
    assert_eq!(u32_at(at("H_SLOT")), h.slot);
    assert_eq!(u32_at(at("H_LEASE")), h.lease);
    assert_eq!(u32_at(at("H_EPOCH")), h.epoch);
    assert_eq!(f64_at(at("H_START_FRAME")), h.start_frame);
    assert_eq!(f64_at(at("H_SAMPLE_RATE")), h.sample_rate);
}

#[test]
fn main_thread_constants_mirror_the_report() {
    let file = MAIN_FILE;
    let idx = |i: usize| i as f64;
    assert_mirrors(
        MAIN,
        file,
        "R_",
        &[
            ("R_SEQ", idx(report::R_SEQ)),
            ("R_START_FRAME", idx(report::R_START_FRAME)),
            ("R_SAMPLE_RATE", idx(report::R_SAMPLE_RATE)),
            ("R_FLAGS", idx(report::R_FLAGS)),
            ("R_FRAMES", idx(report::R_FRAMES)),
            ("R_CHANNELS", idx(report::R_CHANNELS)),
            ("R_DROPPED_BEFORE", idx(report::R_DROPPED_BEFORE)),
            ("R_POOL_SIZE", idx(report::R_POOL_SIZE)),
            ("R_IN_FLIGHT", idx(report::R_IN_FLIGHT)),
            ("R_ANALYZED", idx(report::R_ANALYZED)),
            ("R_RMS", idx(report::R_RMS)),
            ("R_PEAK", idx(report::R_PEAK)),
            ("R_DB", idx(report::R_DB)),
            ("R_SMOOTHED_DB", idx(report::R_SMOOTHED_DB)),
            ("R_ESTIMATES", idx(report::R_ESTIMATES)),
        ],
    );
    assert_mirrors(
        MAIN,
        file,
        "E_",
        &[
            ("E_FRAME", idx(report::E_FRAME)),
            ("E_FREQUENCY", idx(report::E_FREQUENCY)),
            ("E_CLARITY", idx(report::E_CLARITY)),
            ("E_MIDI", idx(report::E_MIDI)),
            ("E_CENTS", idx(report::E_CENTS)),
            ("E_DB", idx(report::E_DB)),
            ("E_KIND", idx(report::E_KIND)),
        ],
    );
    assert_mirrors(
        MAIN,
        file,
        "KIND_",
        &[
            ("KIND_HOP", report::KIND_HOP),
            ("KIND_EARLY", report::KIND_EARLY),
        ],
    );
    assert_mirrors(
        MAIN,
        file,
        "S_",
        &[
            ("S_MALFORMED", f64::from(report::S_MALFORMED)),
            ("S_BATCH", f64::from(report::S_BATCH)),
            ("S_REPORT_MOVED", f64::from(report::S_REPORT_MOVED)),
        ],
    );
    assert_mirrors(
        MAIN,
        file,
        "A_",
        &[
            ("A_TIME", idx(report::A_TIME)),
            ("A_FREQUENCY", idx(report::A_FREQUENCY)),
            ("A_CLARITY", idx(report::A_CLARITY)),
            ("A_MIDI", idx(report::A_MIDI)),
            ("A_CENTS", idx(report::A_CENTS)),
            ("A_DB", idx(report::A_DB)),
        ],
    );
    for (name, value) in [
        ("REPORT_HEAD", report::REPORT_HEAD),
        ("REPORT_ESTIMATE_FIELDS", report::REPORT_ESTIMATE_FIELDS),
        ("ANALYZE_FIELDS", report::ANALYZE_FIELDS),
    ] {
        assert_eq!(const_in(MAIN, file, name), value as u64, "{name}");
    }
}

#[test]
fn main_thread_low_latency_preset_mirrors_the_core() {
    use pitchtap::dsp::pitch::{LOW_LATENCY_MIN_FREQUENCY, LOW_LATENCY_WINDOW_SECONDS};
    let number = |name: &str| -> f64 {
        let text = const_text(MAIN, MAIN_FILE, name);
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

/// constants.js builds `NOTE_NAMES` as `NAMES[m % 12] + (Math.floor(m / 12) - 1)`; the same
/// from its list of twelve names must give the core's name of every MIDI note.
#[test]
fn main_thread_note_names_mirror_the_core() {
    use pitchtap::dsp::pitch::note_name;
    let start = MAIN
        .find("export const NOTE_NAMES = ")
        .expect("NOTE_NAMES in main/constants.js");
    let text = &MAIN[start..];
    let list = &text[text.find('[').unwrap() + 1..text.find(']').unwrap()];
    let names: Vec<&str> = list
        .split(',')
        .map(|n| n.trim().trim_matches('\''))
        .collect();
    assert_eq!(names.len(), 12, "{names:?}");
    // Whitespace-insensitive: Prettier decides where the expression breaks.
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains("[m%12]+(Math.floor(m/12)-1)"),
        "NOTE_NAMES is built another way now: update this test"
    );
    for m in 0..128 {
        let js = format!("{}{}", names[m as usize % 12], m / 12 - 1);
        assert_eq!(js, note_name(m), "MIDI {m}");
    }
}

/// The checks above read `js/main/constants.js` only: a mirrored name declared in another
/// module of the main thread (or in the entry) would escape them.
#[test]
fn main_thread_mirrors_live_in_constants_js() {
    let js = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    let mut files = vec![js.join("pitchtap.js")];
    for entry in std::fs::read_dir(js.join("main")).expect("js/main/") {
        let path = entry.expect("an entry of js/main/").path();
        if path.extension().is_some_and(|e| e == "js") && !path.ends_with("constants.js") {
            files.push(path);
        }
    }
    assert!(files.len() > 2, "{files:?}");
    for path in files {
        let src = std::fs::read_to_string(&path).expect("a JS file");
        for prefix in ["H_", "R_", "E_", "S_", "A_", "KIND_", "REPORT_", "DEFAULT_"] {
            assert!(
                !src.contains(&format!("const {prefix}")),
                "{}: declares a `{prefix}*` constant; mirrored values go in js/main/constants.js",
                path.display()
            );
        }
        for name in [
            "HEADER_BYTES",
            "MAGIC",
            "FLAGS",
            "NOTE_NAMES",
            "ANALYZE_FIELDS",
            "CHANNEL_MODES",
            "TAP_OPTION_KEYS",
            "PITCH_KEYS",
            "VOLUME_KEYS",
            "LOW_LATENCY_WINDOW_SECONDS",
            "LOW_LATENCY_MIN_FREQUENCY",
        ] {
            assert!(
                !src.contains(&format!("const {name} ")),
                "{}: declares {name}, which js/main/constants.js holds",
                path.display()
            );
        }
    }
}
