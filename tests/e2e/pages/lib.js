// Page-side helpers shared by the test pages (tests/e2e/pages/*.js) and the soak: the same
// signals, waits and bookkeeping in every page, so that two tests of one property count it
// the same way.
import { PitchTap, FLAGS } from '/pkg/index.js';
// The glue's init() resolves with the wasm exports once the module is running; calling it
// again instantiates nothing. Its `memory` is the main thread's wasm memory, the only way
// to see whether taps leak wasm memory without a new hook in the package.
import initGlue from '/pkg/pitchtap_wasm.js';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every event type a tap dispatches. */
export const EVENTS = ['batch', 'pitch', 'volume', 'gap', 'error'];

/** Bytes of the main thread's wasm memory (after the first create()). */
export const wasmBytes = async () => (await initGlue()).memory.buffer.byteLength;

/** Tells the test the page has loaded (it waits for #status to say so). */
export function ready() {
  const status = document.getElementById('status');
  if (status) status.textContent = 'ready';
}

/** Blocks the main thread for `ms` milliseconds; returns how long it really blocked. */
export function busy(ms) {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    /* a blocked main thread */
  }
  return performance.now() - t0;
}

/** A mono buffer of `frames` frames whose frame `i` holds `i` (exact in f32 up to 2^24). */
export function rampBuffer(ctx, frames) {
  const buf = ctx.createBuffer(1, frames, ctx.sampleRate);
  const x = buf.getChannelData(0);
  for (let i = 0; i < frames; i++) x[i] = i;
  return buf;
}

/** Writes a sine of `f` Hz into `x[from..to)`, in phase with frame 0. */
export function sine(x, from, to, f, sampleRate, amplitude = 0.5) {
  for (let i = from; i < to; i++) x[i] = amplitude * Math.sin((2 * Math.PI * f * i) / sampleRate);
}

/**
 * Suspends an OfflineAudioContext every `every` seconds of its `seconds` and waits for the tap
 * to catch up (tap.sync()), then for `onPause(at)`, so that rendering faster than real time
 * does not outrun the pool. `skip`: times the caller suspends at itself.
 */
export function pace(ctx, tap, seconds, every, { onPause = null, skip = [] } = {}) {
  const waits = [];
  // Firefox has no OfflineAudioContext.suspend: nothing to pace with (a tap whose pool the
  // caller did not size keeps the whole render anyway, see offline.test.mjs).
  if (typeof ctx.suspend !== 'function') return waits;
  for (let t = every; t < seconds; t += every) {
    const at = (Math.round((t * ctx.sampleRate) / 128) * 128) / ctx.sampleRate;
    // A suspend at the very end never fires: rendering completes first.
    if (at >= seconds - 128 / ctx.sampleRate) break;
    if (skip.some((s) => Math.abs(s - at) < 1e-6)) continue;
    waits.push(
      ctx.suspend(at).then(async () => {
        await tap.sync();
        if (onPause) await onPause(at);
        ctx.resume();
      }),
    );
  }
  return waits;
}

/**
 * Everything a tap tells: batches (metadata), gaps, errors, non-finite samples and estimates,
 * and events after `c.closed` is set. `ramp`: the input is a ramp, check every sample (true:
 * frame `i` holds `i`; 'relative': a live source's ramp, see below); `frames`: a Map that
 * gets every sample by frame; `keep`: keep full copies of the first two buffers.
 */
