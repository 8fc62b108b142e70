// Page-side helpers for tests/e2e/faults.test.mjs: live metrics under a known main-thread
// block, and recovery from Rust panics on either side. Each returns a plain summary.
import { PitchTap, FLAGS } from '/pkg/index.js';
import { busy, rampBuffer, ready, sleep } from './lib.js';

/** Follows batches and gap events: conservation and continuity, frame by frame. */
function follow(tap, { ramp = false } = {}) {
  const c = {
    received: 0,
    skipped: 0,
    firstStart: null,
    end: null,
    breaks: 0,
    mismatches: 0,
    gaps: [],
    gapFrames: 0,
    batches: [],
    errors: [],
  };
  tap.addEventListener('batch', (e) => {
    const d = e.detail;
    if (c.firstStart === null) c.firstStart = d.startFrame;
    // Every batch starts where the previous ended, plus the frames a GAP says were dropped.
    if (c.end !== null) {
      const gap = (d.flags & FLAGS.GAP) !== 0 ? (c.gaps[c.gaps.length - 1]?.frames ?? 0) : 0;
      if ((d.flags & FLAGS.DISCONTINUITY) !== 0) {
        // Frames the context never rendered through the node (e.g. an audio device that
        // skipped at start-up, or a disconnected input): not ours to deliver or drop.
        c.skipped += d.startFrame - c.end - gap;
      } else if (d.startFrame !== c.end + gap) {
        c.breaks++;
      }
    }
    // A ramp's value is its frame (offline: the context's frame, exactly; live, 'relative':
    // the frame since the source started, a fixed offset from the context's, taken from the
    // first batch, and within 0.01, since WebKit starts a source between two frames and the
    // first values come out a hair off, e.g. 2e-13 for 0).
    if (ramp) {
      let from = 0;
      // Frames the context skipped (a DISCONTINUITY: the device stalled at start-up) move
      // the context's frames and not the source's: the offset starts again.
      if (ramp === 'relative' && (d.flags & FLAGS.DISCONTINUITY) !== 0) c.offset = undefined;
      if (c.offset === undefined) {
        if (ramp === 'relative') {
          // The source may start after the tap's first quanta (silence before it): the
          // offset comes from the first sample of the ramp proper.
          while (from < d.frames && !(d.samples[from] >= 1)) from++;
          if (from < d.frames) c.offset = Math.round(d.samples[from]) - (d.startFrame + from);
        } else {
          c.offset = 0;
        }
      }
      const tol = ramp === 'relative' ? 0.01 : 0;
      for (let i = c.offset === undefined ? d.frames : from; i < d.frames; i++) {
        if (Math.abs(d.samples[i] - (d.startFrame + i + c.offset)) <= tol) continue;
        if (c.mismatches++ === 0)
          c.firstMismatch = {
            startFrame: d.startFrame,
            i,
            got: d.samples[i],
            want: d.startFrame + i + c.offset,
            flags: d.flags,
            frames: d.frames,
            batch: c.batches.length,
          };
      }
    }
    c.end = d.startFrame + d.frames;
    c.received += d.frames;
    c.batches.push({
      startFrame: d.startFrame,
      frames: d.frames,
      flags: d.flags,
      at: performance.now(),
    });
  });
  tap.addEventListener('gap', (e) => {
    c.gaps.push({ ...e.detail });
    c.gapFrames += e.detail.frames;
  });
  tap.addEventListener('error', (e) => c.errors.push({ ...e.detail }));
  return c;
}

/**
 * Live audio (an oscillator in a real AudioContext) through a tap; after `before` s the
 * main thread is blocked for `blockMs`, then the run goes on for `after` s.
 */
window.liveBlock = async ({
  blockMs,
  batchSize = 1024,
  poolSize = 4,
  before = 1.5,
  after = 1.5,
}) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const tap = await PitchTap.create(ctx, { batchSize, poolSize });
  const c = follow(tap);
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  osc.connect(tap.node);
  osc.start();
  await sleep(before * 1000);
  const statsBefore = tap.stats();
  const a0 = ctx.currentTime;
  const blockedMs = busy(blockMs);
  // Audio time that passed during the block (read right after it): less than blockedMs when
  // the audio thread itself fell behind on a loaded machine, and then fewer frames to drop.
  const audioBlockedMs = (ctx.currentTime - a0) * 1000;
  await sleep(after * 1000);
  await tap.sync();
  const statsAfter = tap.stats();
  osc.disconnect();
  await tap.close();
  await ctx.close();
  return {
    sampleRate: ctx.sampleRate,
    blockedMs,
    audioBlockedMs,
    statsBefore,
    statsAfter,
    received: c.received,
    span: c.end - c.firstStart,
    skipped: c.skipped,
    breaks: c.breaks,
    gaps: c.gaps,
    gapFrames: c.gapFrames,
    errors: c.errors,
  };
};

/**
 * A ramp through an OfflineAudioContext (paced with sync()); at `panicAt` seconds the core
 * is made to panic on `side` ('worklet' at the next quantum, 'main' at the next batch).
 */
