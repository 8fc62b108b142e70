// What tap.stats() reports: the main thread's own measurements, kept without allocating as
// batches arrive, and the counters of both sides put together on demand.

/** Batches over which stats() gives batch age and analysis time percentiles. */
export const METRIC_WINDOW = 256;
/** Receipt times kept for messagesPerSecond: enough for batchSize 128 at 192 kHz. */
export const RATE_WINDOW = 2048;

/**
 * The latest `n` values of a metric, kept without allocating, with percentiles computed
 * on demand (stats()) in a preallocated scratch array.
 */
export class Window {
  constructor(n) {
    this.values = new Float64Array(n);
    this.scratch = new Float64Array(n);
    this.count = 0;
    this.next = 0;
    this.last = NaN;
  }

  push(v) {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
    this.last = v;
  }

  /** `{ last, p50, p99 }` (NaN before the first value). Allocates the result. */
  summary() {
    const n = this.count;
    if (n === 0) return { last: NaN, p50: NaN, p99: NaN };
    const s = this.scratch;
    s.set(this.values);
    if (n < s.length) s.fill(Infinity, n); // unused slots sort last
    s.sort();
    const at = (q) => s[Math.min(n - 1, Math.floor(q * (n - 1) + 0.5))];
    return { last: this.last, p50: at(0.5), p99: at(0.99) };
  }

  /** Values above `since` (for times: receipts in the last second). */
  countAbove(since) {
    let k = 0;
    const v = this.values;
    for (let i = 0; i < this.count; i++) if (v[i] > since) k++;
    return k;
  }
}

/**
 * The counters of `tap` (PitchTap.stats()): the main thread's, its receiver's (as of the
 * latest batch) and the worklet's (as of its latest control reply), the newer of the two
 * where both count the same thing. Allocates the returned object.
 */
export function tapStats(tap) {
  const rx = tap._rx;
  const w = tap._worklet;
  const max = (a, b) => (b === undefined ? a : Math.max(a, b));
  // The worklet's reply is newer than the latest batch when it has counted as many.
  const replyNewer = w && w.messages >= tap._messages;
  const poolSize = max(rx.poolSize, w?.poolSize);
  const inFlight = replyNewer ? w.inFlight : rx.inFlight;
  const now = performance.now();
  return {
    messages: tap._messages,
    batchesReceived: tap._messages,
    samples: tap._samples,
    droppedSamples: max(rx.droppedTotal, w?.droppedFrames) + tap._lostMain,
    gaps: max(rx.gapsTotal, w?.gaps),
    poolSize,
    buffersInFlight: inFlight,
    batchSize: tap._options.batchSize,
    sampleRate: tap._sampleRate,
    refused: max(rx.refusedTotal, w?.refused),
    malformed: rx.malformed,
    seqBreaks: rx.seqBreaks,
    estimatesDropped: rx.estimatesDropped,
    errors: tap._errors,
    panics: tap._panics,
    sourcesEnded: tap._sourcesEnded,
    messagesPerSecond: tap._receipts.countAbove(now - 1000),
    batchAgeMs: tap._age.summary(),
    analysisMs: tap._analysis.summary(),
    pool: {
      size: poolSize,
      free: Math.max(0, poolSize - inFlight),
      inFlight,
      lowWater: replyNewer ? w.lowWater : rx.lowWater,
      exhausted: max(rx.exhausted, w?.exhausted),
    },
  };
}
