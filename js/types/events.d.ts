// The events of a `PitchTap`, by name, and the `detail` of each.

import type { PitchTap } from './tap.js';

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
