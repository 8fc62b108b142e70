// Lifecycle, in every engine: suspend/resume, closing the context with buffers in flight, a
// source disconnected and reconnected, two taps on one context, taps at four sample rates at
// once, and 1000 create/close cycles in one page with no growth in wasm memory and no event
// after close() (and, in Chromium, whose CDP can force a GC and count audio objects, none
// in JS heap or live audio objects either).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, metricsSession, audioMetrics } from './harness.mjs';

const GAP = 4;
const DISCONTINUITY = 16;
let h;
let cdp;
before(async () => {
  h = await openPage('lifecycle');
  cdp = await metricsSession(h);
});
after(() => h?.close());

// Blink deletes the handlers of collected nodes on the audio thread, later: give it time.
const metrics = () => audioMetrics(cdp, h.page, { settleMs: 1000 });

test('context.suspend() and resume(): audio stops and resumes, nothing lost, nothing refused', async () => {
  const r = await h.page.evaluate(() => window.suspendResume());
  assert.deepEqual(r.errors, []);
  assert.ok(r.duringSuspend <= 2, `${r.duringSuspend} batches while suspended`);
  assert.ok(r.afterResume >= 25, `${r.afterResume} batches after resume`);
  assert.equal(r.stats.droppedSamples, 0);
  assert.equal(r.seqBreaks, 0);
  assert.equal(r.stats.refused, 0);
  assert.equal(r.accounting.unflagged, 0);
  assert.equal(r.accounting.overlaps, 0);
});

for (const order of ['context first', 'both at once']) {
  test(`context.close() with buffers in flight (${order}): tap.close() settles, no event after it`, async () => {
    const r = await h.page.evaluate((o) => window.contextClose({ order: o }), order);
    assert.notEqual(r.result, 'hung (3 s)', 'tap.close() never settled');
    assert.equal(r.result, 'resolved');
    assert.equal(r.after, 0, 'events after close() resolved');
    assert.ok(r.batches > 50);
    assert.deepEqual(r.errors, []);
    assert.equal(h.errors.length, 0, h.errors.join('\n'));
  });
}

test('a source disconnected and reconnected: a DISCONTINUITY, no drop, no refusal', async () => {
  const r = await h.page.evaluate(() => window.disconnectReconnect());
  assert.deepEqual(r.errors, []);
  assert.ok(r.whileDisconnected <= 2, `${r.whileDisconnected} batches while disconnected`);
  assert.ok(r.afterReconnect >= 20, `${r.afterReconnect} batches after reconnecting`);
  assert.equal(r.stats.droppedSamples, 0);
  assert.equal(r.stats.refused, 0);
  assert.equal(r.seqBreaks, 0);
  assert.equal(r.accounting.unflagged, 0, 'every hole is flagged');
  // The first batch after the silence says why the frames jump, and is not a GAP.
  const jump = r.batches.findIndex(
    (b, i) => i > 0 && b.startFrame > r.batches[i - 1].startFrame + r.batches[i - 1].frames,
  );
  assert.ok(jump > 0, 'frames jump over the disconnected time');
  assert.equal(
    r.batches[jump].flags & (DISCONTINUITY | GAP),
    DISCONTINUITY,
    JSON.stringify(r.batches.slice(jump - 1, jump + 1)),
  );
});

test('two taps on one context carry the same samples at the same frames', async () => {
  const r = await h.page.evaluate(() => window.twoTaps());
  assert.deepEqual(r.errors, []);
  assert.ok(r.common > 48000, `${r.common} frames in common`);
  assert.equal(r.differ, 0);
  assert.equal(r.a.droppedSamples + r.b.droppedSamples, 0);
  assert.equal(r.seqBreaks, 0);
});

