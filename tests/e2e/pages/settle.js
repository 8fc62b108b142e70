// Page-side helpers for tests/e2e/settle.test.mjs: calls that must settle in every state,
// listeners that misbehave, foreign control messages, and gap accounting at every settled
// call. Each returns a plain summary object.
import { PitchTap } from '/pkg/index.js';
import { ready, sleep } from './lib.js';

const DEBUG_PANIC = Symbol.for('pitchtap.debugPanic');

/** How a promise settled within `ms`: 'resolved', '<ErrorName>: message', or 'pending'. */
async function settles(p, ms = 3000) {
  const t0 = performance.now();
  const r = await Promise.race([
    p.then(
      () => 'resolved',
      (e) => `${e.name}: ${e.message}`,
    ),
    sleep(ms).then(() => 'pending'),
  ]);
  return { how: r, ms: Math.round(performance.now() - t0) };
}

/** A live context playing a tone into a new tap; counts its events. */
async function liveTap(options = {}) {
  const ctx = new AudioContext();
  await ctx.resume();
  const tap = await PitchTap.create(ctx, options);
  const osc = new OscillatorNode(ctx, { frequency: 220 });
  osc.connect(tap.node);
  osc.start();
  const seen = { batches: 0, frames: 0, gapFrames: 0, gaps: 0, errors: [] };
  tap.addEventListener('batch', (e) => {
    seen.batches++;
    seen.frames += e.detail.frames;
  });
  tap.addEventListener('gap', (e) => {
    seen.gaps++;
    seen.gapFrames += e.detail.frames;
  });
  tap.addEventListener('error', (e) => seen.errors.push({ ...e.detail }));
  return { ctx, tap, osc, seen };
}

/** The AudioContext closed under a tap: pending and later calls settle; close() resolves. */
window.contextClosed = async () => {
  const { ctx, tap } = await liveTap();
  await sleep(300);
  const pendingSync = tap.sync(); // asked just before the context goes
  const closing = ctx.close();
  const out = { pendingSync: await settles(pendingSync) };
  await closing;
  out.flush = await settles(tap.flush());
  out.sync = await settles(tap.sync());
  out.configure = await settles(tap.configure({ batchSize: 2048 }));
  out.close = await settles(tap.close());
  out.closeAgain = await settles(tap.close());
  return out;
};

/** More panics than the worklet recovers from: the tap goes off; calls still settle. */
window.deadWorklet = async () => {
  const { ctx, tap, seen } = await liveTap();
  await sleep(200);
  for (let i = 0; i < 9; i++) {
    await tap[DEBUG_PANIC]('worklet');
    await sleep(60); // a quantum runs and panics
  }
  await sleep(200);
  const out = {
    flush: await settles(tap.flush()),
    sync: await settles(tap.sync()),
    close: await settles(tap.close()),
    errors: seen.errors.map((e) => ({ recovered: e.recovered, message: e.message })),
  };
  await ctx.close();
  return out;
};

/**
 * A `batch` listener that detaches every buffer (transfers it away, as a "zero-copy to my
 * worker" attempt does), or writes over its header. The tap keeps running; each buffer is
 * reported once; calls settle; nothing is dropped; the pool is full after sync().
 */
window.hostileListener = async ({ kind = 'detach', seconds = 2 } = {}) => {
  const { ctx, tap, osc, seen } = await liveTap();
  let touched = 0;
  tap.addEventListener('batch', (e) => {
    const buf = e.detail.samples.buffer;
    if (kind === 'detach') structuredClone(buf, { transfer: [buf] });
    else new Uint8Array(buf)[56] ^= 0xff; // the slot number
    touched++;
  });
  await sleep(seconds * 1000);
  osc.disconnect();
  const flushed = await settles(tap.flush());
  const synced = await tap.sync();
  const closed = await settles(tap.close());
  await ctx.close();
  return {
    touched,
    batches: seen.batches,
    errors: seen.errors,
    flushed,
    closed,
    dropped: synced.droppedSamples,
    inFlight: synced.buffersInFlight,
    poolSize: synced.poolSize,
    refused: synced.refused,
  };
};

