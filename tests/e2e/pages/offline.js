// Page-side helpers for tests/e2e/offline.test.mjs: an OfflineAudioContext rendered into a
// tap with default options and no pacing code, as a user would write it.
import { PitchTap, FLAGS } from '/pkg/index.js';
import { ready } from './lib.js';

/** Resolves with `p`'s value, or with `fallback` after `ms`. */
const within = (p, ms, fallback) =>
  Promise.race([p, new Promise((r) => setTimeout(() => r(fallback), ms))]);

/**
 * Renders `seconds` of a `frequency` Hz sine (0.5 peak) at `sampleRate` into a tap with
 * `options` (default: none), then awaits `finish` ('flush', 'close' or 'none': nothing but
 * the END batch). Returns what arrived and how the render went.
 */
window.offlineTone = async ({
  seconds = 30,
  sampleRate = 48000,
  frequency = 220,
  options,
  finish = 'flush',
}) => {
  const length = Math.round(seconds * sampleRate);
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate });
  const t0 = performance.now();
  const tap = await PitchTap.create(ctx, options);
  const osc = new OscillatorNode(ctx, { frequency });
  const gain = new GainNode(ctx, { gain: 0.5 });
  osc.connect(gain).connect(tap.node);
  osc.start();
  let received = 0;
  let batches = 0;
  let seqBreaks = 0;
  let lastSeq = null;
  let next = 0;
  let holes = 0;
  let end = null;
  let gapFrames = 0;
  let maxFrames = 0;
  let endSeen;
  const ended = new Promise((r) => {
    endSeen = r;
  });
  tap.addEventListener('batch', (e) => {
    const d = e.detail;
    if (lastSeq !== null && d.seq !== lastSeq + 1) seqBreaks++;
    lastSeq = d.seq;
    if (d.startFrame !== next) holes++;
    next = d.startFrame + d.frames;
    received += d.frames;
    batches++;
    maxFrames = Math.max(maxFrames, d.frames);
    if (d.flags & FLAGS.END) {
      end = { startFrame: d.startFrame, frames: d.frames, flags: d.flags };
      endSeen();
    }
  });
  tap.addEventListener('gap', (e) => {
    gapFrames += e.detail.frames;
  });
  const f0 = [];
  tap.addEventListener('pitch', (e) => {
    if (e.detail.voiced) f0.push(e.detail.frequency);
  });
  await ctx.startRendering();
  const rendered = performance.now();
  let stats;
  let settled;
  if (finish === 'flush') {
    stats = await within(tap.flush(), 10000, null);
    settled = stats !== null;
    await within(tap.close(), 5000, null);
  } else if (finish === 'close') {
    stats = await within(tap.close(), 10000, null);
    settled = stats !== null;
  } else {
    settled = await within(
      ended.then(() => true),
      10000,
      false,
    );
    stats = tap.stats();
    await within(tap.close(), 5000, null);
  }
  f0.sort((a, b) => a - b);
  return {
    length,
    received,
    batches,
    seqBreaks,
    holes,
    end,
    gapFrames,
    settled,
    dropped: stats?.droppedSamples ?? null,
    poolSize: stats?.poolSize ?? null,
    lowWater: stats?.pool?.lowWater ?? null,
    maxFrames,
    medianF0: f0[f0.length >> 1] ?? 0,
    voiced: f0.length,
    state: ctx.state,
    renderMs: rendered - t0,
    totalMs: performance.now() - t0,
  };
};

/** create() on a render too long to keep whole; then the same with a pool of the caller's. */
window.tooLong = async () => {
  const ctx = new OfflineAudioContext({
    numberOfChannels: 1,
    length: 300 * 48000,
    sampleRate: 48000,
  });
  const out = {};
  try {
    await PitchTap.create(ctx, { channels: 'all', channelCount: 32 });
    out.error = 'created';
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
  }
  try {
    const tap = await PitchTap.create(ctx, { channels: 'all', channelCount: 32, poolSize: 16 });
    out.withPool = 'created';
    await tap.close();
  } catch (e) {
    out.withPool = `${e.name}: ${e.message}`;
  }
  return out;
};

ready();
