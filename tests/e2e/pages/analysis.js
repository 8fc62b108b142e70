// Page-side helpers for tests/e2e/analysis.test.mjs.
import { PitchTap, analyze } from '/pkg/index.js';
import { createErrors, ready, sleep } from './lib.js';

/** The fake microphone into a tap: every pitch and volume event for `seconds`. */
/**
 * Input dropouts, as [start, end) in context seconds. Chrome's fake capture device
 * (--use-file-for-fake-audio-capture) delivers 10 ms chunks and now and then plays one late
 * (the MediaStream source plays zeros instead: a run of 32 or more exact zeros) or drops or
 * repeats one (the tone jumps in phase at a 10 ms boundary: seen at input frames 441, 882,
 * 299 + 441k of batches at 44.1 kHz, never at a batch or quantum edge). A jump shows as a
 * second difference |x[n] − 2x[n−1] + x[n−2]| above 0.05; the test tones (sines of 0.5
 * amplitude up to 1 kHz, at 22.05 kHz or more) never exceed 0.011. The tests leave out the
 * readings whose audio held either. `state` carries the last two samples across batches.
 */
function recordDropouts({ samples, startFrame, sampleRate }, out, state) {
  if (state.next !== startFrame) {
    state.p1 = null;
    state.p2 = null;
  }
  let run = 0;
  for (let i = 0; i <= samples.length; i++) {
    const x = samples[i];
    if (i < samples.length && state.p2 !== null && Math.abs(x - 2 * state.p1 + state.p2) > 0.05) {
      out.push([(startFrame + i) / sampleRate, (startFrame + i + 1) / sampleRate]);
    }
    if (i < samples.length) {
      state.p2 = state.p1;
      state.p1 = x;
    }
    if (i < samples.length && x === 0) {
      run++;
      continue;
    }
    if (run >= 32) out.push([(startFrame + i - run) / sampleRate, (startFrame + i) / sampleRate]);
    run = 0;
  }
  state.next = startFrame + samples.length;
}

window.livePitch = async ({ seconds = 2, contextOptions = {}, options = {} }) => {
  const ctx = new AudioContext(contextOptions);
  await ctx.resume();
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const src = ctx.createMediaStreamSource(stream);
  const tap = await PitchTap.create(ctx, options);
  const pitches = [];
  const volumes = [];
  const dropouts = [];
  tap.addEventListener('pitch', (e) => pitches.push(e.detail));
  tap.addEventListener('volume', (e) => volumes.push(e.detail));
  const inputState = { next: null, p1: null, p2: null };
  tap.addEventListener('batch', (e) => recordDropouts(e.detail, dropouts, inputState));
  src.connect(tap.node);
  await sleep(seconds * 1000);
  const latest = JSON.parse(JSON.stringify(tap.latest));
  const stats = await tap.close();
  stream.getTracks().forEach((t) => t.stop());
  await ctx.close();
  return { sampleRate: ctx.sampleRate, pitches, volumes, latest, stats, dropouts };
};

/**
 * The microphone attached with tap.attach(stream), then its track stopped after `before`
 * seconds (stop() fires no `ended` event: the tap must notice by itself). Returns the
 * `sourceended` events, when the track was stopped, and the stats at close().
 */
window.micStops = async ({ before = 1, after = 1 } = {}) => {
  const ctx = new AudioContext();
  await ctx.resume();
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const tap = await PitchTap.create(ctx);
  const ended = [];
  const track = stream.getAudioTracks()[0];
  tap.addEventListener('sourceended', (e) =>
    ended.push({
      sameTrack: e.detail.track === track,
      kind: e.detail.kind,
      time: e.detail.time,
      isNode: e.detail.source instanceof AudioNode,
    }),
  );
  let batches = 0;
  tap.addEventListener('volume', () => {
    batches++;
  });
  const src = tap.attach(stream);
  await sleep(before * 1000);
  const batchesBefore = batches;
  const stoppedAt = ctx.currentTime;
  track.stop();
  await sleep(after * 1000);
  const stats = await tap.close();
  let attachAfterClose = 'returned';
  try {
    tap.attach(src);
  } catch (e) {
    attachAfterClose = e.name;
  }
  await ctx.close();
  return {
    sampleRate: ctx.sampleRate,
    ended,
    stoppedAt,
    batchesBefore,
    batches,
    stats,
    detachAfterClose: tap.detach(src),
    attachAfterClose,
  };
};

/** Fetches a 16-bit PCM mono WAV, converts it exactly as hound does, runs analyze(). */
window.analyzeWav = async (url, options) => {
  const bytes = await (await fetch(url)).arrayBuffer();
  const v = new DataView(bytes);
  let off = 12;
  let rate = 0;
  let data = null;
  while (off + 8 <= bytes.byteLength) {
    const id = String.fromCharCode(...new Uint8Array(bytes, off, 4));
    const len = v.getUint32(off + 4, true);
    if (id === 'fmt ') rate = v.getUint32(off + 12, true);
    if (id === 'data') data = new Int16Array(bytes.slice(off + 8, off + 8 + len));
    off += 8 + len + (len & 1);
  }
  const x = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) x[i] = data[i] / 32768;
  return { sampleRate: rate, estimates: await analyze(x, rate, options) };
};

/**
 * analyze() over `seconds` of a 220 Hz sine while a 5 ms timer measures the longest time the
 * page could not run it; then the same with an AbortSignal aborted at the first progress.
 */
window.analyzeLong = async ({ seconds = 300, sampleRate = 44100 } = {}) => {
  const x = new Float32Array(seconds * sampleRate);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 220 * i) / sampleRate);
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
  }, 5);
  const progress = [];
  const t0 = performance.now();
  const estimates = await analyze(x, sampleRate, {}, { onProgress: (d) => progress.push(d) });
  const ms = performance.now() - t0;
  clearInterval(probe);
  const voiced = estimates.filter((e) => e.voiced && Math.abs(e.frequency - 220) < 1).length;
  const ac = new AbortController();
  let abortedAfter = 0;
  const aborted = await analyze(
    x,
    sampleRate,
    {},
    {
      signal: ac.signal,
      onProgress: (d) => {
        abortedAfter = d;
        ac.abort();
      },
    },
  ).then(
    () => 'resolved',
    (e) => `${e.name}: ${e.message}`,
  );
  const pre = new AbortController();
  pre.abort();
  const preAborted = await analyze(x, sampleRate, {}, { signal: pre.signal }).then(
    () => 'resolved',
    (e) => e.name,
  );
  return {
    estimates: estimates.length,
    voiced,
    longest,
    ms,
    progressCalls: progress.length,
    increasing: progress.every((p, i) => i === 0 || p > progress[i - 1]),
    lastProgress: progress.at(-1),
    aborted,
    abortedAfter,
    preAborted,
  };
};

window.badAnalyzerOptions = async () => {
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 44100 });
  return createErrors(ctx, {
    minAboveMax: { pitch: { minFrequency: 900, maxFrequency: 800 } },
    clarity2: { pitch: { clarityThreshold: 2 } },
    hopString: { pitch: { hopSize: '10' } },
    pitchUnknown: { pitch: { minFreq: 80 } },
    attackNeg: { volume: { attackMs: -1 } },
    volumeNumber: { volume: 5 },
    a4NaN: { pitch: { a4: NaN } },
  });
};

ready();