window.panicRun = async ({
  side,
  seconds = 3,
  panicAt = 1,
  sampleRate = 44100,
  batchSize = 1024,
}) => {
  const frames = Math.round((seconds * sampleRate) / 128) * 128;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate });
  const tap = await PitchTap.create(ctx, { batchSize, poolSize: 8 });
  const c = follow(tap, { ramp: true });
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
  src.connect(tap.node);
  src.start(0);
  const waits = [];
  const quantum = 128 / sampleRate;
  let panicFrame = null;
  for (let t = 0.1; t < seconds - 0.05; t += 0.1) {
    const at = Math.round(t / quantum) * quantum;
    waits.push(
      ctx.suspend(at).then(async () => {
        try {
          await tap.sync();
          if (panicFrame === null && at >= panicAt) {
            panicFrame = Math.round(at * sampleRate);
            await tap[Symbol.for('pitchtap.debugPanic')](side);
          }
        } finally {
          ctx.resume(); // never leave the render suspended (the test would hang, not fail)
        }
      }),
    );
  }
  await ctx.startRendering();
  await Promise.all(waits);
  await tap.flush();
  await tap.sync();
  const stats = tap.stats();
  // After the panic the tap must still work: one more request round trip.
  await tap.close();
  const firstAfter = c.batches.find((b) => b.startFrame >= panicFrame) ?? null;
  return {
    rendered: frames,
    received: c.received,
    dropped: stats.droppedSamples,
    span: c.end - c.firstStart,
    firstStart: c.firstStart,
    breaks: c.breaks,
    mismatches: c.mismatches,
    gaps: c.gaps,
    errors: c.errors,
    stats,
    panicFrame,
    firstAfter,
    batchesAfter: c.batches.filter((b) => b.startFrame >= panicFrame).length,
  };
};

/**
 * The same as panicRun in a live AudioContext, which every engine can run (panicRun paces
 * an OfflineAudioContext with suspend(), which Firefox lacks): a ramp plays for `seconds`,
 * and after `panicAt` seconds the core is made to panic on `side`.
 */
window.livePanicRun = async ({ side, seconds = 3, panicAt = 1, batchSize = 1024 }) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const sampleRate = ctx.sampleRate;
  const tap = await PitchTap.create(ctx, { batchSize, poolSize: 16 });
  const c = follow(tap, { ramp: 'relative' });
  const frames = Math.round((seconds + 20) * sampleRate); // outlasts the run on a slow machine
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
  src.connect(tap.node);
  src.start();
  await sleep(panicAt * 1000);
  await tap[Symbol.for('pitchtap.debugPanic')](side);
  const panicTime = ctx.currentTime;
  await sleep((seconds - panicAt) * 1000);
  src.disconnect();
  await tap.flush();
  await tap.sync();
  const stats = tap.stats();
  await tap.close();
  await ctx.close();
  const panicFrame = Math.round(panicTime * sampleRate);
  return {
    sampleRate,
    received: c.received,
    dropped: stats.droppedSamples,
    span: c.end - c.firstStart,
    skipped: c.skipped,
    breaks: c.breaks,
    mismatches: c.mismatches,
    firstMismatch: c.firstMismatch,
    gaps: c.gaps,
    errors: c.errors,
    stats,
    batchesAfter: c.batches.filter((b) => b.startFrame >= panicFrame).length,
  };
};

/**
 * `count` main-thread panics in a row on one tap in a live AudioContext (an oscillator feeds
 * it; small batches so that a panic waits only for the next one). Returns the wasm memory
 * after the first `warmup` panics and after all of them, and the accounting at the end.
 */
window.panicMany = async ({ count = 1000, warmup = 20, batchSize = 128 }) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const tap = await PitchTap.create(ctx, { batchSize, poolSize: 64 });
  const errors = [];
  let gapFrames = 0;
  let waiting = null;
  tap.addEventListener('error', (e) => {
    errors.push(e.detail);
    if (waiting) {
      const w = waiting;
      waiting = null;
      w();
    }
  });
  tap.addEventListener('gap', (e) => {
    gapFrames += e.detail.frames;
  });
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  osc.connect(tap.node);
  osc.start();
  const bytes = () => PitchTap[Symbol.for('pitchtap.wasmBytes')]();
  let afterWarmup = 0;
  for (let i = 0; i < count; i++) {
    if (i === warmup) afterWarmup = bytes();
    const seen = new Promise((r) => {
      waiting = r;
    });
    await tap[Symbol.for('pitchtap.debugPanic')]('main');
    await Promise.race([seen, sleep(2000)]);
    if (tap.stats().panics !== i + 1) break; // a panic unseen or the tap gone: the test says which
  }
  // The tap still analyses after them all.
  let volumes = 0;
  tap.addEventListener('volume', () => {
    volumes++;
  });
  await sleep(300);
  osc.disconnect();
  await tap.flush();
  await tap.sync();
  const stats = tap.stats();
  await tap.close();
  await ctx.close();
  return {
    lastError: errors.at(-1) ?? null,
    afterWarmup,
    afterAll: bytes(),
    errors: errors.length,
    recovered: errors.every((e) => e.recovered),
    panics: stats.panics,
    volumes,
    gapFrames,
    dropped: stats.droppedSamples,
  };
};

ready();
