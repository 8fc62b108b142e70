// Pitch detectors on the same signal in the page's main thread, for
// benches/browser/pitch-cost.mjs: pitchtap's analyze() (wasm) against pitchy and pitchfinder.
import { analyze } from '/pkg/index.js';
import { PitchDetector, YIN, Macleod } from '/benches/vendor/pitch-libs.js';

const RATE = 44100;
const WINDOW = 2048;
const HOP = 441;

/**
 * A sung-like tone: 10 harmonics at 1/k, f0 gliding between notes (A3, C4, E4, A3 …, one per
 * second) with 5.5 Hz vibrato of ±30 cents, a syllable envelope, and seeded white noise at
 * −30 dB. Returns the samples and the true f0 per sample.
 */
function voice(seconds) {
  const n = Math.round(seconds * RATE);
  const x = new Float32Array(n);
  const f0 = new Float32Array(n);
  const notes = [220, 261.63, 329.63, 220, 196, 246.94];
  let phase = 0;
  let seed = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    const f =
      notes[Math.floor(t) % notes.length] * 2 ** ((30 / 1200) * Math.sin(2 * Math.PI * 5.5 * t));
    f0[i] = f;
    phase += (2 * Math.PI * f) / RATE;
    let tone = 0;
    for (let k = 1; k <= 10; k++) tone += Math.sin(k * phase) / k;
    const env = Math.min(1, (t % 1) / 0.05, (1 - (t % 1)) / 0.05);
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    x[i] = 0.25 * env * tone + 0.03 * (seed / 2 ** 32 - 0.5);
  }
  return { x, f0 };
}

const within = (est, truth) => est > 0 && Math.abs(1200 * Math.log2(est / truth)) < 50;

/** A detector called per hop on a subarray of the window. */
function perHop(x, f0, detect) {
  let estimates = 0;
  let correct = 0;
  const t0 = performance.now();
  for (let i = 0; i + WINDOW <= x.length; i += HOP) {
    const f = detect(x.subarray(i, i + WINDOW));
    estimates++;
    if (within(f, f0[i + WINDOW / 2])) correct++;
  }
  return { ms: performance.now() - t0, estimates, correct };
}

const DETECTORS = {
  async pitchtap(x, f0) {
    const t0 = performance.now();
    const est = await analyze(x, RATE, { windowSize: WINDOW, hopSize: HOP });
    const ms = performance.now() - t0;
    let correct = 0;
    for (const e of est)
      if (within(e.frequency, f0[Math.min(f0.length - 1, Math.round(e.time * RATE))])) correct++;
    return { ms, estimates: est.length, correct };
  },
  pitchy(x, f0) {
    const d = PitchDetector.forFloat32Array(WINDOW);
    return perHop(x, f0, (w) => {
      const [p, clarity] = d.findPitch(w, RATE);
      return clarity >= 0.9 ? p : 0;
    });
  },
  'pitchfinder YIN'(x, f0) {
    const d = YIN({ sampleRate: RATE });
    return perHop(x, f0, (w) => d(w) ?? 0);
  },
  'pitchfinder MPM (Macleod)'(x, f0) {
    const d = Macleod({ sampleRate: RATE, bufferSize: WINDOW });
    return perHop(x, f0, (w) => d(w)?.freq ?? 0);
  },
};

/** Runs every detector `repeats` times on `seconds` of audio (after a 2 s warm-up each). */
window.run = async ({ seconds, repeats }) => {
  const { x, f0 } = voice(seconds);
  const warm = voice(2);
  const out = {};
  for (const [name, fn] of Object.entries(DETECTORS)) {
    await fn(warm.x, warm.f0);
    const runs = [];
    for (let r = 0; r < repeats; r++) runs.push(await fn(x, f0));
    out[name] = runs;
  }
  return { rate: RATE, window: WINDOW, hop: HOP, seconds, crossOriginIsolated, out };
};

window.benchReady = true;
document.getElementById('status').textContent = 'ready';
