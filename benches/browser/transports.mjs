// Transports side by side: the same audio (a 220 Hz sawtooth, gain 0.3, 44.1 kHz)
// from an AudioWorklet to the main thread, offline (OfflineAudioContext, rendered in chunks
// with suspend/resume, each chunk waiting until the main thread has caught up and the
// worklet has its buffers back — the same pacing for every case) and live (AudioContext at
// real time). Prints markdown tables. One fresh headless Chromium per case and mode.
//
//   node benches/browser/transports.mjs [--seconds 60] [--gc-seconds 180] [--warmup 5]
//        [--steady-warmup 25] [--chunk 4096 (0: unpaced)] [--pool N] [--only a,b,c,c2,d,e,f,g]
//        [--mode offline,live] [--js-flags '…']
//
// Cases: (a) floor: a processor that posts nothing; (b) naive: postMessage(new
// Float32Array(quantum)) per quantum; (c) plain-JS batcher of 1024 frames, transferred, a new
// buffer per batch; (c2) the same with a pool of 8 recycled from the main thread;
// (d) SharedArrayBuffer ring (ringbuf.js, 1 s, drained every 10 ms live / every chunk
// offline); (e) pitchtap, pitch: false, no listeners; (f) pitchtap with pitch and volume
// analysis, `pitch` and `volume` listeners reading `tap.latest`; (g) (c2) plus the same
// analysis in JS on the main thread: pitchy 4 over pitchtap's default window and hop (2048
// and 441 samples at 44.1 kHz) and an RMS loop per batch. Live, the last table compares
// (f) and (g) above (c2): the main-thread CPU that analysis adds to a lean pooled transport.
// Every page is served cross-origin isolated (COOP/COEP), which (d) needs, so that all cases
// run under the same conditions.
// Live, (e) and (c2) run --gc-seconds (≥ 180 s of steady state after the warm-up) for the
// GC comparison; the other cases run --seconds.
import {
  openBench,
  metrics,
  heapAfterGc,
  startGcTrace,
  gcByThread,
  threadCpu,
  table,
  fmt,
  arg,
  machineLine,
} from './lib.mjs';

const SECONDS = arg('seconds', 60);
const GC_SECONDS = arg('gc-seconds', 180);
const WARMUP = arg('warmup', 5);
// Live warm-up of (c2) and (e), the GC comparison: V8 calls wasm exports and imports through
// allocating, slower generic wrappers until each has run 1000 times, which pitchtap's
// once-per-batch calls reach after ~23 s at 44.1 kHz (docs/architecture.md); (c2) waits as
// long, for a like-for-like comparison. (f) warms up like the others: its few wrapper calls
// per batch are noise beside its analysis, and its garbage is not compared.
const STEADY_WARMUP = arg('steady-warmup', 25);
const CHUNK = arg('chunk', 4096); // 0: unpaced, one startRendering() without suspensions
const JS_FLAGS = arg('js-flags', undefined); // for experiments, e.g. '--wasm-wrapper-tiering-budget=1'
const POOL = arg('pool', 0); // > 0: (c2)'s pool size and pitchtap's maxPoolSize (offline)
const ONLY = arg('only', 'a,b,c,c2,d,e,f,g').split(',');
const MODES = arg('mode', 'offline,live').split(',');
const LABEL = {
  a: '(a) floor, posts nothing',
  b: '(b) naive, 1 message per quantum',
  c: '(c) JS batcher 1024, new buffer each',
  c2: '(c2) JS batcher 1024, pool of 8',
  d: '(d) SAB ring (ringbuf.js)',
  e: '(e) pitchtap, pitch: false',
  f: '(f) pitchtap, pitch + volume',
  g: '(g) (c2) + pitchy + RMS in JS',
};
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function offline(kind) {
  const h = await openBench('transports.html', { isolated: true, jsFlags: JS_FLAGS });
  try {
    const info = await h.page.evaluate((a) => window.setup(a), {
      kind,
      offline: true,
      seconds: SECONDS,
      pool: POOL,
      tapOptions: POOL ? { maxPoolSize: POOL } : {},
    });
    const heap0 = await heapAfterGc(h.cdp);
    const m0 = await metrics(h.cdp);
    const stop = await startGcTrace(h.cdp, { tasks: true });
    const r = await h.page.evaluate((a) => window.renderOffline(a), { chunkFrames: CHUNK });
    const events = await stop();
    const gc = gcByThread(events);
    const renderCpuMs = threadCpu(events).get('Offline AudioWorklet thread') ?? NaN;
    const m1 = await metrics(h.cdp);
    const heap1 = await heapAfterGc(h.cdp);
    if (h.errors.length) throw h.errors[0];
    return {
      kind,
      info,
      audioS: SECONDS,
      ...r,
      renderCpuMs,
      cpuS: m1.TaskDuration - m0.TaskDuration,
      heapGrowth: heap1 - heap0,
      gc,
    };
  } finally {
    await h.close();
  }
}

