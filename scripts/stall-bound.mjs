// Measures the longest main-thread block the default pool rides out without a drop: blocks
// the main thread for a range of lengths around the documented bound (docs/reliability.md)
// and prints, per length, the drops seen in each run. Usage:
//   PITCHTAP_ENGINE=chromium node scripts/stall-bound.mjs [runs per length, default 5]
// (`make bench-stall` runs it in every engine, 3 runs per length).
import { openPage } from '../tests/e2e/harness.mjs';

const runs = Number(process.argv[2] ?? 5);
const lengths = [200, 240, 260, 280, 300, 320, 340, 360, 400];
const h = await openPage('faults');
const rows = [];
for (let i = 0; i < runs; i++) {
  for (const blockMs of lengths) {
    const r = await h.page.evaluate(
      (b) => window.liveBlock({ blockMs: b, poolSize: 16, before: 1, after: 0.7 }),
      blockMs,
    );
    const dropped = r.statsAfter.droppedSamples - r.statsBefore.droppedSamples;
    rows.push({ blockMs, audioMs: r.audioBlockedMs, dropped, sampleRate: r.sampleRate });
    process.stderr.write('.');
  }
}
await h.close();
const rate = rows[0].sampleRate;
const bound = (n) => (((n * 1024) / rate) * 1000).toFixed(0);
console.log(
  `\n${h.engine ?? process.env.PITCHTAP_ENGINE ?? 'chromium'}, ${rate} Hz, batch 1024, pool 16: documented ${bound(12)}–${bound(15)} ms`,
);
console.log(
  '| block (ms) | audio time blocked (ms, median) | runs with drops | frames dropped per run |',
);
console.log('|---|---|---|---|');
for (const b of lengths) {
  const rs = rows.filter((r) => r.blockMs === b);
  const audio = rs.map((r) => r.audioMs).sort((x, y) => x - y)[Math.floor(rs.length / 2)];
  console.log(
    `| ${b} | ${audio.toFixed(0)} | ${rs.filter((r) => r.dropped > 0).length} of ${rs.length} | ${rs.map((r) => r.dropped).join(', ')} |`,
  );
}
