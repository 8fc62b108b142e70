// Where the AudioWorklet thread's garbage comes from: V8's sampling heap profiler
// (CDP HeapProfiler.startSampling, objects later collected by minor and major GCs included)
// on the worklet target itself, live, for pitchtap (e) and the plain-JS pool (c2) of
// transports.mjs. Prints the allocation sites with their sampled bytes per batch.
// The worklet target is reached through Target.setAutoAttach on the page (non-flat
// sessions: Target.sendMessageToTarget), since Playwright has no session object for it.
//
// The warm-up matters: V8 calls a wasm export from JS, and an import from wasm, through a
// generic wrapper until that wrapper has run --wasm-wrapper-tiering-budget (1000) times, and
// the generic wrappers allocate. pitchtap's once-per-batch calls (the return check, the
// post) reach 1000 calls only after about 23 s at 43 batches/s, so a short warm-up measures
// V8's start-up, not the steady state (see docs/benchmarks.md).
//
//   node benches/browser/worklet-heap.mjs [--seconds 60] [--warmup 30] [--interval 64] [--only c2,e] [--tap-options '{"batchSize":16384}'] [--js-flags '--max-inlined-bytecode-size=0']
import { openBench, table, fmt, arg, machineLine } from './lib.mjs';

const SECONDS = arg('seconds', 60);
const WARMUP = arg('warmup', 30); // seconds of live audio before sampling starts
const INTERVAL = arg('interval', 64); // mean bytes between samples
const ONLY = arg('only', 'c2,e').split(',');
const JS_FLAGS = arg('js-flags', undefined); // e.g. --max-inlined-bytecode-size=0: callers stay separate frames
const TAP_OPTIONS = JSON.parse(arg('tap-options', '{}')); // e.g. '{"batchSize":16384}' for (e)/(f)
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/** A CDP client for a child target (non-flattened session over the page's session). */
function childClient(cdp, sessionId) {
  let next = 1;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    const p = m.id !== undefined && pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message}`));
    else p.resolve(m.result);
  });
  return {
    send(method, params = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        cdp
          .send('Target.sendMessageToTarget', {
            sessionId,
            message: JSON.stringify({ id, method, params }),
          })
          .catch(reject);
      });
    },
  };
}

async function profile(kind) {
  const h = await openBench('transports.html', { isolated: true, jsFlags: JS_FLAGS });
  try {
    const attached = new Promise((resolve) =>
      h.cdp.on('Target.attachedToTarget', (e) => {
        if (e.targetInfo.type === 'worklet') resolve(e.sessionId);
      }),
    );
    await h.cdp.send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: false,
    });
    await h.page.evaluate((a) => window.setup(a), {
      kind,
      offline: false,
      seconds: SECONDS,
      tapOptions: TAP_OPTIONS,
    });
    const worklet = childClient(
      h.cdp,
      await Promise.race([
        attached,
        wait(10000).then(() => {
          throw new Error('no worklet target');
        }),
      ]),
    );
    await h.page.evaluate(() => window.liveStart());
    await wait(WARMUP * 1000);
    await worklet.send('HeapProfiler.enable');
    await worklet.send('HeapProfiler.collectGarbage');
    const heap0 = (await worklet.send('Runtime.getHeapUsage')).usedSize;
    const s0 = await h.page.evaluate(() => window.snapshot());
    await worklet.send('HeapProfiler.startSampling', {
      samplingInterval: INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await wait(SECONDS * 1000);
    const { profile: p } = await worklet.send('HeapProfiler.stopSampling');
    const s1 = await h.page.evaluate(() => window.snapshot());
    await worklet.send('HeapProfiler.collectGarbage');
    const heap1 = (await worklet.send('Runtime.getHeapUsage')).usedSize;
    await h.page.evaluate(() => window.liveStop());
    // Self sizes by call stack (outermost … innermost function, each with file:line).
    const sites = new Map();
    const walk = (node, stack) => {
      const f = node.callFrame;
      const here = f.functionName || (f.url ? '(anonymous)' : '(root)');
      const where = f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : '';
      const s = node === p.head ? [] : [...stack, where ? `${here} ${where}` : here];
      if (node.selfSize > 0) {
        const key = s.slice(-3).join(' ← '.replace('←', '→'));
        sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
      }
      for (const c of node.children) walk(c, s);
    };
    walk(p.head, []);
    return {
      kind,
      batches: s1.messages - s0.messages,
      seconds: (s1.t - s0.t) / 1000,
      sites,
      heap0,
      heap1,
    };
  } finally {
    await h.close();
  }
}

console.log(
  `## Allocations on the AudioWorklet thread (sampling heap profiler)\n\n${machineLine()}; live, 44.1 kHz, batch 1024, pool 8 for (c2) and pitchtap's default (16) unless --tap-options says otherwise${JS_FLAGS ? `, --js-flags '${JS_FLAGS}'` : ''}, ${SECONDS} s after a ${WARMUP} s warm-up, sampling interval ${INTERVAL} bytes (sampled sizes are estimates)\n`,
);
for (const kind of ONLY) {
  process.stderr.write(`${kind}… `);
  const r = await profile(kind);
  process.stderr.write('done\n');
  const total = [...r.sites.values()].reduce((a, b) => a + b, 0);
  const rows = [...r.sites.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([site, bytes]) => [site || '(no JS frame)', fmt.n(bytes), fmt.n(bytes / r.batches, 1)]);
  console.log(
    `### ${kind === 'e' ? '(e) pitchtap, pitch: false' : kind === 'c2' ? '(c2) plain-JS pool' : kind}: ${r.batches} batches in ${r.seconds.toFixed(1)} s, ${fmt.n(total)} bytes sampled = ${fmt.n(total / r.batches, 1)} bytes per batch; worklet heap after a forced GC ${fmt.n(r.heap0)} → ${fmt.n(r.heap1)} bytes (${fmt.n(r.heap1 - r.heap0)})\n`,
  );
  console.log(
    table(['allocation site (outer → inner, last 3 frames)', 'bytes', 'bytes per batch'], rows),
  );
  console.log();
}
