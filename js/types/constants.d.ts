// The constants pitchtap exports: what a `batch` listener needs to read a batch (the header
// size, the flag bits) and the note names. Declarations of js/main/constants.js.

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
