// Type declarations of pitchtap's public API: the main-thread module js/pitchtap.js,
// published as pkg/index.js (scripts/package.mjs copies this file to pkg/index.d.ts).
// Keep it in step with pitchtap.js and docs/api.md; tests/types/consumer.ts uses every
// declaration here and `make test-types` type-checks it with `tsc --strict`.

/**
 * Bytes before the samples in every transferred batch buffer (the header; see
 * docs/architecture.md for its layout): 96 in layout version 2. Samples, as f32, start at
 * this byte offset. Mirrors `HEADER_BYTES` in src/dsp/header.rs; read the constant rather
 * than hard-coding the number, which changes with the layout version.
 */
export declare const HEADER_BYTES: number;

/**
 * The flag bits of a batch (`BatchDetail.flags`). Mirrors `flags` in src/dsp/header.rs.
 *
 * ```ts
 * if (e.detail.flags & FLAGS.GAP) console.warn('audio was dropped before this batch');
 * ```
 */
export declare const FLAGS: Readonly<{
  /**
   * The batch holds fewer frames than the batch size (flushed, latency bound, or cut by a
   * discontinuity).
   */
  PARTIAL: 1;
  /** Posted by `flush()` or `close()`. */
  FLUSHED: 2;
  /** Frames were dropped right before this batch (no free buffer); a `gap` event tells how many. */
  GAP: 4;
  /** Posted early because its first sample reached `maxLatencyMs`. */
  LATENCY: 8;
  /**
   * The batch does not continue the previous one in time (the input stopped and came back,
   * or frames jumped).
   */
  DISCONTINUITY: 16;
  /** The last batch of an `OfflineAudioContext`'s render: it ends at the context's `length`. */
  END: 32;
  /**
   * Posted early: the level jumped (an onset) and half an early pitch window after it is in
   * (live taps with pitch on).
   */
  ONSET: 64;
}>;

/**
 * Note names by MIDI number 0–127, sharps only, with the octave: `NOTE_NAMES[69] === 'A4'`,
 * `NOTE_NAMES[61] === 'C#4'`. Mirrors `NOTE_NAMES` in src/dsp/pitch/note.rs. Frozen.
 */
export declare const NOTE_NAMES: readonly string[];

/**
 * Options of the pitch detector (McLeod's NSDF), in `PitchTap.create(context, { pitch })`
 * and `analyze()`. Every field is optional; a wrong type throws `TypeError`, a value out
 * of range (or NaN, ±Infinity) throws `RangeError` naming the option. The authoritative
 * ranges live in src/dsp/pitch/config.rs.
 */
export interface PitchOptions {
  /** Lowest frequency searched, Hz. Default 50; 20–8000 and below `maxFrequency`. */
  minFrequency?: number;
  /**
   * Highest frequency searched, Hz. Default 1500 (a quarter of the sample rate below 6 kHz);
   * at most 8000 and a quarter of the sample rate.
   */
  maxFrequency?: number;
  /**
   * Analysis window, samples. Default: the next power of two ≥ 42.5 ms (2048 at 44.1 and
   * 48 kHz, 1024 at 22.05 kHz, 4096 at 96 kHz); 64–65536 and at least two periods of
   * `minFrequency`.
   */
  windowSize?: number;
  /** Samples between estimates. Default 10 ms (441 at 44.1 kHz); 1 to `windowSize`. */
  hopSize?: number;
  /** Clarity (0–1) a window needs to be called voiced. Default 0.65; 0–1. */
  clarityThreshold?: number;
  /** Windows quieter than this, dBFS, are unvoiced. Default −70; −120 to 0. */
  minDb?: number;
  /** Frequency of A4, Hz: the tuning of `note` and `cents`. Default 440; 300–600. */
  a4?: number;
}

/**
 * Options of the volume meter, in `PitchTap.create(context, { volume })`. The meter's
 * `smoothedDb` follows the mean square of the signal integrated over 20 ms, with these
 * attack/release time constants.
 */
export interface VolumeOptions {
  /** Attack time constant of `smoothedDb`, ms. Default 10; 0–60000. */
  attackMs?: number;
  /** Release time constant of `smoothedDb`, ms. Default 300; 0–60000. */
  releaseMs?: number;
}

/**
 * Options of `PitchTap.create()`. Every field is optional. An unknown key throws
 * `TypeError` listing the allowed keys; a wrong type throws `TypeError` naming the option;
 * a number out of range, NaN or ±Infinity throws `RangeError` naming the option and what
 * is allowed. All of it before anything is created.
 */