/**
 * Control-shaped messages posted to tap.node.port by other page code, and a forged message
 * handed to the main side's handler: refused and counted (worklet) or ignored (main).
 */
window.forgedControl = async () => {
  const { ctx, tap, seen } = await liveTap();
  await sleep(200);
  const before = await tap.sync();
  const port = tap.node.port;
  port.postMessage({ type: 'close', id: 1 });
  port.postMessage({ type: 'configure', id: 2, batchSize: 16384 });
  port.postMessage({ type: 'debugPanic', id: 3 });
  port.postMessage({ type: 'flush', id: 4, token: 'guess' });
  port.onmessage({ data: { type: 'closed', id: 5 } }); // not a browser event: ignored
  port.dispatchEvent(
    new MessageEvent('message', { data: { type: 'error', phase: 'process', message: 'forged' } }),
  );
  await sleep(300);
  const after = await tap.sync();
  const batchesBefore = seen.batches;
  await sleep(300);
  const out = {
    refused: after.refused - before.refused,
    batchSize: after.batchSize,
    errors: seen.errors,
    panics: after.panics,
    stillRunning: seen.batches > batchesBefore,
    dropped: after.droppedSamples,
    close: await settles(tap.close()),
    hasDebugPanic: 'debugPanic' in tap,
  };
  await ctx.close();
  return out;
};

/**
 * Drops right before flush(), sync(), close() and the end of a render are reported by `gap`
 * events before the call settles: gap frames = droppedSamples at every settled call.
 */
window.gapsAtSettle = async () => {
  const out = {};
  // Live: a pool of 2 and a 300 ms block of the main thread, then at once flush(), sync(), close().
  {
    const { ctx, tap, seen } = await liveTap({ poolSize: 2 });
    await sleep(300);
    const t = performance.now();
    while (performance.now() - t < 300) {
      /* a blocked main thread */
    }
    const f = await tap.flush();
    out.flush = { dropped: f.droppedSamples, gapFrames: seen.gapFrames };
    const s = await tap.sync();
    out.sync = { dropped: s.droppedSamples, gapFrames: seen.gapFrames };
    const t2 = performance.now();
    while (performance.now() - t2 < 300) {
      /* again, right before close() */
    }
    const c = await tap.close();
    out.close = { dropped: c.droppedSamples, gapFrames: seen.gapFrames };
    await ctx.close();
  }
  // Offline, a pool of the caller's (4), not paced: most of the render is dropped.
  {
    const sampleRate = 44100;
    const length = 3 * sampleRate;
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length, sampleRate });
    const tap = await PitchTap.create(ctx, { poolSize: 4 });
    const osc = new OscillatorNode(ctx, { frequency: 220 });
    osc.connect(tap.node);
    osc.start();
    let received = 0;
    let gapFrames = 0;
    tap.addEventListener('batch', (e) => {
      received += e.detail.frames;
    });
    tap.addEventListener('gap', (e) => {
      gapFrames += e.detail.frames;
    });
    await ctx.startRendering();
    const c = await tap.close();
    out.offline = { length, received, dropped: c.droppedSamples, gapFrames };
  }
  return out;
};

/** One listener registered with and without capture; one of the two removed. */
window.captureListeners = async () => {
  const { ctx, tap } = await liveTap();
  let n = 0;
  const count = () => {
    n++;
  };
  tap.addEventListener('pitch', count);
  tap.addEventListener('pitch', count, { capture: true });
  tap.removeEventListener('pitch', count, true);
  await sleep(500);
  const afterOne = n;
  tap.removeEventListener('pitch', count);
  await sleep(50); // the events of batches already on their way
  const m = n;
  await sleep(300);
  await tap.close();
  await ctx.close();
  return { afterOne, afterBoth: n - m };
};

