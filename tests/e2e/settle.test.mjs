// Nothing hangs, nothing leaks, nothing ends unreported, in every engine: calls after the
// AudioContext closed or the worklet went off, listeners that detach or scribble on buffers,
// control messages from code that only holds tap.node, and drops right before a settled call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, gotoPage } from './harness.mjs';

let h;
before(async () => {
  h = await openPage('settle');
});
after(() => h?.close());

const STATE = /^InvalidStateError: pitchtap: .*AudioContext was closed/;

test('the AudioContext closed: a pending sync() settles; later flush/sync/configure reject with InvalidStateError; close() resolves', async () => {
  const r = await h.page.evaluate(() => window.contextClosed());
  // Asked just before context.close(): the worklet may still answer it (seen in Firefox,
  // 16 ms), or the close rejects it; either way it settles.
  assert.ok(
    r.pendingSync.how === 'resolved' || STATE.test(r.pendingSync.how),
    `pendingSync: ${JSON.stringify(r.pendingSync)}`,
  );
  for (const k of ['flush', 'sync', 'configure']) {
    assert.match(r[k].how, STATE, `${k}: ${JSON.stringify(r[k])}`);
  }
  assert.equal(r.close.how, 'resolved');
  assert.match(r.closeAgain.how, /^InvalidStateError: .*called twice/);
});

test('the worklet off after more than 8 panics: flush() and sync() reject with InvalidStateError, close() resolves', async () => {
  const r = await h.page.evaluate(() => window.deadWorklet());
  assert.equal(r.errors.length, 9, JSON.stringify(r.errors));
  assert.deepEqual(
    r.errors.map((e) => e.recovered),
    [...Array(8).fill(true), false],
  );
  assert.match(r.flush.how, /^InvalidStateError: pitchtap: .*the tap is off/);
  assert.match(r.sync.how, /^InvalidStateError: pitchtap: .*the tap is off/);
  assert.equal(r.close.how, 'resolved');
});

for (const kind of ['detach', 'header']) {
  test(`a batch listener that ${kind === 'detach' ? 'detaches (transfers away)' : 'writes over the header of'} every buffer: each reported once, the tap runs on, nothing dropped, the pool full again`, async () => {
    const r = await h.page.evaluate((k) => window.hostileListener({ kind: k }), kind);
    assert.ok(r.batches > 50, `${r.batches} batches`);
    assert.equal(r.touched, r.batches);
    // One error event per buffer, phase 'return', saying what the listener did.
    assert.equal(r.errors.length, r.touched, JSON.stringify(r.errors.slice(0, 2)));
    for (const e of r.errors) {
      assert.equal(e.phase, 'return');
      assert.match(e.message, kind === 'detach' ? /detached/ : /changed its header/);
    }
    assert.equal(r.flushed.how, 'resolved');
    assert.equal(r.closed.how, 'resolved');
    assert.equal(r.dropped, 0);
    assert.equal(r.inFlight, 0, 'every slot back in the pool');
    assert.equal(r.poolSize, 16);
    assert.equal(r.refused, 0, 'no lost slot was refused');
  });
}

test('control messages from code holding tap.node are refused and counted; forged replies are ignored; no test hook in the API', async () => {
  const r = await h.page.evaluate(() => window.forgedControl());
  assert.equal(r.refused, 4, 'close, configure, debugPanic, a wrong token');
  assert.equal(r.batchSize, 1024);
  assert.equal(r.panics, 0);
  assert.deepEqual(r.errors, []);
  assert.ok(r.stillRunning);
  assert.equal(r.dropped, 0);
  assert.equal(r.close.how, 'resolved');
  assert.equal(r.hasDebugPanic, false);
});

test('drops right before flush(), sync(), close() and the end of a render are gap events by the time the call settles', async () => {
  const r = await h.page.evaluate(() => window.gapsAtSettle());
  for (const k of ['flush', 'sync', 'close']) {
    assert.equal(r[k].gapFrames, r[k].dropped, `${k}: ${JSON.stringify(r[k])}`);
  }
  assert.ok(r.close.dropped > 0, 'the blocks dropped audio');
  const o = r.offline;
  assert.ok(o.dropped > 0.5 * o.length, JSON.stringify(o));
  assert.equal(o.received + o.dropped, o.length, JSON.stringify(o));
  assert.equal(o.gapFrames, o.dropped, JSON.stringify(o));
});

