// One processor under the shim, in this isolate ("the worklet"), for N quanta; the main
// side runs in a Worker. Run by worklet-bench.mjs as:
//   node --trace-gc --expose-gc benches/node-worklet/run.mjs pitchtap|c2|naive QUANTA
import { readFileSync } from 'node:fs';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { PerformanceObserver } from 'node:perf_hooks';
import { createProcessor } from './scope-shim.mjs';

const [kind, quantaArg] = process.argv.slice(2);
const QUANTA = Number(quantaArg);
const WARMUP = 100_000;
const pkg = new URL('../../pkg/', import.meta.url);

const { port1, port2 } = new MessageChannel();
const main = new Worker(new URL('./main-side.mjs', import.meta.url), {
  workerData: { port: port2, returnFloat32: kind === 'c2' },
  transferList: [port2],
});

let proc;
if (kind === 'pitchtap') {
  await import(new URL('worklet.js', pkg));
  const module = new WebAssembly.Module(readFileSync(new URL('pitchtap_wasm_bg.wasm', pkg)));
  proc = createProcessor('pitchtap', port1, {
    module,
    batchSize: 1024,
    poolSize: 8,
    maxPoolSize: 8,
    channelMode: 0,
    channelArg: 0,
    maxLatencyMs: -1,
  });
} else if (kind === 'c2') {
  await import('../browser/lean-processors.js'); // the same (c2) as in the browser bench
  proc = createProcessor('t-pool', port1, {});
} else {
  await import('../browser/lean-processors.js');
  proc = createProcessor('t-naive', port1, {});
}

// A 440 Hz sine in one reused quantum buffer; inputs/outputs reused like the browser's.
const ch = new Float32Array(128);
const inputs = [[ch]];
const outputs = [];
const params = {};
// Phase kept in a Float64Array: a double in a plain `let` would be boxed on every update and
// the driver itself would make garbage.
const phase = new Float64Array(1);
const STEP = (2 * Math.PI * 440) / 44100;
const ev = { data: null }; // the event object handed to port.onmessage, reused
function drain() {
  // Returned buffers, received synchronously (no event-loop turn, no promise per quantum).
  for (;;) {
    const m = receiveMessageOnPort(port1);
    if (m === undefined) return;
    ev.data = m.message;
    port1.onmessage?.(ev);
  }
}
function quantum() {
  let p = phase[0];
  for (let i = 0; i < 128; i++) {
    ch[i] = Math.sin(p);
    p += STEP;
  }
  phase[0] = p % (2 * Math.PI);
  proc.process(inputs, outputs, params);
  globalThis.currentFrame += 128;
}

let gcs = { minor: 0, major: 0, other: 0 };
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = e.detail?.kind ?? e.kind;
    if (k === 1) gcs.minor++;
    else if (k === 2 || k === 4) gcs.major++;
    else gcs.other++;
  }
});

const tap = () => proc.tap; // pitchtap's WorkletTap (counters), undefined for naive
// Whether every pooled buffer is out (made once: no closure per quantum).
const empty =
  kind === 'pitchtap'
    ? () => proc.tap.poolFree === 0 && proc.tap.pendingFrames === 0
    : kind === 'c2'
      ? () => proc.cur === null && proc.pool.length === 0
      : () => false;
function waitForPool() {
  // Do not outrun the main side: wait (draining) while every pooled buffer is out.
  while (empty()) {
    Atomics.wait(sleeper, 0, 0, 0.2); // block 0.2 ms without allocating, then look again
    waits++;
    drain();
  }
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let waits = 0;
for (let q = 0; q < WARMUP; q++) {
  drain();
  waitForPool();
  quantum();
}
globalThis.gc();
await new Promise((r) => setTimeout(r, 50));
obs.observe({ entryTypes: ['gc'] });
const heap0 = process.memoryUsage().heapUsed;
const t0 = process.hrtime.bigint();
for (let q = 0; q < QUANTA; q++) {
  drain();
  waitForPool();
  quantum();
}
const t1 = process.hrtime.bigint();
const heapBeforeGc = process.memoryUsage().heapUsed;
await new Promise((r) => setTimeout(r, 100));
drain();
obs.disconnect();
globalThis.gc();
const heap1 = process.memoryUsage().heapUsed;
main.postMessage('report');
const report = await new Promise((r) => main.once('message', r));
await main.terminate();
const t = tap();
console.log(
  'RESULT ' +
    JSON.stringify({
      kind,
      quanta: QUANTA,
      seconds: Number(t1 - t0) / 1e9,
      gcMinor: gcs.minor,
      gcMajor: gcs.major,
      heapGrowthBytes: heap1 - heap0,
      heapUsedBeforeFinalGc: heapBeforeGc - heap0,
      mainMessages: report.messages,
      mainFrames: report.frames,
      rendered: (WARMUP + QUANTA) * 128,
      dropped: t ? t.droppedFrames : (proc.dropped ?? 0),
      refused: t ? t.refused : 0,
      poolWaits: waits,
    }),
);
process.exit(0);
