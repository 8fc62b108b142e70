// The demo page (www/) from the built package, under the server's strict CSP: a fake
// microphone playing 440 Hz, the built-in tone and glide, live settings, a 360 px layout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, soxWav, artifacts, readings, median, onlyIn } from './harness.mjs';

const open = [];
after(async () => {
  for (const h of open) await h.close();
});

/** A browser on the demo page that records CSP violations as well as console errors. */
async function demo({ mic, viewport } = {}) {
  const h = await launch({ mic });
  open.push(h);
  if (viewport) await h.page.setViewportSize(viewport);
  await h.page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(
        `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  const res = await h.page.goto(`${h.url}/`);
  assert.match(res.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  return h;
}

async function assertClean(h) {
  assert.deepEqual(await h.page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(h.errors.map(String), []);
}

/** Types `value` into the settings field `id` and presses Enter, as a user applies it. */
async function apply(h, id, value) {
  await h.page.fill(`#${id}`, value);
  await h.page.press(`#${id}`, 'Enter');
}

/** Waits until the message by settings field `id` is shown (or, `shown` false, gone); returns it. */
async function fieldError(h, id, shown = true) {
  await h.page.waitForFunction(
    ([field, want]) => (document.getElementById(`${field}-error`).textContent !== '') === want,
    [id, shown],
  );
  return h.page.textContent(`#${id}-error`);
}

/** The text of a stats row (data-stat key). */
const stat = (h, key) => h.page.textContent(`[data-stat="${key}"] dd`);
/** A "−9.0 dBFS"-style readout as a number (NaN for "–"). */
const dbOf = async (h, id) =>
  Number((await h.page.textContent(`#${id}`)).replace('−', '-').replace(' dBFS', ''));

/** Waits for `note` on the tuner, then 300 ms more: the first windows of a new input are partial. */
async function waitForNote(h, note, timeout = 8000) {
  await h.page
    .waitForFunction((n) => document.getElementById('note').dataset.note === n, note, { timeout })
    .catch(async (e) => {
      throw new Error(
        `${e.message}; note "${await h.page.textContent('#note')}", status "${await h.page.textContent('#status')}"`,
      );
    });
  await h.page.waitForTimeout(300);
}

/** Device pixels of the curve's colour (#6cb6ff) on the pitch canvas; the grid is grey. */
const curvePixels = (h) =>
  h.page.evaluate(() => {
    const c = document.getElementById('curve');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 180 && d[i + 2] - d[i] > 80) n++;
    return n;
  });

/** The tuner's frequency readout in Hz (NaN for "–"). */
const freqText = async (h) => Number((await h.page.textContent('#freq')).replace(' Hz', ''));

test('demo: the microphone shows A4, draws the curve, moves the meter, fills the stats', async () => {
  const h = await demo({ mic: { frequency: 440 } });
  assert.equal(await h.page.textContent('#rms'), '– dBFS');
  assert.equal(await curvePixels(h), 0);

  await h.page.click('#mic');
  await waitForNote(h, 'A4');
  assert.equal(await h.page.getAttribute('body', 'data-state'), 'running');
  const f = await readings(() => freqText(h)); // judged by the median (harness.mjs)
  assert.ok(Math.abs(median(f) - 440) < 2, `frequency ${f}`);
  await h.page.waitForTimeout(2500);

  // A 0.5-amplitude sine: RMS −9.0 dBFS, peak −6.0 dBFS.
  const rms = await dbOf(h, 'rms');
  const peak = await dbOf(h, 'peak');
  const hold = await dbOf(h, 'hold');
  assert.ok(Math.abs(rms + 9.03) < 0.5, `rms ${rms}`);
  assert.ok(Math.abs(peak + 6.02) < 0.5, `peak ${peak}`);
  assert.ok(hold >= peak - 0.01 && hold < 0, `hold ${hold}, peak ${peak}`);
  const drawn = await curvePixels(h);
  assert.ok(drawn > 500, `${drawn} curve pixels`);
  assert.match(await h.page.textContent('#cents'), /^[+−±]\d cents$/);
  const clarity = await readings(async () => Number(await h.page.textContent('#clarity')));
  assert.ok(median(clarity) > 0.9 && median(clarity) <= 1, `clarity ${clarity}`);

  // Stats: the fields the library has now, and "–" (never a crash) for those it lacks.
  assert.equal(await stat(h, 'batchSize'), '1024');
  assert.equal(await stat(h, 'sampleRate'), '44100 Hz');
  assert.ok(Number(await stat(h, 'messages')) > 50);
  assert.equal(await stat(h, 'droppedSamples'), '0');
  const mps = await stat(h, 'messagesPerSecond');
  assert.ok(mps === '–' || Math.abs(Number(mps) - 44100 / 1024) < 8, `messages/s ${mps}`);
  for (const key of ['batchAge', 'analysis', 'poolFree', 'inFlight', 'lowWater', 'exhausted']) {
    assert.match(await stat(h, key), /^(–|[\d.]+( \/ [\d.]+)?( ms)?)$/, key);
  }

  await h.page.screenshot({ path: join(artifacts, 'demo.png'), fullPage: true });
  await assertClean(h);
});

