// The same 60 s live run in Chromium, Firefox and WebKitGTK (benches/browser/engines.js),
// measured the same way in each: messages/s and samples/s against the context's clock,
// drops, batch age p50/p99, and pitchtap's main-thread time per audio second
// (performance.now() around its port handler). Prints a markdown table.
//   node benches/browser/engines.mjs [--seconds 60] [--engines chromium,firefox,webkit]
import { launch } from '../../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const seconds = Number(arg('seconds', 60));
const engines = arg('engines', 'chromium,firefox,webkit').split(',');

const rows = [];
for (const engine of engines) {
  const h = await launch({ engine });
  try {
    await h.page.goto(`${h.url}/benches/browser/engines.html`);
    await h.page.waitForFunction(() => window.benchReady === true);
    const version = await h.page.evaluate(() => navigator.userAgent);
    const r = await h.page.evaluate((s) => window.liveRun({ seconds: s }), seconds);
    rows.push({ engine, version, ...r });
    console.error(`${engine}: ${JSON.stringify(r)}`);
  } finally {
    await h.close();
  }
}

const f = (x, d = 2) => x.toFixed(d);
console.log(
  `\n${seconds} s live, 220 Hz sine, default options (batch 1024, pool 16, pitch and volume on)\n`,
);
console.log(
  '| engine | sample rate | messages/s (expected) | samples/s ÷ rate | dropped | batch age p50 / p99 (ms, context clock) | currentTime step (ms) | arrival interval p50 / p99 (ms) | main ms per audio s | performance.now() step (ms) | voiced within 10 cents |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.engine} | ${r.sampleRate} | ${f(r.messagesPerSecond)} (${f(r.sampleRate / 1024)}) | ${f(r.samplesPerSecond / r.sampleRate, 4)} | ${r.dropped} | ${f(r.ageP50, 1)} / ${f(r.ageP99, 1)} | ${f(r.ctxStepMs, 1)} | ${f(r.intervalP50, 1)} / ${f(r.intervalP99, 1)} | ${f(r.mainMsPerAudioSecond)} | ${r.timerStepMs.toPrecision(2)} | ${f(100 * r.voicedNear, 1)} % |`,
  );
}
for (const r of rows) console.log(`\n${r.engine}: ${r.version}`);
process.exit(0);
