// A small AudioWorkletGlobalScope for Node: AudioWorkletProcessor (with a MessagePort),
// registerProcessor, sampleRate and currentFrame, enough to run pkg/worklet.js unchanged.
export const processors = new Map();
let nextPort = null;

globalThis.sampleRate = 44100;
globalThis.currentFrame = 0;
globalThis.registerProcessor = (name, cls) => {
  processors.set(name, cls);
};
globalThis.AudioWorkletProcessor = class AudioWorkletProcessor {
  constructor() {
    this.port = nextPort;
  }
};

/** Instantiates a registered processor the way AudioWorkletNode would. */
export function createProcessor(name, port, processorOptions) {
  nextPort = port;
  const Cls = processors.get(name);
  return new Cls({ processorOptions });
}
