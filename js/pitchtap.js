// pitchtap main-thread API. Published as the package entry (pkg/index.js).
//
//   const tap = await PitchTap.create(context, { batchSize: 1024 });
//   source.connect(tap.node);
//   tap.addEventListener('batch', (e) => use(e.detail.samples));
//
// What allocates (see docs/api.md): create(), configure(), flush(), close() and stats()
// allocate; receiving a batch allocates nothing of pitchtap's own beyond the MessageEvent
// the browser makes, except for the events you listen to (one CustomEvent, its detail, a
// Float32Array view, and the moved ArrayBuffer with its Uint8Array per `batch` event; one
// CustomEvent per `gap` event).

import init, {
  MainTap,
  PitchAnalysis,
  checkTapOptions,
  offlinePoolSize,
  takePanicMessage,
} from './pitchtap_wasm.js';

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

// Mirrors CHANNELS_* in src/dsp/options.rs.
const CHANNEL_MODES = Object.freeze({ mix: 0, select: 1, all: 2 });
// The transport's options as checkTapOptions and offlinePoolSize take them: an array in this
// order (mirrors `tap` slots in src/dsp/options.rs; js/worklet/processor.js has the same list).
const TAP_OPTION_KEYS = [
  'batchSize',
  'poolSize',
  'maxPoolSize',
  'channelMode',
  'channelArg',
  'maxLatencyMs',
  'renderFrames',
];

// batchSize and poolSize mirror DEFAULT_BATCH_SIZE and DEFAULT_POOL_SIZE in src/dsp/config.rs.
const DEFAULTS = Object.freeze({
  batchSize: 1024,
  poolSize: 16,
  maxPoolSize: undefined,
  channels: 'mix',
  channelCount: 2,
  maxLatencyMs: undefined,
  pitch: undefined,
  volume: undefined,
  latency: 'default',
});
// Analyzer options; their defaults and ranges live in the Rust core (src/dsp/pitch/config.rs,
// meter.rs).
// MainTap and PitchAnalysis take them as an array in this order, pitch then volume, a hole
// for an option not given (mirrors `analysis` slots in src/dsp/options.rs).
const PITCH_KEYS = [
  'minFrequency',
  'maxFrequency',
  'windowSize',
  'hopSize',
  'clarityThreshold',
  'minDb',
  'a4',
];
const VOLUME_KEYS = ['attackMs', 'releaseMs'];

/** Note names by MIDI number, sharps only. Mirrors NOTE_NAMES in src/dsp/pitch/note.rs. */
export const NOTE_NAMES = Object.freeze(
  Array.from(
    { length: 128 },
    (_, m) =>
      ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'][m % 12] +
      (Math.floor(m / 12) - 1),
  ),
);

// Numbers per estimate from PitchAnalysis.push, and where each is. Mirrors ANALYZE_FIELDS and
// A_* in src/dsp/report.rs.
const ANALYZE_FIELDS = 6;
const A_TIME = 0;
const A_FREQUENCY = 1;
const A_CLARITY = 2;
const A_MIDI = 3;
const A_CENTS = 4;
const A_DB = 5;
/** analyze() yields to the page once it has worked this long (ms) without a break. */
const ANALYZE_SLICE_MS = 20;

// The report MainTap.receiveBatch writes for every batch (a Float64Array over wasm memory,
// read without calling into wasm): header fields and volume (R_*), then
// REPORT_ESTIMATE_FIELDS per estimate (E_*); receiveBatch returns S_*. Mirrors
// src/dsp/report.rs.
const R_SEQ = 0;
const R_START_FRAME = 1;
const R_SAMPLE_RATE = 2;
const R_FLAGS = 3;
const R_FRAMES = 4;
const R_CHANNELS = 5;
const R_DROPPED_BEFORE = 6;
const R_POOL_SIZE = 7;
const R_IN_FLIGHT = 8;
const R_ANALYZED = 9;
const R_RMS = 10;
const R_PEAK = 11;
const R_DB = 12;
const R_SMOOTHED_DB = 13;
const R_ESTIMATES = 14;
const REPORT_HEAD = 16;
const REPORT_ESTIMATE_FIELDS = 7;
const E_FRAME = 0;
const E_FREQUENCY = 1;
const E_CLARITY = 2;
const E_MIDI = 3;
const E_CENTS = 4;
const E_DB = 5;
const E_KIND = 6;
const KIND_HOP = 0;
const KIND_EARLY = 1;
const S_MALFORMED = 0;
const S_BATCH = 1;
const S_REPORT_MOVED = 2;

/** Batches over which stats() gives batch age and analysis time percentiles. */
const METRIC_WINDOW = 256;
/** Receipt times kept for messagesPerSecond: enough for batchSize 128 at 192 kHz. */
const RATE_WINDOW = 2048;
// Most buffers returned to the worklet in one message (see PitchTap._giveBack); never more
// than a quarter of the pool.
const RETURN_GROUP = 4;
// Longest close() waits for the last batches of a finished offline render.
const OFFLINE_END_WAIT_MS = 2000;
// How often the tracks of attached MediaStream sources are looked at (track.stop() fires no
// `ended` event, and a stopped track may leave the node without input, so without batches).
const TRACK_POLL_MS = 100;
// Longest a flush(), sync(), configure() or close() waits for the worklet's answer. It answers
// in milliseconds whenever its thread runs; past this its context is gone or its thread stuck.
const REQUEST_TIMEOUT_MS = 10_000;
// Header offsets read on the main thread (mirror src/dsp/header.rs; tests/js_mirrors.rs).
// The latency: 'low' preset (mirror src/dsp/pitch/config.rs LOW_LATENCY_*; tests/js_mirrors.rs).
const LOW_LATENCY_WINDOW_SECONDS = 0.02125;
const LOW_LATENCY_MIN_FREQUENCY = 100;
const H_MAGIC = 0;
const H_START_FRAME = 8;
const H_SAMPLE_RATE = 32;
const H_FRAMES = 48;
const H_SLOT = 56;
const H_LEASE = 60;
const H_EPOCH = 88;
/** The first four bytes of every batch, 'PTAP', as a little-endian u32 (header.rs MAGIC). */
const MAGIC = 0x50415450;

/**
 * The test hook that makes the Rust core panic (fault tests only): `tap[DEBUG_PANIC](side)`.
 * A symbol, so that it cannot be called by accident and is not part of the typed API.
 */
