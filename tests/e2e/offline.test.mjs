// OfflineAudioContext with default options and no pacing code, in every engine: every frame
// of the render arrives (received = rendered, nothing dropped, no gap), the pitch is right,
// the last batch is flagged END, and flush() or close() alone delivers it. A render too long
// for the memory that needs is refused by create() with a RangeError naming context.length.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './harness.mjs';

const END = 32;
const PARTIAL = 1;
let h;
before(async () => {
  h = await openPage('offline');
});
after(() => h?.close());

function assertWhole(r, what) {
  assert.equal(r.settled, true, `${what}: the call settled`);
  assert.equal(r.received, r.length, `${what}: received ${r.received} of ${r.length} frames`);
  assert.equal(r.dropped, 0, `${what}: dropped`);
  assert.equal(r.gapFrames, 0, `${what}: gap frames`);
  assert.equal(r.seqBreaks, 0, `${what}: sequence`);
  assert.equal(r.holes, 0, `${what}: every batch starts where the one before ended`);
  assert.ok(r.end, `${what}: an END batch`);
  assert.equal(r.end.startFrame + r.end.frames, r.length, `${what}: the END batch ends the render`);
  assert.ok(Math.abs(1200 * Math.log2(r.medianF0 / 220)) < 5, `${what}: median ${r.medianF0} Hz`);
}

for (const finish of ['flush', 'close', 'none']) {
  test(`30 s at 48 kHz, default options, then ${finish === 'none' ? 'nothing but the END batch' : `${finish}()`}: every frame arrives`, async () => {
    const r = await h.page.evaluate((f) => window.offlineTone({ seconds: 30, finish: f }), finish);
    console.log(`${h.engine} 30 s, ${finish}: ${JSON.stringify(r)}`);
    assertWhole(r, finish);
    // 1,440,000 frames = 1406 batches of 1024 and a partial one of 256.
    assert.equal(r.batches, Math.ceil(r.length / 1024));
    assert.equal(r.end.flags & (END | PARTIAL), END | PARTIAL);
    assert.ok(r.voiced > 2900, `${r.voiced} voiced estimates`);
  });
}

test('5 min at 48 kHz, default options: every frame arrives; the pool grows no further than the render', async () => {
  const r = await h.page.evaluate(() => window.offlineTone({ seconds: 300, finish: 'flush' }));
  const mb = (r.poolSize * (96 + 4 * 1024)) / 1e6;
  console.log(
    `${h.engine} 5 min: ${JSON.stringify(r)}; pool ${r.poolSize} buffers = ${mb.toFixed(1)} MB`,
  );
  assertWhole(r, '5 min');
  assert.ok(r.poolSize <= Math.ceil(r.length / 1024) + 1, `pool ${r.poolSize}`);
  assert.equal(h.errors.length, 0, h.errors.join('\n'));
});

test('a length not a multiple of 128 and maxLatencyMs: the last quantum is cut at the end', async () => {
  const r = await h.page.evaluate(() =>
    window.offlineTone({ seconds: 10.0001, options: { maxLatencyMs: 10 } }),
  );
  assertWhole(r, 'latency');
  assert.notEqual(r.length % 128, 0);
});

test('a render too long to keep is refused by create() with a RangeError naming context.length', async () => {
  // 32 channels of 5 min at 48 kHz would need 1.8 GB of batch buffers.
  const r = await h.page.evaluate(() => window.tooLong());
  assert.match(r.error, /^RangeError: pitchtap: context\.length must be at most 512 MiB/);
  assert.match(r.error, /suspend\(\) and tap\.sync\(\)/);
  // With a pool of the caller's own, the same render is allowed (paced or counted drops).
  assert.equal(r.withPool, 'created');
});