test('taps on contexts at 22050, 44100, 48000 and 96000 Hz at once', async () => {
  const runs = await h.page.evaluate(() => window.manyRates());
  assert.deepEqual(
    runs.map((r) => r.sampleRate),
    [22050, 44100, 48000, 96000],
  );
  for (const r of runs) {
    const what = `${r.sampleRate} Hz`;
    assert.deepEqual(r.errors, [], what);
    assert.equal(r.statsRate, r.sampleRate, what);
    assert.equal(r.headerRate, r.sampleRate, what);
    // By the context's clock (pages/lifecycle.js, manyRates), which must have run.
    assert.ok(
      r.windowSeconds > 0.5 * r.pageSeconds,
      `${what}: the context's clock ran ${r.windowSeconds} s in ${r.pageSeconds} s`,
    );
    assert.ok(
      Math.abs(r.samplesPerSecond / r.sampleRate - 1) < 0.05,
      `${what}: ${r.samplesPerSecond.toFixed(0)} samples/s`,
    );
    assert.equal(r.stats.droppedSamples, 0, what);
    assert.ok(r.lastPitch.length >= 10, `${what}: ${r.lastPitch.length} voiced estimates`);
    for (const f of r.lastPitch)
      assert.ok(Math.abs(1200 * Math.log2(f / 440)) < 10, `${what}: ${f} Hz`);
  }
});

test('1000 × create() and close() in one page: no growth in heap, wasm memory or audio objects, no late event', async () => {
  // The first few hundred taps warm V8 up (+57 kB of heap once, then flat: measured over
  // 4 × 950 more taps); measure the rest.
  const warm = await h.page.evaluate(() => window.churn({ n: 200 }));
  assert.equal(warm.late, 0);
  const m0 = await metrics();
  const r = await h.page.evaluate(() => window.churn({ n: 800 }));
  const m1 = await metrics();
  console.log(
    `800 taps: JS heap ${m0.heap} → ${m1.heap}, AudioHandlers ${m0.handlers} → ${m1.handlers}, ` +
      `AudioWorkletProcessors ${m0.processors} → ${m1.processors}, wasm ${m0.wasm} → ${m1.wasm}, ${r.ms.toFixed(0)} ms`,
  );
  await h.page.evaluate(() => window.churnEnd());
  assert.equal(r.late + warm.late, 0, 'events after close() resolved');
  assert.equal(r.errors, 0);
  assert.ok(r.batches > 0, 'the taps carried audio');
  assert.equal(m1.wasm, m0.wasm, `main-thread wasm memory ${m0.wasm} → ${m1.wasm}`);
  assert.equal(h.errors.length, 0, h.errors.join('\n'));
  if (!cdp) return; // heap and audio object counts: Chromium's CDP only
  // A leak of even 100 bytes per tap would show as 80 kB.
  assert.ok(
    m1.heap - m0.heap < 64 * 1024,
    `JS heap ${m0.heap} → ${m1.heap} (+${m1.heap - m0.heap} bytes over 800 taps)`,
  );
  // Nodes go with the main thread's GC (their handlers a little later, on the audio
  // thread); processors only when the AudioWorklet thread collects, which a page cannot
  // force (seen: +15 to +104 over 950 taps, not growing with more): bounded, not one per tap.
  assert.ok(
    m1.handlers - m0.handlers < 80,
    `AudioHandlers ${m0.handlers} → ${m1.handlers} over 800 taps`,
  );
  assert.ok(
    m1.processors - m0.processors < 800 / 3,
    `AudioWorkletProcessors ${m0.processors} → ${m1.processors} over 800 taps`,
  );
});

test('create() and close() 300 times with the source left connected: every create succeeds', async () => {
  // The closed nodes stay in the graph (their input is connected), so whatever a closed
  // processor holds stays alive: it must not hold a wasm instance, or the worklet thread
  // runs out of wasm memory after about 120 taps.
  const r = await h.page.evaluate(() =>
    window.churn({ n: 300, disconnect: false }).catch((e) => ({ failed: e.message })),
  );
  await h.page.evaluate(() => window.churnEnd());
  assert.equal(r.failed, undefined);
  assert.equal(r.late, 0);
  assert.equal(r.errors, 0);
});
