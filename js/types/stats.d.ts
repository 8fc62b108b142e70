// What a tap reports when asked (`stats()`) and what it keeps up to date for polling
// (`latest`).

import type { PitchEstimate, VolumeReading } from './events.js';

/**
 * The latest value and nearest-rank percentiles of a duration over the last 256 batches,
 * in ms; NaN before the first batch.
 */
export interface DurationStats {
  /** The latest value, ms. */
  last: number;
  /** Median, ms. */
  p50: number;
  /** 99th percentile, ms. */
  p99: number;
}

/** The worklet's buffer pool, as of the latest batch or control reply. */
export interface PoolStats {
  /** Buffers that exist (grows up to `maxPoolSize`). */
  size: number;
  /** Buffers free in the worklet. */
  free: number;
  /** Buffers away from the worklet (posted, not yet taken back). */
  inFlight: number;
  /** The fewest free buffers so far. */
  lowWater: number;
  /** Quanta that found no free buffer (each one's frames were dropped). */
  exhausted: number;
}

/**
 * Counters of a tap, from `tap.stats()` (and `flush()`, `sync()`, `configure()`,
 * `close()`). A new object each call (gathering the figures as batches arrive allocates
 * nothing). Worklet-side counts (`pool`, drops, gaps, refusals) are as of the latest batch
 * or control reply; `await tap.sync()` makes them exact. After `close()` the last values stay.
 */
export interface PitchTapStats {
  /** Batches received on the main thread (the same number as `batchesReceived`). */
  messages: number;
  /** Batches received on the main thread (the same number as `messages`). */
  batchesReceived: number;
  /** Frames received on the main thread. */
  samples: number;
  /** Batches received in the last second (by `performance.now()`). */
  messagesPerSecond: number;
  /**
   * Age of each batch at receipt: `context.currentTime` minus the time of its newest
   * sample, ms.
   */
  batchAgeMs: DurationStats;
  /**
   * Main-thread time per batch in pitchtap's wasm (header check, copy, volume and pitch
   * analysis), ms; listeners' time is not included.
   */
  analysisMs: DurationStats;
  /** The worklet's buffer pool. */
  pool: PoolStats;
  /** Frames dropped: for want of a free buffer, or lost to a panic (see `ErrorDetail`). */
  droppedSamples: number;
  /** Runs of dropped frames (each gives one `gap` event). */
  gaps: number;
  /** As `pool.size` (kept for compatibility). */
  poolSize: number;
  /** As `pool.inFlight` (kept for compatibility). */
  buffersInFlight: number;
  /** Frames per batch in effect. */
  batchSize: number;
  /** Sample rate of the context, Hz. */
  sampleRate: number;
  /**
   * Returned buffers the worklet refused (foreign, stale, duplicated, or from before a panic
   * recovery).
   */
  refused: number;
  /** Messages from the worklet that were not batches (should be 0). */
  malformed: number;
  /** Sequence numbers that did not follow (should be 0). */
  seqBreaks: number;
  /** Pitch estimates that did not fit their preallocated place (should be 0). */
  estimatesDropped: number;
  /** `error` events dispatched. */
  errors: number;
  /** How many of the `error` events were Rust panics. */
  panics: number;
  /** Tracks of attached MediaStream sources that ended (`sourceended` events). */
  sourcesEnded: number;
}

/** The most recent results of a tap, for code that polls. */
export interface PitchTapLatest {
  /** The latest pitch estimate. Reused: overwritten in place as batches arrive. */
  readonly pitch: Readonly<PitchEstimate>;
  /** The latest volume reading. Reused: overwritten in place as batches arrive. */
  readonly volume: Readonly<VolumeReading>;
}
