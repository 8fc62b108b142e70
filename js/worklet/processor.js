// The pitchtap AudioWorkletProcessor. Thin: everything per quantum happens in wasm
// (src/wasm/worklet.rs). This file wires process() and the port to it, and recovers from
// a Rust panic by re-instantiating the wasm from the module it holds.
//
// Runs only as pkg/worklet.js, written by scripts/bundle-worklet.mjs: it puts text-shim.js
// (the import below) first, then defines `createGlue()`, which wraps the wasm-bindgen glue
// and returns a fresh copy of the glue's state on every call (the glue instantiates once
// per copy), then this file.
//
// Real-time notes: process() creates no JS object in the steady state. Control messages
// (flush, configure, close) and recovery from a panic are rare and may allocate.

import './text-shim.js'; // must run before the glue, which creates a TextDecoder on load
/* global createGlue */

// WorkletTap takes its processorOptions as an array in this order; one missing is not given
// and the core uses its default (mirrors `tap` slots in src/dsp/options.rs and
// TAP_OPTION_KEYS in js/main/constants.js).
const TAP_OPTION_KEYS = [
  'batchSize',
  'poolSize',
  'maxPoolSize',
  'channelMode',
  'channelArg',
  'maxLatencyMs',
  'renderFrames',
];
// Mirrors MAX_CHANNELS in src/dsp/config.rs: channels the input area holds.
const MAX_CHANNELS = 32;
// Mirrors RENDER_QUANTUM_SIZE in src/dsp/mod.rs (the Web Audio spec's render quantum): the
// frames of a quantum with no input connected.
const RENDER_QUANTUM_FRAMES = 128;
// Mirrors `ledger` in src/dsp/batcher.rs: the counters read back after a panic, and the
// slots of what WorkletTap.carryOn takes to carry them on.
const LEDGER = Object.freeze({
  SEQ: 0,
  MESSAGES: 1,
  FRAMES_POSTED: 2,
  DROPPED: 3,
  GAPS: 4,
  REFUSED: 5,
  PENDING: 6,
  EPOCH: 7,
  LEN: 8,
});
// Recoveries allowed. A core that panics again and again is left off (the node stays
// alive and silent, the main thread gets an `error` event saying so) rather than
// re-instantiated forever.
const MAX_RECOVERIES = 8;

const message = (e) => String((e && e.message) || e);

/** What carryOn takes when the old ledger cannot be read: nothing counted, `lost` frames lost. */
function emptyCarry(epoch, lost) {
  const carry = new Array(LEDGER.LEN).fill(0);
  carry[LEDGER.EPOCH] = epoch;
  carry[LEDGER.PENDING] = lost;
  return carry;
}

/** Whether every element of a non-empty array is a Uint8Array (a grouped return). */
function allViews(a) {
  for (let i = 0; i < a.length; i++) if (!(a[i] instanceof Uint8Array)) return false;
  return true;
}

class PitchTapProcessor extends AudioWorkletProcessor {
  constructor(nodeOptions) {
    super();
    this.o = nodeOptions.processorOptions;
    this.glue = null;
    this.exports = null;
    this.inView = null; // process() copies each quantum here (takeInput)
    this.cap = 0;
    this.tap = null;
    this.ledgerPtr = 0;
    this.closed = false;
    this.dead = false;
    this.errors = 0;
    this.panics = 0;
    this.lastStats = null; // the counters when the tap went off (answers once it is dead)
    try {
      this.instantiate(null);
    } catch (e) {
      this.port.postMessage({ type: 'error', phase: 'create', message: message(e) });
      return;
    }
    this.port.onmessage = (e) => this.onMessage(e.data);
    // A message that cannot be deserialised here (e.g. a Blob) is foreign too: counted.
    this.port.onmessageerror = () => {
      if (this.tap !== null) this.tap.receive(null);
    };
    this.port.postMessage({ type: 'ready', sampleRate });
  }

  /** A fresh glue, instance and tap; `carry` continues the counters of a failed one. */
  instantiate(carry) {
    const o = this.o;
    const glue = createGlue();
    // The module was compiled once on the main thread; instantiating it here needs no fetch.
    const exports = glue.initSync({ module: o.module });
    const tap = new glue.WorkletTap(
      this.port,
      sampleRate,
      TAP_OPTION_KEYS.map((k) => o[k]),
    );
    if (o.onsetFrames > 0) tap.setOnsetPost(o.onsetFrames);
    if (carry !== null) tap.carryOn(carry);
    this.glue = glue;
    this.exports = exports;
    this.tap = tap;
    this.ledgerPtr = tap.ledgerPtr;
    this.takeInput();
  }

