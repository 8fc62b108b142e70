// Page-side helpers for tests/e2e/transport.test.mjs. Each returns a plain summary object.
import { PitchTap, FLAGS, HEADER_BYTES } from '/pkg/index.js';
import { collector, createErrors, pace, rampBuffer, ready, sleep } from './lib.js';

/** Renders a ramp through an OfflineAudioContext into a tap. */
window.offlineRamp = async ({
  seconds = 20,
  sampleRate = 44100,
  options = {},
  configureAt = null,
  configureTo = null,
  flushAt = null,
  paceEvery = 0.1,
}) => {
  // A whole number of render quanta, so that every rendered frame is ramp.
  const frames = Math.round((seconds * sampleRate) / 128) * 128;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate });
  const tap = await PitchTap.create(ctx, options);
  const c = collector(tap, { ramp: true });
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
  src.connect(tap.node);
  src.start(0);
  const suspends = [];
  if (configureAt !== null) {
    suspends.push(
      ctx.suspend(configureAt).then(async () => {
        await tap.configure({ batchSize: configureTo });
        ctx.resume();
      }),
    );
  }
  if (paceEvery)
    suspends.push(
      ...pace(ctx, tap, frames / sampleRate, paceEvery, { skip: [configureAt, flushAt] }),
    );
  let flushed = null;
  if (flushAt !== null) {
    suspends.push(
      ctx.suspend(flushAt).then(async () => {
        await tap.flush();
        flushed = c.batches[c.batches.length - 1];
        ctx.resume();
      }),
    );
  }
  await ctx.startRendering();
  await Promise.all(suspends);
  const before = c.batches.length;
  const stats = await tap.flush();
  const lastFlushed = c.batches.length > before ? c.batches[c.batches.length - 1] : null;
  await tap.close();
  return {
    rendered: frames,
    received: c.received,
    dropped: stats.droppedSamples,
    mismatches: c.mismatches,
    seqBreaks: c.seqBreaks,
    batches: c.batches,
    stats,
    lastFlushed,
    flushed,
  };
};

/** Live: the fake microphone into a tap for `seconds`. */
window.liveMic = async ({ seconds = 3, options = {}, contextOptions = {} }) => {
  const ctx = new AudioContext(contextOptions);
  await ctx.resume();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const src = ctx.createMediaStreamSource(stream);
  const tap = await PitchTap.create(ctx, options);
  const c = collector(tap);
  // Counts what the main thread sends back: single buffers and grouped returns (arrays).
  const returns = { messages: 0, buffers: 0, largest: 0 };
  const port = tap.node.port;
  const post = port.postMessage.bind(port);
  port.postMessage = (m, transfer) => {
    const n = m instanceof Uint8Array ? 1 : Array.isArray(m) ? m.length : 0;
    if (n > 0) {
      returns.messages++;
      returns.buffers += n;
      returns.largest = Math.max(returns.largest, n);
    }
    return post(m, transfer);
  };
  src.connect(tap.node);
  // Let it settle, then measure over a window.
  await sleep(500);
  const t0 = performance.now();
  const a0 = ctx.currentTime;
  const n0 = c.batches.length;
  const f0 = c.received;
  await sleep(seconds * 1000);
  const t1 = performance.now();
  const a1 = ctx.currentTime;
  const n1 = c.batches.length;
  const f1 = c.received;
  const stats = await tap.close();
  stream.getTracks().forEach((t) => t.stop());
  await ctx.close();
  // Rates over the whole window by the context's clock (the clock the audio is rendered by):
  // batches and frames received in it, within a batch of the true count (the arrival times
  // of just the first and last batch, used before, swung by 3.5 % on a slow machine; the
  // page clock ran 4 % ahead of the audio clock once on a loaded machine).
  const secs = a1 - a0;
  return {
    sampleRate: ctx.sampleRate,
    messagesPerSecond: (n1 - n0) / secs,
    samplesPerSecond: (f1 - f0) / secs,
    windowSeconds: secs,
    messagesInWindow: n1 - n0,
    pageSeconds: (t1 - t0) / 1000,
    seqBreaks: c.seqBreaks,
    batches: c.batches.length,
    stats,
    returns,
    channels: c.batches[0]?.channels,
    headerSampleRate: c.batches[0]?.sampleRate,
  };
};

/** Posts foreign and repeated buffers to the worklet; they must be refused, never pooled. */
window.refusals = async () => {
  const sampleRate = 44100;
  const frames = 128 * 700;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate });
  const tap = await PitchTap.create(ctx, { batchSize: 1024, poolSize: 4 });
  const c = collector(tap, { ramp: true, keep: true });
  const src = new AudioBufferSourceNode(ctx, { buffer: rampBuffer(ctx, frames) });
  src.connect(tap.node);
  src.start(0);
  const done = ctx.suspend(1.0).then(async () => {
    await tap.flush();
    const port = tap.node.port;
    const copy = c.copies[0]; // batch 0, already returned by the tap: its lease is used up
    const again = copy.slice(0);
    port.postMessage(new Uint8Array(copy), [copy]); // the same buffer back a second time
    port.postMessage(new Uint8Array(again), [again]); // and a third
    const foreign = new ArrayBuffer(10);
    port.postMessage(foreign, [foreign]); // a foreign ArrayBuffer of the wrong size
    port.postMessage(new Uint8Array(HEADER_BYTES + 4 * 1024)); // right size, no header
    port.postMessage({ hello: 'world' }); // a foreign object
    const s = await tap.flush();
    ctx.resume();
    return s;
  });
  await ctx.startRendering();
  const mid = await done;
  const stats = await tap.flush();
  await tap.close();
  return { mid, stats, received: c.received, rendered: frames, mismatches: c.mismatches };
};

window.isolation = () => ({
  crossOriginIsolated: window.crossOriginIsolated,
  sab: typeof SharedArrayBuffer,
});

window.badOptions = async () => {
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 44100 });
  const out = await createErrors(ctx, {
    batchSize100: { batchSize: 100 },
    batchSizeString: { batchSize: '1024' },
    poolSize0: { poolSize: 0 },
    unknown: { batchsize: 1024 },
    channelsBad: { channels: 'left' },
    latencyNeg: { maxLatencyMs: -5 },
    batchSizeNaN: { batchSize: NaN },
    maxPoolSmall: { poolSize: 8, maxPoolSize: 4 },
  });
  try {
    await PitchTap.create({}, {});
  } catch (e) {
    out.notContext = `${e.name}: ${e.message}`;
  }
  return out;
};

window.FLAGS = FLAGS;
ready();
