// analyze(): pitchtap's pitch detector over a whole signal, outside any audio graph, with
// the same defaults as a live tap. Works a slice at a time and yields to the page between
// slices, so that no task of it blocks the page for long.

import {
  A_CENTS,
  A_CLARITY,
  A_DB,
  A_FREQUENCY,
  A_MIDI,
  A_TIME,
  ANALYZE_FIELDS,
  NOTE_NAMES,
  PITCH_KEYS,
} from './constants.js';
import { groupOptions } from './options.js';
import { PitchAnalysis, loadWasm, release, stackMark, stackRestore } from './wasm.js';

/** analyze() yields to the page once it has worked this long (ms) without a break. */
const ANALYZE_SLICE_MS = 20;

/**
 * Runs pitchtap's pitch detector, with the same defaults as a live tap, over a whole signal
 * (a file, a test). Options as `pitch` in PitchTap.create. Resolves with one estimate per
 * hop: `{ time, frequency, clarity, voiced, midi, note, cents, db }`, `time` being the
 * centre of the window in seconds from the first sample. Allocates freely.
 */
export async function analyze(samples, sampleRate, options, { signal, onProgress } = {}) {
  if (!(samples instanceof Float32Array))
    throw new TypeError('pitchtap: analyze() takes a Float32Array');
  if (typeof sampleRate !== 'number') throw new TypeError('pitchtap: sampleRate must be a number');
  const p = groupOptions('pitch', options, PITCH_KEYS);
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new TypeError('pitchtap: onProgress must be a function');
  const aborted = () =>
    signal?.reason ?? new DOMException('pitchtap: analyze() was aborted', 'AbortError');
  if (signal?.aborted) throw aborted();
  await loadWasm();
  const analysis = new PitchAnalysis(
    sampleRate,
    PITCH_KEYS.map((k) => p[k]),
  );
  const out = [];
  try {
    // About a second of audio per step (a few ms of work), and back to the page whenever
    // ANALYZE_SLICE_MS have passed: no task of analyze() blocks the page for long.
    const step = Math.max(4096, Math.round(sampleRate));
    let since = performance.now();
    for (let at = 0; at < samples.length; at += step) {
      const stack = stackMark();
      let flat;
      try {
        flat = analysis.push(samples.subarray(at, Math.min(samples.length, at + step)));
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) stackRestore(stack);
        throw e;
      }
      for (let i = 0; i < flat.length; i += ANALYZE_FIELDS) {
        const frequency = flat[i + A_FREQUENCY];
        const midi = flat[i + A_MIDI];
        out.push({
          time: flat[i + A_TIME],
          frequency,
          clarity: flat[i + A_CLARITY],
          voiced: frequency > 0,
          midi,
          note: frequency > 0 ? (NOTE_NAMES[midi] ?? '') : '',
          cents: flat[i + A_CENTS],
          db: flat[i + A_DB],
        });
      }
      if (onProgress) onProgress(Math.min(1, (at + step) / samples.length));
      if (signal?.aborted) throw aborted();
      if (performance.now() - since >= ANALYZE_SLICE_MS && at + step < samples.length) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal?.aborted) throw aborted();
        since = performance.now();
      }
    }
  } finally {
    release(analysis, '__wbg_pitchanalysis_free');
  }
  return out;
}
