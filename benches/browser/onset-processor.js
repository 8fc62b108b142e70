// Onset clock for benches/browser/batch-size.mjs: posts the context frame of the first
// sample above a threshold after at least `quietFrames` below it. Rare messages only.
class Onset extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.threshold = options.processorOptions.threshold;
    this.quietFrames = options.processorOptions.quietFrames;
    this.quiet = 0;
  }

  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    for (let i = 0; i < ch.length; i++) {
      if (Math.abs(ch[i]) < this.threshold) {
        this.quiet++;
        continue;
      }
      if (this.quiet >= this.quietFrames) this.port.postMessage(currentFrame + i);
      this.quiet = 0;
    }
    return true;
  }
}
registerProcessor('onset', Onset);
