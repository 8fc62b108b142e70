// The four examples in examples/web/, served at /examples/<name>/ from the built package,
// each with a fake microphone playing a 440 Hz sine at 0.5 amplitude (−9.0 dBFS RMS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, readings, median } from './harness.mjs';

let h;
before(async () => {
  h = await launch({ mic: { frequency: 440 } });
  await h.page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
});
after(async () => {
  await h?.close();
});

async function open(name) {
  h.errors.length = 0;
  const res = await h.page.goto(`${h.url}/examples/${name}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
}

async function assertClean() {
  assert.deepEqual(await h.page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(h.errors.map(String), []);
}

test('basic: logs pitch events at 440 Hz to the console', async () => {
  await open('basic');
  await h.page.takeConsole(); // what the page logged before
  const logged = [];
  await h.page.click('#start');
  const deadline = Date.now() + 8000;
  while (logged.length < 50 && Date.now() < deadline) {
    await h.page.waitForTimeout(100);
    for (const m of await h.page.takeConsole()) if (m.type === 'log') logged.push(m.text);
  }
  assert.ok(logged.length >= 50, `${logged.length} lines: ${logged.slice(0, 3)}`);
  const settled = logged.slice(10);
  // Every line is a reading; nearly all read A4 within 2 Hz. Not all: Chrome's fake
  // microphone now and then drops or repeats a 10 ms chunk, and an estimate whose window
  // holds that jump in the tone reads off (428–456 Hz, about 9 a minute in a 60 s probe;
  // tests/e2e/pages/analysis.js leaves such windows out, this example gives no way to see
  // its input).
  let near = 0;
  for (const line of settled) {
    const m = /^(\S+) (\d+\.\d) Hz$/.exec(line);
    assert.ok(m, line);
    if (m[1] === 'A4' && Math.abs(Number(m[2]) - 440) < 2) near++;
  }
  assert.ok(
    near >= 0.9 * settled.length,
    `${near} of ${settled.length} lines read A4 within 2 Hz: ${settled.join('; ')}`,
  );
  assert.match(await h.page.textContent('#log'), /^A4 44\d\.\d Hz/);
  await assertClean();
});

test('tuner: shows A4, 440 Hz, about 0 cents', async () => {
  await open('tuner');
  await h.page.click('#start');
  await h.page.waitForFunction(() => document.getElementById('note').textContent === 'A4', null, {
    timeout: 8000,
  });
  await h.page.waitForTimeout(300);
  // Judged by the median of five readings (harness.mjs): one estimate can be off when the
  // fake microphone drops a 10 ms chunk (see the basic example's test).
  const reads = await readings(() =>
    h.page.evaluate(() => ({
      f: Number(document.getElementById('freq').textContent.replace(' Hz', '')),
      cents: Number(document.getElementById('cents').textContent.replace(' cents', '')),
      needle: Number(document.getElementById('needle').value),
    })),
  );
  const med = (k) => median(reads.map((r) => r[k]));
  assert.ok(Math.abs(med('f') - 440) < 2, `frequency ${reads.map((r) => r.f)}`);
  assert.ok(Math.abs(med('cents')) <= 5, `cents ${reads.map((r) => r.cents)}`);
  assert.ok(Math.abs(med('needle')) <= 5, `needle ${reads.map((r) => r.needle)}`);
  await assertClean();
});

test('level meter: moves from the floor to −9 dBFS RMS, −6 dBFS peak', async () => {
  await open('level-meter');
  assert.equal(await h.page.evaluate(() => document.getElementById('level').value), -60);
  assert.equal(await h.page.textContent('#rms'), '–');
  await h.page.click('#start');
  await h.page.waitForFunction(() => document.getElementById('level').value > -20, null, {
    timeout: 8000,
  });
  await h.page.waitForTimeout(1000); // the 300 ms release has settled
  const level = await h.page.evaluate(() => document.getElementById('level').value);
  const rms = Number(await h.page.textContent('#rms'));
  const peak = Number(await h.page.textContent('#peak'));
  assert.ok(Math.abs(rms + 9.03) < 0.5, `rms ${rms}`);
  assert.ok(Math.abs(peak + 6.02) < 0.5, `peak ${peak}`);
  assert.ok(Math.abs(level + 9.03) < 1, `meter ${level}`);
  await assertClean();
});

test('recorder: Stop offers a 16-bit WAV of the recorded length holding the 440 Hz tone', async () => {
  await open('recorder');
  await h.page.click('#start');
  await h.page.waitForFunction(
    () => document.getElementById('status').textContent === 'recording…',
    null,
    { timeout: 8000 },
  );
  const started = Date.now();
  await h.page.waitForTimeout(1500);
  await h.page.click('#stop');
  const heldMs = Date.now() - started;
  await h.page.waitForFunction(() => !document.getElementById('result').hidden, null, {
    timeout: 5000,
  });
  // Download it as a user would (fetching a blob: URL is not allowed by connect-src 'self'):
  // Chromium's download manager; elsewhere the Blob behind the link (engines/page.mjs).
  const download = await h.page.download('#download');
  const wav = parseWav(download.bytes);
  wav.href = await h.page.getAttribute('#download', 'href');
  wav.download = download.filename;
  assert.match(wav.href, /^blob:/);
  assert.equal(wav.download, 'pitchtap-recording.wav');
  assert.deepEqual([wav.riff, wav.wave, wav.fmt, wav.data], ['RIFF', 'WAVE', 'fmt ', 'data']);
  assert.deepEqual([wav.format, wav.channels, wav.bits], [1, 1, 16]);
  assert.equal(wav.size, 44 + 2 * wav.frames);
  assert.equal(wav.riffSize, wav.size - 8);
  const seconds = wav.frames / wav.sampleRate;
  // At most the time the button was held (plus a batch), at least most of it.
  assert.ok(
    seconds > 1.0 && seconds < heldMs / 1000 + 0.2,
    `${seconds} s recorded, held ${heldMs} ms`,
  );
  // The tone itself: 440 Hz (a period of 100.2 samples at 44.1 kHz), peak 0.5, little silence.
  const hz = wav.sampleRate / wav.medianPeriod;
  assert.ok(
    Math.abs(hz - 440) < 5,
    `${hz} Hz from the median period of ${wav.crossings} crossings`,
  );
  assert.ok(wav.crossings > 0.8 * 440 * seconds, `${wav.crossings} crossings in ${seconds} s`);
  assert.ok(Math.abs(wav.peak - 0.5) < 0.02, `peak ${wav.peak}`);
  assert.ok(wav.zeroShare < 0.1, `${(100 * wav.zeroShare).toFixed(1)} % exact zeros`);
  assert.match(await h.page.textContent('#size'), /^\d\.\d\d s, \d+ Hz, \d+ bytes$/);
  await assertClean();
});

/**
 * The header fields of a canonical 44-byte-header PCM WAV; the median distance between
 * upward zero crossings (robust to the short runs of silence Chrome's fake microphone gives
 * at its start and, on a loaded machine, now and then); the peak; the share of exact zeros.
 */
function parseWav(bytes) {
  const tag = (at) => bytes.toString('latin1', at, at + 4);
  const frames = bytes.readUInt32LE(40) / 2;
  const ups = [];
  let peak = 0;
  let zeros = 0;
  let last = -1;
  for (let i = 0; i < frames; i++) {
    const s = bytes.readInt16LE(44 + 2 * i);
    if (s === 0) zeros++;
    peak = Math.max(peak, Math.abs(s) / 32768);
    if (i > 0 && bytes.readInt16LE(42 + 2 * i) < 0 && s >= 0) {
      if (last >= 0) ups.push(i - last);
      last = i;
    }
  }
  ups.sort((a, b) => a - b);
  return {
    size: bytes.length,
    riff: tag(0),
    wave: tag(8),
    fmt: tag(12),
    data: tag(36),
    riffSize: bytes.readUInt32LE(4),
    format: bytes.readUInt16LE(20),
    channels: bytes.readUInt16LE(22),
    sampleRate: bytes.readUInt32LE(24),
    bits: bytes.readUInt16LE(34),
    frames,
    medianPeriod: ups[ups.length >> 1],
    crossings: ups.length + 1,
    peak,
    zeroShare: zeros / frames,
  };
}
