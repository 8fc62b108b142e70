// The naive baseline: a copy of every render quantum posted as a fresh Float32Array (344/s).
class NaiveProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0][0];
    if (ch) this.port.postMessage(new Float32Array(ch));
    return true;
  }
}
registerProcessor('naive', NaiveProcessor);
