// Page-side helpers for tests/e2e/reliability.test.mjs: bad audio in, bad options and calls,
// foreign messages on the port, main-thread stalls. Each returns a plain summary object; the
// checks are made in Node, so a failure shows the numbers.
import { PitchTap, analyze, HEADER_BYTES } from '/pkg/index.js';
import {
  accounting,
  busy,
  collector,
  pace,
  rampBuffer,
  ready,
  sine,
  sleep,
  wasmBytes,
} from './lib.js';

window.wasmBytes = wasmBytes;

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
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
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
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
  src.connect(tap.node);
  src.start();
  const report = {};
  // Paced every 50 ms (the pool of 4 × 1024 frames holds 93 ms), so that nothing is dropped.
  const at = (Math.round((1.0 * sr) / 128) * 128) / sr; // suspend() works in whole quanta
  const waits = pace(ctx, tap, frames / sr, 0.05, { skip: [at] });
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
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
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

ready();
