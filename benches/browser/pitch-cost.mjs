// Pitch detector cost in the browser: 20 s of a sung-like harmonic tone with
// vibrato and noise, window 2048 / hop 441 at 44.1 kHz, on the page's main thread in
// headless Chromium: pitchtap's analyze() (the wasm detector, one call streaming the whole
// signal) against pitchy (PitchDetector.forFloat32Array(2048).findPitch) and pitchfinder
// (YIN, Macleod), those called per hop on a subarray. Each runs --repeats times after a 2 s
// warm-up; the table shows the median run. "Correct" = an estimate within 50 cents of the
// true f0 at the window centre (a sanity check that each did real work, not an accuracy
// benchmark: see docs/pitch.md for that).
//
//   node benches/browser/pitch-cost.mjs [--seconds 20] [--repeats 5]
import { openBench, table, fmt, arg, machineLine } from './lib.mjs';

const SECONDS = arg('seconds', 20);
const REPEATS = arg('repeats', 5);

const h = await openBench('pitch-cost.html', { isolated: true }); // isolated: 5 µs performance.now()
let r;
try {
  r = await h.page.evaluate((a) => window.run(a), { seconds: SECONDS, repeats: REPEATS });
  if (h.errors.length) throw h.errors[0];
} finally {
  await h.close();
}

const median = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
const rows = Object.entries(r.out).map(([name, runs]) => ({ name, runs, m: median(runs) }));
const pitchy = rows.find((x) => x.name === 'pitchy').m;
const usPer = (m) => (m.ms * 1000) / m.estimates;
console.log(
  `## Pitch detector cost in the browser\n\n${machineLine()}; headless Chromium main thread (crossOriginIsolated: ${r.crossOriginIsolated}), ${r.seconds} s at ${r.rate} Hz, window ${r.window}, hop ${r.hop}, median of ${REPEATS} runs\n`,
);
console.log(
  table(
    [
      'detector',
      'estimates',
      'correct (±50 cents)',
      'µs per estimate (× pitchy)',
      'main-thread s per audio s (wall)',
      'all runs, ms',
    ],
    rows.map(({ name, runs, m }) => [
      name,
      m.estimates,
      `${fmt.n((100 * m.correct) / m.estimates, 1)} %`,
      `${fmt.n(usPer(m), 1)} (${fmt.ratio(usPer(m), usPer(pitchy))})`,
      (m.ms / 1000 / r.seconds).toFixed(5),
      runs.map((x) => x.ms.toFixed(1)).join(', '),
    ]),
  ),
);