export function collector(tap, { ramp = false, frames = null, keep = false } = {}) {
  const c = {
    batches: [],
    gaps: [],
    errors: [],
    copies: [],
    received: 0,
    mismatches: 0,
    seqBreaks: 0,
    lastSeq: null,
    nonFiniteSamples: 0,
    badPitch: 0,
    badVolume: 0,
    pitch: [],
    volume: [],
    after: 0,
    closed: false,
    // Running accounting (survives soakTrim): frames between consecutive batches.
    lastEnd: null,
    holeFrames: 0,
    gapFrames: 0,
    unflagged: 0,
  };
  tap.addEventListener('batch', (e) => {
    const d = e.detail;
    if (c.closed) c.after++;
    if (c.lastSeq !== null && d.seq !== c.lastSeq + 1) c.seqBreaks++;
    c.lastSeq = d.seq;
    // A ramp is delivered in order: a batch that starts before the last one ended is wrong.
    if (ramp && c.lastEnd !== null && d.startFrame < c.lastEnd) c.mismatches++;
    if (c.lastEnd !== null && d.startFrame > c.lastEnd) {
      c.holeFrames += d.startFrame - c.lastEnd;
      if (d.flags & FLAGS.GAP) c.gapFrames += d.startFrame - c.lastEnd;
      if (!(d.flags & (FLAGS.GAP | FLAGS.DISCONTINUITY))) c.unflagged++;
    }
    c.lastEnd = d.startFrame + d.frames;
    c.batches.push({
      seq: d.seq,
      startFrame: d.startFrame,
      frames: d.frames,
      flags: d.flags,
      channels: d.channels,
      sampleRate: d.sampleRate,
    });
    const s = d.samples;
    for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i])) c.nonFiniteSamples++;
    // A ramp's value is its frame (offline: the context's, exactly; live, 'relative': the
    // frame since the source started, a fixed offset from the context's, taken from the first
    // batch, and within 0.01: WebKit starts a source between two frames).
    if (ramp) {
      let from = 0;
      // Frames the context skipped (a DISCONTINUITY) move the context's frames and not the
      // source's: the offset starts again.
      if (ramp === 'relative' && (d.flags & FLAGS.DISCONTINUITY) !== 0) c.offset = undefined;
      if (c.offset === undefined) {
        if (ramp === 'relative') {
          // The source may start after the tap's first quanta: the offset comes from the
          // first sample of the ramp proper.
          while (from < d.frames && !(s[from] >= 1)) from++;
          if (from < d.frames) c.offset = Math.round(s[from]) - (d.startFrame + from);
        } else {
          c.offset = 0;
        }
      }
      const tol = ramp === 'relative' ? 0.01 : 0;
      for (let i = c.offset === undefined ? d.frames : from; i < d.frames; i++) {
        if (Math.abs(s[i] - (d.startFrame + i + c.offset)) > tol) c.mismatches++;
      }
    }
    if (frames) for (let i = 0; i < d.frames; i++) frames.set(d.startFrame + i, s[i]);
    if (keep && c.copies.length < 2) c.copies.push(s.buffer.slice(0)); // header included
    c.received += d.frames;
  });
  tap.addEventListener('gap', (e) => {
    if (c.closed) c.after++;
    c.gaps.push({ ...e.detail });
  });
  tap.addEventListener('error', (e) => {
    if (c.closed) c.after++;
    c.errors.push({ ...e.detail });
  });
  tap.addEventListener('pitch', (e) => {
    if (c.closed) c.after++;
    const p = e.detail;
    if (![p.time, p.frequency, p.clarity, p.cents, p.midi].every(Number.isFinite)) c.badPitch++;
    c.pitch.push({ time: p.time, frequency: p.frequency, voiced: p.voiced, clarity: p.clarity });
  });
  tap.addEventListener('volume', (e) => {
    if (c.closed) c.after++;
    const v = e.detail;
    if (![v.time, v.rms, v.peak, v.db, v.smoothedDb].every(Number.isFinite) || v.db < -120)
      c.badVolume++;
    c.volume.push({ time: v.time, db: v.db, smoothedDb: v.smoothedDb, rms: v.rms });
  });
  return c;
}

/** Summary of a batch list: the holes between consecutive batches and whether each is flagged. */
export function accounting(batches) {
  let holes = 0;
  let unflagged = 0;
  let overlaps = 0;
  let silent = 0;
  let discontinuities = 0;
  for (let i = 1; i < batches.length; i++) {
    const hole = batches[i].startFrame - (batches[i - 1].startFrame + batches[i - 1].frames);
    if (hole < 0) overlaps++;
    if (hole > 0 && !(batches[i].flags & (FLAGS.GAP | FLAGS.DISCONTINUITY))) unflagged++;
    if (hole > 0 && batches[i].flags & FLAGS.GAP) holes += hole;
    // Time with no input (not audio, not dropped): flagged DISCONTINUITY, not GAP.
    if (hole > 0 && !(batches[i].flags & FLAGS.GAP)) silent += hole;
    if (batches[i].flags & FLAGS.DISCONTINUITY) discontinuities++;
  }
  const first = batches[0];
  const last = batches[batches.length - 1];
  const span = last ? last.startFrame + last.frames - first.startFrame : 0;
  // `rendered`: frames of audio the worklet was given from the first batch to the last.
  return { holes, unflagged, overlaps, silent, discontinuities, span, rendered: span - silent };
}

/**
 * Calls `PitchTap.create(ctx, options)` for each named case of bad `options`; returns, by
 * name, 'no error' or the error it threw as 'Name: message'.
 */
export async function createErrors(ctx, cases) {
  const out = {};
  for (const [name, o] of Object.entries(cases)) {
    try {
      await PitchTap.create(ctx, o);
      out[name] = 'no error';
    } catch (e) {
      out[name] = `${e.name}: ${e.message}`;
    }
  }
  return out;
}
