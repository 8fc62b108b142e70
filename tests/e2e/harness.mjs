// Shared set-up for the browser end-to-end tests: a loopback server and a browser, in the
// engine named by PITCHTAP_ENGINE (chromium, the default; firefox; webkit), all driven
// through one page API (engines/page.mjs), so that a test does not care which engine runs
// it. `make test-e2e ENGINES="chromium firefox webkit"` runs the suite once per engine.
// Never a downloaded browser: Debian's chromium, firefox-esr and WebKitGTK's MiniBrowser.
import { execFileSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';
import { Page } from './engines/page.mjs';
import * as chromium from './engines/chromium.mjs';
import * as firefox from './engines/firefox.mjs';
import * as webkit from './engines/webkit.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const ENGINES = { chromium, firefox, webkit };

// Every browser launch() started and close() has not closed. Under `node --test`, each file's
// last hook closes them: a test that failed before its own close() must not leave a browser
// that keeps the file's process, and so the whole suite, running.
const running = new Set();
if (process.env.NODE_TEST_CONTEXT) {
  const { after } = await import('node:test');
  after(async () => {
    for (const h of [...running]) await h.close().catch(() => {});
  });
}
/** The engine this run of the suite uses. */
export const engine = process.env.PITCHTAP_ENGINE || 'chromium';
if (!ENGINES[engine])
  throw new Error(`PITCHTAP_ENGINE=${engine}: not one of ${Object.keys(ENGINES).join(', ')}`);

/**
 * Options for `test()` that run a test in some engines only: `{ skip: reason }` elsewhere.
 * Every caller says why the others cannot run it.
 */
export function onlyIn(engines, why) {
  return engines.includes(engine) ? {} : { skip: `${engine}: ${why}` };
}

/** Makes a WAV with sox into tests/artifacts (cached by name): `sox -n FORMAT file EFFECTS`. */
export function soxWav(name, format, effects) {
  const file = join(artifacts, name);
  if (!existsSync(file)) execFileSync('sox', ['-n', ...format, file, ...effects]);
  return file;
}

/** A 30 s mono 48 kHz sine WAV of `frequency` Hz at peak `amplitude` (cached). */
export function toneWav(frequency, amplitude = 0.5) {
  const name =
    amplitude === 0.5 ? `tone-${frequency}-48k.wav` : `tone-${frequency}-48k-${amplitude}.wav`;
  return soxWav(
    name,
    ['-r', '48000', '-c', '1', '-b', '16'],
    ['synth', '30', 'sine', String(frequency), 'vol', String(amplitude)],
  );
}

/**
 * Starts a server and a browser of this run's engine. `mic`: what getUserMedia plays, a
 * tone `{ frequency, amplitude }` or a WAV `{ wav: file in tests/artifacts }`. Chromium plays
 * it through its fake capture device (a WAV file); Firefox and WebKit get a mock microphone,
 * a real MediaStream from an AudioContext in the page (engines/page.mjs), since neither fake
 * device plays a file. `fakeDevice: true` asks Firefox and WebKit for their own fake device
 * instead (tests of the engine's microphone path). `engine`: another engine than this run's
 * (the benches compare them). Returns { page, server, url, errors, engine, cdp(), close }.
 */
export async function launch({
  mic,
  isolated = false,
  fakeDevice = false,
  fakeFrequency,
  engine: which = engine,
  extraArgs,
} = {}) {
  const server = await startServer({ port: 0, isolated, quiet: true });
  const url = `http://127.0.0.1:${server.address().port}`;
  const errors = [];
  let micWav = null;
  let mock = null;
  if (mic) {
    micWav = mic.wav ?? toneWav(mic.frequency, mic.amplitude ?? 0.5);
    mock = fakeDevice
      ? null
      : mic.wav
        ? { wav: `/tests/artifacts/${micWav.slice(artifacts.length + 1)}` }
        : { frequency: mic.frequency, amplitude: mic.amplitude ?? 0.5 };
  }
  if (extraArgs?.length && which !== 'chromium')
    throw new Error(`extraArgs: Chromium only (not ${which})`);
  const driver = await ENGINES[which].open({ micWav, mic: mock, fakeFrequency, errors, extraArgs });
  driver.attachServer?.(server);
  const handle = {
    page: new Page(driver),
    server,
    url,
    errors,
    engine: which,
    driver,
    /** Lets a server of the test's own serve this engine's init scripts (WebKit needs it). */
    serve(other) {
      driver.attachServer?.(other);
    },
    /** A CDP session (Chromium only). */
    cdp() {
      if (!driver.cdp) throw new Error(`${which} has no CDP session`);
      return driver.cdp();
    },
    async close() {
      if (!running.delete(handle)) return;
      await driver.close();
      await new Promise((r) => server.close(r));
    },
  };
  running.add(handle);
  return handle;
}

/**
 * Loads the test page tests/e2e/pages/`name`.html in `h` and waits until it says it is ready
 * (its module has run). Returns the response, for its headers.
 */
export async function gotoPage(h, name) {
  const res = await h.page.goto(`${h.url}/tests/e2e/pages/${name}.html`);
  await h.page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
  return res;
}

/** launch(`options`), then gotoPage(`name`): a browser on a ready test page. */
export async function openPage(name, options) {
  const h = await launch(options);
  await gotoPage(h, name);
  return h;
}

/**
 * The CDP session audioMetrics() reads, with performance metrics on: Chromium only (no other
 * engine lets a page force a GC or count audio objects); null elsewhere.
 */
export async function metricsSession(h) {
  if (h.engine !== 'chromium') return null;
  const cdp = await h.cdp();
  await cdp.send('Performance.enable');
  return cdp;
}

/**
 * The page's main-thread wasm memory (`window.wasmBytes()`, tests/e2e/pages/lib.js)
 * in every engine; in Chromium also JSHeapUsedSize after a forced GC and Blink's live audio
 * object counts (CDP: no other engine lets a page force a GC or count audio objects).
 * `cdp`: a session (Chromium) or null. `settleMs`: wait between two collections, for
 * objects Blink deletes later on the audio thread (the handlers of collected nodes).
 */
export async function audioMetrics(cdp, page, { settleMs = 0 } = {}) {
  if (!cdp)
    return {
      heap: null,
      handlers: null,
      processors: null,
      wasm: await page.evaluate(() => window.wasmBytes()),
    };
  await cdp.send('HeapProfiler.collectGarbage');
  if (settleMs > 0) {
    await page.waitForTimeout(settleMs);
    await cdp.send('HeapProfiler.collectGarbage');
  }
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  const o = Object.fromEntries(m.map((x) => [x.name, x.value]));
  return {
    heap: o.JSHeapUsedSize,
    handlers: o.AudioHandlers,
    processors: o.AudioWorkletProcessors,
    wasm: await page.evaluate(() => window.wasmBytes()),
  };
}

/**
 * Whether [from, to] (seconds) overlaps one of `dropouts` ([start, end) pairs recorded by
 * the test pages: runs of zeros and jumps in the tone that the fake microphone put into the
 * input, see tests/e2e/pages/analysis.js).
 */
export function hitsDropout(from, to, dropouts) {
  return dropouts.some(([a, b]) => a < to && b > from);
}

/**
 * The pitch estimates whose analysis window (`windowFrames` around `time`) and the volume
 * readings whose batch (`batchFrames` before `time`) held no input dropout, and how many
 * were left out. Fails if more than a quarter were: that is no longer a glitch of the fake
 * device.
 */
export function withoutDropouts(items, dropouts, spanBefore, spanAfter, what) {
  const kept = items.filter((x) => !hitsDropout(x.time - spanBefore, x.time + spanAfter, dropouts));
  if (kept.length < 0.75 * items.length) {
    throw new Error(
      `${items.length - kept.length} of ${items.length} ${what} overlap input dropouts ${JSON.stringify(dropouts)}`,
    );
  }
  return kept;
}

/** The middle value (the upper middle of an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * `n` results of `read()`, `gapMs` apart. Judged by their median, a page's display reads
 * right even when the fake microphone dropped or repeated a 10 ms chunk and the one estimate
 * whose window held that jump in the tone is off (tests/e2e/pages/analysis.js).
 */
export async function readings(read, { n = 5, gapMs = 60 } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(await read());
    if (i < n - 1) await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}