  /**
   * Drops every reference to the wasm instance (its tap, glue, exports and the view over
   * its memory), so that the instance and its memory can be collected even while the node
   * stays in the graph (a source still connected to it keeps the processor alive).
   */
  forgetInstance() {
    this.tap = null;
    this.glue = null;
    this.exports = null;
    this.inView = null;
  }

  /**
   * The view process() copies each quantum into: the tap's input area in wasm memory
   * (channel c at c × quantumCapacity floats). Re-taken when it moved (reserveQuantum) or
   * when memory grew, which detaches it (its length is then 0).
   */
  takeInput() {
    const cap = this.tap.quantumCapacity;
    this.cap = cap;
    this.inView = new Float32Array(
      this.exports.memory.buffer,
      this.tap.inputPtr,
      cap * MAX_CHANNELS,
    );
  }

  /**
   * A call into wasm trapped (a Rust panic ends in `unreachable`). Reads the panic message
   * and the ledger from the old instance, makes a new one that carries on (frames of the
   * batch being filled and of `quantumFrames` are counted as dropped: the next batch has
   * GAP) and tells the main thread.
   */
  recover(phase, e, quantumFrames, id) {
    this.panics++;
    const old = this.glue;
    let msg = '';
    try {
      msg = old.takePanicMessage();
    } catch {
      /* the old instance is unusable */
    }
    // The old ledger, copied out of the old memory, in its own slots: carryOn reads EPOCH as
    // the new tap's epoch and PENDING as the frames lost.
    let carry = null;
    let lost = quantumFrames;
    try {
      carry = Array.from(new Float64Array(this.exports.memory.buffer, this.ledgerPtr, LEDGER.LEN));
      lost += carry[LEDGER.PENDING];
      carry[LEDGER.EPOCH] += 1;
      carry[LEDGER.PENDING] = lost;
    } catch {
      /* no ledger: the new tap starts its counters at 0 */
    }
    // Let the old tap go without calling into the old instance again (its finalizer would).
    try {
      this.tap.__destroy_into_raw();
    } catch {
      /* nothing to unregister */
    }
    this.forgetInstance();
    let recovered = false;
    let reason = '';
    if (this.panics > MAX_RECOVERIES) {
      reason = `more than ${MAX_RECOVERIES} panics: the tap is off`;
    } else {
      try {
        this.instantiate(carry ?? emptyCarry(this.panics, lost));
        recovered = true;
      } catch (e2) {
        reason = `re-instantiating failed: ${message(e2)}`;
      }
    }
    if (!recovered) {
      this.dead = true;
      this.lastStats = carry
        ? {
            messages: carry[LEDGER.MESSAGES],
            framesPosted: carry[LEDGER.FRAMES_POSTED],
            droppedFrames: carry[LEDGER.DROPPED] + lost,
            gaps: carry[LEDGER.GAPS] + 1,
            refused: carry[LEDGER.REFUSED],
            poolSize: 0,
            poolFree: 0,
            inFlight: 0,
            lowWater: 0,
            exhausted: 0,
            batchSize: this.o.batchSize,
            pendingFrames: 0,
            pendingDrop: lost,
            pendingDropStart: NaN,
            postErrors: 0,
            errors: this.errors,
            panics: this.panics,
          }
        : null;
    }
    this.port.postMessage({
      type: 'error',
      id,
      phase,
      panic: true,
      recovered,
      lostFrames: lost,
      message: (msg || message(e)) + (reason ? ` (${reason})` : ''),
      epoch: carry ? carry[LEDGER.EPOCH] : this.panics,
    });
  }

  /** Whether `data` is a control message of this node's PitchTap (it alone knows the token). */
  isControl(data) {
    return (
      data !== null &&
      typeof data === 'object' &&
      !Array.isArray(data) &&
      typeof data.type === 'string' &&
      data.token === this.o.token &&
      this.o.token !== undefined
    );
  }

