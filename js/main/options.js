// The options of PitchTap.create() and analyze() as users give them, checked and turned into
// what the wasm takes: arrays of numbers in the core's slots (src/dsp/options.rs). Types are
// checked here (TypeError naming the option); ranges by the wasm core (RangeError), the
// single source of truth for them.

import {
  CHANNEL_MODES,
  DEFAULT_BATCH_SIZE,
  DEFAULT_POOL_SIZE,
  LOW_LATENCY_MIN_FREQUENCY,
  LOW_LATENCY_WINDOW_SECONDS,
  PITCH_KEYS,
  TAP_OPTION_KEYS,
  VOLUME_KEYS,
} from './constants.js';

// Every option create() knows, with its default (the keys are the allowed ones).
const DEFAULTS = Object.freeze({
  batchSize: DEFAULT_BATCH_SIZE,
  poolSize: DEFAULT_POOL_SIZE,
  maxPoolSize: undefined,
  channels: 'mix',
  channelCount: 2,
  maxLatencyMs: undefined,
  pitch: undefined,
  volume: undefined,
  latency: 'default',
});

/** Checks an analyzer option group: an object of numbers with known keys. */
export function groupOptions(name, value, keys) {
  if (value === undefined || value === null || value === true) return {};
  if (typeof value !== 'object')
    throw new TypeError(
      `pitchtap: ${name} must be an object${name === 'pitch' ? ' or false' : ''}`,
    );
  for (const k of Object.keys(value)) {
    if (!keys.includes(k))
      throw new TypeError(`pitchtap: unknown option "${name}.${k}" (allowed: ${keys.join(', ')})`);
    if (value[k] !== undefined && typeof value[k] !== 'number') {
      throw new TypeError(`pitchtap: ${name}.${k} must be a number (got ${typeof value[k]})`);
    }
  }
  return value;
}

/** The transport's options `o` as an array for the wasm (TAP_OPTION_KEYS). */
export function tapOptions(o) {
  return TAP_OPTION_KEYS.map((k) => o[k]);
}

/** The analyzers' options `o` at `sampleRate` as MainTap takes them: pitch, then volume. */
export function analyzerSlots(sampleRate, o) {
  const v = o.volume;
  // latency: 'low' changes two pitch defaults (given options win): a window of about 21 ms
  // (1024 samples at 44.1/48 kHz, half the default) and a lowest pitch of 100 Hz, so that
  // two periods fit it. Its early window is then 512 samples (docs/tuning.md).
  const p =
    o.latency === 'low'
      ? {
          minFrequency: LOW_LATENCY_MIN_FREQUENCY,
          windowSize: 2 ** Math.ceil(Math.log2(LOW_LATENCY_WINDOW_SECONDS * sampleRate)),
          ...o.pitch,
        }
      : o.pitch;
  return PITCH_KEYS.map((k) => p[k]).concat(VOLUME_KEYS.map((k) => v[k]));
}

/**
 * Checks option types (TypeError naming the option) and fills in defaults. Ranges are
 * checked by the wasm core (RangeError), the single source of truth for them.
 */
export function normalizeOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') {
    throw new TypeError('pitchtap: options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS)) {
      throw new TypeError(
        `pitchtap: unknown option "${key}" (allowed: ${Object.keys(DEFAULTS).join(', ')})`,
      );
    }
  }
  const o = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  for (const k of ['batchSize', 'poolSize', 'maxPoolSize', 'channelCount']) {
    if (o[k] !== undefined && typeof o[k] !== 'number') {
      throw new TypeError(`pitchtap: ${k} must be a number (got ${typeof o[k]})`);
    }
  }
  if (!Number.isInteger(o.channelCount) || o.channelCount < 1 || o.channelCount > 32) {
    throw new RangeError(
      `pitchtap: channelCount must be an integer from 1 to 32 (got ${o.channelCount})`,
    );
  }
  // Neither pool option given: on an OfflineAudioContext the pool is sized to the render.
  o.poolSizeAuto = options.poolSize === undefined && options.maxPoolSize === undefined;
  if (o.maxPoolSize === undefined) o.maxPoolSize = o.poolSize;
  if (o.maxLatencyMs === undefined || o.maxLatencyMs === null || o.maxLatencyMs === false) {
    o.maxLatencyMs = -1; // off
  } else if (typeof o.maxLatencyMs !== 'number') {
    throw new TypeError(
      'pitchtap: maxLatencyMs must be a number of milliseconds or null ' +
        `(got ${typeof o.maxLatencyMs})`,
    );
  } else if (o.maxLatencyMs <= 0) {
    // Negative numbers mean "off" inside the core; from users they are an error.
    throw new RangeError(
      'pitchtap: maxLatencyMs must be a number of milliseconds above 0 and at most ' +
        `60000 (got ${o.maxLatencyMs})`,
    );
  }
  if (o.latency !== 'default' && o.latency !== 'low') {
    throw new TypeError(`pitchtap: latency must be 'default' or 'low' (got ${String(o.latency)})`);
  }
  o.pitchEnabled = o.pitch !== false;
  o.pitch = o.pitch === false ? {} : groupOptions('pitch', o.pitch, PITCH_KEYS);
  o.volume = groupOptions('volume', o.volume, VOLUME_KEYS);
  if (o.channels === 'mix') {
    o.channelMode = CHANNEL_MODES.mix;
    o.channelArg = 0;
  } else if (o.channels === 'all') {
    o.channelMode = CHANNEL_MODES.all;
    o.channelArg = o.channelCount;
  } else if (typeof o.channels === 'number') {
    o.channelMode = CHANNEL_MODES.select;
    o.channelArg = o.channels;
  } else {
    throw new TypeError(
      "pitchtap: channels must be 'mix', 'all' or a channel index from 0 to 31 " +
        `(got ${String(o.channels)})`,
    );
  }
  return o;
}