test('the same listener with and without capture: removing one leaves the other listening', async () => {
  const r = await h.page.evaluate(() => window.captureListeners());
  assert.ok(r.afterOne > 30, `${r.afterOne} pitch events in 0.5 s with one registration left`);
  assert.equal(r.afterBoth, 0, 'none once both are removed');
});

test('detail.samples kept past its handler is detached every time, never only sometimes', async () => {
  const r = await h.page.evaluate(() => window.keptViews());
  assert.ok(r.batches > 30, `${r.batches} batches`);
  assert.equal(r.during, r.batches, 'valid during the dispatch');
  assert.equal(r.after, 0, 'detached after it');
});

test('default options at 3, 4, 5 and 8 kHz: create() works and hears 220 Hz (maxFrequency fits the rate)', async () => {
  const r = await h.page.evaluate(() => window.lowRates());
  for (const x of r) {
    assert.equal(x.error, undefined, `${x.sampleRate} Hz: ${x.error}`);
    assert.ok(x.voiced > 100, `${x.sampleRate} Hz: ${x.voiced} voiced`);
    assert.ok(
      Math.abs(1200 * Math.log2(x.median / 220)) < 10,
      `${x.sampleRate} Hz: ${x.median} Hz`,
    );
  }
});

test('attach(): a track ended before is said at the first look, one stopped later once, a detached one never; bad arguments throw TypeError', async () => {
  const r = await h.page.evaluate(() => window.attachCases());
  assert.deepEqual(r.afterFirst, [r.ids[0]]);
  assert.deepEqual(r.ended, [r.ids[0], r.ids[1]]);
  assert.equal(r.sourcesEnded, 2);
  assert.equal(r.detached, true);
  assert.equal(r.detachedTwice, false);
  assert.equal(r.keptIsNode, true);
  assert.deepEqual(r.errors, {
    number: 'TypeError',
    nothing: 'TypeError',
    object: 'TypeError',
    offline: 'TypeError',
  });
});

test('PitchTap.preload(): compiles the wasm and loads the worklet ahead; create() then fetches and loads nothing; bad contexts rejected', async () => {
  await gotoPage(h, 'settle'); // a page that has not loaded the wasm yet
  const r = await h.page.evaluate(() => window.preloadCases());
  assert.deepEqual(r.before, []);
  assert.deepEqual(r.afterWasm, ['pitchtap_wasm_bg.wasm'], 'preload() twice fetches the wasm once');
  // The worklet's fetch is a page resource entry in Firefox only: count addModule calls.
  assert.deepEqual(r.afterContext, ['pitchtap_wasm_bg.wasm']);
  assert.equal(r.addModulesAfterPreload, 1, 'preload(context) loads the worklet module');
  assert.deepEqual(r.afterCreate, r.afterContext, 'create() fetched nothing more');
  assert.equal(r.addModulesAfterCreate, 1, 'create() loaded no module again');
  assert.deepEqual(r.errors, { string: 'TypeError', closed: 'InvalidStateError' });
});

test('a dispatchEvent that throws (once, then for 500 ms) and a JS exception in receive: each counted, pool full again, told from a panic', async () => {
  const r = await h.page.evaluate(() => window.throwingDispatch({ ms: 500 }));
  assert.ok(r.thrown > 10, `${r.thrown} throwing dispatches`);
  // Once: one error, nothing dropped.
  assert.equal(r.once.errors, 1);
  assert.equal(r.once.dropped, 0);
  // For 500 ms: every batch still received and returned, no drop; each counted.
  assert.ok(r.always.messages > r.during.messages, 'batches kept coming');
  assert.equal(r.always.dropped, 0);
  assert.ok(r.always.errors > 10, `${r.always.errors} errors counted`);
  // A JS exception in receive: an error that is not a panic, the batch lost and counted
  // in a gap, the same receiver goes on.
  assert.equal(r.js.panics, 0);
  assert.equal(r.js.errors, r.always.errors + 1);
  assert.equal(r.sameReceiver, true);
  const js = r.events.find((e) => e.phase === 'receive');
  assert.deepEqual(
    { ...js, message: '' },
    { phase: 'receive', panic: false, recovered: true, lostFrames: 1024, message: '' },
  );
  assert.match(js.message, /receiving a batch failed: a JS bug/);
  assert.equal(r.js.dropped, 1024);
  // Every buffer back once the source stopped and the tap flushed: none was kept.
  assert.deepEqual(r.end, { free: r.end.size, size: r.end.size });
  assert.equal(r.gapFrames, r.finalDropped, 'gap frames = droppedSamples');
});
