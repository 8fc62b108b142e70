// Onset-to-pitch latency: pitchtap's defaults and its low-latency setting against
// an AnalyserNode (fftSize 2048) read by pitchy on every animation frame, all in one live
// AudioContext of one headless Chromium session, on the same tone onsets
// (benches/browser/latency.js). A 440 Hz sine is switched on at a scheduled context frame;
// for each instrument the delay is the context time (`context.currentTime`) at which the
// first estimate within 20 cents of 440 Hz that the instrument calls voiced reached the
// page, minus the onset's context time. Onsets are 0.75–0.85 s apart (0.3 s of tone), their
// phase against the batch grid and the frame clock spread by a seeded jitter.
// "Centre" is the estimate's own time (pitchtap: `detail.time`, the window centre; pitchy:
// the centre of the analyser's window when it was read) minus the onset: an estimate that
// describes the tone cannot be centred much before it started.
//
//   node benches/browser/latency.mjs [--trials 60] [--configs '[{"name":…,"options":{…}}]']
import { openBench, table, fmt, arg, machineLine } from './lib.mjs';

const TRIALS = arg('trials', 60);
const CONFIGS = JSON.parse(
  arg(
    'configs',
    JSON.stringify([
      { name: 'pitchtap defaults', options: {} },
      { name: "pitchtap latency: 'low'", options: { latency: 'low' } },
    ]),
  ),
);
const THRESHOLDS = [0.9, 0.65];

let seed = 16;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

const h = await openBench('latency.html', { isolated: true });
const byName = new Map();
let stats;
let rate;
try {
  rate = await h.page.evaluate((a) => window.open_(a), {
    configs: CONFIGS,
    thresholds: THRESHOLDS,
  });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  for (let i = 0; i < TRIALS; i++) {
    const r = await h.page.evaluate((a) => window.trial(a), {
      leadS: 0.05,
      jitterS: 0.1 * rand(),
      periodS: 0.7,
    });
    for (const [name, v] of Object.entries(r.results)) {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(v);
    }
  }
  stats = await h.page.evaluate(() => window.stats());
  if (h.errors.length) throw h.errors[0];
} finally {
  await h.close();
}

const names = [...CONFIGS.map((c) => c.name), ...THRESHOLDS.map((t) => `pitchy≥${t}`)];
const label = (n) =>
  n.startsWith('pitchy≥') ? `AnalyserNode(2048) + pitchy, clarity ≥ ${n.slice(7)}, per rAF` : n;
console.log(
  `## Onset-to-pitch latency\n\n${machineLine()}; headless Chromium, live AudioContext at ${rate} Hz, 440 Hz sine switched on at a scheduled context time, ${TRIALS} trials; delay = context.currentTime when the first voiced estimate within ${CENTS_LABEL()} reached the page − onset time\n`,
);
function CENTS_LABEL() {
  return '20 cents';
}
console.log(
  table(
    [
      'instrument',
      'options',
      'onsets found',
      'median ms',
      'p95 ms',
      'mean ms',
      'min / max ms',
      'centre − onset, median (min) ms',
      'messages / s',
    ],
    names.map((n) => {
      const v = byName.get(n) ?? [];
      const d = v.map((x) => x.delayMs);
      const c = v.map((x) => x.centreMs);
      const cfg = CONFIGS.find((x) => x.name === n);
      const s = stats[n];
      return [
        label(n),
        cfg ? `\`${JSON.stringify(cfg.options)}\`` : '–',
        `${v.length} of ${TRIALS}`,
        fmt.n(pct(d, 0.5), 1),
        fmt.n(pct(d, 0.95), 1),
        fmt.n(d.reduce((a, b) => a + b, 0) / d.length, 1),
        `${fmt.n(Math.min(...d), 1)} / ${fmt.n(Math.max(...d), 1)}`,
        `${fmt.n(pct(c, 0.5), 1)} (${fmt.n(Math.min(...c), 1)})`,
        s ? fmt.n(s.messagesPerSecond, 1) : '–',
      ];
    }),
  ),
);
