// Live metrics under a known main-thread block, and recovery from Rust panics, in every
// engine (no COOP/COEP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, onlyIn } from './harness.mjs';

let h;
before(async () => {
  h = await openPage('faults');
});
after(() => h?.close());

test(
  'stats(): a 400 ms main-thread block raises the batch age and the drops match the frames withheld',
  { timeout: 90_000 },
  async () => {
    const batchSize = 1024;
    const poolSize = 4;
    const r = await h.page.evaluate((a) => window.liveBlock(a), {
      blockMs: 400,
      batchSize,
      poolSize,
    });
    const batchMs = (1000 * batchSize) / r.sampleRate;
    const holdMs = poolSize * batchMs; // what the pool can hold while nothing comes back
    const b = r.statsBefore;
    const a = r.statsAfter;
    // Before the block: steady state.
    assert.ok(
      Math.abs(b.messagesPerSecond / (r.sampleRate / batchSize) - 1) < 0.15,
      `messagesPerSecond ${b.messagesPerSecond} vs ${(r.sampleRate / batchSize).toFixed(1)}`,
    );
    assert.equal(b.batchesReceived, b.messages);
    assert.ok(
      b.batchAgeMs.p50 >= 0 && b.batchAgeMs.p50 < batchMs + 50,
      `age p50 ${b.batchAgeMs.p50}`,
    );
    // At least 0: WebKit's performance.now() moves in 1 ms steps, so most batches time as 0.
    assert.ok(
      b.analysisMs.p50 >= 0 &&
        b.analysisMs.p99 >= b.analysisMs.p50 &&
        Number.isFinite(b.analysisMs.last),
    );
    assert.deepEqual([b.pool.size, b.droppedSamples, b.pool.exhausted], [poolSize, 0, 0]);
    assert.equal(b.pool.free + b.pool.inFlight, b.pool.size);
    // After: the batches held up by the block arrived old.
    assert.ok(
      a.batchAgeMs.p99 > r.blockedMs - holdMs - batchMs,
      `age p99 ${a.batchAgeMs.p99.toFixed(1)} ms after a ${r.blockedMs.toFixed(0)} ms block`,
    );
    // The worklet ran dry and dropped what it could not hold: counted exactly, in one gap.
    assert.ok(a.droppedSamples > 0, 'a 400 ms block must overflow a 186 ms pool');
    assert.equal(a.droppedSamples, r.gapFrames, 'dropped samples = frames in gap events');
    assert.equal(r.received + r.gapFrames + r.skipped, r.span, 'received + dropped = rendered');
    assert.equal(r.breaks, 0);
    assert.ok(a.pool.exhausted > 0 && a.pool.lowWater === 0, JSON.stringify(a.pool));
    assert.equal(a.gaps, r.gaps.length);
    // Withheld ≈ the block minus what the pool held, by the audio clock (the audio thread can
    // fall behind the page's clock on a loaded machine: then fewer frames were rendered to
    // drop; the main thread wakes up late by a little, never early).
    const withheldMs = (1000 * a.droppedSamples) / r.sampleRate;
    const expectedMs = Math.min(r.blockedMs, r.audioBlockedMs) - holdMs;
    assert.ok(
      withheldMs > expectedMs - 2 * batchMs && withheldMs < r.blockedMs - holdMs + 150,
      `dropped ${withheldMs.toFixed(1)} ms, expected about ${expectedMs.toFixed(1)} ms ` +
        `(block ${r.blockedMs.toFixed(1)} ms by the page's clock, ${r.audioBlockedMs.toFixed(1)} ms by the audio clock)`,
    );
    assert.equal(h.errors.length, 0, h.errors.join('\n'));
  },
);

// The documented lossless stall of the default pool (docs/reliability.md): at least
// (16 - 4) x 1024 frames = 256 ms at 48 kHz, 279 ms at 44.1 kHz. The docs once promised the
// whole pool (341 ms at 48 kHz), which dropped audio in 4 of 15 runs at 300-320 ms blocks.
test(
  'the default pool: a main-thread block of 90 % of the documented lossless stall drops nothing',
  { timeout: 90_000 },
  async () => {
    const rate = await h.page.evaluate(() => {
      const c = new AudioContext();
      const r = c.sampleRate;
      c.close();
      return r;
    });
    const boundMs = (((16 - 4) * 1024) / rate) * 1000;
    const r = await h.page.evaluate((a) => window.liveBlock(a), {
      blockMs: Math.floor(0.9 * boundMs),
      poolSize: 16,
      before: 1,
      after: 0.7,
    });
    assert.equal(
      r.statsAfter.droppedSamples,
      0,
      `a ${r.blockedMs.toFixed(0)} ms block dropped ${r.statsAfter.droppedSamples} frames`,
    );
    assert.equal(r.gapFrames, 0);
    assert.equal(r.received + r.skipped, r.span, 'every frame received');
    assert.ok(
      r.statsAfter.pool.lowWater < 12,
      `the block used the pool: low water ${r.statsAfter.pool.lowWater}`,
    );
  },
);

