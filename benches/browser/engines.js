// One live run measured the same way in every engine (benches/browser/engines.mjs): a
// 220 Hz sine into a tap with default options (pitch and volume on). Main-thread time is
// performance.now() around the tap's port handler, so it holds everything pitchtap does per
// batch (copy, analysis, events), and nothing the engine does outside it.
import { PitchTap } from '/pkg/index.js';

const LOG = 1 << 16;
const age = new Float64Array(LOG); // ms: context time at receipt minus the batch's end
const frames = new Float64Array(LOG);
const ctxAt = new Float64Array(LOG); // context time at receipt
const wallAt = new Float64Array(LOG); // performance.now() at receipt
let n = 0;
let handlerMs = 0;

/** The smallest step performance.now() takes here (ms): what its timings can resolve. */
function timerStep() {
  let step = Infinity;
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    step = Math.min(step, b - a);
  }
  return step;
}

/** The smallest step the main thread sees context.currentTime take (ms), over 300 ms. */
function ctxStep(ctx) {
  return new Promise((resolve) => {
    let last = ctx.currentTime;
    let step = Infinity;
    const end = performance.now() + 300;
    const poll = () => {
      const t = ctx.currentTime;
      if (t !== last) {
        step = Math.min(step, (t - last) * 1000);
        last = t;
      }
      if (performance.now() < end) setTimeout(poll, 0);
      else resolve(step);
    };
    poll();
  });
}

window.liveRun = async ({ warmup = 3, seconds = 60 }) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  const gain = new GainNode(ctx, { gain: 0.5 });
  const tap = await PitchTap.create(ctx);
  tap.addEventListener('batch', (e) => {
    const d = e.detail;
    const i = n++ % LOG;
    const now = ctx.currentTime;
    ctxAt[i] = now;
    wallAt[i] = performance.now();
    frames[i] = d.frames;
    age[i] = (now - (d.startFrame + d.frames) / d.sampleRate) * 1000;
  });
  let voiced = 0;
  let near = 0;
  tap.addEventListener('pitch', (e) => {
    if (!e.detail.voiced) return;
    voiced++;
    if (Math.abs(1200 * Math.log2(e.detail.frequency / 220)) < 10) near++;
  });
  const handler = tap.node.port.onmessage;
  tap.node.port.onmessage = (e) => {
    const t0 = performance.now();
    handler(e);
    handlerMs += performance.now() - t0;
  };
  osc.connect(gain).connect(tap.node);
  osc.start();
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const from = n;
  const ms0 = handlerMs;
  const t0 = ctx.currentTime;
  const wall0 = performance.now();
  const s0 = await tap.sync();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const s1 = await tap.sync();
  const to = n;
  const ms1 = handlerMs;
  const t1 = ctx.currentTime;
  const wall1 = performance.now();
  const step = await ctxStep(ctx);
  await tap.close();
  await ctx.close();
  const ages = [];
  const gaps = [];
  let got = 0;
  for (let i = from; i < to; i++) {
    ages.push(age[i % LOG]);
    got += frames[i % LOG];
    if (i > from) gaps.push(wallAt[i % LOG] - wallAt[(i - 1) % LOG]);
  }
  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  };
  const q = (p) => pct(ages, p);
  const audio = t1 - t0;
  return {
    sampleRate: ctx.sampleRate,
    audioSeconds: audio,
    wallSeconds: (wall1 - wall0) / 1000,
    messagesPerSecond: (to - from) / audio,
    samplesPerSecond: got / audio,
    dropped: s1.droppedSamples - s0.droppedSamples,
    gaps: s1.gaps - s0.gaps,
    ageP50: q(0.5),
    ageP99: q(0.99),
    intervalP50: pct(gaps, 0.5),
    intervalP99: pct(gaps, 0.99),
    ctxStepMs: step,
    mainMsPerAudioSecond: (ms1 - ms0) / audio,
    voicedNear: near / Math.max(1, voiced),
    timerStepMs: timerStep(),
  };
};

window.benchReady = true;
document.getElementById('status').textContent = 'ready';