export interface PitchTapOptions {
  /** Frames per batch. Default 1024; a multiple of 128 from 128 to 16384. */
  batchSize?: number;
  /**
   * Buffers allocated at start. Default 16 (≈372 ms at 44.1 kHz with batchSize 1024); an
   * integer 1–256. On an `OfflineAudioContext`, when neither this nor `maxPoolSize` is given,
   * the pool may grow to hold the whole render, so that every frame arrives without pacing
   * (`create()` throws a `RangeError` naming `context.length` for a render too long for that).
   */
  poolSize?: number;
  /**
   * How far the pool may grow when it runs dry (memory stays bounded). Default
   * `poolSize` (no growth); an integer from `poolSize` to 256.
   */
  maxPoolSize?: number;
  /**
   * Which input channels are carried. Default `'mix'` (the mean of all input channels,
   * one channel out); `'all'` carries `channelCount` channels (planar in
   * `BatchDetail.samples`); a number 0–31 selects that one channel (a mono input feeds
   * every index; a missing channel is silence).
   */
  channels?: 'mix' | 'all' | number;
  /** Channels carried with `channels: 'all'`. Default 2; an integer 1–32. */
  channelCount?: number;
  /**
   * Post a partial batch once its first sample is this old, ms. Default off
   * (`undefined` or `null`); otherwise above 0 and at most 60000.
   */
  maxLatencyMs?: number | null;
  /**
   * `'low'`: pitch defaults for the shortest onset-to-pitch delay: a window of about 21 ms
   * (1024 samples at 44.1/48 kHz) and `minFrequency` 100 Hz (given `pitch` options win).
   * Default `'default'`. See docs/tuning.md, "Onset latency".
   */
  latency?: 'default' | 'low';
  /** The pitch detector's options, or `false` to turn it off. Default `{}`. */
  pitch?: PitchOptions | false;
  /** The volume meter's options. Default `{}`. */
  volume?: VolumeOptions;
}

/** Options `configure()` can change on a running tap. */
export interface ConfigureOptions {
  /** New frames per batch, from the next batch boundary: a multiple of 128 from 128 to 16384. */
  batchSize: number;
}

/**
 * One pitch estimate: the detail of a `pitch` event and `tap.latest.pitch`. One per hop
 * (10 ms by default).
 */
export interface PitchEstimate {
  /**
   * Time of the analysis window's centre, s: in the AudioContext's time base
   * (`context.currentTime`) for a live tap, from the first sample for `analyze()`.
   */
  time: number;
  /** Fundamental frequency, Hz; 0 when unvoiced. */
  frequency: number;
  /** How periodic the window is, 0–1 (the NSDF peak). */
  clarity: number;
  /** Whether a pitch was found (`frequency > 0`). */
  voiced: boolean;
  /** Nearest MIDI note number (69 is A4 at `a4`); 0 when unvoiced. */
  midi: number;
  /** Nearest note name such as `'A4'` or `'C#3'` (see `NOTE_NAMES`); `''` when unvoiced. */
  note: string;
  /** Distance from the nearest note, cents, −50 to 50. */
  cents: number;
  /**
   * Live taps: `true` for an early estimate at a sound's onset, from a window half as long
   * over the newest samples, made while the detector's own estimates were unvoiced; the
   * detector's estimates for earlier times may follow it (`time` goes back; `latest`
   * keeps the newest). `false` for the detector's estimate of a hop.
   */
  early?: boolean;
}

/** One estimate from `analyze()`: a `PitchEstimate` and the level of its window. */
export interface AnalysisEstimate extends PitchEstimate {
  /** RMS level of the analysis window, dBFS. */
  db: number;
}

/** One volume reading: the detail of a `volume` event and `tap.latest.volume`. One per batch. */
export interface VolumeReading {
  /** Context time of the batch's last sample, s. */
  time: number;
  /** RMS of the batch, linear (a 0.5 sine reads 0.354). */
  rms: number;
  /** Largest absolute sample of the batch, linear. */
  peak: number;
  /** RMS in dBFS, floored at −120. */
  db: number;
  /** Level smoothed with `VolumeOptions.attackMs` / `releaseMs`, dBFS. */
  smoothedDb: number;
}

