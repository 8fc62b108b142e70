// The pitchtap AudioWorkletProcessor. Thin: everything per quantum happens in wasm
// (src/wasm/worklet.rs). This file only wires process() and the port to it.
//
// Real-time notes: process() creates no JS object in the steady state. Control messages
// (flush, configure, close) are rare and may allocate.

import './text-shim.js'; // must run before the glue, which creates a TextDecoder on load
import { initSync, WorkletTap } from './pitchtap_wasm.js';

// Mirrors CHANNEL_MODES in src/wasm/pitchtap.js and CHANNELS_* in src/wasm/worklet.rs.
const CHANNELS_MIX = 0;

class PitchTapProcessor extends AudioWorkletProcessor {
  constructor(nodeOptions) {
    super();
    const o = nodeOptions.processorOptions;
    this.tap = null;
    this.closed = false;
    this.errors = 0;
    try {
      // The module was compiled once on the main thread; instantiating it here needs no fetch.
      initSync({ module: o.module });
      this.tap = new WorkletTap(
        this.port, sampleRate, o.batchSize, o.poolSize, o.maxPoolSize,
        o.channelMode ?? CHANNELS_MIX, o.channelArg ?? 0, o.maxLatencyMs ?? -1,
      );
    } catch (e) {
      this.port.postMessage({ type: 'error', phase: 'create', message: String(e && e.message || e) });
      return;
    }
    this.port.onmessage = (e) => this.onMessage(e.data);
    this.port.postMessage({ type: 'ready', sampleRate });
  }

  onMessage(data) {
    const tap = this.tap;
    if (tap === null) return;
    // Buffers coming home: the hot path. Anything that is not ours is refused in wasm.
    if (data === null || typeof data !== 'object' || typeof data.type !== 'string') {
      tap.receive(data);
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
          this.port.postMessage({ type: 'configured', id: data.id, stats: this.stats() });
          break;
        case 'stats':
          this.port.postMessage({ type: 'stats', id: data.id, stats: this.stats() });
          break;
        case 'close':
          tap.flush();
          this.port.postMessage({ type: 'closed', id: data.id, stats: this.stats() });
          this.closed = true;
          this.port.onmessage = null;
          tap.free();
          this.tap = null;
          break;
        default:
          tap.receive(data); // an unknown object: refused and counted
      }
    } catch (e) {
      this.port.postMessage({ type: 'error', id: data.id, phase: data.type, message: String(e && e.message || e) });
    }
  }

  stats() {
    const t = this.tap;
    return {
      messages: t.messages, framesPosted: t.framesPosted, droppedFrames: t.droppedFrames,
      gaps: t.gaps, refused: t.refused, poolSize: t.poolSize, poolFree: t.poolFree,
      inFlight: t.inFlight, lowWater: t.lowWater, exhausted: t.exhausted,
      batchSize: t.batchSize, pendingFrames: t.pendingFrames, postErrors: t.postErrors,
      errors: this.errors,
    };
  }

  process(inputs) {
    if (this.closed) return false;
    const tap = this.tap;
    if (tap === null) return true;
    try {
      tap.process(inputs[0], currentFrame);
    } catch (e) {
      // Never throw out of process(): that would kill the node.
      this.errors++;
      if (this.errors === 1) {
        this.port.postMessage({ type: 'error', phase: 'process', message: String(e && e.message || e) });
      }
    }
    return true;
  }
}

registerProcessor('pitchtap', PitchTapProcessor);
