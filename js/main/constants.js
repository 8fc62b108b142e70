// Every value the main thread mirrors from the Rust core, and only those: batch header
// layout, the report MainTap writes per batch, analyze()'s rows, option slots and the
// defaults the core also knows. tests/js_mirrors.rs reads this file as text and checks each
// name against its Rust twin, both ways (a name here with a mirrored prefix — `H_`, `R_`,
// `E_`, `KIND_`, `S_`, `A_` — must have a twin, and every twin a name here), so a constant
// is declared whole even where the code reads only some of it.

/** Bytes before the samples in every batch buffer. Mirrors HEADER_BYTES in src/dsp/header.rs. */
export const HEADER_BYTES = 96;

/** Header flag bits. Mirrors `flags` in src/dsp/header.rs. */
export const FLAGS = Object.freeze({
  PARTIAL: 1,
  FLUSHED: 2,
  GAP: 4,
  LATENCY: 8,
  DISCONTINUITY: 16,
  END: 32,
  ONSET: 64,
});

/** The first four bytes of every batch, 'PTAP', as a little-endian u32 (header.rs MAGIC). */
export const MAGIC = 0x50415450;
// Header offsets read on the main thread (mirror `offset` in src/dsp/header.rs).
export const H_MAGIC = 0;
export const H_START_FRAME = 8;
export const H_SAMPLE_RATE = 32;
export const H_FRAMES = 48;
export const H_SLOT = 56;
export const H_LEASE = 60;
export const H_EPOCH = 88;

// The report MainTap.receiveBatch writes for every batch (a Float64Array over wasm memory,
// read without calling into wasm): header fields and volume (R_*), then
// REPORT_ESTIMATE_FIELDS per estimate (E_*); receiveBatch returns S_*. Mirrors
// src/dsp/report.rs.
export const R_SEQ = 0;
export const R_START_FRAME = 1;
export const R_SAMPLE_RATE = 2;
export const R_FLAGS = 3;
export const R_FRAMES = 4;
export const R_CHANNELS = 5;
export const R_DROPPED_BEFORE = 6;
export const R_POOL_SIZE = 7;
export const R_IN_FLIGHT = 8;
export const R_ANALYZED = 9;
export const R_RMS = 10;
export const R_PEAK = 11;
export const R_DB = 12;
export const R_SMOOTHED_DB = 13;
export const R_ESTIMATES = 14;
export const REPORT_HEAD = 16;
export const REPORT_ESTIMATE_FIELDS = 7;
export const E_FRAME = 0;
export const E_FREQUENCY = 1;
export const E_CLARITY = 2;
export const E_MIDI = 3;
export const E_CENTS = 4;
export const E_DB = 5;
export const E_KIND = 6;
export const KIND_HOP = 0;
export const KIND_EARLY = 1;
export const S_MALFORMED = 0;
export const S_BATCH = 1;
export const S_REPORT_MOVED = 2;

// Numbers per estimate from PitchAnalysis.push, and where each is. Mirrors ANALYZE_FIELDS and
// A_* in src/dsp/report.rs.
export const ANALYZE_FIELDS = 6;
export const A_TIME = 0;
export const A_FREQUENCY = 1;
export const A_CLARITY = 2;
export const A_MIDI = 3;
export const A_CENTS = 4;
export const A_DB = 5;

/** Note names by MIDI number, sharps only. Mirrors NOTE_NAMES in src/dsp/pitch/note.rs. */
export const NOTE_NAMES = Object.freeze(
  Array.from(
    { length: 128 },
    (_, m) =>
      ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'][m % 12] +
      (Math.floor(m / 12) - 1),
  ),
);

// Mirrors CHANNELS_* in src/dsp/options.rs.
export const CHANNEL_MODES = Object.freeze({ mix: 0, select: 1, all: 2 });
// The transport's options as checkTapOptions and offlinePoolSize take them: an array in this
// order (mirrors `tap` slots in src/dsp/options.rs; js/worklet/processor.js has the same list).
export const TAP_OPTION_KEYS = [
  'batchSize',
  'poolSize',
  'maxPoolSize',
  'channelMode',
  'channelArg',
  'maxLatencyMs',
  'renderFrames',
];
// Analyzer options; their defaults and ranges live in the Rust core (src/dsp/pitch/config.rs,
// meter.rs). MainTap and PitchAnalysis take them as an array in this order, pitch then
// volume, a hole for an option not given (mirrors `analysis` slots in src/dsp/options.rs).
export const PITCH_KEYS = [
  'minFrequency',
  'maxFrequency',
  'windowSize',
  'hopSize',
  'clarityThreshold',
  'minDb',
  'a4',
];
export const VOLUME_KEYS = ['attackMs', 'releaseMs'];

// Defaults of the transport's options JS fills in (mirror DEFAULT_BATCH_SIZE and
// DEFAULT_POOL_SIZE in src/dsp/config.rs).
export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_POOL_SIZE = 16;
// The latency: 'low' preset (mirror LOW_LATENCY_* in src/dsp/pitch/config.rs).
export const LOW_LATENCY_WINDOW_SECONDS = 0.02125;
export const LOW_LATENCY_MIN_FREQUENCY = 100;