/** Detail of a `batch` event: one batch of audio as it arrived from the worklet. */
export interface BatchDetail {
  /** Sequence number: one per posted batch (dropped audio takes none). */
  seq: number;
  /** Context frame (`currentFrame`) of the first sample. */
  startFrame: number;
  /** Sample rate of the context, Hz. */
  sampleRate: number;
  /** Channels in `samples`. */
  channels: number;
  /** Frames per channel in `samples`. */
  frames: number;
  /** Bit set of `FLAGS`. */
  flags: number;
  /**
   * The samples, `frames × channels` floats, planar (all of channel 0, then channel 1, …),
   * over the transferred buffer. **Valid only during the dispatch**: right after, the
   * buffer goes back to the worklet and this view detaches (length 0). Copy what you keep.
   */
  samples: Float32Array;
}

/** Detail of a `gap` event: audio dropped because no buffer was free. */
export interface GapDetail {
  /** Frames dropped. */
  frames: number;
  /** Context frame of the first dropped frame. */
  startFrame: number;
  /** Sample rate of the context, Hz. */
  sampleRate: number;
}

/** Detail of an `error` event: an error in the worklet, or a Rust panic on either side. */
export interface ErrorDetail {
  /** What went wrong, starting with `pitchtap: `. */
  message: string;
  /**
   * What was running: `'process'` (the worklet rendering a quantum), `'receive'` (the main
   * thread analysing a batch), `'dispatch'` (a replaced `dispatchEvent` threw), `'return'`
   * (a `batch` listener detached or changed a buffer, which was replaced), or the request
   * that failed: `'flush'`, `'configure'`, `'stats'`, `'close'`. (A failure while creating
   * the processor rejects `PitchTap.create()` instead.)
   */
  phase: string;
  /** Where it happened: in the AudioWorklet or on the main thread. */
  side: 'worklet' | 'main';
  /** Whether it was a Rust panic (a wasm trap), as opposed to a JS error. */
  panic: boolean;
  /** Whether the tap carries on (after a panic: with a new wasm instance). */
  recovered: boolean;
  /** Frames the fault kept from being delivered; also counted in `stats().droppedSamples`. */
  lostFrames: number;
}

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

/** The events of a `PitchTap`, by name: each a `CustomEvent` with a typed `detail`. */
export interface PitchTapEventMap {
  /**
   * Each batch received. Costs one `CustomEvent`, detail and `Float32Array` view per batch,
   * only while a `batch` listener is registered.
   */
  batch: CustomEvent<BatchDetail>;
  /** The next batch follows dropped audio. */
  gap: CustomEvent<GapDetail>;
  /** One per hop (10 ms by default); a batch may give several, or none. */
  pitch: CustomEvent<PitchEstimate>;
  /** One per batch. */
  volume: CustomEvent<VolumeReading>;
  /** An error in the worklet, or a Rust panic on either side. */
  error: CustomEvent<ErrorDetail>;
  /** A track of a MediaStream source connected with `attach()` ended; once per track. */
  sourceended: CustomEvent<SourceEndedDetail>;
}

/** `detail` of a `sourceended` event. */
export interface SourceEndedDetail {
  /** The node `attach()` connected. */
  readonly source: AudioNode;
  /** The track that ended (`readyState` `'ended'`). */
  readonly track: MediaStreamTrack;
  /** `track.kind` (`'audio'`). */
  readonly kind: string;
  /** `track.label`, e.g. the microphone's name. */
  readonly label: string;
  /** `context.currentTime` when the tap saw it: it looks every 100 ms. */
  readonly time: number;
}

/** A listener for a `PitchTap` event: a function or an object with `handleEvent`. */
export type PitchTapListener<E extends Event> =
  ((this: PitchTap, event: E) => unknown) | { handleEvent(event: E): unknown };

/**
 * A tap on the audio graph. Connect a source to `tap.node`; listen for `pitch`, `volume`,
 * `batch`, `gap` and `error` events, or poll `tap.latest`.
 *
 * ```ts
 * const tap = await PitchTap.create(context);
 * source.connect(tap.node);
 * tap.addEventListener('pitch', (e) => {
 *   if (e.detail.voiced) show(e.detail.note, e.detail.cents);
 * });
 * ```
 */
export declare class PitchTap<C extends BaseAudioContext = BaseAudioContext> extends EventTarget {
  /** Use `PitchTap.create()`. */
  private constructor();

