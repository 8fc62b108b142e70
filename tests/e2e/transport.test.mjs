// Browser end-to-end tests of the transport, in every engine, served without COOP/COEP
// headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, gotoPage, onlyIn } from './harness.mjs';

let h;
before(async () => {
  h = await launch({ mic: { frequency: 440 } });
  const { headers } = await gotoPage(h, 'transport');
  assert.equal(headers['cross-origin-opener-policy'], undefined);
  assert.equal(headers['cross-origin-embedder-policy'], undefined);
});
after(() => h?.close());

test('(f) the page is not cross-origin isolated and needs no SharedArrayBuffer', async () => {
  const r = await h.page.evaluate(() => window.isolation());
  assert.equal(r.crossOriginIsolated, false);
});

// The pool holds at least ~180 ms of audio, so that a hiccup of this shared 2-core machine's
// main thread drops nothing (8 × 128 frames would be only 23 ms).
for (const [batchSize, seconds, poolSize] of [
  [128, 3, 64],
  [1024, 4, 8],
  [4096, 6, 8],
]) {
  test(`(a) fake microphone, batchSize ${batchSize}: rate, samples/s, contiguous sequence`, async () => {
    const r = await h.page.evaluate(
      (a) =>
        window.liveMic({
          seconds: a.seconds,
          options: { batchSize: a.batchSize, poolSize: a.poolSize },
        }),
      { batchSize, seconds, poolSize },
    );
    // Rates by the context's clock; a count over a window is off by up to one batch at
    // either end, so the tolerance is 3 % plus one batch.
    const expected = r.sampleRate / batchSize;
    const slack = 0.03 + 1 / (expected * r.windowSeconds);
    assert.ok(
      r.windowSeconds > 0.9 * r.pageSeconds,
      `the context's clock ran: ${r.windowSeconds} s in ${r.pageSeconds} s`,
    );
    assert.ok(
      Math.abs(r.messagesPerSecond / expected - 1) < slack,
      `messages/s ${r.messagesPerSecond.toFixed(2)} vs ${expected.toFixed(2)} (${r.messagesInWindow} in ${r.windowSeconds.toFixed(3)} s)`,
    );
    assert.ok(
      Math.abs(r.samplesPerSecond / r.sampleRate - 1) < slack,
      `samples/s ${r.samplesPerSecond.toFixed(0)} vs ${r.sampleRate}`,
    );
    assert.equal(r.seqBreaks, 0);
    assert.equal(r.stats.seqBreaks, 0);
    assert.equal(r.headerSampleRate, r.sampleRate, 'the header carries the context sample rate');
    assert.equal(r.channels, 1);
    assert.equal(r.stats.droppedSamples, 0);
    assert.equal(h.errors.length, 0, h.errors.join('\n'));
  });
}

test('(b) 20 s ramp through an OfflineAudioContext: bit-exact, in order, received + dropped = rendered', async () => {
  const r = await h.page.evaluate(() =>
    window.offlineRamp({ seconds: 20, options: { batchSize: 1024 } }),
  );
  assert.equal(r.mismatches, 0);
  assert.equal(r.seqBreaks, 0);
  assert.equal(r.received + r.dropped, r.rendered);
  assert.ok(r.rendered >= 20 * 44100);
  assert.ok(r.received > 0.99 * r.rendered, `received ${r.received} of ${r.rendered}`);
  // Without pacing, a pool of the caller's size (not sized to the render, see
  // offline.test.mjs) is outrun: drops are then counted exactly.
  const fast = await h.page.evaluate(() =>
    window.offlineRamp({ seconds: 5, options: { batchSize: 1024, poolSize: 16 }, paceEvery: 0 }),
  );
  assert.equal(fast.mismatches, 0);
  assert.equal(fast.received + fast.dropped, fast.rendered);
  assert.ok(fast.dropped > 0 && fast.stats.gaps >= 1);
});

test(
  '(b) paced too slowly for a small pool: several gaps, each followed by a GAP-flagged batch',
  onlyIn(
    ['chromium', 'webkit'],
    'Firefox has no OfflineAudioContext.suspend to pace a render with',
  ),
  async () => {
    // Each gap is followed by a GAP-flagged batch (but perhaps the last, which nothing follows).
    const slow = await h.page.evaluate(() =>
      window.offlineRamp({ seconds: 4, options: { batchSize: 1024, poolSize: 4 }, paceEvery: 0.5 }),
    );
    assert.equal(slow.mismatches, 0);
    assert.equal(slow.received + slow.dropped, slow.rendered);
    const gapBatches = slow.batches.filter((b) => b.flags & 4).length;
    assert.ok(slow.stats.gaps >= 5, `gaps ${slow.stats.gaps}`);
    assert.ok(
      gapBatches >= slow.stats.gaps - 1 && gapBatches <= slow.stats.gaps,
      `${gapBatches} vs ${slow.stats.gaps}`,
    );
  },
);

test('(c) the end of an offline render posts the partial batch, flagged END', async () => {
  // 1.5 s is not a whole number of 1024-frame batches: the last part arrives by itself.
  const r = await h.page.evaluate(() =>
    window.offlineRamp({ seconds: 1.5, options: { batchSize: 1024 } }),
  );
  assert.equal(r.received + r.dropped, r.rendered);
  assert.equal(r.dropped, 0);
  const last = r.batches.at(-1);
  assert.ok(last.frames < 1024 && last.frames > 0);
  assert.equal(last.flags, 1 | 32, 'PARTIAL | END');
  assert.equal(last.startFrame + last.frames, r.rendered);
});

