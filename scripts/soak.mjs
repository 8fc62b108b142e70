// Soak: `make soak`.
//   node scripts/soak.mjs [--offline-minutes 60] [--live-minutes 10] [--every 30] [--offline-every 5]
// 1. Offline: `--offline-minutes` of audio (a 220–440 Hz glide) through an
//    OfflineAudioContext into a tap, rendered in 10 s chunks (suspend → await tap.sync() →
//    resume), so it runs faster than real time without outrunning the pool.
// 2. Live: `--live-minutes` of the fake microphone (Chrome's file-backed capture device)
//    into a tap in a real AudioContext.
// Every `--every` seconds of wall time (offline: `--offline-every`) it samples frames received and dropped, gaps,
// JSHeapUsedSize after a forced GC (CDP), the main thread's wasm memory and, live, how
// late a 50 ms timer fired at worst (jank). It prints a table and writes
// tests/artifacts/soak.json. Exit status 1 if anything was dropped, refused or wrong, or
// the heap grew by more than --heap-growth-mb (default 2) between the first and last sample.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { launch, gotoPage, metricsSession, soxWav, artifacts } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const num = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const offlineMinutes = num('offline-minutes', 60);
const liveMinutes = num('live-minutes', 10);
const every = num('every', 30);
// The offline part runs ~50× faster than real time: sample it more often.
const offlineEvery = num('offline-every', 5);
const heapGrowthMb = num('heap-growth-mb', 2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A 30 s glide and tone loop for the fake microphone (Chrome repeats the file).
const wav = soxWav(
  'soak-mic-48k.wav',
  ['-r', '48000', '-c', '1', '-b', '16'],
  ['synth', '30', 'sine', '110-880', 'vol', '0.4'],
);
const h = await launch({ mic: { wav }, engine: 'chromium' }); // CDP: heap and audio object counts
const cdp = await metricsSession(h);
await gotoPage(h, 'soak');

/** JSHeapUsedSize (after a full GC when `gc`), and Blink's counts of audio objects. */
async function heap(gc) {
  if (gc) await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return {
    heapMb: m.JSHeapUsedSize / 2 ** 20,
    audioHandlers: m.AudioHandlers,
    processors: m.AudioWorkletProcessors,
  };
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${process.platform}`;
const browser = (await cdp.send('Browser.getVersion')).product;
const result = {
  machine,
  browser,
  command: `node scripts/soak.mjs ${args.join(' ')}`.trim(),
  offline: [],
  live: [],
};
const fmt = (r) =>
  [
    r.wall.toFixed(0).padStart(5),
    (r.audioMin ?? 0).toFixed(2).padStart(9),
    String(r.received).padStart(10),
    String(r.dropped).padStart(7),
    String(r.gaps).padStart(4),
    r.heapMb.toFixed(2).padStart(7),
    (r.wasmMb ?? 0).toFixed(2).padStart(7),
    (r.lateMaxMs ?? 0).toFixed(0).padStart(7),
  ].join(' ');
const head = ' wall_s audio_min   received dropped gaps heap_MB wasm_MB late_ms';

/**
 * One row. Offline, the heap is measured after a forced GC (the render is paced, so a GC
 * pause cannot drop audio); live, without one, so the measurement causes no jank.
 */
async function sample(t0, sampleRate, gc) {
  const s = await h.page.evaluate(() => window.soakSample({ reset: true }));
  // Drop this script's own per-event records first, so the heap is pitchtap's.
  await h.page.evaluate(() => window.soakTrim());
  const mem = await heap(gc);
  const wasmMb = (await h.page.evaluate(() => window.wasmBytes())) / 2 ** 20;
  return {
    wall: (performance.now() - t0) / 1000,
    audioMin: s.received / sampleRate / 60,
    ...s,
    ...mem,
    wasmMb,
  };
}

let failed = [];
/** Fails the run on any hole without a flag, sequence break, refused buffer, error or bad estimate. */
function checkCounters(phase, stop, last) {
  const { seqBreaks, refused, errors } = stop.stats;
  const bad = last.badPitch + last.badVolume;
  if (stop.unflagged || seqBreaks || refused || errors || bad) {
    failed.push(
      `${phase}: unflagged holes ${stop.unflagged}, seqBreaks ${seqBreaks}, refused ${refused}, ` +
        `errors ${errors}, bad estimates ${bad}`,
    );
  }
}

// 1. Offline.
if (offlineMinutes > 0) {
  const sampleRate = 44100;
  const o = { minutes: offlineMinutes, chunk: 1, sampleRate, batchSize: 1024, poolSize: 64 };
  console.log(
    `soak: ${offlineMinutes} min of audio through an OfflineAudioContext at ${sampleRate} Hz, paced every ${o.chunk} s ` +
      `(pool ${o.poolSize} × ${o.batchSize} = ${((o.poolSize * o.batchSize) / sampleRate).toFixed(2)} s); ${machine}; Chromium ${browser}`,
  );
  console.log(head);
  await h.page.evaluate((a) => window.soakOfflineStart(a), o);
  const t0 = performance.now();
  let next = 0;
  for (;;) {
    await sleep(1000);
    const done = await h.page.evaluate(() => window.soakSample().done);
    if ((performance.now() - t0) / 1000 >= next || done) {
      const r = await sample(t0, sampleRate, true);
      result.offline.push(r);
      console.log(fmt(r));
      next += offlineEvery;
      if (done) break;
    }
  }
  const stop = await h.page.evaluate(() => window.soakStop());
  const last = result.offline[result.offline.length - 1];
  const frames = Math.round((offlineMinutes * 60 * sampleRate) / 128) * 128;
  result.offlineSummary = {
    frames,
    wallSeconds: last.wall,
    speed: (offlineMinutes * 60) / last.wall,
    ...stop,
  };
  console.log(
    `offline: ${frames} frames rendered, ${stop.received} received, ${stop.stats.droppedSamples} dropped, ` +
      `${((offlineMinutes * 60) / last.wall).toFixed(1)}× real time`,
  );
  if (last.error) failed.push(`offline: ${last.error}`);
  if (stop.received !== frames) failed.push(`offline: received ${stop.received} of ${frames}`);
  if (stop.stats.droppedSamples !== 0 || stop.holeFrames !== 0 || stop.unflagged !== 0)
    failed.push(`offline: dropped ${stop.stats.droppedSamples}`);
  checkCounters('offline', stop, last);
  const growth = last.heapMb - result.offline[0].heapMb;
  if (growth > heapGrowthMb) failed.push(`offline: heap grew ${growth.toFixed(2)} MB`);
}

// 2. Live.
if (liveMinutes > 0) {
  const before = await heap(true);
  const info = await h.page.evaluate(() => window.soakLiveStart({ batchSize: 1024, poolSize: 8 }));
  console.log(
    `\nsoak: ${liveMinutes} min live, fake microphone at ${info.sampleRate} Hz, pool 8 × 1024 = ${(info.poolSeconds * 1000).toFixed(0)} ms` +
      `; heap after GC before the tap ${before.heapMb.toFixed(2)} MB (rows: heap without forcing a GC)`,
  );
  console.log(head);
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < liveMinutes * 60 - 1) {
    await sleep(Math.min(every * 1000, liveMinutes * 60 * 1000 - (performance.now() - t0)));
    const r = await sample(t0, info.sampleRate, false);
    result.live.push(r);
    console.log(fmt(r));
  }
  const stop = await h.page.evaluate(() => window.soakStop());
  const after = await heap(true);
  const last = result.live[result.live.length - 1];
  const lateMaxMs = Math.max(...result.live.map((r) => r.lateMaxMs));
  result.liveSummary = {
    sampleRate: info.sampleRate,
    poolSeconds: info.poolSeconds,
    ...stop,
    lateMaxMs,
    heapBeforeMb: before.heapMb,
    heapAfterMb: after.heapMb,
    audioHandlersAfter: after.audioHandlers,
    processorsAfter: after.processors,
  };
  console.log(
    `live: ${stop.received} frames received (${(stop.received / info.sampleRate / 60).toFixed(2)} min), ` +
      `${stop.stats.droppedSamples} dropped in ${stop.stats.gaps} gaps, discontinuities ${stop.holeFrames - stop.gapFrames} frames, ` +
      `worst timer lateness ${lateMaxMs.toFixed(0)} ms; heap after GC ${before.heapMb.toFixed(2)} → ${after.heapMb.toFixed(2)} MB ` +
      `(tap closed; AudioHandlers ${after.audioHandlers}, AudioWorkletProcessors ${after.processors})`,
  );
  if (stop.stats.droppedSamples !== 0) {
    // Drops are only a failure without jank: a main-thread block at least as long as the pool.
    const jank = result.live.some(
      (r) => r.dropped > 0 && r.lateMaxMs >= 0.8 * info.poolSeconds * 1000,
    );
    if (!jank) failed.push(`live: dropped ${stop.stats.droppedSamples} frames without jank`);
    else
      console.log(
        `live: drops after main-thread jank (pool ${(info.poolSeconds * 1000).toFixed(0)} ms)`,
      );
  }
  checkCounters('live', stop, last);
  if (stop.gapFrames !== stop.stats.droppedSamples)
    failed.push(`live: GAP holes ${stop.gapFrames} ≠ dropped ${stop.stats.droppedSamples}`);
  if (after.heapMb - before.heapMb > heapGrowthMb)
    failed.push(`live: heap grew ${(after.heapMb - before.heapMb).toFixed(2)} MB`);
}

result.failed = failed;
result.pageErrors = h.errors.map(String);
if (h.errors.length) failed.push(...h.errors.map(String));
writeFileSync(join(artifacts, 'soak.json'), JSON.stringify(result, null, 1));
await h.close();
console.log(failed.length ? `\nsoak FAILED:\n  ${failed.join('\n  ')}` : '\nsoak: OK');
process.exit(failed.length ? 1 : 0);
