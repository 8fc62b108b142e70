// The real worklet module (pkg/worklet.js) under Node with a small AudioWorkletGlobalScope
// shim, for 1,000,000 quanta after a 100,000-quantum warm-up, side by side with a naive
// processor (a fresh Float32Array posted every quantum) and the leanest plain-JS pool (c2).
// Each runs in its own `node --trace-gc --expose-gc` child; the worklet runs in the child's
// main isolate and the "main thread" in a Worker (its own heap), as in a browser.
//   node benches/node-worklet/worklet-bench.mjs [--quanta 1000000]      (make bench-worklet)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const quanta = args.includes('--quanta') ? Number(args[args.indexOf('--quanta') + 1]) : 1_000_000;
const runner = fileURLToPath(new URL('./run.mjs', import.meta.url));

function run(kind) {
  const out = execFileSync(
    process.execPath,
    ['--trace-gc', '--expose-gc', runner, kind, String(quanta)],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const lines = out.split('\n');
  const result = JSON.parse(lines.find((l) => l.startsWith('RESULT ')).slice(7));
  // The worklet isolate is the one that ran the forced (`testing`) GCs.
  const worklet = lines.find((l) => / testing/.test(l))?.match(/^\[\d+:(0x[0-9a-f]+)\]/)?.[1];
  const traced = lines.filter((l) => worklet && l.includes(`:${worklet}]`) && !/ testing/.test(l));
  // Count only GCs from the measured stretch: the observer's count is authoritative for that;
  // --trace-gc lines cover warm-up too and are reported as a whole-run figure.
  result.traceScavenges = traced.filter((l) => /Scavenge/.test(l)).length;
  result.traceMarkCompacts = traced.filter((l) => /Mark-Compact|Mark-sweep/i.test(l)).length;
  return result;
}

const rows = ['naive', 'c2', 'pitchtap'].map(run);
const naive = rows[0];
console.log(
  `${quanta} quanta (${((quanta * 128) / 44100).toFixed(0)} s of 44.1 kHz audio) after 100,000 warm-up quanta, Node ${process.version}`,
);
console.log(
  '| processor | messages | worklet scavenges (steady state) | worklet mark-compacts | --trace-gc scavenges (whole run) | heap growth (bytes, after gc) | µs per quantum | received = rendered, dropped |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const us = (r.seconds * 1e6) / r.quanta;
  console.log(
    `| ${r.kind} | ${r.mainMessages} | ${r.gcMinor} | ${r.gcMajor} | ${r.traceScavenges} | ${r.heapGrowthBytes} | ${us.toFixed(2)} (${(us / ((naive.seconds * 1e6) / naive.quanta)).toFixed(2)}× naive) | ${r.mainFrames === r.rendered ? 'yes' : `no (${r.mainFrames} of ${r.rendered})`}, ${r.dropped} |`,
  );
}
