// Baseline (c2) for the GC trace: the leanest plain-JS design — a pool of Float32Arrays
// recycled from the main thread by transfer, one reused transfer list, no wasm.
const BATCH = 1024;
class C2Pool extends AudioWorkletProcessor {
  constructor() {
    super();
    this.pool = [];
    for (let i = 0; i < 8; i++) this.pool.push(new Float32Array(BATCH));
    this.cur = null; this.n = 0; this.transfer = [null]; this.dropped = 0;
    this.port.onmessage = (e) => { this.pool.push(e.data); };
  }
  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    if (this.cur === null) {
      this.cur = this.pool.length > 0 ? this.pool.pop() : null;
      if (this.cur === null) { this.dropped += ch.length; return true; }
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
registerProcessor('c2-pool', C2Pool);
