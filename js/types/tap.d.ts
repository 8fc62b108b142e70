// The `PitchTap` class.

import type { ConfigureOptions, PitchTapOptions } from './options.js';
import type { PitchTapEventMap, PitchTapListener } from './events.js';
import type { PitchTapLatest, PitchTapStats } from './stats.js';

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
