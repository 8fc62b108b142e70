// GCs per thread while pitchtap runs live, from a Chrome trace (CDP Tracing with the `v8`
// and `disabled-by-default-v8.gc` categories). Counts MinorGC/MajorGC only (V8.GCScavenger
// and similar events nest inside them).
//   node benches/browser/worklet-gc.mjs [--seconds 60] [--analysis | --c2] [--batch-size 1024]
// --c2 runs the plain-JS pool baseline (benches/browser/c2-processor.js) instead.
import { launch } from '../../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 60);
const analysis = args.includes('--analysis');
const c2 = args.includes('--c2');
const batchSize = args.includes('--batch-size') ? Number(args[args.indexOf('--batch-size') + 1]) : 1024;

const h = await launch();
await h.page.goto(`${h.url}/benches/browser/gc.html`);
await h.page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
const cdp = await h.page.context().newCDPSession(h.page);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const sampleRate = c2
  ? await h.page.evaluate(() => window.startC2())
  : await h.page.evaluate((a) => window.startTap({ analysis: a.analysis, options: { batchSize: a.batchSize } }), { analysis, batchSize });
await h.page.waitForTimeout(3000); // warm-up, not traced
await cdp.send('Tracing.start', {
  traceConfig: { includedCategories: ['v8', 'disabled-by-default-v8.gc', '__metadata'], recordMode: 'recordContinuously' },
  transferMode: 'ReportEvents',
});
await h.page.waitForTimeout(seconds * 1000);
const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Tracing.end');
await done;
const stats = await h.page.evaluate(() => window.stopTap());
await h.close();

const names = new Map();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
const per = new Map();
for (const e of events) {
  if (e.name !== 'MinorGC' && e.name !== 'MajorGC') continue;
  if (e.ph !== 'X' && e.ph !== 'B') continue;
  const thread = names.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
  const t = per.get(thread) ?? { minor: 0, major: 0, collected: 0, longestMs: 0 };
  t[e.name === 'MinorGC' ? 'minor' : 'major']++;
  const before = e.args?.usedHeapSizeBefore; const after = e.args?.usedHeapSizeAfter;
  if (before !== undefined && after !== undefined) t.collected += before - after;
  if (e.dur !== undefined) t.longestMs = Math.max(t.longestMs, e.dur / 1000);
  per.set(thread, t);
}
console.log(`${c2 ? 'c2 plain-JS pool' : analysis ? 'pitchtap with analysis' : 'pitchtap transport only'}, batch ${c2 ? 1024 : batchSize}, live ${seconds} s at ${sampleRate} Hz, ${stats.messages} batches, ${stats.droppedSamples} dropped`);
console.log('| thread | MinorGC | MajorGC | bytes collected/s | longest pause ms |');
console.log('|---|---|---|---|---|');
if (!per.has('Realtime AudioWorklet thread') && ![...per.keys()].some((k) => /AudioWorklet/.test(k))) {
  console.log('| Realtime AudioWorklet thread | 0 | 0 | 0 | 0 |');
}
for (const [thread, t] of per) {
  console.log(`| ${thread} | ${t.minor} | ${t.major} | ${(t.collected / seconds).toFixed(0)} | ${t.longestMs.toFixed(2)} |`);
}
const threads = [...new Set(names.values())].filter((n) => /Audio/i.test(n));
console.log(`threads seen: ${threads.join(', ')}`);
