// Shared set-up for the browser end-to-end tests: a loopback server and Debian's
// chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const BASE_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Makes a WAV with sox into tests/artifacts (cached by name): `sox -n FORMAT file EFFECTS`. */
export function soxWav(name, format, effects) {
  const file = join(artifacts, name);
  if (!existsSync(file)) execFileSync('sox', ['-n', ...format, file, ...effects]);
  return file;
}

/**
 * Starts a server and a browser. `micWav`: a WAV the fake microphone plays.
 * Returns { page, server, browser, url, close }.
 */
export async function launch({ micWav, isolated = false } = {}) {
  const server = await startServer({ port: 0, isolated, quiet: true });
  const url = `http://127.0.0.1:${server.address().port}`;
  const args = [...BASE_FLAGS];
  if (micWav) {
    args.push('--autoplay-policy=no-user-gesture-required', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${micWav}`);
  } else {
    args.push('--autoplay-policy=no-user-gesture-required');
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(new Error(m.text())); });
  return {
    page, server, browser, url, errors,
    async close() { await browser.close(); await new Promise((r) => server.close(r)); },
  };
}

/**
 * JSHeapUsedSize after a forced GC, Blink's live audio object counts and the page's
 * main-thread wasm memory (`window.wasmBytes()`, tests/e2e/pages/reliability.js).
 * `settleMs`: wait between two collections, for objects Blink deletes later on the audio
 * thread (the handlers of collected nodes).
 */
export async function audioMetrics(cdp, page, { settleMs = 0 } = {}) {
  await cdp.send('HeapProfiler.collectGarbage');
  if (settleMs > 0) {
    await page.waitForTimeout(settleMs);
    await cdp.send('HeapProfiler.collectGarbage');
  }
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  const o = Object.fromEntries(m.map((x) => [x.name, x.value]));
  return { heap: o.JSHeapUsedSize, handlers: o.AudioHandlers, processors: o.AudioWorkletProcessors, wasm: await page.evaluate(() => window.wasmBytes()) };
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
    throw new Error(`${items.length - kept.length} of ${items.length} ${what} overlap input dropouts ${JSON.stringify(dropouts)}`);
  }
  return kept;
}

/** The middle value (the upper middle of an even count). */
export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

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
