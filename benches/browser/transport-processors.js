// The transport of benches/browser/transports.mjs that needs a dependency: (d), a
// SharedArrayBuffer ring from ringbuf.js. The others are in lean-processors.js.
import { AudioWriter, RingBuffer } from '/benches/vendor/ringbuf.js';
import { Counting } from './lean-processors.js';

/** (d) A SharedArrayBuffer ring (ringbuf.js): no messages; the main thread polls it. */
class Ring extends Counting {
  constructor(options) {
    super();
    this.writer = new AudioWriter(new RingBuffer(options.processorOptions.sab, Float32Array));
  }

  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    this.rendered += ch.length;
    const written = this.writer.enqueue(ch);
    this.dropped += ch.length - written;
    return true;
  }
}

registerProcessor('t-ring', Ring);