async function live(kind, seconds, warmup) {
  const h = await openBench('transports.html', { isolated: true, jsFlags: JS_FLAGS });
  try {
    const info = await h.page.evaluate((a) => window.setup(a), { kind, offline: false, seconds });
    await h.page.evaluate(() => window.liveStart());
    await wait(warmup * 1000);
    const heap0 = await heapAfterGc(h.cdp);
    const m0 = await metrics(h.cdp);
    const s0 = await h.page.evaluate(() => window.snapshot());
    const stop = await startGcTrace(h.cdp);
    await wait(seconds * 1000);
    const gc = gcByThread(await stop());
    const s1 = await h.page.evaluate(() => window.snapshot());
    const m1 = await metrics(h.cdp);
    const heap1 = await heapAfterGc(h.cdp);
    const acc = await h.page.evaluate(() => window.liveStop());
    if (h.errors.length) throw h.errors[0];
    const wallS = (s1.t - s0.t) / 1000;
    const audioS = s1.ctxTime - s0.ctxTime;
    return {
      kind,
      info,
      seconds,
      wallS,
      audioS,
      messagesPerS: (s1.messages - s0.messages) / wallS,
      cpuS: m1.TaskDuration - m0.TaskDuration,
      heapGrowth: heap1 - heap0,
      gc,
      ...acc,
    };
  } finally {
    await h.close();
  }
}

const conserved = (r) =>
  r.kind === 'a'
    ? `n/a: posts nothing (${fmt.n(r.rendered)} rendered)`
    : `${r.received + r.dropped + r.pending === r.rendered ? 'yes' : '**no**'} (${fmt.n(r.rendered)} = ${fmt.n(r.received)} + ${fmt.n(r.dropped)}${r.pending ? ` + ${r.pending} pending` : ''}${r.noInput ? `; ${fmt.n(r.noInput)} frames without input not counted` : ''})`;
const gcCells = (g, perS) => [
  `${g.minor} / ${g.major}`,
  fmt.n(g.collected / perS),
  g.minor + g.major ? g.longestMs.toFixed(2) : '–',
];
const threadNames = new Set();

console.log(
  `## Transports side by side\n\n${machineLine()}; 44.1 kHz, 220 Hz sawtooth; batch 1024 / pool 8 where it applies\n`,
);

if (MODES.includes('offline')) {
  const rows = [];
  // (g) is for the live analysis comparison only (and `make bench` stays under 20 min).
  for (const k of ONLY.filter((c) => c !== 'g')) {
    process.stderr.write(`offline ${k}… `);
    rows.push(await offline(k));
    process.stderr.write('done\n');
  }
  const base = rows.find((r) => r.kind === 'a') ?? rows[0];
  const pool = rows.find((r) => r.kind === 'c2') ?? base;
  console.log(
    CHUNK > 0
      ? `### Offline: ${SECONDS} s of audio rendered in chunks of ${CHUNK} frames (suspend → catch up → resume)\n`
      : `### Offline, unpaced: ${SECONDS} s of audio in one startRendering()${POOL ? `, pools of ${POOL}` : ''}\n`,
  );
  console.log(
    table(
      [
        'case',
        'messages / audio s',
        'render wall ms (× floor, × c2)',
        'render thread CPU ms (× floor, × c2)',
        'main CPU ms / audio s (× floor, × c2)',
        'worklet GC minor / major',
        'worklet bytes collected / audio s',
        'worklet longest GC ms',
        'main GC minor / major',
        'main bytes collected / audio s',
        'main longest GC ms',
        'main heap growth after GC, bytes',
        'received + dropped = rendered',
      ],
      rows.map((r) => {
        r.gc.names.forEach((n) => threadNames.add(n));
        return [
          LABEL[r.kind],
          fmt.n(r.messages / r.audioS, 1),
          `${fmt.n(r.wallMs)} (${fmt.ratio(r.wallMs, base.wallMs)}, ${fmt.ratio(r.wallMs, pool.wallMs)})`,
          `${fmt.n(r.renderCpuMs)} (${fmt.ratio(r.renderCpuMs, base.renderCpuMs)}, ${fmt.ratio(r.renderCpuMs, pool.renderCpuMs)})`,
          `${fmt.n((r.cpuS * 1000) / r.audioS, 2)} (${fmt.ratio(r.cpuS, base.cpuS)}, ${fmt.ratio(r.cpuS, pool.cpuS)})`,
          ...gcCells(r.gc.worklet, r.audioS),
          ...gcCells(r.gc.main, r.audioS),
          fmt.n(r.heapGrowth),
          conserved(r),
        ];
      }),
    ),
  );
  console.log();
}

