// Page-side helpers for tests/e2e/reliability.test.mjs, lifecycle.test.mjs and
// scripts/soak.mjs. Each returns a plain summary object; the checks are made in
// Node, so a failure shows the numbers.
import { PitchTap, analyze, FLAGS, HEADER_BYTES } from '/pkg/index.js';
// The glue's init() resolves with the wasm exports once the module is running; calling it
// again instantiates nothing. Its `memory` is the main thread's wasm memory, the only way
// to see whether taps leak wasm memory without a new hook in the package.
import initGlue from '/pkg/pitchtap_wasm.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EVENTS = ['batch', 'pitch', 'volume', 'gap', 'error'];

/** Bytes of the main thread's wasm memory (after the first create()). */
window.wasmBytes = async () => (await initGlue()).memory.buffer.byteLength;

/** Everything a tap tells: batches (metadata), gaps, errors, non-finite estimates. */
function collector(tap, { ramp = false, frames = null } = {}) {
  const c = {
    batches: [],
    gaps: [],
    errors: [],
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
function accounting(batches) {
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

/** Suspends an OfflineAudioContext every `every` s and waits for the tap (tap.sync()). */
function pace(ctx, tap, seconds, every, onPause, skip = []) {
  const waits = [];
  // Firefox has no OfflineAudioContext.suspend: nothing to pace with.
  if (typeof ctx.suspend !== 'function') return waits;
  for (let t = every; t < seconds - 0.01; t += every) {
    const at = (Math.round((t * ctx.sampleRate) / 128) * 128) / ctx.sampleRate;
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

function sine(x, from, to, f, sampleRate, amplitude = 0.5) {
  for (let i = from; i < to; i++) x[i] = amplitude * Math.sin((2 * Math.PI * f * i) / sampleRate);
}

// ---------------------------------------------------------------------------------------
// 1. Bad audio in.

/**
 * An OfflineAudioContext renders 220 Hz with stretches of NaN, ±Infinity, denormals and a
 * huge spike into a tap. Returns what arrived and the estimates in the last clean second.
 */
window.badAudio = async ({ sampleRate = 48000 } = {}) => {
  const plan = [
    ['tone', 1.0],
    ['nan', 0.5],
    ['tone', 0.5],
    ['+inf', 0.25],
    ['-inf', 0.25],
    ['tone', 0.5],
    ['denormal', 0.5],
    ['spike', 0.5],
    ['tone', 1.5],
  ];
  const total = Math.round((plan.reduce((a, [, s]) => a + s, 0) * sampleRate) / 128) * 128;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: total, sampleRate });
  const buf = ctx.createBuffer(1, total, sampleRate);
  const x = buf.getChannelData(0);
  let at = 0;
  let lastTone = 0;
  let injected = 0;
  for (const [kind, seconds] of plan) {
    const end = Math.min(total, at + Math.round(seconds * sampleRate));
    sine(x, at, end, 220, sampleRate);
    if (kind === 'tone') lastTone = at;
    for (let i = at; i < end; i++) {
      if (kind === 'nan') x[i] = NaN;
      else if (kind === '+inf') x[i] = Infinity;
      else if (kind === '-inf') x[i] = -Infinity;
      else if (kind === 'denormal') x[i] = (i % 2 ? 1 : -1) * 1e-42;
    }
    if (kind === 'spike') x[at + 100] = 3.4e38;
    if (kind !== 'tone' && kind !== 'spike') injected += end - at;
    at = end;
  }
  // The default pool, sized to the render: nothing may be dropped.
  const tap = await PitchTap.create(ctx, { batchSize: 1024 });
  const c = collector(tap);
  const src = new AudioBufferSourceNode(ctx, { buffer: buf });
  src.connect(tap.node);
  src.start(0);
  await ctx.startRendering();
  const stats = await tap.flush();
  const latest = { ...tap.latest.pitch, ...tap.latest.volume };
  await tap.close();
  const tail = lastTone / sampleRate;
  return {
    rendered: total,
    received: c.received,
    stats,
    injected,
    nonFiniteSamples: c.nonFiniteSamples,
    badPitch: c.badPitch,
    badVolume: c.badVolume,
    errors: c.errors,
    latest,
    pitchCount: c.pitch.length,
    // Estimates whose window lies in the last clean stretch (window 2048 = 43 ms at 48 kHz).
    tailPitch: c.pitch.filter((p) => p.time >= tail + 0.05 && p.time <= total / sampleRate - 0.05),
    tailVolume: c.volume.filter((v) => v.time >= tail + 0.05),
  };
};

/**
 * A live AudioContext: a looping buffer of tone, NaN and ±Infinity, then the tone alone.
 * The worklet must keep running (batches keep coming, no error) and the estimates finite.
 */
window.liveBadAudio = async ({ seconds = 1.5 } = {}) => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.resume();
  const sr = ctx.sampleRate;
  const bad = ctx.createBuffer(1, Math.round(0.5 * sr), sr);
  const x = bad.getChannelData(0);
  sine(x, 0, x.length, 220, sr);
  for (let i = Math.round(0.3 * sr); i < Math.round(0.4 * sr); i++) x[i] = NaN;
  for (let i = Math.round(0.4 * sr); i < x.length; i++) x[i] = i % 2 ? Infinity : -Infinity;
  const tap = await PitchTap.create(ctx, { batchSize: 1024, poolSize: 16 });
  const c = collector(tap);
  const src = new AudioBufferSourceNode(ctx, { buffer: bad, loop: true });
  src.connect(tap.node);
  src.start();
  await sleep(seconds * 1000);
  src.stop();
  src.disconnect();
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  const gain = new GainNode(ctx, { gain: 0.5 });
  osc.connect(gain).connect(tap.node);
  osc.start();
  const before = c.batches.length;
  await sleep(1000);
  const after = c.batches.length - before;
  const latest = { ...tap.latest.pitch, ...tap.latest.volume };
  const stats = await tap.close();
  await ctx.close();
  return {
    batchesAfter: after,
    nonFiniteSamples: c.nonFiniteSamples,
    badPitch: c.badPitch,
    badVolume: c.badVolume,
    errors: c.errors,
    stats,
    latest,
    sampleRate: sr,
  };
};

// ---------------------------------------------------------------------------------------
// 2. Bad options and calls. The cases come from the test (one table, also the doc's).

const contexts = new Map();
function offline(sampleRate) {
  if (!contexts.has(sampleRate))
    contexts.set(
      sampleRate,
      new OfflineAudioContext({ numberOfChannels: 1, length: sampleRate, sampleRate }),
    );
  return contexts.get(sampleRate);
}

function outcome(e) {
  return e ? { error: e.name, message: String(e.message) } : { error: null, message: '' };
}

/** Wrong-state scenarios by name; each resolves to the error it met (or none). */
const SCENARIOS = {
  async 'create on a closed AudioContext'() {
    const ctx = new AudioContext();
    await ctx.close();
    await PitchTap.create(ctx);
  },
  async 'create on a finished OfflineAudioContext'() {
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 44100 });
    await ctx.startRendering();
    await PitchTap.create(ctx);
  },
  async 'create without a context'() {
    await PitchTap.create(undefined);
  },
  async 'create with a plain object as context'() {
    await PitchTap.create({ sampleRate: 44100, state: 'running' });
  },
  async 'new PitchTap() instead of create'() {
    return new PitchTap();
  },
  async 'flush() after close()'() {
    const t = await closedTap();
    await t.flush();
  },
  async 'sync() after close()'() {
    const t = await closedTap();
    await t.sync();
  },
  async 'configure() after close()'() {
    const t = await closedTap();
    await t.configure({ batchSize: 2048 });
  },
  async 'close() twice'() {
    const t = await closedTap();
    await t.close();
  },
  async 'close() twice at once'() {
    const t = await PitchTap.create(offline(48000));
    const first = t.close();
    try {
      await t.close();
    } finally {
      await first;
    }
  },
};