export const DEBUG_PANIC = Symbol.for('pitchtap.debugPanic');
/** Test hook: `PitchTap[DEBUG_WASM_BYTES]()` is the main-thread wasm memory's size in bytes. */
export const DEBUG_WASM_BYTES = Symbol.for('pitchtap.wasmBytes');

/** A u32 read little-endian from a byte array, without allocating. */
function u32(b, at) {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** 128 random bits as hex: the token control messages carry (see processor.js, isControl). */
function newToken() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The latest `n` values of a metric, kept without allocating, with percentiles computed
 * on demand (stats()) in a preallocated scratch array.
 */
class Window {
  constructor(n) {
    this.values = new Float64Array(n);
    this.scratch = new Float64Array(n);
    this.count = 0;
    this.next = 0;
    this.last = NaN;
  }

  push(v) {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
    this.last = v;
  }

  /** `{ last, p50, p99 }` (NaN before the first value). Allocates the result. */
  summary() {
    const n = this.count;
    if (n === 0) return { last: NaN, p50: NaN, p99: NaN };
    const s = this.scratch;
    s.set(this.values);
    if (n < s.length) s.fill(Infinity, n); // unused slots sort last
    s.sort();
    const at = (q) => s[Math.min(n - 1, Math.floor(q * (n - 1) + 0.5))];
    return { last: this.last, p50: at(0.5), p99: at(0.99) };
  }

  /** Values above `since` (for times: receipts in the last second). */
  countAbove(since) {
    let k = 0;
    const v = this.values;
    for (let i = 0; i < this.count; i++) if (v[i] > since) k++;
    return k;
  }
}

/** Checks an analyzer option group: an object of numbers with known keys. */
function groupOptions(name, value, keys) {
  if (value === undefined || value === null || value === true) return {};
  if (typeof value !== 'object')
    throw new TypeError(
      `pitchtap: ${name} must be an object${name === 'pitch' ? ' or false' : ''}`,
    );
  for (const k of Object.keys(value)) {
    if (!keys.includes(k))
      throw new TypeError(`pitchtap: unknown option "${name}.${k}" (allowed: ${keys.join(', ')})`);
    if (value[k] !== undefined && typeof value[k] !== 'number') {
      throw new TypeError(`pitchtap: ${name}.${k} must be a number (got ${typeof value[k]})`);
    }
  }
  return value;
}

const WASM_URL = new URL('./pitchtap_wasm_bg.wasm', import.meta.url);
const WORKLET_URL = new URL('./worklet.js', import.meta.url);

let wasmModule = null; // Promise<WebAssembly.Module>, one per page
let wasmExports = null; // the main-thread instance's raw exports (see _receiveFailed)
const workletLoaded = new WeakMap(); // BaseAudioContext → Promise<void>
const CREATE = Symbol('PitchTap.create');

/**
 * Where the main-thread instance's shadow stack pointer stands, to be put back after a trap.
 * A Rust panic traps (panic = "abort"): the frames it ends never run their epilogues, so the
 * linear-memory stack they took stays taken. Without putting the pointer back, every panic
 * leaked ~600 bytes of the 1 MiB stack and the instance ran out of stack after ~1700 panics
 * (faults.test.mjs). `__stack_pointer` is exported by the linker (.cargo/config.toml).
 */
function stackMark() {
  return wasmExports?.__stack_pointer?.value ?? -1;
}
function stackRestore(mark) {
  if (mark >= 0) wasmExports.__stack_pointer.value = mark;
}

/**
 * Frees a wasm-bindgen object, also one a trap left behind. A trap ends a method before
 * wasm-bindgen drops the reference it takes for the call, so the object then has two owners:
 * `free()` drops one and throws (its "ownership" error), and a second free of the same
 * pointer (the raw export `freeExport`) drops the last and frees it. Without this every
 * main-thread panic leaked its receiver; faults.test.mjs checks memory stays flat.
 */
function release(obj, freeExport) {
  const ptr = obj.__wbg_ptr;
  try {
    obj.free();
  } catch {
    try {
      if (ptr) wasmExports[freeExport](ptr, 0);
    } catch {
      /* leave it */
    }
  }
}

/** TypeError unless `context` is a BaseAudioContext; `where` prefixes the message. */
function checkContext(context, where) {
  if (typeof BaseAudioContext === 'undefined' || !(context instanceof BaseAudioContext)) {
    throw new TypeError(`pitchtap: ${where}context must be an AudioContext or OfflineAudioContext`);
  }
}

/** What create() and preload() reject with for a closed context. */
function closedContext() {
  return new DOMException('pitchtap: the AudioContext is closed', 'InvalidStateError');
}

/** Compiles the wasm once per page and instantiates it on the main thread. */
function loadWasm() {
  if (wasmModule === null) {
    wasmModule = (async () => {
      // Browsers without compileStreaming (Safari before 15) take the fallback too.
      const streaming =
        typeof WebAssembly.compileStreaming === 'function'
          ? WebAssembly.compileStreaming(fetch(WASM_URL))
          : Promise.reject(new Error('no WebAssembly.compileStreaming'));
      const module = await streaming.catch(async () => {
        // A server that does not say application/wasm: compile from bytes.
        const res = await fetch(WASM_URL);
        if (!res.ok) throw new Error(`pitchtap: could not load ${WASM_URL} (${res.status})`);
        return WebAssembly.compile(await res.arrayBuffer());
      });
      wasmExports = await init({ module_or_path: module });
      return module;
    })();
    wasmModule.catch(() => {
      wasmModule = null;
    }); // let a later create() retry
  }
  return wasmModule;
}

function loadWorklet(context) {
  let p = workletLoaded.get(context);
  if (!p) {
    p = context.audioWorklet.addModule(WORKLET_URL);
    workletLoaded.set(context, p);
    p.catch(() => workletLoaded.delete(context));
  }
  return p;
}

/** The same bytes in a new ArrayBuffer; the old one is detached (a transfer, no copy). */
function moveBuffer(buf) {
  return typeof buf.transfer === 'function'
    ? buf.transfer()
    : structuredClone(buf, { transfer: [buf] });
}

/** 2 for a capture registration (`true` or `{ capture: true }`), 1 otherwise. */
function phaseBit(opts) {
  return (typeof opts === 'boolean' ? opts : Boolean(opts && opts.capture)) ? 2 : 1;
}

function isOffline(context) {
  return typeof OfflineAudioContext !== 'undefined' && context instanceof OfflineAudioContext;
}

/** The main-thread wasm half of a tap: receives batches and runs the analyzers. */
function newReceiver(sampleRate, o) {
  const v = o.volume;
  // latency: 'low' changes two pitch defaults (given options win): a window of about 21 ms
  // (1024 samples at 44.1/48 kHz, half the default) and a lowest pitch of 100 Hz, so that
  // two periods fit it. Its early window is then 512 samples (docs/tuning.md).
  const p =
    o.latency === 'low'
      ? {
          minFrequency: LOW_LATENCY_MIN_FREQUENCY,
          windowSize: 2 ** Math.ceil(Math.log2(LOW_LATENCY_WINDOW_SECONDS * sampleRate)),
          ...o.pitch,
        }
      : o.pitch;
  return new MainTap(
    HEADER_BYTES + 4 * o.batchSize * (o.channelMode === CHANNEL_MODES.all ? o.channelArg : 1),
    sampleRate,
    o.pitchEnabled,
    PITCH_KEYS.map((k) => p[k]).concat(VOLUME_KEYS.map((k) => v[k])),
  );
}

/** The transport's options `o` as an array for the wasm (TAP_OPTION_KEYS). */
function tapOptions(o) {
  return TAP_OPTION_KEYS.map((k) => o[k]);
}

/**
 * Checks option types (TypeError naming the option) and fills in defaults. Ranges are
 * checked by the wasm core (RangeError), the single source of truth for them.
 */
function normalizeOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') {
    throw new TypeError('pitchtap: options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS)) {
      throw new TypeError(
        `pitchtap: unknown option "${key}" (allowed: ${Object.keys(DEFAULTS).join(', ')})`,
      );
    }
  }
  const o = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  for (const k of ['batchSize', 'poolSize', 'maxPoolSize', 'channelCount']) {
    if (o[k] !== undefined && typeof o[k] !== 'number') {
      throw new TypeError(`pitchtap: ${k} must be a number (got ${typeof o[k]})`);
    }
  }
  if (!Number.isInteger(o.channelCount) || o.channelCount < 1 || o.channelCount > 32) {
    throw new RangeError(
      `pitchtap: channelCount must be an integer from 1 to 32 (got ${o.channelCount})`,
    );
  }
  // Neither pool option given: on an OfflineAudioContext the pool is sized to the render.
  o.poolSizeAuto = options.poolSize === undefined && options.maxPoolSize === undefined;
  if (o.maxPoolSize === undefined) o.maxPoolSize = o.poolSize;
  if (o.maxLatencyMs === undefined || o.maxLatencyMs === null || o.maxLatencyMs === false) {
    o.maxLatencyMs = -1; // off
  } else if (typeof o.maxLatencyMs !== 'number') {
    throw new TypeError(
      'pitchtap: maxLatencyMs must be a number of milliseconds or null ' +
        `(got ${typeof o.maxLatencyMs})`,
    );
  } else if (o.maxLatencyMs <= 0) {
    // Negative numbers mean "off" inside the core; from users they are an error.
    throw new RangeError(
      'pitchtap: maxLatencyMs must be a number of milliseconds above 0 and at most ' +
        `60000 (got ${o.maxLatencyMs})`,
    );
  }
  if (o.latency !== 'default' && o.latency !== 'low') {
    throw new TypeError(`pitchtap: latency must be 'default' or 'low' (got ${String(o.latency)})`);
  }
  o.pitchEnabled = o.pitch !== false;
  o.pitch = o.pitch === false ? {} : groupOptions('pitch', o.pitch, PITCH_KEYS);
  o.volume = groupOptions('volume', o.volume, VOLUME_KEYS);
  if (o.channels === 'mix') {
    o.channelMode = CHANNEL_MODES.mix;
    o.channelArg = 0;
  } else if (o.channels === 'all') {
    o.channelMode = CHANNEL_MODES.all;
    o.channelArg = o.channelCount;
  } else if (typeof o.channels === 'number') {
    o.channelMode = CHANNEL_MODES.select;
    o.channelArg = o.channels;
  } else {
    throw new TypeError(
      "pitchtap: channels must be 'mix', 'all' or a channel index from 0 to 31 " +
        `(got ${String(o.channels)})`,
    );
  }
  return o;
}

