// Page-side helpers for tests/e2e/lifecycle.test.mjs: suspend/resume, closing the context
// with buffers in flight, a source disconnected and reconnected, two taps on one context,
// taps at several sample rates at once, and create/close churn. Each returns a plain summary
// object; the checks are made in Node, so a failure shows the numbers.
import { PitchTap, analyze } from '/pkg/index.js';
import { EVENTS, accounting, busy, collector, ready, sleep, wasmBytes } from './lib.js';

window.wasmBytes = wasmBytes;

async function liveTap(ctx, options, frequency = 440) {
  const tap = await PitchTap.create(ctx, options);
  const osc = new OscillatorNode(ctx, { frequency });
  osc.connect(tap.node);
  osc.start();
  return { tap, osc };
}

/** context.suspend() / resume() under a running tap. */
window.suspendResume = async () => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.resume();
  const { tap } = await liveTap(ctx, { batchSize: 1024, poolSize: 16 });
  const c = collector(tap);
  await sleep(700);
  await ctx.suspend();
  const atSuspend = c.batches.length;
  await sleep(500);
  const duringSuspend = c.batches.length - atSuspend;
  await ctx.resume();
  const atResume = c.batches.length;
  await sleep(700);
  const afterResume = c.batches.length - atResume;
  const stats = await tap.close();
  await ctx.close();
  return {
    duringSuspend,
    afterResume,
    stats,
    errors: c.errors,
    seqBreaks: c.seqBreaks,
    accounting: accounting(c.batches),
    received: c.received,
  };
};

/**
 * context.close() with buffers in flight: (a) the context closes first, then tap.close();
 * (b) both at once. tap.close() must settle (resolve or reject) and nothing may follow.
 */
window.contextClose = async ({ order }) => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.resume();
  const { tap } = await liveTap(ctx, { batchSize: 128, poolSize: 64 });
  const c = collector(tap);
  // Keep buffers in flight: a slow batch listener holds the main thread a little.
  tap.addEventListener('batch', () => busy(1));
  await sleep(500);
  const settle = (p) =>
    Promise.race([
      p.then(
        () => 'resolved',
        (e) => `rejected ${e.name}`,
      ),
      sleep(3000).then(() => 'hung (3 s)'),
    ]);
  let result;
  if (order === 'context first') {
    await ctx.close();
    result = await settle(tap.close());
  } else {
    const closing = tap.close();
    const ctxClosing = ctx.close();
    result = await settle(closing);
    await ctxClosing;
  }
  c.closed = true;
  await sleep(300);
  return {
    result,
    after: c.after,
    errors: c.errors,
    batches: c.batches.length,
    stats: tap.stats(),
  };
};

/** A source disconnected and reconnected. */
window.disconnectReconnect = async () => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.resume();
  const { tap, osc } = await liveTap(ctx, { batchSize: 1024, poolSize: 16 });
  const c = collector(tap);
  await sleep(600);
  osc.disconnect();
  const atDisconnect = c.batches.length;
  await sleep(500);
  const whileDisconnected = c.batches.length - atDisconnect;
  osc.connect(tap.node);
  const atReconnect = c.batches.length;
  await sleep(600);
  const stats = await tap.close();
  await ctx.close();
  return {
    whileDisconnected,
    afterReconnect: c.batches.length - atReconnect,
    atReconnect,
    batches: c.batches,
    stats,
    errors: c.errors,
    seqBreaks: c.seqBreaks,
    accounting: accounting(c.batches),
  };
};

/** Two taps on one context and one source: the same samples at the same frames. */
window.twoTaps = async () => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.resume();
  const a = await PitchTap.create(ctx, { batchSize: 1024, poolSize: 16 });
  const b = await PitchTap.create(ctx, { batchSize: 512, poolSize: 32 });
  const fa = new Map();
  const fb = new Map();
  const ca = collector(a, { frames: fa });
  const cb = collector(b, { frames: fb });
  const osc = new OscillatorNode(ctx, { frequency: 330 });
  osc.connect(a.node);
  osc.connect(b.node);
  osc.start();
  await sleep(1500);
  const sa = await a.close();
  const sb = await b.close();
  await ctx.close();
  let common = 0;
  let differ = 0;
  for (const [f, v] of fa) {
    if (fb.has(f)) {
      common++;
      if (fb.get(f) !== v) differ++;
    }
  }
  return {
    common,
    differ,
    a: sa,
    b: sb,
    errors: [...ca.errors, ...cb.errors],
    seqBreaks: ca.seqBreaks + cb.seqBreaks,
  };
};