/** The one error event of a run with one debug panic on `side`: a recovered panic. */
function onePanic(r, side) {
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  const e = r.errors[0];
  assert.equal(e.side, side);
  assert.equal(e.panic, true);
  assert.equal(e.recovered, true);
  assert.match(
    e.message,
    side === 'main' ? /debug panic on the main thread/ : /debug panic in the worklet/,
  );
  return e;
}

const PACED = onlyIn(
  ['chromium', 'webkit'],
  'Firefox has no OfflineAudioContext.suspend to stop a render at a panic; the live tests below cover it',
);

test(
  'a Rust panic in the worklet: error event, the node lives on with a new instance from the next quantum, lost frames counted',
  { timeout: 90_000, ...PACED },
  async () => {
    const r = await h.page.evaluate(() => window.panicRun({ side: 'worklet' }));
    const e = onePanic(r, 'worklet');
    assert.equal(r.stats.panics, 1);
    // Every frame is delivered once, in order and bit-exact, or counted as dropped.
    assert.equal(r.firstStart, 0);
    assert.equal(r.mismatches, 0);
    assert.equal(r.breaks, 0);
    assert.equal(r.received + r.dropped, r.rendered);
    assert.equal(r.dropped, e.lostFrames);
    assert.ok(e.lostFrames >= 128 && e.lostFrames <= 1024 + 128, `lost ${e.lostFrames}`);
    assert.equal(r.gaps.length, 1);
    // Resumes at the quantum right after the one that panicked.
    assert.ok(r.firstAfter, 'batches after the panic');
    assert.equal(r.firstAfter.startFrame, r.panicFrame + 128);
    assert.equal(r.gaps[0].startFrame + r.gaps[0].frames, r.panicFrame + 128);
    assert.ok(r.batchesAfter > 50);
    assert.equal(r.stats.seqBreaks, 0, 'sequence numbers carry on');
  },
);

test(
  'a Rust panic on the main thread: error event, the buffer goes back, the next batch is analysed',
  { timeout: 90_000, ...PACED },
  async () => {
    const r = await h.page.evaluate(() => window.panicRun({ side: 'main' }));
    const e = onePanic(r, 'main');
    assert.equal(e.lostFrames, 1024);
    assert.equal(r.stats.panics, 1);
    assert.equal(r.mismatches, 0);
    // The one batch being read when it panicked is missing, and counted.
    assert.equal(r.breaks, 1);
    assert.equal(r.received + r.dropped, r.rendered);
    assert.equal(r.dropped, 1024);
    assert.equal(r.stats.refused, 0, 'the buffer went back to the pool');
    assert.ok(r.batchesAfter > 50);
  },
);

for (const side of ['worklet', 'main']) {
  test(
    `live: a Rust panic on the ${side === 'main' ? 'main thread' : 'worklet'} is reported once; every frame is delivered or counted, and the tap carries on`,
    { timeout: 90_000 },
    async () => {
      const r = await h.page.evaluate((s) => window.livePanicRun({ side: s }), side);
      const e = onePanic(r, side);
      assert.equal(r.stats.panics, 1);
      assert.equal(
        r.mismatches,
        0,
        `bit-exact, in order; first mismatch ${JSON.stringify(r.firstMismatch)}`,
      );
      // From the first batch to the last, every frame arrived, was counted as dropped, or was
      // never given to the node (a DISCONTINUITY).
      assert.equal(r.received + r.dropped + r.skipped, r.span);
      if (side === 'main') {
        assert.equal(e.lostFrames, 1024);
        assert.equal(r.breaks, 1, 'the batch being read is the one missing');
        assert.equal(r.stats.refused, 0, 'the buffer went back to the pool');
      } else {
        assert.equal(r.breaks, 0);
        assert.ok(e.lostFrames >= 128 && e.lostFrames <= 1024 + 128, `lost ${e.lostFrames}`);
        assert.equal(r.gaps.length, 1);
        assert.equal(r.dropped, e.lostFrames);
      }
      assert.ok(r.batchesAfter > 50, `${r.batchesAfter} batches after the panic`);
    },
  );
}

// Each main-thread panic used to leak its receiver (~92 kB: 400 panics took wasm memory from
// 1.25 to 38 MB) and ~600 bytes of the wasm stack (the instance ran out of stack at ~1700).
test(
  '2000 main-thread panics: wasm memory flat, every one recovered and counted, the tap still analyses',
  { timeout: 120_000 },
  async () => {
    const count = 2000;
    const r = await h.page.evaluate((n) => window.panicMany({ count: n }), count);
    assert.equal(r.panics, count, JSON.stringify(r.lastError));
    assert.equal(r.errors, count);
    assert.equal(r.recovered, true, JSON.stringify(r.lastError));
    assert.ok(r.afterWarmup > 0);
    assert.equal(r.afterAll, r.afterWarmup, `wasm memory ${r.afterWarmup} -> ${r.afterAll} bytes`);
    assert.equal(r.dropped, count * 128, 'each panic loses the one batch it was reading');
    assert.equal(r.gapFrames, r.dropped);
    assert.ok(r.volumes > 0, 'volume events after the panics');
  },
);
