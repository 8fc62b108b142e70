// pitchy 4 (npm, the JS peer) over the pitch corpus, for the CPU baseline of `make bench-pitch`
// (scripts/bench-pitch.sh runs it alternately with pitchtrack, so both see the same load).
//
// Same window and hop as pitchtap's defaults at each file's rate (src/dsp/pitch/config.rs:
// DEFAULT_WINDOW_SECONDS 0.0425 → the next power of two of samples, DEFAULT_HOP_SECONDS 0.010),
// `PitchDetector.forFloat32Array(window)` planned once per file, `findPitch` once per hop.
// Only the detection loops are timed (process.cpuUsage, user + system): WAV reading is not,
// which favours pitchy against pitchtrack's whole-process figure.
//
// usage: node benches/pitchy-corpus.mjs CORPUS_DIR
// prints: one line `pitchy CPU <s> s for <audio> s of audio: <ratio> CPU s per audio s`
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PitchDetector } from 'pitchy';

const corpus = process.argv[2];
if (!corpus) {
  console.error('usage: node benches/pitchy-corpus.mjs CORPUS_DIR');
  process.exit(2);
}

// The corpus is 16-bit PCM mono (its README); anything else is refused, not guessed.
function readPcm16Mono(path) {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a RIFF/WAVE file`);
  }
  let rate = 0;
  for (let at = 12; at + 8 <= b.length;) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      const format = b.readUInt16LE(body);
      const channels = b.readUInt16LE(body + 2);
      const bits = b.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new Error(
          `${path}: expected 16-bit PCM mono, got format ${format}, ${channels} ch, ${bits} bit`,
        );
      }
      rate = b.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (!rate) throw new Error(`${path}: data before fmt`);
      const n = Math.floor(Math.min(size, b.length - body) / 2);
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = b.readInt16LE(body + 2 * i) / 32768;
      return { rate, x };
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

let cpu = 0;
let audio = 0;
let estimates = 0;
for (const set of ['fda', 'mir1k', 'synth']) {
  const dir = join(corpus, set);
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()) {
    const { rate, x } = readPcm16Mono(join(dir, name));
    audio += x.length / rate;
    let window = 1;
    while (window < Math.ceil(0.0425 * rate)) window *= 2;
    const hop = Math.max(1, Math.round(0.01 * rate));
    const t0 = process.cpuUsage();
    const detector = PitchDetector.forFloat32Array(window);
    let sink = 0;
    for (let start = 0; start + window <= x.length; start += hop) {
      const [f, clarity] = detector.findPitch(x.subarray(start, start + window), rate);
      sink += clarity >= 0.8 && f >= 50 && f <= 1500 ? 1 : 0;
      estimates++;
    }
    const t = process.cpuUsage(t0);
    cpu += (t.user + t.system) / 1e6;
    if (sink < 0) console.log(sink); // keeps the results alive
  }
}
console.log(
  `pitchy CPU ${cpu.toFixed(3)} s for ${audio.toFixed(1)} s of audio: ` +
    `${(cpu / audio).toFixed(5)} CPU s per audio s (${estimates} estimates)`,
);