/** Taps on contexts at 22050, 44100, 48000 and 96000 Hz at the same time. */
window.manyRates = async ({ rates = [22050, 44100, 48000, 96000], seconds = 2 } = {}) => {
  // The analysis code warmed up at every rate first. In WebKitGTK the page's main thread
  // stopped for about a second a few batches after four live taps at four rates had started
  // (no batch arrived for any of them; about one run in four dropped audio), never when the
  // same code had already run hot: the first-use cost of the wasm at four rates at once
  // (docs/troubleshooting.md). This test is about the rates, not about that stall.
  for (const sr of rates) {
    const x = new Float32Array(2 * sr).map((_, i) => Math.sin((2 * Math.PI * 440 * i) / sr));
    await analyze(x, sr);
  }
  const runs = [];
  for (const sampleRate of rates) {
    const ctx = new AudioContext({ sampleRate });
    await ctx.resume();
    const { tap } = await liveTap(ctx, { batchSize: 1024, poolSize: 16 }, 440);
    runs.push({ ctx, tap, c: collector(tap) });
  }
  await sleep(500);
  // Rates by each context's own clock: the frames of the batches that start inside the
  // window [a0, a1) of its currentTime, counted once those batches have arrived (within a
  // batch of the true count at either end). Received frames over the page's clock, used
  // before, came out 9.5 % short once at 22050 Hz with four contexts on a loaded 2-core
  // machine: batches still in flight at the end of the window, or an audio clock behind.
  const a0 = runs.map((r) => r.ctx.currentTime);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const a1 = runs.map((r) => r.ctx.currentTime);
  const pageSeconds = (performance.now() - t0) / 1000;
  await sleep(300); // the window's last batches arrive
  const out = [];
  for (const [i, r] of runs.entries()) {
    const sr = r.ctx.sampleRate;
    const from = a0[i] * sr;
    const to = a1[i] * sr;
    const got = r.c.batches
      .filter((b) => b.startFrame >= from && b.startFrame < to)
      .reduce((n, b) => n + b.frames, 0);
    const secs = a1[i] - a0[i];
    const voiced = r.c.pitch.filter((p) => p.voiced).slice(-20);
    const stats = await r.tap.close();
    await r.ctx.close();
    out.push({
      sampleRate: r.ctx.sampleRate,
      statsRate: stats.sampleRate,
      headerRate: r.c.batches[0]?.sampleRate,
      samplesPerSecond: got / secs,
      windowSeconds: secs,
      pageSeconds,
      lastPitch: voiced.map((p) => p.frequency),
      stats,
      errors: r.c.errors,
    });
  }
  return out;
};

/**
 * create() and close() `n` times on one running context, each tap fed by an oscillator
 * for a moment. Counts events dispatched after a close() resolved.
 */
let churnCtx = null;
let churnOsc = null;
window.churn = async ({ n, disconnect = true }) => {
  if (!churnCtx) {
    churnCtx = new AudioContext({ sampleRate: 48000 });
    await churnCtx.resume();
    churnOsc = new OscillatorNode(churnCtx, { frequency: 440 });
    churnOsc.start();
  }
  let late = 0;
  let batches = 0;
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    let tap;
    try {
      tap = await PitchTap.create(churnCtx, { batchSize: 128, maxLatencyMs: 5 });
    } catch (e) {
      return { n, late, batches, errors, failed: `create ${i + 1} of ${n}: ${e.message}` };
    }
    let closed = false;
    const count = () => {
      if (closed) late++;
    };
    for (const type of EVENTS) tap.addEventListener(type, count);
    let firstBatch;
    const flowing = new Promise((r) => {
      firstBatch = r;
    });
    tap.addEventListener('batch', () => {
      batches++;
      firstBatch();
    });
    tap.addEventListener('error', () => {
      errors++;
    });
    churnOsc.connect(tap.node);
    // Let batches flow now and then: until the first one arrives (Firefox's graph takes a
    // few of its 10 ms iterations to start a new node), or 200 ms.
    if (i % 10 === 0) await Promise.race([flowing, sleep(200)]);
    await tap.close();
    closed = true;
    // A node stays in the graph while a source is connected to it (Web Audio has no way
    // for the node to drop its inputs): the caller disconnects, as docs/reliability.md says.
    if (disconnect) churnOsc.disconnect(tap.node);
  }
  await sleep(200);
  return { n, late, batches, errors, ms: performance.now() - t0 };
};

window.churnEnd = async () => {
  churnOsc?.stop();
  await churnCtx?.close();
  churnCtx = null;
  churnOsc = null;
};

ready();