/** A listener that keeps detail.samples and reads it after its handler returned. */
window.keptViews = async () => {
  const { ctx, tap } = await liveTap();
  const kept = [];
  tap.addEventListener('batch', (e) => {
    kept.push([e.detail.samples, e.detail.samples.length]);
  });
  await sleep(1000);
  await tap.close();
  await ctx.close();
  return {
    batches: kept.length,
    during: kept.filter(([, n]) => n > 0).length,
    after: kept.filter(([v]) => v.length > 0).length,
  };
};

/** Default options at low sample rates: a 220 Hz tone rendered offline at each rate. */
window.lowRates = async () => {
  const out = [];
  for (const sampleRate of [3000, 4000, 5000, 8000]) {
    const ctx = new OfflineAudioContext({
      numberOfChannels: 1,
      length: 2 * sampleRate,
      sampleRate,
    });
    let tap;
    try {
      tap = await PitchTap.create(ctx);
    } catch (e) {
      out.push({ sampleRate, error: `${e.name}: ${e.message}` });
      continue;
    }
    const f = [];
    tap.addEventListener('pitch', (e) => {
      if (e.detail.voiced) f.push(e.detail.frequency);
    });
    const osc = new OscillatorNode(ctx, { frequency: 220 });
    osc.connect(tap.node);
    osc.start();
    await ctx.startRendering();
    await tap.close();
    f.sort((a, b) => a - b);
    out.push({ sampleRate, voiced: f.length, median: f[f.length >> 1] ?? 0 });
  }
  return out;
};

/**
 * attach() and its track watch without a microphone: streams of MediaStreamAudioDestinationNodes
 * of the same context. A track ended before attach() is said at the first look; a detached
 * source is not watched; wrong arguments throw TypeError.
 */
window.attachCases = async () => {
  const ctx = new AudioContext();
  await ctx.resume();
  const tap = await PitchTap.create(ctx);
  const ended = [];
  tap.addEventListener('sourceended', (e) =>
    ended.push(e.detail.label === e.detail.track.label ? e.detail.track.id : 'bad detail'),
  );
  const osc = new OscillatorNode(ctx, { frequency: 330 });
  osc.start();
  const streams = [0, 1, 2].map(() => {
    const dest = ctx.createMediaStreamDestination();
    osc.connect(dest);
    return dest.stream;
  });
  const ids = streams.map((st) => st.getAudioTracks()[0].id);
  streams[0].getAudioTracks()[0].stop(); // ended before attach
  tap.attach(streams[0]);
  const kept = tap.attach(streams[1]);
  const dropped = tap.attach(streams[2]);
  const detached = tap.detach(dropped);
  const detachedTwice = tap.detach(dropped);
  await sleep(300);
  const afterFirst = ended.slice();
  streams[2].getAudioTracks()[0].stop(); // detached: not watched
  streams[1].getAudioTracks()[0].stop();
  await sleep(300);
  const errors = {};
  for (const [k, v] of Object.entries({ number: 5, nothing: undefined, object: {} })) {
    try {
      tap.attach(v);
      errors[k] = 'returned';
    } catch (e) {
      errors[k] = e.name;
    }
  }
  const off = new OfflineAudioContext(1, 128, 44100);
  const offTap = await PitchTap.create(off);
  try {
    offTap.attach(streams[1]);
    errors.offline = 'returned';
  } catch (e) {
    errors.offline = e.name;
  }
  await offTap.close();
  const stats = await tap.close();
  osc.stop();
  await ctx.close();
  return {
    ids,
    afterFirst,
    ended,
    detached,
    detachedTwice,
    errors,
    sourcesEnded: stats.sourcesEnded,
    keptIsNode: kept instanceof AudioNode,
  };
};

