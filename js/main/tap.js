// The PitchTap class: creating a tap (options checked, wasm and worklet loaded, node made),
// its state, and its public methods. The work behind them is in plain functions that take
// the tap: the batch path (receive.js), buffers and messages to the worklet
// (to-worklet.js), requests and their answers (requests.js), attached sources (sources.js)
// and stats (metrics.js).

import { CHANNEL_MODES } from './constants.js';
import { checkContext, closedContext, isOffline, loadWorklet } from './context.js';
import { countListener, newListeners, uncountListener } from './events.js';
import { METRIC_WINDOW, RATE_WINDOW, Window, tapStats } from './metrics.js';
import { normalizeOptions, tapOptions } from './options.js';
import { newReceiver, onBatch } from './receive.js';
import { fail, finish, newToken, onControl, request } from './requests.js';
import { attach, detach, stopTrackTimer } from './sources.js';
import { checkTapOptions, loadWasm, offlinePoolSize, wasmMemoryBytes } from './wasm.js';

/**
 * The test hook that makes the Rust core panic (fault tests only): `tap[DEBUG_PANIC](side)`.
 * A symbol, so that it cannot be called by accident and is not part of the typed API.
 */
export const DEBUG_PANIC = Symbol.for('pitchtap.debugPanic');
/** Test hook: `PitchTap[DEBUG_WASM_BYTES]()` is the main-thread wasm memory's size in bytes. */
export const DEBUG_WASM_BYTES = Symbol.for('pitchtap.wasmBytes');

const CREATE = Symbol('PitchTap.create');

/**
 * A tap on the audio graph: connect a source to `tap.node`, listen for `batch` events.
 * Create with `await PitchTap.create(context, options)`.
 */
export class PitchTap extends EventTarget {
  /** Test hook (see DEBUG_WASM_BYTES): the main-thread wasm memory's size, 0 before create(). */
  static [DEBUG_WASM_BYTES]() {
    return wasmMemoryBytes();
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

  /**
   * Loads the worklet module and the wasm (once per context / page), creates the
   * AudioWorkletNode and waits until its wasm is running.
   * Throws TypeError / RangeError for bad options (before anything is created) and
   * rejects with InvalidStateError for a closed context.
   */
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
      teardown(tap);
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
    // Buffers kept for one grouped return (see giveBack), and its transfer list; reused.
    this._held = [];
    this._heldTransfer = [];
    this._listeners = newListeners();
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
    // Scratch for estimates older than `latest.pitch` (see receive.js, results).
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
      if (e.isTrusted !== true) return;
      const d = e.data;
      if (d instanceof Uint8Array) onBatch(this, d);
      else onControl(this, d);
    };
    node.port.onmessage = this._onMessage;
    if (!isOffline(context)) {
      // A closed AudioContext takes its worklet with it: nothing pending will be answered.
      this._onState = () => {
        if (context.state === 'closed')
          fail(this, 'the AudioContext was closed', 'InvalidStateError');
      };
      context.addEventListener('statechange', this._onState);
    }
  }

  // Counted, so that the batch path makes the objects of an event only while it is listened to.
  addEventListener(type, listener, opts) {
    countListener(this._listeners, type, listener, opts);
    super.addEventListener(type, listener, opts);
  }

  removeEventListener(type, listener, opts) {
    uncountListener(this._listeners, type, listener, opts);
    super.removeEventListener(type, listener, opts);
  }

  /**
   * Connects `source` (an AudioNode, or a MediaStream made into one with
   * `createMediaStreamSource`) to `tap.node` and keeps it: `close()` disconnects it, and
   * the audio tracks of a MediaStream source are watched. When one ends (its device went
   * away, its permission was revoked, or page code called `track.stop()`, which fires no
   * `ended` event) the tap dispatches `sourceended` once for it. Returns the source node.
   */
  attach(source) {
    assertOpen(this, 'attach');
    return attach(this, source);
  }

  /** Disconnects a source `attach()` connected and stops watching it; false if it was not. */
  detach(source) {
    return detach(this, source);
  }

  /**
   * Posts the partial batch now. Resolves, with stats(), after every batch posted before
   * it has been dispatched here.
   */
  async flush() {
    assertOpen(this, 'flush');
    await request(this, 'flush');
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
    assertOpen(this, 'sync');
    // First round trip: every batch posted before it has arrived here (and been returned).
    await request(this, 'stats');
    // Second: the worklet has processed those returns, which were queued before it.
    await request(this, 'stats');
    return this.stats();
  }

  /**
   * Changes options of a running tap. Only `batchSize` for now: it takes effect at the next
   * batch boundary without losing or repeating a sample.
   */
  async configure(options) {
    assertOpen(this, 'configure');
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
    await request(this, 'configure', { batchSize });
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
        await finish(this);
      } catch {
        // The worklet is gone or did not answer: close all the same.
      }
      teardown(this);
      return this.stats();
    })();
    return this._closing;
  }

  /**
   * Test hook for the fault tests: makes the Rust core panic on its next call, in the
   * worklet (`'worklet'`, at the next render quantum) or on the main thread (`'main'`, at
   * the next batch). The tap reports an `error` event and recovers. Not for production.
   */
  async [DEBUG_PANIC](side) {
    assertOpen(this, 'debugPanic');
    if (side === 'main') {
      this._rx.debugPanic();
      return;
    }
    if (side !== 'worklet')
      throw new TypeError(`pitchtap: debugPanic() takes 'worklet' or 'main' (got ${String(side)})`);
    await request(this, 'debugPanic');
  }

  /**
   * Counters of the tap. Allocates the returned object. Worklet-side counts (drops, gaps,
   * pool use) are as of the latest batch or control reply.
   */
  stats() {
    if (this._finalStats) return structuredClone(this._finalStats);
    return tapStats(this);
  }
}

function assertOpen(tap, method) {
  if (tap._closed || tap._closing) {
    throw new DOMException(`pitchtap: ${method}() on a closed tap`, 'InvalidStateError');
  }
}

/** Lets go of everything the tap holds; its last counters stay for stats(). */
function teardown(tap) {
  if (tap._closed) return;
  // Keep the last counters, then give the wasm memory of this tap back right away.
  tap._finalStats = tap.stats();
  tap._closed = true;
  tap._rx.free();
  tap.node.port.onmessage = null;
  try {
    tap.node.disconnect();
  } catch {
    /* not connected */
  }
  for (const source of [...tap._sources]) detach(tap, source);
  stopTrackTimer(tap);
  tap.node.port.close();
  if (tap._onState) tap.context.removeEventListener('statechange', tap._onState);
  for (const p of tap._pending.values()) {
    clearTimeout(p.timer);
    p.reject(new DOMException('pitchtap: tap closed', 'InvalidStateError'));
  }
  tap._pending.clear();
  for (const set of Object.values(tap._listeners)) set.clear();
}