  onMessage(data) {
    const tap = this.tap;
    if (tap === null) {
      // Off after too many panics: still answer, so that no call waits forever.
      if (this.dead && this.isControl(data) && typeof data.id === 'number') {
        if (data.type === 'close') {
          this.closed = true;
          this.port.postMessage({ type: 'closed', id: data.id, stats: this.lastStats });
          this.port.onmessage = null;
        } else {
          this.port.postMessage({
            type: 'error',
            id: data.id,
            phase: data.type,
            dead: true,
            stats: this.lastStats,
            message: `the tap is off after more than ${MAX_RECOVERIES} panics`,
          });
        }
      }
      return;
    }
    // Buffers coming home: the hot path. Anything that is not ours is refused in wasm.
    // Control messages from the main thread (js/main/requests.js) always carry a numeric id
    // (and configure a numeric batchSize); anything else is foreign: refused and counted,
    // never run. Several buffers in one message (js/main/to-worklet.js returns up to four at
    // a time): each is checked on its own. An array holding anything but Uint8Arrays is one
    // foreign message.
    if (Array.isArray(data) && data.length > 0 && allViews(data)) {
      for (let i = 0; i < data.length; i++) this.receiveOne(data[i]);
      return;
    }
    // Control messages carry the token PitchTap passed in processorOptions: code that only
    // holds tap.node cannot stop, reconfigure or break the tap through its port.
    if (!this.isControl(data)) {
      this.receiveOne(data);
      return;
    }
    if (data.type === 'lost') {
      // Buffers the main thread cannot give back: their slots get new buffers.
      const l = data.lost;
      try {
        for (let i = 0; i + 2 < l.length; i += 3) tap.forget(l[i], l[i + 1], l[i + 2]);
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) this.recover('lost', e, 0);
      }
      return;
    }
    if (
      typeof data.id !== 'number' ||
      (data.type === 'configure' && typeof data.batchSize !== 'number')
    ) {
      this.receiveOne(data);
      return;
    }
    try {
      switch (data.type) {
        case 'flush':
          tap.flush();
          this.port.postMessage({ type: 'flushed', id: data.id, stats: this.stats() });
          break;
        case 'configure':
          tap.setBatchSize(data.batchSize);
          this.o.batchSize = data.batchSize; // a recovered tap starts with it
          this.port.postMessage({ type: 'configured', id: data.id, stats: this.stats() });
          break;
        case 'stats':
          this.port.postMessage({ type: 'stats', id: data.id, stats: this.stats() });
          break;
        case 'debugPanic':
          tap.debugPanic();
          this.port.postMessage({ type: 'debugPanicArmed', id: data.id, stats: this.stats() });
          break;
        case 'close':
          tap.flush();
          this.port.postMessage({ type: 'closed', id: data.id, stats: this.stats() });
          this.closed = true;
          this.port.onmessage = null;
          tap.free();
          this.forgetInstance();
          break;
        default:
          tap.receive(data); // an unknown object: refused and counted
      }
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.recover(data.type, e, 0, data.id);
      } else {
        this.port.postMessage({
          type: 'error',
          id: data.id,
          phase: data.type,
          message: message(e),
        });
      }
      if (data.type === 'close') {
        // closing anyway
        this.closed = true;
        this.port.onmessage = null;
        this.forgetInstance();
      }
    }
  }

  /** One returned buffer (or a foreign message) to the wasm pool check. */
  receiveOne(data) {
    const tap = this.tap;
    if (tap === null) return;
    try {
      tap.receive(data);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) this.recover('receive', e, 0);
    }
  }

  stats() {
    const t = this.tap;
    return {
      messages: t.messages,
      framesPosted: t.framesPosted,
      droppedFrames: t.droppedFrames,
      gaps: t.gaps,
      refused: t.refused,
      poolSize: t.poolSize,
      poolFree: t.poolFree,
      inFlight: t.inFlight,
      lowWater: t.lowWater,
      exhausted: t.exhausted,
      batchSize: t.batchSize,
      pendingFrames: t.pendingFrames,
      pendingDrop: t.pendingDrop,
      pendingDropStart: t.pendingDropStart,
      postErrors: t.postErrors,
      errors: this.errors,
      panics: this.panics,
    };
  }

  process(inputs) {
    if (this.closed) return false;
    const tap = this.tap;
    const input = inputs[0];
    if (tap === null) {
      // Off: the audio is dropped, and counted (no object is made here).
      const ls = this.lastStats;
      if (ls !== null && input.length > 0) {
        ls.droppedFrames += input[0].length;
        ls.pendingDrop += input[0].length;
      }
      return true;
    }
    try {
      // Copy the quantum into wasm memory here, then one call that takes only numbers:
      // no JS object and no call from wasm back into JS per quantum.
      const channels = Math.min(input.length, MAX_CHANNELS);
      let frames = RENDER_QUANTUM_FRAMES;
      if (channels > 0) {
        frames = input[0].length;
        if (frames > this.cap) {
          tap.reserveQuantum(frames);
          this.takeInput();
        }
        if (this.inView.length === 0) this.takeInput(); // memory grew: the view is detached
        const view = this.inView;
        const cap = this.cap;
        view.set(input[0], 0);
        for (let c = 1; c < channels; c++) {
          const ch = input[c];
          if (ch.length === frames) view.set(ch, c * cap);
        }
      }
      tap.processCopied(channels, frames, currentFrame);
    } catch (e) {
      // Never throw out of process(): that would kill the node.
      if (e instanceof WebAssembly.RuntimeError) {
        this.recover('process', e, input.length > 0 ? input[0].length : 0);
        return true;
      }
      this.errors++;
      if (this.errors === 1) {
        this.port.postMessage({ type: 'error', phase: 'process', message: message(e) });
      }
    }
    return true;
  }
}

registerProcessor('pitchtap', PitchTapProcessor);
