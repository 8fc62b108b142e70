// A live AudioContext with an oscillator into a pitchtap tap, for benches/browser/worklet-gc.mjs.
import { PitchTap } from '/pkg/index.js';

window.startTap = async ({ analysis = false } = {}) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  const tap = await PitchTap.create(ctx, analysis ? {} : { pitch: false });
  osc.connect(tap.node);
  osc.start();
  window.stopTap = async () => { const s = await tap.sync(); await tap.close(); osc.stop(); await ctx.close(); return s; };
  return ctx.sampleRate;
};
document.getElementById('status').textContent = 'ready';
