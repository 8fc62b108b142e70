// Shared plumbing for the browser benches: a browser on a bench page (through the e2e
// harness), the peer libraries served from node_modules, CDP metrics and GC traces, tables.
import { build } from 'rolldown';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, root } from '../../tests/e2e/harness.mjs';

export { root };

// The peer libraries, served at /benches/vendor/ from node_modules (the server does not
// serve node_modules): ringbuf.js is ESM already; pitchy (+ fft.js) and pitchfinder (CommonJS)
// are bundled into one ESM file in a temporary directory, never into the repository.
let vendor = null;
async function vendorFiles() {
  if (vendor) return vendor;
  const dir = mkdtempSync(join(tmpdir(), 'pitchtap-bench-'));
  const entry = join(dir, 'entry.mjs');
  writeFileSync(
    entry,
    [
      `export { PitchDetector } from ${JSON.stringify(join(root, 'node_modules/pitchy/index.js'))};`,
      `export { YIN, Macleod } from ${JSON.stringify(join(root, 'node_modules/pitchfinder/lib/index.js'))};`,
    ].join('\n'),
  );
  const out = join(dir, 'pitch-libs.js');
  await build({
    input: entry,
    output: { file: out, format: 'esm' },
    write: true,
    logLevel: 'silent',
  });
  vendor = {
    'ringbuf.js': readFileSync(join(root, 'node_modules/ringbuf.js/dist/index.mjs')),
    'pitch-libs.js': readFileSync(out),
  };
  return vendor;
}

/**
 * A fresh browser on `page` (a path under /benches/browser/), waiting for window.benchReady.
 * Returns the harness handle plus `cdp` (a CDP session on the page).
 */
export async function openBench(page, { isolated = false, micWav, jsFlags } = {}) {
  const files = await vendorFiles();
  const h = await launch({
    isolated,
    mic: micWav ? { wav: micWav } : undefined,
    engine: 'chromium',
    extraArgs: jsFlags ? [`--js-flags=${jsFlags}`] : [], // --js-flags: profiling runs only
  });
  // Playwright's routes do not see AudioWorklet module fetches, so the files are served by
  // the harness's own server: a handler in front of serve.mjs's for /benches/vendor/.
  const [serve] = h.server.listeners('request');
  h.server.removeAllListeners('request');
  h.server.on('request', (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (!path.startsWith('/benches/vendor/')) {
      serve(req, res);
      return;
    }
    const body = files[path.slice('/benches/vendor/'.length)];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const headers = {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-store',
    };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(body);
  });
  await h.page.goto(`${h.url}/benches/browser/${page}`);
  await h.page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
  h.cdp = await h.cdp();
  await h.cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return h;
}

/** CDP Performance.getMetrics as an object (TaskDuration in s, JSHeapUsedSize in bytes, …). */
export async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** Main-thread JS heap in use right after a forced full GC (bytes). */
export async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  return (await metrics(cdp)).JSHeapUsedSize;
}

/** Starts a Chrome trace of GC events; `await stop()` returns the trace events. */
export async function startGcTrace(cdp, { tasks = false } = {}) {
  const events = [];
  const onData = (e) => {
    for (const v of e.value) events.push(v);
  };
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Tracing.start', {
    // `tasks`: also `toplevel`, every task a thread runs with its thread (CPU) time, for
    // threadCpu(). It costs every task a little, so only the offline runs record it.
    traceConfig: {
      includedCategories: [
        'v8',
        'disabled-by-default-v8.gc',
        ...(tasks ? ['toplevel'] : []),
        '__metadata',
      ],
      recordMode: 'recordContinuously',
    },
    transferMode: 'ReportEvents',
  });
  return async () => {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    cdp.off('Tracing.dataCollected', onData);
    return events;
  };
}

const WORKLET_THREAD = /AudioWorklet/i;

/**
 * MinorGC/MajorGC complete events split by thread: { worklet, main, names }. Each side:
 * { minor, major, collected (bytes), longestMs, pauses: [{ major, ms, collected }] in trace
 * order }. `names`: every thread name seen that ran a
 * GC or looks like audio.
 */
export function gcByThread(events) {
  const names = new Map();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const zero = () => ({ minor: 0, major: 0, collected: 0, longestMs: 0, pauses: [] });
  const out = { worklet: zero(), main: zero(), names: new Set() };
  for (const e of events) {
    if (e.name !== 'MinorGC' && e.name !== 'MajorGC') continue;
    if (e.ph !== 'X') continue; // complete events only (they carry the duration and heap sizes)
    const name = names.get(`${e.pid}:${e.tid}`) ?? `tid ${e.tid}`;
    out.names.add(name);
    const side = WORKLET_THREAD.test(name)
      ? out.worklet
      : name === 'CrRendererMain'
        ? out.main
        : null;
    if (!side) continue;
    side[e.name === 'MinorGC' ? 'minor' : 'major']++;
    const before = e.args?.usedHeapSizeBefore;
    const after = e.args?.usedHeapSizeAfter;
    const collected = before !== undefined && after !== undefined ? before - after : 0;
    side.collected += collected;
    if (e.dur !== undefined) side.longestMs = Math.max(side.longestMs, e.dur / 1000);
    side.pauses.push({ major: e.name === 'MajorGC', ms: (e.dur ?? 0) / 1000, collected });
  }
  for (const n of names.values()) if (/audio/i.test(n)) out.names.add(n);
  return out;
}

/**
 * CPU time (ms) each thread spent in tasks, from the `toplevel` trace events (outermost
 * only: a task nested in another on the same thread is not counted twice): a Map from
 * thread name to ms. The offline audio thread's figure is the render cost: rendering the
 * graph, the processor's process() and its port's messages, without the time it sat
 * waiting (suspended for pacing or idle).
 */
export function threadCpu(events) {
  const names = new Map();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || e.cat !== 'toplevel' || e.tdur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  const out = new Map();
  for (const [key, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts);
    let end = -Infinity;
    let us = 0;
    for (const e of list) {
      if (e.ts < end) continue; // nested in the task before
      us += e.tdur;
      end = e.ts + e.dur;
    }
    const name = names.get(key) ?? key;
    out.set(name, (out.get(name) ?? 0) + us / 1000);
  }
  return out;
}

/** A markdown table from a header row and rows of cells. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Number formatting for tables. */
export const fmt = {
  n: (v, d = 0) =>
    Number.isFinite(v)
      ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
      : '–',
  ratio: (v, base) =>
    Number.isFinite(v) && Number.isFinite(base) && base > 0 ? `${(v / base).toFixed(2)}×` : '–',
};

/** `--name value` from argv, or `fallback`. */
export function arg(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = argv[i + 1];
  return typeof fallback === 'number' ? Number(v) : v;
}

export function machineLine() {
  return `node ${process.version}, ${new Date().toISOString()}`;
}