/**
 * A tap on the audio graph: connect a source to `tap.node`, listen for `batch` events.
 * Create with `await PitchTap.create(context, options)`.
 */
export class PitchTap extends EventTarget {
  /**
   * Loads the worklet module and the wasm (once per context / page), creates the
   * AudioWorkletNode and waits until its wasm is running.
   * Throws TypeError / RangeError for bad options (before anything is created) and
   * rejects with InvalidStateError for a closed context.
   */
  /** Test hook (see DEBUG_WASM_BYTES): the main-thread wasm memory's size, 0 before create(). */
  static [DEBUG_WASM_BYTES]() {
    return wasmExports ? wasmExports.memory.buffer.byteLength : 0;
  }

  /**
   * Does ahead of time what the first `create()` would: compiles and instantiates the wasm
   * (once per page) and, given a context, loads the worklet module into it (once per
   * context). Call it at page load, before the user's click; `create()` then takes only the
   * warm time. Calling it again is free; a failure rejects and a later call retries.
   */
  static async preload(context) {
    if (context !== undefined) {
      checkContext(context, 'preload(context): ');
      if (context.state === 'closed') throw closedContext();
    }
    await loadWasm();
    if (context !== undefined) await loadWorklet(context);
  }

  static async create(context, options) {
    checkContext(context, '');
    const o = normalizeOptions(options);
    if (context.state === 'closed') throw closedContext();
    const module = await loadWasm();
    // An OfflineAudioContext renders faster than real time and cannot always be paced
    // (Firefox has no OfflineAudioContext.suspend): unless the caller sized the pool, it
    // may grow to hold the whole render (docs/architecture.md, "Offline rendering").
    o.renderFrames = isOffline(context) ? context.length : 0;
    o.token = newToken();
    if (o.renderFrames > 0 && o.poolSizeAuto) {
      o.maxPoolSize = offlinePoolSize(context.sampleRate, tapOptions(o));
      o.poolSize = Math.min(o.poolSize, o.maxPoolSize);
    }
    checkTapOptions(context.sampleRate, tapOptions(o));
    // Analyzer options are checked here too (RangeError), before any node exists.
    const rx = newReceiver(context.sampleRate, o);
    try {
      await loadWorklet(context);
    } catch (e) {
      rx.free();
      throw e;
    }
    if (context.state === 'closed') {
      rx.free();
      throw closedContext();
    }
    const all = o.channelMode === CHANNEL_MODES.all;
    const node = new AudioWorkletNode(context, 'pitchtap', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      // 'all' lets Web Audio up/down-mix to exactly channelCount; otherwise every input
      // channel arrives and the core mixes or selects.
      channelCount: all ? o.channelArg : 2,
      channelCountMode: all ? 'explicit' : 'max',
      channelInterpretation: 'speakers',
      processorOptions: {
        module,
        batchSize: o.batchSize,
        poolSize: o.poolSize,
        maxPoolSize: o.maxPoolSize,
        channelMode: o.channelMode,
        channelArg: o.channelArg,
        maxLatencyMs: o.maxLatencyMs,
        renderFrames: o.renderFrames,
        token: o.token,
        // Post a batch early at a sound's onset once half an early pitch window of it is
        // in (live only: an offline render delivers everything at once anyway).
        onsetFrames: o.renderFrames ? 0 : rx.earlyWindowSize / 2,
      },
    });
    const tap = new PitchTap(CREATE, context, node, o, rx);
    try {
      await tap._ready;
    } catch (e) {
      tap._teardown();
      throw e;
    }
    return tap;
  }

  /** @private use PitchTap.create() */
  constructor(token, context, node, options, rx) {
    super();
    if (token !== CREATE)
      throw new TypeError('pitchtap: use `await PitchTap.create(context, options)`');
    this.context = context;
    this.node = node;
    this._options = options;
    this._rx = rx;
    this._report = null; // rx.report(), re-taken when it moves or wasm memory grows
    this._input = null; // rx.inputView(), re-taken when too short or wasm memory grew
    this._transfer = [null]; // reused transfer list for returning one buffer
    // Buffers kept for one grouped return (see _giveBack), and its transfer list; reused.
    this._held = [];
    this._heldTransfer = [];
    this._listeners = { batch: new Map(), pitch: new Map(), volume: new Map() };
    /**
     * The most recent results, for code that polls (e.g. from requestAnimationFrame).
     * These two objects are reused: their fields are overwritten in place as batches
     * arrive, so copy what you want to keep.
     */
    this.latest = {
      pitch: {
        time: 0,
        frequency: 0,
        clarity: 0,
        voiced: false,
        midi: 0,
        note: '',
        cents: 0,
        early: false,
      },
      volume: { time: 0, rms: 0, peak: 0, db: -120, smoothedDb: -120 },
    };
    // Scratch for estimates older than `latest.pitch` (see _results).
    this._olderPitch = { ...this.latest.pitch };
    this._closed = false;
    this._closing = null;
    this._finalStats = null;
    // The END batch of an offline render was dispatched: nothing more will come.
    this._ended = false;
    this._onEnded = null;
    this._dead = null; // why the worklet cannot answer any more (context closed, tap off)
    this._reportedPending = 0; // of the worklet's current run of drops, frames reported already
    this._heldIds = []; // slot, lease, epoch of each buffer in _held
    this._nextId = 1;
    this._pending = new Map(); // id → {resolve, reject}
    this._worklet = null; // latest stats from a control reply
    this._errors = 0;
    this._panics = 0;
    this._lostMain = 0; // frames of batches a main-thread panic kept from being delivered
    this._messages = 0; // kept here, not in wasm, so that they survive a main-thread panic
    this._samples = 0;
    this._age = new Window(METRIC_WINDOW);
    this._analysis = new Window(METRIC_WINDOW);
    this._receipts = new Window(RATE_WINDOW);
    this._sampleRate = context.sampleRate;
    this._sourcesEnded = 0;
    this._sources = new Set(); // nodes attach() connected, disconnected by close()
    this._tracks = []; // { track, source, ended, onEnded } of attached MediaStream sources
    this._trackTimer = null; // looks at _tracks while one of them is live
    this._ready = new Promise((resolve, reject) => {
      this._readyHooks = { resolve, reject };
    });
    // Only the browser's own message events (page code can call port.onmessage itself).
    this._onMessage = (e) => {
      if (e.isTrusted === true) this._receive(e.data);
    };
    node.port.onmessage = this._onMessage;
    if (!isOffline(context)) {
      // A closed AudioContext takes its worklet with it: nothing pending will be answered.
      this._onState = () => {
        if (context.state === 'closed')
          this._fail('the AudioContext was closed', 'InvalidStateError');
      };
      context.addEventListener('statechange', this._onState);
    }
  }

  /** The worklet will answer no more: every pending call and every later one rejects. */
  _fail(why, name) {
    if (this._dead === null) this._dead = why;
    const err = new DOMException(`pitchtap: ${why}`, name);
    for (const p of this._pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this._pending.clear();
    this._readyHooks?.reject(err);
  }

  // Whether anyone listens, per type: listener → registrations (1: bubbling, 2: capture),
  // as EventTarget counts them (the same listener with and without `capture` is two).
  addEventListener(type, listener, opts) {
    const l = this._listeners[type];
    if (listener && l) l.set(listener, (l.get(listener) ?? 0) | phaseBit(opts));
    super.addEventListener(type, listener, opts);
  }

  removeEventListener(type, listener, opts) {
    const l = this._listeners[type];
    if (l && l.has(listener)) {
      const left = l.get(listener) & ~phaseBit(opts);
      if (left === 0) l.delete(listener);
      else l.set(listener, left);
    }
    super.removeEventListener(type, listener, opts);
  }

  _receive(d) {
    if (d instanceof Uint8Array) {
      this._onBatch(d);
      return;
    }
    this._onControl(d);
  }

  // The hot path: one call per batch.
  _onBatch(d) {
    if (this._closed) return;
    const rx = this._rx;
    const t0 = performance.now();
    const stack = stackMark();
    let status;
    try {
      // Copy the buffer into wasm memory here, through a view taken once: no call from
      // wasm back into JS per batch.
      const len = d.byteLength;
      let input = this._input;
      if (input === null || input.length === 0 || input.length < len)
        input = this._input = rx.inputView(len);
      input.set(d);
      status = rx.receiveBatch(len);
    } catch (e) {
      this._receiveFailed(e, d, stack);
      this._giveBack(d); // the buffer is intact: back to the pool
      return;
    }
    if (status === S_MALFORMED) return; // counted, never returned to the pool
    const t1 = performance.now();
    // Who the buffer is, read before any listener sees it: a listener that detaches or
    // scribbles on it must not keep its slot from coming back (see _giveBack).
    const slot = u32(d, H_SLOT);
    const lease = u32(d, H_LEASE);
    const epoch = u32(d, H_EPOCH);
    // The batch's numbers, read from the report (no call into wasm); a new view only when
    // the report moved or wasm memory grew (which detached the old one).
    if (status === S_REPORT_MOVED) this._report = null;
    let r = this._view();
    const frames = r[R_FRAMES];
    const sr = r[R_SAMPLE_RATE];
    const startFrame = r[R_START_FRAME];
    const endTime = (startFrame + frames) / sr; // context time just after the newest sample
    this._messages++;
    this._samples += frames;
    this._analysis.push(t1 - t0);
    this._receipts.push(t1);
    // Age of the newest sample: the context's clock now minus the end of the batch.
    this._age.push((this.context.currentTime - endTime) * 1000);
    const flags = r[R_FLAGS];
    if ((flags & FLAGS.END) !== 0) this._ended = true;
    let free = 0;
    let poolSize = 0;
    let shown = false;
    try {
      if ((flags & FLAGS.GAP) !== 0) {
        const dropped = r[R_DROPPED_BEFORE];
        // Part of this run of drops may have been reported already, at a flush() or sync().
        const unreported = dropped - this._reportedPending;
        this._reportedPending = 0;
        if (unreported > 0) this._gap(unreported, startFrame - unreported, sr);
        r = this._view(); // a listener may have made wasm memory grow
      }
      if (this._listeners.batch.size > 0) {
        shown = true;
        const channels = r[R_CHANNELS];
        this.dispatchEvent(
          new CustomEvent('batch', {
            detail: {
              seq: r[R_SEQ],
              startFrame,
              sampleRate: sr,
              channels,
              frames,
              flags,
              // Valid only during this dispatch: the buffer goes back to the worklet right after.
              samples: new Float32Array(d.buffer, HEADER_BYTES, frames * channels),
            },
          }),
        );
      }
      if (this._closed) return;
      r = this._view(); // a listener may have made wasm memory grow
      poolSize = r[R_POOL_SIZE];
      free = poolSize - r[R_IN_FLIGHT]; // the worklet's free buffers when it posted this one
      if (r[R_ANALYZED] === 1) this._results(r, sr, endTime);
    } catch (e) {
      // Only a replaced dispatchEvent throws here (listeners' exceptions go to the page's
      // error handler): tell, and go on.
      this._errors++;
      this._reportError({
        message: `pitchtap: dispatching an event threw: ${String((e && e.message) || e)}`,
        phase: 'dispatch',
        side: 'main',
        panic: false,
        recovered: true,
        lostFrames: 0,
      });
    } finally {
      if (this._ended && this._onEnded) this._onEnded();
      // A view a `batch` listener kept is detached from here on, every time, not only once
      // its buffer has gone back (the move costs no copy).
      if (shown && !this._closed && d.byteLength > 0) d = new Uint8Array(moveBuffer(d.buffer));
      if (!this._closed) this._giveBack(d, free, poolSize, slot, lease, epoch);
    }
  }

  /**
   * Connects `source` (an AudioNode, or a MediaStream made into one with
   * `createMediaStreamSource`) to `tap.node` and keeps it: `close()` disconnects it, and
   * the audio tracks of a MediaStream source are watched. When one ends (its device went
   * away, its permission was revoked, or page code called `track.stop()`, which fires no
   * `ended` event) the tap dispatches `sourceended` once for it. Returns the source node.
   */
  attach(source) {
    this._assertOpen('attach');
    if (typeof MediaStream === 'function' && source instanceof MediaStream) {
      if (typeof this.context.createMediaStreamSource !== 'function') {
        throw new TypeError(
          'pitchtap: attach(): a MediaStream needs an AudioContext (this context cannot play one)',
        );
      }
      source = this.context.createMediaStreamSource(source);
    }
    if (source === null || typeof source !== 'object' || typeof source.connect !== 'function') {
      throw new TypeError('pitchtap: attach() takes an AudioNode or a MediaStream');
    }
    source.connect(this.node); // throws for a node of another context
    if (this._sources.has(source)) return source;
    this._sources.add(source);
    const stream = source.mediaStream;
    if (stream && typeof stream.getAudioTracks === 'function') {
      for (const track of stream.getAudioTracks()) {
        const t = { track, source, ended: false, onEnded: null };
        t.onEnded = () => this._trackEnded(t);
        track.addEventListener('ended', t.onEnded);
        this._tracks.push(t);
      }
      // Looked at every TRACK_POLL_MS, not per batch: a stopped track may leave the node
      // without input, and then no batch comes. A track that had ended before is said at
      // the first look.
      this._trackTimer ??= setInterval(() => this._pollTracks(), TRACK_POLL_MS);
    }
    return source;
  }

  /** Disconnects a source `attach()` connected and stops watching it; false if it was not. */
  detach(source) {
    if (!this._sources.delete(source)) return false;
    try {
      source.disconnect(this.node);
    } catch {
      /* already disconnected */
    }
    this._tracks = this._tracks.filter((t) => {
      if (t.source !== source) return true;
      t.track.removeEventListener('ended', t.onEnded);
      return false;
    });
    if (this._tracks.length === 0) this._stopTrackTimer();
    return true;
  }

  /** Tracks that ended since the last look (`readyState`: stop() fires no event). */
  _pollTracks() {
    for (const t of this._tracks)
      if (!t.ended && t.track.readyState === 'ended') this._trackEnded(t);
    if (this._tracks.every((t) => t.ended)) this._stopTrackTimer();
  }

  _stopTrackTimer() {
    if (this._trackTimer !== null) {
      clearInterval(this._trackTimer);
      this._trackTimer = null;
    }
  }

  _trackEnded(t) {
    if (t.ended || this._closed) return;
    t.ended = true;
    t.track.removeEventListener('ended', t.onEnded);
    this._sourcesEnded++;
    this._reportEvent('sourceended', {
      source: t.source,
      track: t.track,
      kind: t.track.kind,
      label: t.track.label,
      time: this.context.currentTime,
    });
  }

  /** A `gap` event. */
  _gap(frames, startFrame, sampleRate) {
    this.dispatchEvent(new CustomEvent('gap', { detail: { frames, startFrame, sampleRate } }));
  }

  /** An `error` event; a throwing dispatch (a replaced dispatchEvent) is swallowed. */
  _reportError(detail) {
    this._reportEvent('error', detail);
  }

  /** An event that must not throw into the caller (a replaced dispatchEvent is swallowed). */
  _reportEvent(type, detail) {
    try {
      this.dispatchEvent(new CustomEvent(type, { detail }));
    } catch {
      /* nothing to add */
    }
  }

  /**
   * The receiver's report (see _onBatch), as a view taken once and re-taken only when wasm
   * memory grew, which detaches it (a listener may allocate in wasm, e.g. by creating a tap).
   */
  _view() {
    const r = this._report;
    if (r !== null && r.length !== 0) return r;
    return (this._report = this._rx.report());
  }

  /**
   * Returns a buffer to the worklet, or keeps it to return with the next ones in one
   * message: every message the worklet receives costs it a `MessageEvent` and a task, and
   * its garbage is what the audio thread collects (docs/architecture.md, "Buffers come back
   * four at a time"). At most RETURN_GROUP buffers and a quarter of the pool are kept, and
   * everything kept goes back at once when the worklet had half of its pool or less free at
   * its last post, and before every control message (so that sync(), flush() and close() see
   * a full pool).
   * `free`/`poolSize` omitted: return now.
   */
  _giveBack(d, free = 0, poolSize = 0, slot = -1, lease = 0, epoch = 0) {
    if (this._closed) return;
    // A listener detached the buffer (transferred it away) or wrote over its header: the
    // worklet would refuse it and the slot would stay out for good. It gets a new buffer.
    if (
      slot >= 0 &&
      (d.byteLength === 0 ||
        u32(d, H_MAGIC) !== MAGIC ||
        u32(d, H_SLOT) !== slot ||
        u32(d, H_LEASE) !== lease ||
        u32(d, H_EPOCH) !== epoch)
    ) {
      this._loseBuffer(
        d.byteLength === 0 ? 'detached (transferred) it' : 'changed its header',
        slot,
        lease,
        epoch,
      );
      return;
    }
    const held = this._held;
    held.push(d);
    this._heldIds.push(slot, lease, epoch);
    if (held.length >= Math.min(RETURN_GROUP, Math.floor(poolSize / 4)) || free <= poolSize / 2)
      this._returnHeld();
  }

  /** A buffer that cannot go back: the worklet frees its slot; reported once. */
  _loseBuffer(what, slot, lease, epoch) {
    this._errors++;
    if (slot >= 0) this._control({ type: 'lost', lost: [slot, lease, epoch] });
    this._reportError({
      message:
        `pitchtap: a batch listener ${what}; that buffer was replaced. detail.samples is ` +
        'valid only during the dispatch: copy what you keep (samples.slice())',
      phase: 'return',
      side: 'main',
      panic: false,
      recovered: true,
      lostFrames: 0,
    });
  }

  /** Posts the buffers kept by _giveBack, if any: one alone, several as an array. */
  _returnHeld() {
    const held = this._held;
    const n = held.length;
    if (n === 0 || this._closed) return;
    try {
      if (n === 1) {
        const d = held[0];
        this._transfer[0] = d.buffer;
        this.node.port.postMessage(d, this._transfer);
      } else {
        const transfer = this._heldTransfer;
        for (let i = 0; i < n; i++) transfer[i] = held[i].buffer;
        this.node.port.postMessage(held, transfer);
      }
    } catch {
      // A listener detached a kept buffer after its dispatch (DataCloneError): send the
      // others, give up that one.
      const ids = this._heldIds;
      for (let i = 0; i < n; i++) {
        const d = held[i];
        if (d.byteLength === 0)
          this._loseBuffer(
            'detached (transferred) it after its dispatch',
            ids[3 * i],
            ids[3 * i + 1],
            ids[3 * i + 2],
          );
        else this.node.port.postMessage(d, [d.buffer]);
      }
    } finally {
      this._transfer[0] = null;
      this._heldTransfer.length = 0;
      held.length = 0;
      this._heldIds.length = 0;
    }
  }

  /** Receiving a batch threw: a Rust panic (a wasm trap) or a plain JS exception. */
  _receiveFailed(e, d, stack) {
    const panic = e instanceof WebAssembly.RuntimeError;
    if (panic) stackRestore(stack);
    let msg = '';
    if (panic) {
      try {
        msg = takePanicMessage();
      } catch {
        /* keep the trap's own message */
      }
    }
    if (!msg) msg = String((e && e.message) || e);
    this._errors++;
    // The batch it was reading is not delivered: its frames count as dropped, in a gap.
    let lost = 0;
    let start = NaN;
    let rate = this._sampleRate;
    if (d.byteLength >= HEADER_BYTES) {
      const v = new DataView(d.buffer, d.byteOffset, HEADER_BYTES);
      lost = Math.min(v.getUint32(H_FRAMES, true), (d.byteLength - HEADER_BYTES) / 4);
      start = v.getFloat64(H_START_FRAME, true);
      rate = v.getFloat64(H_SAMPLE_RATE, true);
    }
    this._lostMain += lost;
    let recovered = true;
    if (panic) {
      this._panics++;
      const old = this._rx;
      this._report = null;
      this._input = null;
      release(old, '__wbg_maintap_free'); // what the dead receiver held (~100 kB)
      try {
        this._rx = newReceiver(this._sampleRate, this._options);
      } catch (e2) {
        recovered = false;
        this._closed = true; // nothing left to receive with
        msg += ` (a new receiver failed: ${String((e2 && e2.message) || e2)})`;
      }
    }
    if (lost > 0) this._gap(lost, start, rate);
    this._reportError({
      message: panic
        ? `pitchtap: main-thread wasm panicked: ${msg}`
        : `pitchtap: receiving a batch failed: ${msg}`,
      phase: 'receive',
      side: 'main',
      panic,
      recovered,
      lostFrames: lost,
    });
  }

  // Reads the analyzers' results of the batch just received from the report `r`, into the
  // reused `latest` objects; an event per result only if listened to.
  _results(r, sr, endTime) {
    const vol = this.latest.volume;
    vol.time = endTime;
    vol.rms = r[R_RMS];
    vol.peak = r[R_PEAK];
    vol.db = r[R_DB];
    vol.smoothedDb = r[R_SMOOTHED_DB];
    if (this._listeners.volume.size > 0) {
      this.dispatchEvent(new CustomEvent('volume', { detail: { ...vol } }));
      if (this._closed) return;
      r = this._view();
    }
    const n = r[R_ESTIMATES];
    if (n === 0) return;
    const listened = this._listeners.pitch.size > 0;
    for (let i = 0, k = REPORT_HEAD; i < n; i++, k += REPORT_ESTIMATE_FIELDS) {
      const time = r[k + E_FRAME] / sr;
      // After an early estimate, the detector's estimates for earlier times still come (as
      // events); `latest` keeps the newest time and never goes back.
      const current = time >= this.latest.pitch.time;
      if (!current && !listened) continue;
      const pitch = current ? this.latest.pitch : this._olderPitch;
      const f = r[k + E_FREQUENCY];
      const midi = r[k + E_MIDI];
      pitch.early = r[k + E_KIND] === KIND_EARLY;
      pitch.time = time;
      pitch.frequency = f;
      pitch.clarity = r[k + E_CLARITY];
      pitch.voiced = f > 0;
      pitch.midi = midi;
      pitch.note = f > 0 ? (NOTE_NAMES[midi] ?? '') : '';
      pitch.cents = r[k + E_CENTS];
      if (listened) {
        this.dispatchEvent(new CustomEvent('pitch', { detail: { ...pitch } }));
        if (this._closed) return; // a listener closed the tap
        r = this._view();
      }
    }
  }

  _onControl(m) {
    if (m === null || typeof m !== 'object') return;
    if (m.stats) {
      this._worklet = m.stats;
      // Drops since the last batch would otherwise wait for the next batch's GAP flag, which
      // may never come (a flush, a close, the end of a render): report them now.
      const pending = m.stats.pendingDrop ?? 0;
      if (pending > this._reportedPending) {
        const start = m.stats.pendingDropStart;
        this._gap(
          pending - this._reportedPending,
          Number.isFinite(start) ? start + this._reportedPending : NaN,
          this._sampleRate,
        );
        this._reportedPending = pending;
      }
    }
    if (m.dead || (m.type === 'error' && m.panic && !m.recovered))
      this._dead ??= `the tap is off: ${m.message}`;
    switch (m.type) {
      case 'ready':
        this._sampleRate = m.sampleRate;
        this._readyHooks.resolve();
        return;
      case 'error': {
        this._errors++;
        if (m.panic) this._panics++;
        const err = new Error(
          `pitchtap: worklet ${m.phase} ${m.panic ? 'panicked' : 'failed'}: ${m.message}`,
        );
        if (m.phase === 'create') {
          this._readyHooks.reject(err);
          return;
        }
        const p = m.id !== undefined && this._pending.get(m.id);
        if (p) {
          this._pending.delete(m.id);
          clearTimeout(p.timer);
          p.reject(err);
        }
        if (m.dead) return; // the answer to a call on a dead tap: the call rejects, no event
        this._reportError({
          message: err.message,
          phase: m.phase,
          side: 'worklet',
          panic: Boolean(m.panic),
          recovered: Boolean(m.recovered),
          lostFrames: m.lostFrames ?? 0,
        });
        return;
      }
      default: {
        const p = this._pending.get(m.id);
        if (p) {
          this._pending.delete(m.id);
          clearTimeout(p.timer);
          p.resolve(m);
        }
      }
    }
  }

  /** A control message the worklet obeys (it carries this tap's token). */
  _control(m) {
    this.node.port.postMessage({ ...m, token: this._options.token });
  }

  /**
   * A control message and its answer. Rejects at once when the worklet can no longer answer
   * (its AudioContext closed, the tap off after repeated panics), and after
   * REQUEST_TIMEOUT_MS if no answer came: no call waits forever.
   */
  _request(type, extra) {
    if (this._dead === null && !isOffline(this.context) && this.context.state === 'closed') {
      this._fail('the AudioContext was closed', 'InvalidStateError');
    }
    if (this._dead !== null) {
      return Promise.reject(
        new DOMException(`pitchtap: ${type}: ${this._dead}`, 'InvalidStateError'),
      );
    }
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this._pending.delete(id)) return;
        reject(
          new DOMException(
            `pitchtap: the worklet did not answer ${type} within ${REQUEST_TIMEOUT_MS / 1000} s`,
            'TimeoutError',
          ),
        );
      }, REQUEST_TIMEOUT_MS);
      this._pending.set(id, { resolve, reject, timer });
      this._returnHeld(); // before the request: the worklet takes them back before it answers
      this._control({ type, id, ...extra });
    });
  }

  _assertOpen(method) {
    if (this._closed || this._closing) {
      throw new DOMException(`pitchtap: ${method}() on a closed tap`, 'InvalidStateError');
    }
  }

  /**
   * Posts the partial batch now. Resolves, with stats(), after every batch posted before
   * it has been dispatched here.
   */
  async flush() {
    this._assertOpen('flush');
    await this._request('flush');
    return this.stats();
  }

  /**
   * Asks the worklet for its counters. Resolves, with stats(), once every batch the worklet
   * posted before this call has been dispatched here and the worklet has taken back every
   * buffer returned so far: stats() is then exact and the pool full. Useful to pace an
   * OfflineAudioContext (suspend, `await tap.sync()`, resume), which renders faster than
   * the main thread can return buffers.
   */
  async sync() {
    this._assertOpen('sync');
    // First round trip: every batch posted before it has arrived here (and been returned).
    await this._request('stats');
    // Second: the worklet has processed those returns, which were queued before it.
    await this._request('stats');
    return this.stats();
  }

  /**
   * Changes options of a running tap. Only `batchSize` for now: it takes effect at the next
   * batch boundary without losing or repeating a sample.
   */
  async configure(options) {
    this._assertOpen('configure');
    if (options === null || typeof options !== 'object') {
      throw new TypeError('pitchtap: configure() takes an object such as { batchSize: 2048 }');
    }
    for (const key of Object.keys(options)) {
      if (key !== 'batchSize')
        throw new TypeError(`pitchtap: configure() cannot change "${key}" (allowed: batchSize)`);
    }
    const { batchSize } = options;
    if (typeof batchSize !== 'number')
      throw new TypeError(`pitchtap: batchSize must be a number (got ${typeof batchSize})`);
    const o = this._options;
    checkTapOptions(this.context.sampleRate, tapOptions({ ...o, batchSize }));
    await this._request('configure', { batchSize });
    o.batchSize = batchSize;
    return this.stats();
  }

  /**
   * Flushes the partial batch, delivers it, then stops the worklet and disconnects the
   * node. No event is dispatched after the promise resolves.
   */
  close() {
    if (this._closing)
      return Promise.reject(
        new DOMException('pitchtap: close() called twice', 'InvalidStateError'),
      );
    this._closing = (async () => {
      try {
        await this._finish();
      } catch {
        // The worklet is gone or did not answer: close all the same.
      }
      this._teardown();
      return this.stats();
    })();
    return this._closing;
  }

  /** close()'s wait for the worklet: its last batches and its answer, where it can give them. */
  async _finish() {
    if (this._dead !== null) return;
    if (this.context.state !== 'closed') {
      await this._request('close');
    } else if (isOffline(this.context) && !this._ended) {
      // A finished offline render: its last batches may still be on their way. The END
      // batch closes the render; the worklet may also still answer (it did in Chromium,
      // Firefox and WebKit), but a finished context owes nothing, so this is bounded.
      await Promise.race([
        new Promise((resolve) => {
          this._onEnded = resolve;
        }),
        this._request('close').catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, OFFLINE_END_WAIT_MS)),
      ]);
    }
  }

  /**
   * Test hook for the fault tests: makes the Rust core panic on its next call, in the
   * worklet (`'worklet'`, at the next render quantum) or on the main thread (`'main'`, at
   * the next batch). The tap reports an `error` event and recovers. Not for production.
   */
  async [DEBUG_PANIC](side) {
    this._assertOpen('debugPanic');
    if (side === 'main') {
      this._rx.debugPanic();
      return;
    }
    if (side !== 'worklet')
      throw new TypeError(`pitchtap: debugPanic() takes 'worklet' or 'main' (got ${String(side)})`);
    await this._request('debugPanic');
  }

  _teardown() {
    if (this._closed) return;
    // Keep the last counters, then give the wasm memory of this tap back right away.
    this._finalStats = this.stats();
    this._closed = true;
    this._rx.free();
    this.node.port.onmessage = null;
    try {
      this.node.disconnect();
    } catch {
      /* not connected */
    }
    for (const source of [...this._sources]) this.detach(source);
    this._stopTrackTimer();
    this.node.port.close();
    if (this._onState) this.context.removeEventListener('statechange', this._onState);
    for (const p of this._pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DOMException('pitchtap: tap closed', 'InvalidStateError'));
    }
    this._pending.clear();
    for (const set of Object.values(this._listeners)) set.clear();
  }

  /**
   * Counters of the tap. Allocates the returned object. Worklet-side counts (drops, gaps,
   * pool use) are as of the latest batch or control reply.
   */
  stats() {
    if (this._finalStats) return structuredClone(this._finalStats);
    const rx = this._rx;
    const w = this._worklet;
    const max = (a, b) => (b === undefined ? a : Math.max(a, b));
    // The worklet's reply is newer than the latest batch when it has counted as many.
    const replyNewer = w && w.messages >= this._messages;
    const poolSize = max(rx.poolSize, w?.poolSize);
    const inFlight = replyNewer ? w.inFlight : rx.inFlight;
    const now = performance.now();
    return {
      messages: this._messages,
      batchesReceived: this._messages,
      samples: this._samples,
      droppedSamples: max(rx.droppedTotal, w?.droppedFrames) + this._lostMain,
      gaps: max(rx.gapsTotal, w?.gaps),
      poolSize,
      buffersInFlight: inFlight,
      batchSize: this._options.batchSize,
      sampleRate: this._sampleRate,
      refused: max(rx.refusedTotal, w?.refused),
      malformed: rx.malformed,
      seqBreaks: rx.seqBreaks,
      estimatesDropped: rx.estimatesDropped,
      errors: this._errors,
      panics: this._panics,
      sourcesEnded: this._sourcesEnded,
      messagesPerSecond: this._receipts.countAbove(now - 1000),
      batchAgeMs: this._age.summary(),
      analysisMs: this._analysis.summary(),
      pool: {
        size: poolSize,
        free: Math.max(0, poolSize - inFlight),
        inFlight,
        lowWater: replyNewer ? w.lowWater : rx.lowWater,
        exhausted: max(rx.exhausted, w?.exhausted),
      },
    };
  }
}

