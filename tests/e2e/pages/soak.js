// Page-side helpers for scripts/soak.mjs (`make soak`): long runs, offline or live,
// sampled while they run.
import { PitchTap } from '/pkg/index.js';
import { collector, pace, ready, wasmBytes } from './lib.js';

window.wasmBytes = wasmBytes;

let soak = null;

/** Starts an offline soak of `minutes` of audio, rendered in `chunk`-second steps. */
window.soakOfflineStart = async ({
  minutes = 60,
  chunk = 1,
  sampleRate = 44100,
  batchSize = 1024,
  poolSize = 64,
} = {}) => {
  const frames = Math.round((minutes * 60 * sampleRate) / 128) * 128;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate });
  // Paced every `chunk` s with a pool that holds more than a chunk: nothing can be dropped.
  const tap = await PitchTap.create(ctx, { batchSize, poolSize });
  const c = collector(tap);
  // A 220 Hz tone that glides an octave up and down every 10 s: pitch events all along.
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  for (let t = 0; t < minutes * 60; t += 10) {
    osc.frequency.setValueAtTime(220, t);
    osc.frequency.exponentialRampToValueAtTime(440, t + 5);
    osc.frequency.exponentialRampToValueAtTime(220, t + 10);
  }
  const gain = new GainNode(ctx, { gain: 0.5 });
  osc.connect(gain).connect(tap.node);
  osc.start();
  soak = { ctx, tap, c, rendered: 0, done: false, frames, error: null };
  const waits = pace(ctx, tap, frames / sampleRate, chunk, {
    onPause: (at) => {
      soak.rendered = Math.round(at * sampleRate);
    },
  });
  ctx
    .startRendering()
    .then(async () => {
      await Promise.all(waits);
      await tap.flush();
      soak.rendered = frames;
      soak.done = true;
    })
    .catch((e) => {
      soak.error = String(e);
      soak.done = true;
    });
  return { frames };
};

/** Counters of the running soak (offline or live). */
window.soakSample = ({ reset = false } = {}) => {
  const s = soak.tap.stats();
  const lateMaxMs = soak.lateMax ?? 0;
  if (reset) soak.lateMax = 0;
  return {
    done: soak.done,
    error: soak.error,
    rendered: soak.rendered,
    received: soak.c.received,
    dropped: s.droppedSamples,
    gaps: s.gaps,
    messages: s.messages,
    refused: s.refused,
    seqBreaks: s.seqBreaks,
    holeFrames: soak.c.holeFrames,
    gapFrames: soak.c.gapFrames,
    unflagged: soak.c.unflagged,
    nonFiniteSamples: soak.c.nonFiniteSamples,
    errors: soak.c.errors.length,
    badPitch: soak.c.badPitch,
    badVolume: soak.c.badVolume,
    voiced: soak.c.pitch.length
      ? soak.c.pitch.filter((p) => p.voiced).length / soak.c.pitch.length
      : 0,
    pitchEvents: soak.c.pitch.length,
    poolSize: s.poolSize,
    contextTime: soak.ctx.currentTime,
    lateMaxMs,
  };
};

/** Keeps the per-event arrays from growing over a long soak (counts stay). */
window.soakTrim = () => {
  const c = soak.c;
  c.pitch.length = 0;
  c.volume.length = 0;
  c.batches.length = 0;
  return true;
};

/** Live soak: the fake microphone into a tap. */
window.soakLiveStart = async ({ batchSize = 1024, poolSize = 8 } = {}) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const src = ctx.createMediaStreamSource(stream);
  const tap = await PitchTap.create(ctx, { batchSize, poolSize });
  const c = collector(tap);
  src.connect(tap.node);
  soak = { ctx, tap, c, rendered: 0, done: false, stream, error: null, lateMax: 0 };
  // Jank monitor: how late a 50 ms timer fires at worst (the main thread's longest block).
  let due = performance.now() + 50;
  soak.timer = setInterval(() => {
    const now = performance.now();
    soak.lateMax = Math.max(soak.lateMax, now - due);
    due = now + 50;
  }, 50);
  return { sampleRate: ctx.sampleRate, poolSeconds: (poolSize * batchSize) / ctx.sampleRate };
};

window.soakStop = async () => {
  clearInterval(soak.timer);
  const stats = await soak.tap.close();
  soak.stream?.getTracks().forEach((t) => t.stop());
  if (soak.ctx.state !== 'closed' && soak.ctx.close) await soak.ctx.close().catch(() => {});
  const out = {
    stats,
    holeFrames: soak.c.holeFrames,
    gapFrames: soak.c.gapFrames,
    unflagged: soak.c.unflagged,
    received: soak.c.received,
  };
  soak = null;
  return out;
};

ready();