  /**
   * Loads the worklet module (once per context) and compiles the wasm (once per page),
   * creates the `AudioWorkletNode` (`tap.node`) and resolves when the worklet's wasm runs.
   *
   * @throws TypeError if `context` is not a `BaseAudioContext`, for an unknown option key
   *   or an option of the wrong type.
   * @throws RangeError for a number out of range, NaN or ±Infinity, naming the option.
   * Rejects with a `DOMException` `InvalidStateError` if the context is closed. Nothing
   * half-made is left behind. Allocates (not for a real-time path).
   */
  static create<C extends BaseAudioContext>(
    context: C,
    options?: PitchTapOptions,
  ): Promise<PitchTap<C>>;

  /**
   * Does ahead of time what the first `create()` would: compiles and instantiates the wasm
   * (once per page) and, given a context, loads the worklet module into it (once per
   * context). Call it at page load, before the user's gesture; `create()` then takes only
   * the warm time. Calling it again costs nothing; after a failure a later call retries.
   * @throws TypeError if `context` is given and is not a `BaseAudioContext`.
   * Rejects with `InvalidStateError` for a closed context.
   */
  static preload(context?: BaseAudioContext): Promise<void>;

  /** The `AudioWorkletNode`: connect your source to it. It has no output. */
  readonly node: AudioWorkletNode;
  /** The context the tap was created in, typed as the one passed to `create()`. */
  readonly context: C;
  /**
   * The most recent pitch estimate and volume reading. **Both objects are reused**: their
   * fields are overwritten in place as batches arrive (no allocation), so read them (e.g.
   * from `requestAnimationFrame`) and copy what you keep.
   */
  readonly latest: PitchTapLatest;

  /** Counters of the tap. Allocates the returned object. */
  stats(): PitchTapStats;

  /**
   * Connects `source` to `tap.node` and keeps it: `close()` disconnects it (a node whose
   * source stays connected is never released). A `MediaStream` is first made into a node
   * with `context.createMediaStreamSource` (an `AudioContext` only). The audio tracks of a
   * MediaStream source are watched: when one ends — its device went away, its permission
   * was revoked, or `track.stop()` was called (which fires no `ended` event) — the tap
   * dispatches `sourceended` once for it and counts it in `stats().sourcesEnded`.
   * Returns the source node.
   * @throws TypeError for anything but an AudioNode or a MediaStream (a MediaStream on an
   *   OfflineAudioContext); what `connect()` throws for a node of another context.
   * @throws DOMException `InvalidStateError` after `close()`.
   */
  attach<S extends AudioNode>(source: S): S;
  attach(source: MediaStream): MediaStreamAudioSourceNode;

  /**
   * Disconnects a source `attach()` connected and stops watching it; `false` if it was not
   * attached.
   */
  detach(source: AudioNode): boolean;

  /**
   * Posts the partial batch now. Resolves with `stats()` after every batch posted before it
   * has been dispatched here.
   * @throws DOMException `InvalidStateError` after `close()`.
   */
  flush(): Promise<PitchTapStats>;

  /**
   * Resolves with exact `stats()` once every batch posted before the call has been
   * dispatched and every buffer returned so far is back in the pool. Paces an
   * `OfflineAudioContext` whose pool you sized yourself: `suspend(t)`, `await tap.sync()`,
   * `resume()` (where the engine has `OfflineAudioContext.suspend`; Firefox has not).
   * @throws DOMException `InvalidStateError` after `close()`.
   */
  sync(): Promise<PitchTapStats>;

  /**
   * Changes `batchSize` of the running tap from the next batch boundary; no frame is lost
   * or repeated. Resolves with `stats()`.
   * @throws TypeError for another key or a non-number; RangeError for a bad size.
   * @throws DOMException `InvalidStateError` after `close()`.
   */
  configure(options: ConfigureOptions): Promise<PitchTapStats>;

  /**
   * Flushes, delivers the last batch, stops the worklet and disconnects the node; no event
   * is dispatched after the promise resolves, with the final `stats()`. On an
   * `OfflineAudioContext` whose render has finished it first delivers the render's last
   * batches (up to the one flagged `END`). A second call rejects with `InvalidStateError`.
   */
  close(): Promise<PitchTapStats>;

  /** Listens for a pitchtap event; `event.detail` is typed by the event's name. */
  addEventListener<K extends keyof PitchTapEventMap>(
    type: K,
    listener: PitchTapListener<PitchTapEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;

  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof PitchTapEventMap>(
    type: K,
    listener: PitchTapListener<PitchTapEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
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