/**
 * Runs pitchtap's pitch detector, with the same defaults as a live tap, over a whole signal
 * (a file, a test). Options as `pitch` in PitchTap.create. Resolves with one estimate per
 * hop: `{ time, frequency, clarity, voiced, midi, note, cents, db }`, `time` being the
 * centre of the window in seconds from the first sample. Allocates freely.
 */
export async function analyze(samples, sampleRate, options, { signal, onProgress } = {}) {
  if (!(samples instanceof Float32Array))
    throw new TypeError('pitchtap: analyze() takes a Float32Array');
  if (typeof sampleRate !== 'number') throw new TypeError('pitchtap: sampleRate must be a number');
  const p = groupOptions('pitch', options, PITCH_KEYS);
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new TypeError('pitchtap: onProgress must be a function');
  const aborted = () =>
    signal?.reason ?? new DOMException('pitchtap: analyze() was aborted', 'AbortError');
  if (signal?.aborted) throw aborted();
  await loadWasm();
  const analysis = new PitchAnalysis(
    sampleRate,
    PITCH_KEYS.map((k) => p[k]),
  );
  const out = [];
  try {
    // About a second of audio per step (a few ms of work), and back to the page whenever
    // ANALYZE_SLICE_MS have passed: no task of analyze() blocks the page for long.
    const step = Math.max(4096, Math.round(sampleRate));
    let since = performance.now();
    for (let at = 0; at < samples.length; at += step) {
      const stack = stackMark();
      let flat;
      try {
        flat = analysis.push(samples.subarray(at, Math.min(samples.length, at + step)));
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) stackRestore(stack);
        throw e;
      }
      for (let i = 0; i < flat.length; i += ANALYZE_FIELDS) {
        const frequency = flat[i + A_FREQUENCY];
        const midi = flat[i + A_MIDI];
        out.push({
          time: flat[i + A_TIME],
          frequency,
          clarity: flat[i + A_CLARITY],
          voiced: frequency > 0,
          midi,
          note: frequency > 0 ? (NOTE_NAMES[midi] ?? '') : '',
          cents: flat[i + A_CENTS],
          db: flat[i + A_DB],
        });
      }
      if (onProgress) onProgress(Math.min(1, (at + step) / samples.length));
      if (signal?.aborted) throw aborted();
      if (performance.now() - since >= ANALYZE_SLICE_MS && at + step < samples.length) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal?.aborted) throw aborted();
        since = performance.now();
      }
    }
  } finally {
    release(analysis, '__wbg_pitchanalysis_free');
  }
  return out;
}
