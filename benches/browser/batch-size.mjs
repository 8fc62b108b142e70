// Batch-size trade-off, live with Chromium's fake microphone playing a WAV of
// 440 Hz tone bursts (0.4 s on, then 0.45–0.85 s of silence from a seeded generator, so that
// onsets fall at every phase of the batch grid; written here, 16-bit mono 44.1 kHz): for each batch size a new tap (pitch
// and volume on, a `pitch` listener) runs --seconds after a 1 s warm-up. Prints one table:
// messages/s, main-thread CPU per audio second (CDP TaskDuration, thread time), batch age
// p50/p99 (stats().batchAgeMs), and the pitch estimate delay: from each tone onset (the
// context frame of the first loud sample, found by a separate AudioWorklet that sees the
// same samples) to the dispatch of the first `pitch` event within 3 % of 440 Hz, as
// context.currentTime at dispatch minus the onset time.
//
//   node benches/browser/batch-size.mjs [--seconds 10] [--sizes 128,256,…]
import { openBench, metrics, table, fmt, arg, machineLine } from './lib.mjs';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECONDS = arg('seconds', 10);
const SIZES = arg('sizes', '128,256,512,1024,2048,4096,8192').split(',').map(Number);

/** 40 bursts of a 440 Hz sine (0.5 amplitude, 5 ms fades) with seeded random gaps. */
function burstsWav() {
  const rate = 44100;
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const parts = [];
  for (let b = 0; b < 40; b++) parts.push([0.4, 0.45 + 0.4 * rand()]);
  const n = Math.round(parts.reduce((a, [on, off]) => a + on + off, 0) * rate);
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + 2 * n, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(2 * rate, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(2 * n, 40);
  let i = 0;
  for (const [on, off] of parts) {
    const k = Math.round(on * rate);
    for (let j = 0; j < k; j++, i++) {
      const fade = Math.min(1, j / (0.005 * rate), (k - j) / (0.005 * rate));
      buf.writeInt16LE(
        Math.round(16383 * fade * Math.sin((2 * Math.PI * 440 * j) / rate)),
        44 + 2 * i,
      );
    }
    i += Math.round(off * rate); // silence (already zero)
  }
  const file = join(mkdtempSync(join(tmpdir(), 'pitchtap-bench-')), 'bursts-440.wav');
  writeFileSync(file, buf.subarray(0, 44 + 2 * Math.min(i, n)));
  return file;
}
const wav = burstsWav();
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

const h = await openBench('live.html', { micWav: wav, isolated: true }); // isolated: 5 µs performance.now()
const rows = [];
try {
  const sampleRate = await h.page.evaluate(() => window.open_({ mic: true, sampleRate: 44100 }));
  await h.page.evaluate(() => window.setTarget(440));
  for (const size of SIZES) {
    process.stderr.write(`batch ${size}… `);
    await h.page.evaluate((o) => window.startTap(o), {
      options: { batchSize: size },
      timeOnsets: true,
    });
    await wait(1000);
    const n0 = await h.page.evaluate(() => window.now());
    const s0 = await h.page.evaluate(() => window.stats());
    const m0 = await metrics(h.cdp);
    await wait(SECONDS * 1000);
    const m1 = await metrics(h.cdp);
    const s1 = await h.page.evaluate(() => window.stats());
    const n1 = await h.page.evaluate(() => window.now());
    const delays = (await h.page.evaluate(() => window.onsetDelays()))
      .filter(([t]) => t >= n0.ctxTime && t <= n1.ctxTime - 0.5)
      .map(([, d]) => d * 1000);
    const found = delays.filter(Number.isFinite);
    const audioS = n1.ctxTime - n0.ctxTime;
    rows.push({
      size,
      batchMs: (size / sampleRate) * 1000,
      messagesPerS: (s1.messages - s0.messages) / ((n1.t - n0.t) / 1000),
      cpuMsPerS: ((m1.TaskDuration - m0.TaskDuration) * 1000) / audioS,
      age: s1.batchAgeMs,
      analysis: s1.analysisMs,
      onsets: delays.length,
      found: found.length,
      delayP50: found.length ? pct(found, 0.5) : NaN,
      delayMean: found.length ? found.reduce((a, b) => a + b, 0) / found.length : NaN,
      delayMax: found.length ? Math.max(...found) : NaN,
      dropped: s1.droppedSamples,
    });
    process.stderr.write('done\n');
  }
  if (h.errors.length) throw h.errors[0];
} finally {
  await h.close();
}

const base = rows.find((r) => r.size === 1024) ?? rows[0];
console.log(
  `## Batch-size trade-off\n\n${machineLine()}; live, fake microphone (440 Hz bursts, 0.4 s on, 0.45–0.85 s off), 44.1 kHz, pitch window 2048 / hop 441 (defaults), default pool (16 buffers), ${SECONDS} s per size after 1 s warm-up\n`,
);
console.log(
  table(
    [
      'batch size',
      'batch ms',
      'messages / s',
      'main CPU ms / audio s (× 1024)',
      'batch age p50 ms',
      'batch age p99 ms',
      'analysis p50 / p99 ms per batch',
      'pitch delay p50 ms (× 1024)',
      'pitch delay mean / max ms',
      'onsets timed',
      'dropped frames',
    ],
    rows.map((r) => [
      r.size,
      r.batchMs.toFixed(1),
      fmt.n(r.messagesPerS, 1),
      `${fmt.n(r.cpuMsPerS, 2)} (${fmt.ratio(r.cpuMsPerS, base.cpuMsPerS)})`,
      fmt.n(r.age.p50, 1),
      fmt.n(r.age.p99, 1),
      `${fmt.n(r.analysis.p50, 3)} / ${fmt.n(r.analysis.p99, 3)}`,
      `${fmt.n(r.delayP50, 1)} (${fmt.ratio(r.delayP50, base.delayP50)})`,
      `${fmt.n(r.delayMean, 1)} / ${fmt.n(r.delayMax, 1)}`,
      `${r.found} of ${r.onsets}`,
      fmt.n(r.dropped),
    ]),
  ),
);
