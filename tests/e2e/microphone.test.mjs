// The engine's own fake or mock capture device into a tap: getUserMedia, a
// MediaStreamAudioSourceNode, the tap. The other tests give Firefox and WebKit a mock
// microphone made in the page (engines/page.mjs), because neither engine's device plays a
// file; this one takes each engine's real capture path with whatever its device plays.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, gotoPage, openPage, engine, median } from './harness.mjs';

const DEVICES = {
  // --use-file-for-fake-audio-capture: a 440 Hz sine of peak 0.5 (harness.mjs, toneWav).
  chromium: { launch: { mic: { frequency: 440 } }, says: 'a 440 Hz sine, peak 0.5' },
  // media.navigator.streams.fake: a sine of peak 0.1 at media.navigator.audio.fake_frequency.
  firefox: {
    launch: { mic: { frequency: 440 }, fakeDevice: true, fakeFrequency: 440 },
    says: 'a 440 Hz sine, peak 0.1',
  },
  // --enable-mock-capture-devices: a bip-bop, a 150 Hz tone near −22 dBFS with a short
  // 1500 Hz beep near −9 dBFS about once a second.
  webkit: {
    launch: { mic: { frequency: 440 }, fakeDevice: true },
    says: 'a 150 Hz tone with a 1500 Hz beep each second',
  },
};

let h;
after(async () => {
  await h?.close();
});

test(`${engine}'s own fake microphone (${DEVICES[engine].says}) reaches the tap: no drop, the pitch and level it plays`, async () => {
  h = await openPage('analysis', DEVICES[engine].launch);
  const r = await h.page.evaluate(() => window.livePitch({ seconds: 3 }));
  assert.equal(r.stats.droppedSamples, 0);
  assert.equal(r.stats.seqBreaks, 0);
  assert.ok(
    r.stats.messages > ((2.5 * r.sampleRate) / 1024) * 0.8,
    `${r.stats.messages} batches in 3 s`,
  );
  const settled = r.pitches.filter((p) => p.time > r.pitches[0].time + 0.2);
  const voiced = settled.filter((p) => p.voiced);
  const near = (f) => voiced.filter((p) => Math.abs(1200 * Math.log2(p.frequency / f)) < 20).length;
  const levels = r.volumes.slice(10).map((v) => v.db);
  if (engine === 'webkit') {
    // Mostly the 150 Hz tone, with the beep now and then.
    assert.ok(
      near(150) >= 0.7 * settled.length,
      `${near(150)} of ${settled.length} estimates at 150 Hz`,
    );
    assert.ok(near(1500) >= 3, `${near(1500)} estimates at 1500 Hz (the beep)`);
    assert.ok(Math.abs(median(levels) + 22) < 1.5, `median level ${median(levels)} dBFS`);
    assert.ok(Math.max(...levels) > -12, `the beep's level: ${Math.max(...levels)} dBFS`);
  } else {
    const peak = engine === 'firefox' ? 0.1 : 0.5;
    const db = 20 * Math.log10(peak / Math.SQRT2);
    assert.ok(
      near(440) >= 0.9 * settled.length,
      `${near(440)} of ${settled.length} estimates at 440 Hz`,
    );
    assert.ok(
      Math.abs(median(levels) - db) < 0.5,
      `median level ${median(levels)} dBFS, expected ${db.toFixed(1)}`,
    );
    assert.ok(Math.abs(median(r.volumes.slice(10).map((v) => v.peak)) / peak - 1) < 0.05, 'peak');
  }
});

test(`${engine}: tap.attach(stream), then track.stop(): one sourceended event within 0.25 s, nothing dropped`, async () => {
  h ??= await launch(DEVICES[engine].launch);
  await gotoPage(h, 'analysis');
  const r = await h.page.evaluate(() => window.micStops({ before: 1, after: 1 }));
  assert.ok(r.batchesBefore > 10, `${r.batchesBefore} batches before the stop`);
  assert.equal(r.ended.length, 1, JSON.stringify(r.ended));
  assert.deepEqual(
    { ...r.ended[0], time: 0 },
    { sameTrack: true, kind: 'audio', time: 0, isNode: true },
  );
  // The tap looks every 100 ms (TRACK_POLL_MS), whether batches come or not; plus scheduling.
  const late = r.ended[0].time - r.stoppedAt;
  assert.ok(late >= 0 && late < 0.25, `sourceended ${late.toFixed(3)} s after the stop`);
  assert.equal(r.stats.sourcesEnded, 1);
  assert.equal(r.stats.droppedSamples, 0);
  assert.equal(r.attachAfterClose, 'InvalidStateError');
  assert.equal(r.detachAfterClose, false, 'close() detached it already');
});
