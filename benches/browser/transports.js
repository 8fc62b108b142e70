// One transport at a time, for benches/browser/transports.mjs: a 220 Hz sawtooth (gain 0.3)
// from an AudioWorklet to this thread, offline (paced in chunks) or live.
import { PitchTap } from '/pkg/index.js';
import { AudioReader, RingBuffer } from '/benches/vendor/ringbuf.js';
import { PitchDetector } from '/benches/vendor/pitch-libs.js';

const SAMPLE_RATE = 44100;
const PROCESSORS = {
  a: 't-floor',
  b: 't-naive',
  c: 't-fresh',
  c2: 't-pool',
  d: 't-ring',
  g: 't-pool',
};
// (g): pitchtap's default analysis, done in JS: pitchy over a 2048-sample window every 441
// samples (10 ms), and the RMS level of every batch.
const WINDOW = 2048;
const HOP = 441;

let ctx = null;
let osc = null;
let gain = null;
let node = null;
let tap = null;
let reader = null;
let ringScratch = null;
let poll = 0;
let firstFrame = NaN; // pitchtap: startFrame of the first batch
const count = { messages: 0, received: 0, voiced: 0, latestReads: 0, noInput: 0 };
let holeWatch = null;
let synced = null;
window.batchLog = [];

/**
 * (g)'s analysis: the RMS level of each batch, and pitchy on the last WINDOW samples every
 * HOP samples (copied out of a history buffer that is shifted down when full; no allocation
 * but pitchy's own result array).
 */
function jsAnalysis() {
  const detector = PitchDetector.forFloat32Array(WINDOW);
  const hist = new Float32Array(4 * WINDOW);
  const win = new Float32Array(WINDOW);
  // Like pitchtap, the first window is centred on the first sample (zeros before it).
  let len = WINDOW / 2;
  let nextEnd = WINDOW / 2;
  return (d) => {
    let sum = 0;
    for (let i = 0; i < d.length; i++) sum += d[i] * d[i];
    const db = 10 * Math.log10(sum / d.length + 1e-30);
    if (db > -200) count.latestReads++;
    if (len + d.length > hist.length) {
      const keep = WINDOW;
      hist.copyWithin(0, len - keep, len);
      nextEnd -= len - keep;
      len = keep;
    }
    hist.set(d, len);
    len += d.length;
    for (; nextEnd <= len; nextEnd += HOP) {
      for (let i = 0, j = nextEnd - WINDOW; i < WINDOW; i++, j++) win[i] = hist[j];
      const [, clarity] = detector.findPitch(win, SAMPLE_RATE);
      if (clarity >= 0.9) count.voiced++;
    }
  };
}

function drainRing() {
  let n;
  while ((n = reader.dequeue(ringScratch)) > 0) count.received += n;
}

/** One round trip to a plain-JS processor: every batch it posted before is dispatched. */
function roundTrip() {
  return new Promise((resolve) => {
    synced = resolve;
    node.port.postMessage({ type: 'sync' });
  });
}

/** Waits until this thread has everything posted so far and the worklet has its buffers back. */
async function catchUp() {
  if (tap) return tap.sync();
  await roundTrip();
  const s = await roundTrip(); // the returns sent during the first trip are in the pool now
  if (reader) drainRing();
  return s;
}

window.setup = async ({
  kind,
  offline,
  seconds,
  logBatches = false,
  tapOptions = {},
  pool = 0,
}) => {
  ctx = offline
    ? new OfflineAudioContext({
        numberOfChannels: 1,
        length: Math.round(seconds * SAMPLE_RATE),
        sampleRate: SAMPLE_RATE,
      })
    : new AudioContext({ sampleRate: SAMPLE_RATE });
  osc = new OscillatorNode(ctx, { type: 'sawtooth', frequency: 220 });
  gain = new GainNode(ctx, { gain: 0.3 });
  osc.connect(gain);
  if (kind === 'e' || kind === 'f') {
    tap = await PitchTap.create(ctx, { ...(kind === 'e' ? { pitch: false } : {}), ...tapOptions });
    node = tap.node;
    const first = (e) => {
      firstFrame = e.detail.startFrame;
      tap.removeEventListener('batch', first);
    };
    tap.addEventListener('batch', first);
    // Quanta in which the node had no input (Chrome gives a few right after connecting) are
    // in the span from the first batch to the last but are not audio: the batch after them
    // carries DISCONTINUITY. Counted live during the first 3 s (the listener allocates per
    // batch, so it is removed before measuring); offline every quantum has input, and it is
    // removed before rendering.
    let prevEnd = NaN;
    holeWatch = (e) => {
      const d = e.detail;
      if (Number.isFinite(prevEnd) && d.startFrame > prevEnd && (d.flags & 16) !== 0)
        count.noInput += d.startFrame - prevEnd;
      prevEnd = d.startFrame + d.frames;
    };
    tap.addEventListener('batch', holeWatch);
    // Debugging aid: every batch's frames and flags (allocates per batch).
    if (logBatches)
      tap.addEventListener('batch', (e) => {
        const d = e.detail;
        window.batchLog.push([d.startFrame, d.frames, d.flags]);
      });
    if (kind === 'f') {
      // An app's listeners: count, and read the reused `latest` objects.
      tap.addEventListener('pitch', (e) => {
        if (e.detail.voiced && tap.latest.pitch.frequency > 0) count.voiced++;
      });
      tap.addEventListener('volume', () => {
        if (tap.latest.volume.db > -200) count.latestReads++;
      });
    }
  } else {
    await ctx.audioWorklet.addModule('/benches/browser/transport-processors.js');
    let processorOptions = {};
    if ((kind === 'c2' || kind === 'g') && pool) processorOptions = { pool };
    const analyse = kind === 'g' ? jsAnalysis() : null;
    if (kind === 'd') {
      const sab = RingBuffer.getStorageForCapacity(SAMPLE_RATE, Float32Array); // 1 s
      reader = new AudioReader(new RingBuffer(sab, Float32Array));
      ringScratch = new Float32Array(4096);
      processorOptions = { sab };
    }
    node = new AudioWorkletNode(ctx, PROCESSORS[kind], {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      processorOptions,
    });
    const transfer = [null];
    node.port.onmessage = (e) => {
      const d = e.data;
      if (d instanceof Float32Array) {
        count.messages++;
        count.received += d.length;
        if (analyse) analyse(d);
        if (kind === 'c2' || kind === 'g') {
          transfer[0] = d.buffer;
          node.port.postMessage(d, transfer);
          transfer[0] = null;
        }
        return;
      }
      if (d.type === 'synced' && synced) {
        const r = synced;
        synced = null;
        r(d);
      }
    };
  }
  gain.connect(node);
  return { sampleRate: ctx.sampleRate, crossOriginIsolated };
};

