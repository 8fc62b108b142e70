// `analyze()`: the pitch detector over a whole signal, outside any audio graph.

import type { PitchEstimate } from './events.js';
import type { PitchOptions } from './options.js';

/** One estimate from `analyze()`: a `PitchEstimate` and the level of its window. */
export interface AnalysisEstimate extends PitchEstimate {
  /** RMS level of the analysis window, dBFS. */
  db: number;
}

/**
 * Runs pitchtap's pitch detector, with the same defaults as a live tap, over a whole
 * signal (a file, a test) as one stream starting at time 0. Resolves with one estimate per
 * hop. Allocates freely.
 *
 * @param samples mono audio, −1 to 1.
 * @param sampleRate of `samples`, Hz.
 * @param options as `pitch` in `PitchTap.create()`.
 * @param control an `AbortSignal` and a progress callback.
 * @throws TypeError if `samples` is not a `Float32Array`, `sampleRate` not a number, or
 *   for an unknown or mistyped option; RangeError for an option out of range.
 */
export declare function analyze(
  samples: Float32Array,
  sampleRate: number,
  options?: PitchOptions,
  control?: AnalyzeControl,
): Promise<AnalysisEstimate[]>;

/**
 * How `analyze()` runs: it works through the signal about a second at a time and yields to
 * the page every 20 ms of work, so that no task of it blocks the page for long.
 */
export interface AnalyzeControl {
  /** Aborting rejects the promise with the signal's reason (an `AbortError` by default). */
  signal?: AbortSignal;
  /** Called after each step with the share of the signal done so far, 0 to 1. */
  onProgress?: (done: number) => void;
}