test(
  '(c) flush() mid-render posts the partial batch, flagged PARTIAL | FLUSHED',
  onlyIn(
    ['chromium', 'webkit'],
    'Firefox has no OfflineAudioContext.suspend to stop a render at a time',
  ),
  async () => {
    const r = await h.page.evaluate(() =>
      window.offlineRamp({ seconds: 2, options: { batchSize: 1024 }, flushAt: 1.0, paceEvery: 0 }),
    );
    assert.equal(r.mismatches, 0);
    assert.equal(r.received + r.dropped, r.rendered);
    assert.equal(r.dropped, 0);
    assert.ok(r.flushed.frames < 1024 && r.flushed.frames > 0, JSON.stringify(r.flushed));
    assert.equal(r.flushed.flags, 1 | 2, 'PARTIAL | FLUSHED');
    // suspend(1.0) stops at a quantum boundary next to 1 s.
    const at = r.flushed.startFrame + r.flushed.frames;
    assert.ok(at % 128 === 0 && Math.abs(at - 44100) < 128, `flushed up to frame ${at}`);
  },
);

test('(d) maxLatencyMs bounds the age of the oldest sample in a batch', async () => {
  const r = await h.page.evaluate(() =>
    window.offlineRamp({ seconds: 2, options: { batchSize: 4096, maxLatencyMs: 10 } }),
  );
  assert.equal(r.mismatches, 0);
  assert.equal(r.received + r.dropped, r.rendered);
  const limit = Math.ceil(0.01 * 44100);
  // Posted at the end of its last quantum: the oldest sample's age then is the batch length.
  for (const b of r.batches.slice(0, -1)) {
    assert.ok(b.frames <= limit + 128, `batch of ${b.frames} frames`);
  }
  assert.ok(r.batches.length > (2 * 44100) / (limit + 128) - 2);
});

test(
  '(e) configure({ batchSize }) mid-stream keeps every sample and the sequence',
  onlyIn(
    ['chromium', 'webkit'],
    'Firefox has no OfflineAudioContext.suspend to stop a render at a time',
  ),
  async () => {
    const r = await h.page.evaluate(() =>
      window.offlineRamp({
        seconds: 4,
        options: { batchSize: 1024 },
        configureAt: 2.0,
        configureTo: 4096,
      }),
    );
    assert.equal(r.mismatches, 0);
    assert.equal(r.seqBreaks, 0);
    assert.equal(r.received + r.dropped, r.rendered);
    assert.equal(r.dropped, 0);
    const sizes = new Set(r.batches.filter((b) => !(b.flags & 1)).map((b) => b.frames));
    assert.deepEqual(
      [...sizes].sort((a, b) => a - b),
      [1024, 4096],
    );
    assert.equal(r.stats.batchSize, 4096);
  },
);

test('buffers go back to the worklet in groups: up to 4 per message with the default pool, one by one with a small pool', async () => {
  const grouped = await h.page.evaluate(() => window.liveMic({ seconds: 3 }));
  const { returns } = grouped;
  assert.equal(grouped.stats.droppedSamples, 0);
  assert.equal(returns.largest, 4, JSON.stringify(returns));
  // Every batch is returned (close() sends back what is kept before it asks the worklet to
  // stop; the final flushed batch may arrive after that), in about a quarter as many messages.
  assert.ok(
    returns.buffers >= grouped.batches - 4 && returns.buffers <= grouped.batches,
    `${JSON.stringify(returns)}, ${grouped.batches} batches`,
  );
  // A few more when the main thread falls behind (half the pool out: return at once), as
  // under a loaded machine (WebKit: 43 messages for 152 batches once).
  assert.ok(
    returns.messages <= Math.ceil(grouped.batches / 4) + 8,
    `${JSON.stringify(returns)}, ${grouped.batches} batches`,
  );
  // A pool of 4 is too small to keep any buffer back.
  const single = await h.page.evaluate(() =>
    window.liveMic({ seconds: 1, options: { poolSize: 4 } }),
  );
  assert.equal(single.returns.largest, 1, JSON.stringify(single.returns));
  assert.equal(single.returns.messages, single.returns.buffers);
});

test(
  '(g) repeated and foreign buffers are refused and counted, never pooled',
  onlyIn(
    ['chromium', 'webkit'],
    "Firefox has no OfflineAudioContext.suspend to stop a render for them; reliability's live port test covers it",
  ),
  async () => {
    const r = await h.page.evaluate(() => window.refusals());
    assert.equal(r.mid.refused, 5, JSON.stringify(r.mid));
    assert.equal(r.stats.refused, 5);
    assert.equal(r.mismatches, 0);
    assert.equal(r.received + r.stats.droppedSamples, r.rendered);
    assert.equal(r.stats.poolSize, 4, 'nothing joined the pool');
  },
);

test('bad options throw TypeError / RangeError naming the option', async () => {
  const r = await h.page.evaluate(() => window.badOptions());
  const expect = {
    batchSize100: /^RangeError: .*batchSize must be a multiple of 128/,
    batchSizeString: /^TypeError: .*batchSize must be a number/,
    poolSize0: /^RangeError: .*poolSize/,
    unknown: /^TypeError: .*unknown option "batchsize"/,
    channelsBad: /^TypeError: .*channels must be/,
    latencyNeg: /^RangeError: .*maxLatencyMs/,
    batchSizeNaN: /^RangeError: .*batchSize/,
    maxPoolSmall: /^RangeError: .*maxPoolSize/,
    notContext: /^TypeError: .*context must be/,
  };
  for (const [k, re] of Object.entries(expect)) assert.match(r[k], re, k);
});