/** The counters so far (cheap; for live rate windows). */
window.snapshot = () => {
  if (tap) {
    const s = tap.stats();
    return {
      t: performance.now(),
      messages: s.messages,
      received: s.samples,
      dropped: s.droppedSamples,
      ctxTime: ctx.currentTime,
    };
  }
  return {
    t: performance.now(),
    messages: count.messages,
    received: count.received,
    dropped: NaN,
    ctxTime: ctx.currentTime,
  };
};

/**
 * Final accounting once the source has stopped feeding the node: { rendered, received,
 * dropped, pending, messages }, with received + dropped + pending = rendered.
 */
async function account(pitchtapEnd) {
  if (tap) {
    const s = await tap.flush();
    return {
      rendered: pitchtapEnd() - firstFrame - count.noInput,
      noInput: count.noInput,
      received: s.samples,
      dropped: s.droppedSamples,
      pending: 0,
      messages: s.messages,
      voiced: count.voiced,
    };
  }
  const s = await catchUp();
  return {
    rendered: s.rendered,
    received: count.received,
    dropped: s.dropped,
    pending: s.pending,
    messages: count.messages,
    voiced: count.voiced,
  };
}

/** Tracks the end frame of every batch from now on (pitchtap only; allocates per batch). */
function trackEnd() {
  let end = NaN;
  if (tap)
    tap.addEventListener('batch', (e) => {
      end = e.detail.startFrame + e.detail.frames;
    });
  return () => end;
}

window.renderOffline = async ({ chunkFrames }) => {
  const seconds = ctx.length / ctx.sampleRate;
  if (holeWatch) tap.removeEventListener('batch', holeWatch);
  if (chunkFrames === 0) {
    // Unpaced: one startRendering() with no suspension; the main thread receives (and
    // returns buffers) while the render thread runs ahead. Every quantum has input, so
    // pitchtap's span is the whole context length.
    osc.start(0);
    const t0 = performance.now();
    await ctx.startRendering();
    const wallMs = performance.now() - t0;
    const acc = await account(() => ctx.length);
    return { wallMs, suspensions: 0, ...acc };
  }
  let k = 1;
  let suspensions = 0;
  let endOf = null;
  const next = () => {
    const t = (k * chunkFrames) / ctx.sampleRate;
    if (t >= seconds) return;
    ctx.suspend(t).then(async () => {
      suspensions++;
      await catchUp();
      k++;
      next();
      if (((k + 1) * chunkFrames) / ctx.sampleRate >= seconds) endOf = trackEnd(); // before the last chunk
      ctx.resume();
    });
  };
  next();
  osc.start(0);
  const t0 = performance.now();
  await ctx.startRendering();
  const wallMs = performance.now() - t0;
  if (!endOf) endOf = trackEnd();
  const acc = await account(endOf);
  return { wallMs, suspensions, ...acc };
};

window.liveStart = async () => {
  osc.start();
  if (reader) poll = setInterval(drainRing, 10);
  await ctx.resume();
  if (holeWatch) setTimeout(() => tap.removeEventListener('batch', holeWatch), 3000);
};

window.liveStop = async () => {
  const endOf = trackEnd();
  // See a few batches before the input stops: with no partial batch left, flush() posts
  // nothing and the end would stay unknown.
  await new Promise((r) => setTimeout(r, 150));
  gain.disconnect(); // the node has no input now: no more frames are rendered into it
  await new Promise((r) => setTimeout(r, 200));
  const acc = await account(endOf);
  clearInterval(poll);
  if (reader) drainRing();
  if (tap) await tap.close();
  await ctx.close();
  return acc;
};

window.benchReady = true;
document.getElementById('status').textContent = 'ready';
