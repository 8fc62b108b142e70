// The plain-JS transports without dependencies, which benches/browser/transports.mjs sets
// against pitchtap in the browser and benches/node-worklet/ runs under Node's worklet shim.
// Each counts the frames it was given (`rendered`) and the frames it could not send
// (`dropped`), and answers { type: 'sync' } with its counters; the port is ordered, so the
// reply reaches the main thread after every batch posted before it.

const BATCH = 1024; // frames per batch, as pitchtap's default
const POOL = 8; // buffers of the lean pooled transport (c2) unless the bench passes `pool`

export class Counting extends AudioWorkletProcessor {
  constructor() {
    super();
    this.rendered = 0;
    this.dropped = 0;
    this.port.onmessage = (e) => this.onMessage(e.data);
  }

  onMessage(d) {
    if (d && d.type === 'sync')
      this.port.postMessage({
        type: 'synced',
        rendered: this.rendered,
        dropped: this.dropped,
        pending: this.pending(),
      });
  }

  pending() {
    return 0;
  }
}

/** (a) The floor: reads nothing, posts nothing. */
class Floor extends Counting {
  process(inputs) {
    const ch = inputs[0][0];
    if (ch) this.rendered += ch.length;
    return true;
  }
}

/** (b) Naive: a new Float32Array copy of every quantum, posted (structured clone). */
class Naive extends Counting {
  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    this.rendered += ch.length;
    this.port.postMessage(new Float32Array(ch));
    return true;
  }
}

/** (c) Batcher with transfer, a new buffer per batch, no pool. */
class Fresh extends Counting {
  constructor() {
    super();
    this.cur = new Float32Array(BATCH);
    this.n = 0;
  }

  pending() {
    return this.n;
  }

  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    this.rendered += ch.length;
    this.cur.set(ch, this.n);
    this.n += ch.length;
    if (this.n >= BATCH) {
      this.port.postMessage(this.cur, [this.cur.buffer]);
      this.cur = new Float32Array(BATCH);
      this.n = 0;
    }
    return true;
  }
}

/**
 * (c2) The leanest plain-JS pool: Float32Arrays recycled from the main thread by transfer,
 * one reused transfer list. A quantum that finds no free buffer is dropped and counted.
 */
class Pool extends Counting {
  constructor(options) {
    super();
    this.pool = [];
    const size = options?.processorOptions?.pool ?? POOL;
    for (let i = 0; i < size; i++) this.pool.push(new Float32Array(BATCH));
    this.cur = null;
    this.n = 0;
    this.transfer = [null];
  }

  onMessage(d) {
    if (d instanceof Float32Array) {
      this.pool.push(d);
      return;
    }
    super.onMessage(d);
  }

  pending() {
    return this.cur === null ? 0 : this.n;
  }

  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    this.rendered += ch.length;
    if (this.cur === null) {
      this.cur = this.pool.length > 0 ? this.pool.pop() : null;
      if (this.cur === null) {
        this.dropped += ch.length;
        return true;
      }
      this.n = 0;
    }
    this.cur.set(ch, this.n);
    this.n += ch.length;
    if (this.n >= BATCH) {
      this.transfer[0] = this.cur.buffer;
      this.port.postMessage(this.cur, this.transfer);
      this.transfer[0] = null;
      this.cur = null;
    }
    return true;
  }
}

registerProcessor('t-floor', Floor);
registerProcessor('t-naive', Naive);
registerProcessor('t-fresh', Fresh);
registerProcessor('t-pool', Pool);