test("demo: settings apply live, and refused values show the library's message by the field", async () => {
  const h = open[0];
  // Out of range: the old tap keeps running, the message names the option.
  await apply(h, 'clarityThreshold', '2');
  const message = await fieldError(h, 'clarityThreshold');
  assert.match(message, /RangeError|pitch\.clarityThreshold must be/);
  assert.match(message, /pitch\.clarityThreshold/);
  assert.equal(await h.page.getAttribute('#clarityThreshold', 'aria-invalid'), 'true');
  await apply(h, 'clarityThreshold', '0.65');
  await fieldError(h, 'clarityThreshold', false);

  // A min frequency above the max: a conflict, reported on minFrequency.
  await apply(h, 'minFrequency', '2000');
  assert.match(await fieldError(h, 'minFrequency'), /pitch\.minFrequency/);
  await apply(h, 'minFrequency', '50');
  await fieldError(h, 'minFrequency', false);

  // A4 = 442 Hz: a new tap; 440 Hz is then 1200·log2(440/442) = −7.9 cents.
  await apply(h, 'a4', '442');
  await h.page
    .waitForFunction(
      () => /^−[78] cents$/.test(document.getElementById('cents').textContent),
      null,
      { timeout: 5000 },
    )
    .catch(async (e) => {
      throw new Error(`${e.message}; cents "${await h.page.textContent('#cents')}"`);
    });
  assert.equal(await h.page.getAttribute('#note', 'data-note'), 'A4');

  // Batch size: live through configure(), then refused with the library's message.
  await apply(h, 'batchSize', '4096');
  await h.page.waitForFunction(
    () => document.querySelector('[data-stat="batchSize"] dd').textContent === '4096',
  );
  await apply(h, 'batchSize', '200');
  assert.match(await fieldError(h, 'batchSize'), /batchSize must be a multiple of 128/);
  assert.equal(await stat(h, 'batchSize'), '4096');
  // Pool size on the new tap, with the batch size still in effect.
  await apply(h, 'poolSize', '4');
  await h.page.waitForFunction(() =>
    document.getElementById('status').textContent.includes('new tap'),
  );
  assert.equal(await stat(h, 'batchSize'), '4096');
  await waitForNote(h, 'A4');

  await h.page.click('#stop');
  await h.page.waitForFunction(() => document.body.dataset.state === 'idle');
  assert.equal(await h.page.getAttribute('#note', 'data-note'), '');
  await assertClean(h);
});

test('demo: the built-in tone needs no microphone; the glide and then a file replace it', async () => {
  const h = await demo();
  await h.page.click('#tone');
  await waitForNote(h, 'A4');
  const f = await freqText(h);
  assert.ok(Math.abs(f - 440) < 2, `frequency ${f}`);
  // A 0.3-amplitude sine: −13.5 dBFS RMS.
  await h.page.waitForTimeout(500);
  const rms = await dbOf(h, 'rms');
  assert.ok(Math.abs(rms + 13.5) < 0.5, `rms ${rms}`);

  // The glide rises from 110 Hz: readings climb, and the tone is gone (never 440 steady).
  await h.page.click('#glide');
  await h.page.waitForFunction(
    () => document.getElementById('glide').getAttribute('aria-pressed') === 'true',
  );
  await h.page.waitForTimeout(400);
  const readings = [];
  for (let i = 0; i < 5; i++) {
    readings.push(await freqText(h));
    await h.page.waitForTimeout(400);
  }
  for (let i = 1; i < readings.length; i++)
    assert.ok(readings[i] > readings[i - 1], `rising: ${readings}`);
  assert.ok(readings[0] > 100 && readings[0] < 300, `start ${readings}`);
  assert.equal(await h.page.getAttribute('#tone', 'aria-pressed'), 'false');

  // A picked file (a 1 s stereo E4, decoded and looped) replaces the glide.
  const file = soxWav(
    'tone-e4-1s-44k-stereo.wav',
    ['-r', '44100', '-c', '2', '-b', '16'],
    ['synth', '1', 'sine', '329.63', 'vol', '0.5'],
  );
  await h.page.setInputFiles('#file', file);
  await waitForNote(h, 'E4');
  await h.page.waitForTimeout(1500); // past the loop point
  assert.equal(await h.page.getAttribute('#note', 'data-note'), 'E4');
  const fe = await freqText(h);
  assert.ok(Math.abs(fe - 329.63) < 2, `frequency ${fe}`);
  assert.match(
    await h.page.textContent('#status'),
    /tone-e4-1s-44k-stereo\.wav \(1\.0 s, looped\)/,
  );
  assert.equal(await h.page.getAttribute('#glide', 'aria-pressed'), 'false');
  await assertClean(h);
});