async function closedTap() {
  const t = await PitchTap.create(offline(48000));
  await t.close();
  return t;
}

/**
 * Runs every case: `{ call: 'create' | 'configure' | 'analyze' | 'state', options, args,
 * sampleRate, scenario }`. Returns `{ error, message }` per case, in order.
 */
window.badCalls = async (cases) => {
  const out = [];
  const live = { tap: null }; // one tap for the configure() cases
  for (const k of cases) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after 5 s (${k.call} ${k.scenario ?? ''})`)),
        5000,
      );
    });
    let e = null;
    try {
      await Promise.race([timeout, runCase(k, live)]);
    } catch (err) {
      e = err;
    }
    clearTimeout(timer);
    out.push(outcome(e));
  }
  if (live.tap) await live.tap.close();
  return out;
};

async function runCase(k, live) {
  if (k.call === 'create') {
    const t = await PitchTap.create(offline(k.sampleRate ?? 48000), k.options);
    await t.close(); // wrongly accepted: do not leave it behind
  } else if (k.call === 'configure') {
    live.tap ??= await PitchTap.create(offline(48000));
    await live.tap.configure(k.options);
  } else if (k.call === 'analyze') {
    const [samples, sampleRate, options] = k.args;
    const given = { f32: new Float32Array(4096), f64: new Float64Array(4096), list: [0, 1, 0, -1] };
    await analyze(samples in given ? given[samples] : samples, sampleRate, options);
  } else if (k.call === 'state') {
    await SCENARIOS[k.scenario]();
  }
}

/** A valid tap after all that: it must carry a ramp exactly. */
window.validAfterBad = async () => {
  const sr = 44100;
  const frames = 128 * 200;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: sr });
  // An unpaced offline render outruns the main thread: a pool that holds the whole render
  // (32 × 1024 > 25600 frames) makes the check independent of the machine's speed.
  const tap = await PitchTap.create(ctx, { batchSize: 1024, poolSize: 32 });
  const c = collector(tap, { ramp: true });
  const buf = ctx.createBuffer(1, frames, sr);
  buf.getChannelData(0).forEach((_, i, a) => {
    a[i] = i;
  });
  const src = new AudioBufferSourceNode(ctx, { buffer: buf });
  src.connect(tap.node);
  src.start();
  await ctx.startRendering();
  const stats = await tap.flush();
  await tap.close();
  return { received: c.received, rendered: frames, mismatches: c.mismatches, stats };
};

// ---------------------------------------------------------------------------------------
// 3. Foreign messages on the port.

/**
 * Posts every kind of foreign message to the tap's port, one at a time, each followed by a
 * sync() so each refusal is seen. `copy`: a byte-exact copy of a real batch buffer, header
 * included. Returns { each: name → refusals counted }.
 */
async function postForeign(tap, copy, refusedBefore) {
  const report = {};
  const port = tap.node.port;
  const forged = (edit) => {
    const b = copy.slice(0);
    edit(new DataView(b));
    return new Uint8Array(b);
  };
  const size = copy.byteLength;
  const foreign = {
    // Not objects.
    'number 0': 0,
    'number 42': 42,
    NaN: NaN,
    string: 'PTAP',
    'empty string': '',
    true: true,
    null: null,
    undefined: undefined,
    bigint: 10n,
    // Objects that are not buffers, or have a `type` of the wrong shape.
    '{}': {},
    array: [1, 2, 3],
    'empty array': [],
    // An array of views is a grouped return: each view checked (and here refused) once.
    'array of one Uint8Array of 10 bytes': [new Uint8Array(10)],
    'array of a Uint8Array and a number': [new Uint8Array(10), 1],
    '{ type: 42 }': { type: 42 },
    '{ type: null }': { type: null },
    "{ type: ['flush'] }": { type: ['flush'] },
    "{ type: 'bogus' }": { type: 'bogus', id: 1 },
    "{ type: 'configure' } without batchSize": { type: 'configure' },
    "{ type: 'configure', batchSize: 'big' }": { type: 'configure', batchSize: 'big', id: 'x' },
    Date: new Date(0),
    Map: new Map([[1, 2]]),
    Blob: new Blob(['PTAP']),
    // Buffers of the wrong kind or size.
    'ArrayBuffer of the right size': new ArrayBuffer(size),
    'Uint8Array of 10 bytes': new Uint8Array(10),
    'Uint8Array of the header only': new Uint8Array(copy.slice(0, HEADER_BYTES)),
    'Uint8Array one byte short': new Uint8Array(copy.slice(0, size - 1)),
    'Uint8Array one byte long': (() => {
      const b = new Uint8Array(size + 1);
      b.set(new Uint8Array(copy));
      return b;
    })(),
    'Uint8Array at an offset': new Uint8Array(copy.slice(0), 16),
    'Float32Array of the right size': new Float32Array(copy.slice(0)),
    'DataView of the right size': new DataView(copy.slice(0)),
    'zeros of the right size': new Uint8Array(size),
    // Valid-looking buffers that were never issued, or not like this.
    'wrong magic': forged((v) => v.setUint32(0, 0x50415450, true)),
    'wrong version': forged((v) => {
      v.setUint16(4, 2, true);
      v.setUint32(60, 999, true);
    }),
    'slot never issued (200)': forged((v) => v.setUint32(56, 200, true)),
    'lease never issued (999)': forged((v) => v.setUint32(60, 999, true)),
    'an old lease (the copy, returned long ago)': forged(() => {}),
    'slot 3, lease 1000000': forged((v) => {
      v.setUint32(56, 3, true);
      v.setUint32(60, 1000000, true);
    }),
  };
  // One at a time, each followed by a sync, so each refusal is seen.
  report.each = {};
  let last = refusedBefore;
  for (const [name, m] of Object.entries(foreign)) {
    const transfer =
      m?.buffer instanceof ArrayBuffer && m.buffer.byteLength > 0
        ? [m.buffer]
        : m instanceof ArrayBuffer
          ? [m]
          : [];
    port.postMessage(m, transfer);
    const s = await tap.sync();
    report.each[name] = s.refused - last;
    last = s.refused;
  }
  report.posted = Object.keys(foreign).length;
  report.names = Object.keys(foreign);
  return report;
}

/**
 * Renders a 3 s ramp; at 1 s posts foreign things to tap.node.port, then `await tap.sync()`.
 * Returns the refusal count the worklet reports and the bit-exactness of the whole ramp.
 */
window.portGarbage = async () => {
  const sr = 44100;
  const frames = 128 * Math.round((3 * sr) / 128);
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: sr });
  const tap = await PitchTap.create(ctx, { batchSize: 1024, poolSize: 4 });
  const c = collector(tap, { ramp: true });
  let copy = null; // a byte-exact copy of a real batch buffer, header included
  tap.addEventListener('batch', (e) => {
    if (!copy) copy = e.detail.samples.buffer.slice(0);
  });
  const buf = ctx.createBuffer(1, frames, sr);
  buf.getChannelData(0).forEach((_, i, a) => {
    a[i] = i;
  });
  const src = new AudioBufferSourceNode(ctx, { buffer: buf });
  src.connect(tap.node);
  src.start();
  const report = {};
  // Paced every 50 ms (the pool of 4 × 1024 frames holds 93 ms), so that nothing is dropped.
  const at = (Math.round((1.0 * sr) / 128) * 128) / sr; // suspend() works in whole quanta
  const waits = pace(ctx, tap, frames / sr, 0.05, null, [at]);
  const done = ctx.suspend(at).then(async () => {
    const before = await tap.sync();
    Object.assign(report, await postForeign(tap, copy, before.refused));
    const after = await tap.sync();
    report.before = before;
    report.after = after;
    ctx.resume();
  });
  await ctx.startRendering();
  await done;
  await Promise.all(waits);
  const stats = await tap.flush();
  const final = await tap.sync();
  await tap.close();
  return {
    ...report,
    stats,
    final,
    received: c.received,
    rendered: frames,
    mismatches: c.mismatches,
    seqBreaks: c.seqBreaks,
    errors: c.errors,
    nonFiniteSamples: c.nonFiniteSamples,
  };
};

/**
 * The same foreign messages, posted to a tap on a live AudioContext playing a ramp (every
 * engine: the offline version stops its render with suspend(), which Firefox lacks).
 */
window.portGarbageLive = async () => {
  const ctx = new AudioContext();
  await ctx.resume();
  const sr = ctx.sampleRate;
  const tap = await PitchTap.create(ctx, { batchSize: 1024, poolSize: 16 });
  const c = collector(tap, { ramp: 'relative' });
  let copy = null;
  tap.addEventListener('batch', (e) => {
    if (!copy) copy = e.detail.samples.buffer.slice(0);
  });
  const frames = 30 * sr; // outlasts the run on a slow machine
  const buf = ctx.createBuffer(1, frames, sr);
  buf.getChannelData(0).forEach((_, i, a) => {
    a[i] = i;
  });
  const src = new AudioBufferSourceNode(ctx, { buffer: buf });
  src.connect(tap.node);
  src.start();
  await sleep(1000);
  const before = await tap.sync();
  const report = await postForeign(tap, copy, before.refused);
  await sleep(300);
  src.disconnect();
  const stats = await tap.flush();
  const after = await tap.sync(); // nothing playing: every buffer is back
  await tap.close();
  await ctx.close();
  return {
    ...report,
    before,
    after,
    stats,
    received: c.received,
    rendered: accounting(c.batches).rendered,
    mismatches: c.mismatches,
    seqBreaks: c.seqBreaks,
    errors: c.errors,
    poolSize: 16,
  };
};

// ---------------------------------------------------------------------------------------
// 5. Main-thread stalls during live audio.

function busy(ms) {
  const t = performance.now();
  while (performance.now() - t < ms) {
    /* a blocked main thread */
  }
}

/**
 * A live oscillator into a tap; the main thread is blocked for each of `stalls` ms, one
 * second apart. Returns every batch and gap, and the context frame at each stall.
 */
window.stalls = async ({
  stalls = [100, 500, 2000],
  batchSize = 1024,
  poolSize = 32,
  sampleRate = 48000,
} = {}) => {
  const ctx = new AudioContext({ sampleRate });
  await ctx.resume();
  const tap = await PitchTap.create(ctx, { batchSize, poolSize });
  const c = collector(tap);
  const osc = new OscillatorNode(ctx, { frequency: 440 });
  osc.connect(tap.node);
  osc.start();
  await sleep(1000);
  const marks = [];
  for (const ms of stalls) {
    const from = Math.round(ctx.currentTime * ctx.sampleRate);
    const batchesBefore = c.batches.length;
    const t0 = performance.now();
    busy(ms);
    const blocked = performance.now() - t0;
    // Firefox's currentTime does not move while the main thread is blocked (the main thread
    // updates it from the audio graph's messages): then the page's clock says how long.
    const audioTo = Math.round(ctx.currentTime * ctx.sampleRate);
    const to = audioTo > from ? audioTo : from + Math.round((blocked * ctx.sampleRate) / 1000);
    marks.push({ ms, blocked, from, to, batchesBefore });
    await sleep(1200);
  }
  osc.stop();
  const stats = await tap.close();
  await ctx.close();
  return {
    sampleRate: ctx.sampleRate,
    batchSize,
    poolSize,
    poolSeconds: (poolSize * batchSize) / ctx.sampleRate,
    marks,
    batches: c.batches,
    gaps: c.gaps,
    errors: c.errors,
    stats,
    seqBreaks: c.seqBreaks,
    accounting: accounting(c.batches),
    received: c.received,
  };
};

// ---------------------------------------------------------------------------------------
// 6. Lifecycle.

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

// ---------------------------------------------------------------------------------------
// 8. Soak (scripts/soak.mjs): long runs, sampled.

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
  const waits = pace(ctx, tap, frames / sampleRate, chunk, async (at) => {
    soak.rendered = Math.round(at * sampleRate);
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

const status = document.getElementById('status');
if (status) status.textContent = 'ready';
