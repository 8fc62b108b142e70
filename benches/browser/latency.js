// Onset-to-pitch latency, for benches/browser/latency.mjs. One live AudioContext (44.1 kHz):
// a 440 Hz sine (OscillatorNode, running throughout) through a GainNode whose gain steps
// from 0 to 0.5 at a scheduled context frame (the onset) and back to 0 0.3 s later. The gain
// feeds, at the same time, every pitchtap tap under test and an AnalyserNode (fftSize 2048)
// read on every requestAnimationFrame by pitchy. For each instrument and trial the page
// records the first estimate within 20 cents of 440 Hz that is voiced (pitchtap: a `pitch`
// event with `voiced`; pitchy: clarity at or above the threshold), as the context time when
// it reached the page (`context.currentTime` read in the event listener or the rAF callback
// that produced it) minus the onset's context time.
import { PitchTap } from '/pkg/index.js';
import { PitchDetector } from '/benches/vendor/pitch-libs.js';

const RATE = 44100;
const TONE_HZ = 440;
const CENTS = 20;
const ON_S = 0.3;

let ctx = null;
let gain = null;
let analyser = null;
let taps = [];
let trial = null; // { onset (s), results: Map(name → { delayMs, centreMs }) }
const within = (f) => f > 0 && Math.abs(1200 * Math.log2(f / TONE_HZ)) <= CENTS;

function record(name, centreS) {
  if (!trial || trial.results.has(name)) return;
  const now = ctx.currentTime;
  if (now < trial.onset) return;
  trial.results.set(name, {
    delayMs: (now - trial.onset) * 1000,
    centreMs: (centreS - trial.onset) * 1000,
  });
}

/**
 * Opens the context and the instruments: `configs` is [{ name, options }] of pitchtap taps;
 * `thresholds` the pitchy clarity thresholds, each an instrument named `pitchy≥<t>`.
 */
window.open_ = async ({ configs, thresholds }) => {
  ctx = new AudioContext({ sampleRate: RATE, latencyHint: 'interactive' });
  await ctx.resume();
  const osc = new OscillatorNode(ctx, { frequency: TONE_HZ });
  gain = new GainNode(ctx, { gain: 0 });
  osc.connect(gain);
  osc.start();
  for (const { name, options } of configs) {
    const tap = await PitchTap.create(ctx, options);
    tap.addEventListener('pitch', (e) => {
      const p = e.detail;
      if (p.voiced && within(p.frequency)) record(name, p.time);
    });
    gain.connect(tap.node);
    taps.push({ name, tap });
  }
  analyser = new AnalyserNode(ctx, { fftSize: 2048 });
  gain.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const detector = PitchDetector.forFloat32Array(buf.length);
  const frame = () => {
    analyser.getFloatTimeDomainData(buf);
    const [f, clarity] = detector.findPitch(buf, ctx.sampleRate);
    // The analyser's window ends at the newest rendered frame: its centre is half a window back.
    const centre = ctx.currentTime - buf.length / 2 / ctx.sampleRate;
    for (const t of thresholds) if (clarity >= t && within(f)) record(`pitchy≥${t}`, centre);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return ctx.sampleRate;
};

/**
 * One trial: the onset at a context frame `leadS` + `jitterS` from now (so that onsets
 * fall at every phase of the batch grid and of the frame clock), the tone for 0.3 s, then
 * silence until `periodS` has passed. Resolves with { onset, results }.
 */
window.trial = async ({ leadS, jitterS, periodS }) => {
  const frame = Math.round((ctx.currentTime + leadS + jitterS) * ctx.sampleRate);
  const onset = frame / ctx.sampleRate;
  gain.gain.setValueAtTime(0.5, onset);
  gain.gain.setValueAtTime(0, onset + ON_S);
  trial = { onset, results: new Map() };
  const end = onset + periodS;
  while (ctx.currentTime < end) await new Promise((r) => setTimeout(r, 20));
  const out = { onset, results: Object.fromEntries(trial.results) };
  trial = null;
  return out;
};

window.stats = () => Object.fromEntries(taps.map(({ name, tap }) => [name, tap.stats()]));

window.benchReady = true;
document.getElementById('status').textContent = 'ready';
