// The options of `PitchTap.create()` and `configure()`; `analyze()` takes `PitchOptions`.

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