test(
  'demo: fits a 360 px wide screen',
  onlyIn(['chromium', 'firefox'], "MiniBrowser's window cannot be made narrower than about 450 px"),
  async () => {
    const h = await demo({ viewport: { width: 360, height: 780 } });
    await h.page.click('#tone');
    await waitForNote(h, 'A4');
    await h.page.waitForTimeout(2500);
    const overflow = await h.page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `${overflow} px wider than the screen`);
    const drawn = await curvePixels(h);
    assert.ok(drawn > 60, `${drawn} curve pixels`);
    await h.page.screenshot({ path: join(artifacts, 'demo-360.png'), fullPage: true });
    await assertClean(h);
  },
);

test('demo: the stats panel formats every tap.stats() field, and "–" for missing ones', async () => {
  const h = await demo();
  const shown = await h.page.evaluate(async () => {
    const { StatsView } = await import('/stats.js');
    const dl = document.createElement('dl');
    const view = new StatsView(dl);
    const read = () =>
      Object.fromEntries(
        [...dl.children].map((row) => [row.dataset.stat, row.querySelector('dd').textContent]),
      );
    view.show({
      messagesPerSecond: 43.066,
      batchAgeMs: { p50: 3.21, p99: 12.5 },
      analysisMs: { p50: 0.123, p99: 0.5 },
      pool: { free: 6, size: 8, inFlight: 2, lowWater: 5, exhausted: 1 },
      droppedSamples: 256,
      gaps: 1,
      messages: 10,
      batchSize: 1024,
      sampleRate: 48000,
    });
    const full = read();
    const bad = dl.querySelector('[data-stat="droppedSamples"] dd').className;
    view.show({ messages: 3, batchAgeMs: { p50: 2 }, pool: null, gaps: 'x', analysisMs: 5 });
    const partial = read();
    view.show(null);
    return { full, bad, partial, none: read() };
  });
  assert.deepEqual(shown.full, {
    messagesPerSecond: '43.1',
    batchAge: '3.2 / 12.5 ms',
    analysis: '0.12 / 0.50 ms',
    poolFree: '6 / 8',
    inFlight: '2',
    lowWater: '5',
    exhausted: '1',
    droppedSamples: '256',
    gaps: '1',
    messages: '10',
    batchSize: '1024',
    sampleRate: '48000 Hz',
  });
  assert.equal(shown.bad, 'bad');
  assert.deepEqual(shown.partial, {
    messagesPerSecond: '–',
    batchAge: '2.0 / – ms',
    analysis: '–',
    poolFree: '–',
    inFlight: '–',
    lowWater: '–',
    exhausted: '–',
    droppedSamples: '–',
    gaps: '–',
    messages: '3',
    batchSize: '–',
    sampleRate: '–',
  });
  assert.ok(Object.values(shown.none).every((v) => v === '–'));
  await assertClean(h);
});

test('demo: the peak-hold marker holds for 1.5 s, then falls at 20 dB/s to the peak', async () => {
  const h = await demo();
  const holds = await h.page.evaluate(async () => {
    const { LevelMeter } = await import('/meter.js');
    const span = () => document.createElement('span');
    const text = { rms: span(), peak: span(), hold: span() };
    const meter = new LevelMeter(document.createElement('canvas'), text);
    const v = (peak) => ({
      time: 1,
      rms: peak / Math.SQRT2,
      peak,
      db: 20 * Math.log10(peak / Math.SQRT2),
      smoothedDb: -20,
    });
    const out = [];
    meter.update(v(0.5), 10); // −6.0 dBFS peak
    for (let t = 10.1; t < 13.05; t += 0.1) {
      meter.update(v(0.05), t);
      out.push([Number(t.toFixed(1)), meter.hold]);
    }
    meter.update(null, 14);
    return { out, idle: text.hold.textContent, peakText: text.peak.textContent };
  });
  for (const [t, hold] of holds.out) {
    if (t <= 11.5) assert.ok(Math.abs(hold + 6.02) < 0.01, `t ${t}: hold ${hold}`);
    // Falls from the end of the hold, never below the current peak (−26 dBFS).
    else
      assert.ok(
        Math.abs(hold - Math.max(-26.02, -6.02 - 20 * (t - 11.5))) < 2.1,
        `t ${t}: hold ${hold}`,
      );
  }
  assert.ok(Math.abs(holds.out.at(-1)[1] + 26.02) < 0.01, `last ${holds.out.at(-1)}`);
  assert.equal(holds.idle, '– dBFS');
  await assertClean(h);
});
