// A live AudioContext with an oscillator into a pitchtap tap, for benches/browser/worklet-gc.mjs.
import { PitchTap } from '/pkg/index.js';

window.startTap = async ({ analysis = false, options = {} } = {}) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  const tap = await PitchTap.create(ctx, { ...(analysis ? {} : { pitch: false }), ...options });
  osc.connect(tap.node);
  osc.start();
  window.stopTap = async () => { const s = await tap.sync(); await tap.close(); osc.stop(); await ctx.close(); return s; };
  return ctx.sampleRate;
};
/** Baseline c2: plain-JS pool recycled by transfer (benches/browser/c2-processor.js). */
window.startC2 = async () => {
  const ctx = new AudioContext();
  await ctx.resume();
  await ctx.audioWorklet.addModule('/benches/browser/c2-processor.js');
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  const node = new AudioWorkletNode(ctx, 'c2-pool', { numberOfInputs: 1, numberOfOutputs: 0 });
  const transfer = [null];
  let messages = 0;
  node.port.onmessage = (e) => {
    messages++;
    transfer[0] = e.data.buffer;
    node.port.postMessage(e.data, transfer);
    transfer[0] = null;
  };
  osc.connect(node);
  osc.start();
  window.stopTap = async () => { osc.stop(); await ctx.close(); return { messages, droppedSamples: 'n/a' }; };
  return ctx.sampleRate;
};
document.getElementById('status').textContent = 'ready';