/**
 * PitchTap.preload() on a page that has not loaded pitchtap's wasm yet: what it fetches and
 * loads, and what create() still has to (nothing but the node). Run on a fresh page load.
 */
window.preloadCases = async () => {
  const addModule = AudioWorklet.prototype.addModule;
  let addModules = 0;
  AudioWorklet.prototype.addModule = function (...a) {
    addModules++;
    return addModule.apply(this, a);
  };
  const fetched = () =>
    performance
      .getEntriesByType('resource')
      .filter((e) => /pitchtap_wasm_bg\.wasm/.test(e.name))
      .map((e) => e.name.split('/').pop());
  const before = fetched();
  await PitchTap.preload();
  await PitchTap.preload(); // again: free
  const afterWasm = fetched();
  const ctx = new AudioContext();
  await PitchTap.preload(ctx);
  const addModulesAfterPreload = addModules;
  const afterContext = fetched();
  const tap = await PitchTap.create(ctx);
  const afterCreate = fetched();
  const addModulesAfterCreate = addModules;
  const stats = await tap.close();
  const errors = {};
  try {
    await PitchTap.preload('now');
    errors.string = 'resolved';
  } catch (e) {
    errors.string = e.name;
  }
  await ctx.close();
  try {
    await PitchTap.preload(ctx);
    errors.closed = 'resolved';
  } catch (e) {
    errors.closed = e.name;
  }
  AudioWorklet.prototype.addModule = addModule;
  return {
    before,
    afterWasm,
    afterContext,
    afterCreate,
    addModulesAfterPreload,
    addModulesAfterCreate,
    closed: stats.droppedSamples === 0,
    errors,
  };
};

/**
 * A page that replaces tap.dispatchEvent with one that throws: once (`once`), or for
 * `ms` milliseconds. Then a plain JS exception inside receiveBatch (not a wasm trap).
 * Returns the accounting after each.
 */
window.throwingDispatch = async ({ ms = 500 } = {}) => {
  const { ctx, tap, osc, seen } = await liveTap();
  await sleep(200);
  const own = tap.dispatchEvent;
  // Throws once, on the next batch's first event.
  let thrown = 0;
  tap.dispatchEvent = function () {
    tap.dispatchEvent = own;
    thrown++;
    throw new Error('page code broke dispatchEvent');
  };
  await sleep(200);
  const once = await tap.sync();
  // Throws on every call for `ms`.
  tap.dispatchEvent = () => {
    thrown++;
    throw new Error('always');
  };
  await sleep(ms);
  const during = tap.stats();
  tap.dispatchEvent = own;
  await sleep(200);
  const always = await tap.sync();
  // A JS exception (not a trap) on the receive path, once.
  const rx = tap._rx;
  const receive = rx.receiveBatch;
  rx.receiveBatch = function () {
    rx.receiveBatch = receive;
    throw new TypeError('a JS bug');
  };
  await sleep(200);
  const js = await tap.sync();
  const sameReceiver = tap._rx === rx;
  // Stopped and flushed, every buffer is home: one kept by any of the faults would show.
  osc.disconnect();
  await tap.flush();
  const end = await tap.sync();
  const final = await tap.close();
  await ctx.close();
  const pool = (s) => ({ free: s.pool.free, size: s.pool.size });
  return {
    thrown,
    once: { errors: once.errors, dropped: once.droppedSamples },
    during: { messages: during.messages },
    always: { errors: always.errors, dropped: always.droppedSamples, messages: always.messages },
    js: { errors: js.errors, panics: js.panics, dropped: js.droppedSamples },
    sameReceiver,
    events: seen.errors.map((e) => ({
      phase: e.phase,
      panic: e.panic,
      recovered: e.recovered,
      lostFrames: e.lostFrames,
      message: e.message,
    })),
    gapFrames: seen.gapFrames,
    finalDropped: final.droppedSamples,
    batches: seen.batches,
    end: pool(end),
  };
};

ready();