if (MODES.includes('live')) {
  const rows = [];
  for (const k of ONLY) {
    const s = k === 'e' || k === 'c2' ? GC_SECONDS : SECONDS;
    process.stderr.write(`live ${k} (${s} s)… `);
    rows.push(await live(k, s, ['c2', 'e'].includes(k) ? STEADY_WARMUP : WARMUP));
    process.stderr.write('done\n');
  }
  const base = rows.find((r) => r.kind === 'a') ?? rows[0];
  const pool = rows.find((r) => r.kind === 'c2') ?? base;
  console.log(
    `### Live: AudioContext at real time, ${WARMUP} s warm-up (${STEADY_WARMUP} s for (c2) and (e)), then ${SECONDS} s measured (${GC_SECONDS} s for (c2) and (e))\n`,
  );
  console.log(
    table(
      [
        'case',
        'measured s',
        'messages / s',
        'main CPU ms / audio s (× floor, × c2)',
        'worklet GC minor / major',
        'worklet bytes collected / s',
        'worklet longest GC ms',
        'main GC minor / major',
        'main bytes collected / s',
        'main longest GC ms',
        'main heap growth after GC, bytes',
        'received + dropped = rendered (whole run)',
      ],
      rows.map((r) => {
        r.gc.names.forEach((n) => threadNames.add(n));
        return [
          LABEL[r.kind],
          fmt.n(r.wallS, 1),
          fmt.n(r.messagesPerS, 1),
          `${fmt.n((r.cpuS * 1000) / r.audioS, 2)} (${fmt.ratio(r.cpuS / r.audioS, base.cpuS / base.audioS)}, ${fmt.ratio(r.cpuS / r.audioS, pool.cpuS / pool.audioS)})`,
          ...gcCells(r.gc.worklet, r.wallS),
          ...gcCells(r.gc.main, r.wallS),
          fmt.n(r.heapGrowth),
          conserved(r),
        ];
      }),
    ),
  );
  console.log();
  const e = rows.find((r) => r.kind === 'e');
  const c2 = rows.find((r) => r.kind === 'c2');
  if (e && c2) {
    console.log(
      `### GC target: pitchtap (e) against the plain-JS pool (c2), live, ${GC_SECONDS} s each after ${STEADY_WARMUP} s warm-up\n`,
    );
    console.log(
      table(
        [
          'case',
          'batches',
          'worklet MinorGC',
          'worklet MajorGC',
          'worklet bytes collected / s (× c2)',
          'bytes collected / batch',
          'worklet longest pause ms (× c2)',
        ],
        [c2, e].map((r) => {
          const batches = r.messagesPerS * r.wallS;
          const w = r.gc.worklet;
          return [
            LABEL[r.kind],
            fmt.n(batches),
            w.minor,
            w.major,
            `${fmt.n(w.collected / r.wallS)} (${fmt.ratio(w.collected, c2.gc.worklet.collected)})`,
            fmt.n(w.collected / batches),
            `${w.minor + w.major ? w.longestMs.toFixed(2) : '–'} (${fmt.ratio(w.longestMs, c2.gc.worklet.longestMs)})`,
          ];
        }),
      ),
    );
    // Every worklet GC, so that a longest pause can be read against the others (with a
    // handful of GCs per run, the longest is one sample).
    for (const r of [c2, e]) {
      const list = r.gc.worklet.pauses.map(
        (g) => `${g.major ? 'major' : 'minor'} ${g.ms.toFixed(2)} ms (${fmt.n(g.collected)} B)`,
      );
      console.log(`- ${LABEL[r.kind]}, worklet GCs in order: ${list.join(', ') || 'none'}`);
    }
    console.log('');
    const pass =
      e.gc.worklet.minor + e.gc.worklet.major <= c2.gc.worklet.minor + c2.gc.worklet.major &&
      e.gc.worklet.collected / e.wallS <= c2.gc.worklet.collected / c2.wallS &&
      e.gc.worklet.longestMs <= c2.gc.worklet.longestMs;
    console.log(
      `\nTarget (pitchtap's worklet GCs, bytes collected per second and longest pause no more than c2's): ${pass ? 'met' : '**missed**'}\n`,
    );
  }
  const f = rows.find((r) => r.kind === 'f');
  const g = rows.find((r) => r.kind === 'g');
  if (f && g && c2) {
    const perS = (r) => (r.cpuS * 1000) / r.audioS;
    const [fa, ga] = [perS(f) - perS(c2), perS(g) - perS(c2)];
    console.log(`### Analysis cost: main-thread CPU above the plain-JS pool (c2), live\n`);
    console.log(
      table(
        ['case', 'main CPU ms / audio s', 'above (c2), ms / audio s'],
        [c2, f, g].map((r) => [
          LABEL[r.kind],
          fmt.n(perS(r), 2),
          r === c2 ? '–' : fmt.n(perS(r) - perS(c2), 2),
        ]),
      ),
    );
    console.log(
      `\nTask time above a lean JS pooled transport: pitchtap (pitch + volume, defaults) ${fmt.n(fa, 2)} ms per audio s, transport + pitchy + RMS ${fmt.n(ga, 2)}: pitchtap ${(ga / fa).toFixed(2)}x cheaper (target 3x)\n`,
    );
  }
}
console.log(`Thread names seen with GCs or audio: ${[...threadNames].join(', ')}`);
