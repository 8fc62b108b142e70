// The bad-input table of tests/e2e/reliability.test.mjs and docs/reliability.md: one entry
// per wrong value, call or state, with the error it must meet and what its message must say.
// The test walks CASES in the page (pages/reliability.js, badCalls) and checks that the
// table in docs/reliability.md is docTable(); `PITCHTAP_WRITE_DOC=1 node --test
// tests/e2e/reliability.test.mjs` rewrites the doc's table from CASES.
import { join } from 'node:path';
import { root } from './harness.mjs';

const TYPE = 'TypeError';
const RANGE = 'RangeError';
const STATE = 'InvalidStateError';
export const CASES = [];
/** `create` with `options`; the message must name `option` and say `says`. */
function create(option, shown, options, error, says, extra = {}) {
  CASES.push({ call: 'create', option, shown, options, error, says, ...extra });
}
function nested(path, value) {
  const [group, key] = path.split('.');
  return key ? { [group]: { [key]: value } } : { [group]: value };
}
/** Wrong type, out of range and non-finite values of one numeric option. */
function numeric(
  option,
  allowed,
  { wrongType = ['"1"'], range = [], nonFinite = [NaN, Infinity, -Infinity], base = {} } = {},
) {
  const says = (v) => ({ '"1"': 'must be a number' })[v] ?? allowed;
  for (const v of wrongType) {
    const value = v === '"1"' ? '1' : v;
    create(
      option,
      typeof value === 'string' ? JSON.stringify(value) : String(value),
      { ...base, ...nested(option, value) },
      TYPE,
      'must be a number',
    );
  }
  for (const v of [...range, ...nonFinite]) {
    create(
      option,
      Object.is(v, -0) ? '-0' : String(v),
      { ...base, ...nested(option, v) },
      RANGE,
      says(v),
    );
  }
}

create('options', '"fast"', 'fast', TYPE, 'options must be an object');
create(
  '(unknown key)',
  '{ batchsize: 1024 }',
  { batchsize: 1024 },
  TYPE,
  'unknown option "batchsize"',
);
numeric('batchSize', 'a multiple of 128 from 128 to 16384', {
  wrongType: ['"1"', true, null],
  range: [0, 100, 1000, 1024.5, -128, 16512],
});
numeric('poolSize', 'an integer from 1 to 256', {
  wrongType: ['"1"', true],
  range: [0, -1, 1.5, 257],
});
numeric('maxPoolSize', 'an integer from poolSize to 256', {
  range: [257, 8.5],
  nonFinite: [NaN, Infinity],
});
create(
  'maxPoolSize',
  '4 with poolSize 8',
  { poolSize: 8, maxPoolSize: 4 },
  RANGE,
  'an integer from poolSize to 256',
);
create(
  'channels',
  '"left"',
  { channels: 'left' },
  TYPE,
  "'mix', 'all' or a channel index from 0 to 31",
);
create(
  'channels',
  'true',
  { channels: true },
  TYPE,
  "'mix', 'all' or a channel index from 0 to 31",
);
for (const v of [-1, 32, 1.5, NaN, Infinity]) {
  create(
    'channels',
    String(v),
    { channels: v },
    RANGE,
    "'mix', 'all' or a channel index from 0 to 31",
  );
}
numeric('channelCount', 'an integer from 1 to 32', {
  range: [0, 33, 1.5],
  nonFinite: [NaN, Infinity],
  base: { channels: 'all' },
});
create(
  'channelCount',
  '0 with channels "mix"',
  { channelCount: 0 },
  RANGE,
  'an integer from 1 to 32',
);
create(
  'channelCount',
  '99 with channels 3',
  { channels: 3, channelCount: 99 },
  RANGE,
  'an integer from 1 to 32',
);
create('maxLatencyMs', '"10"', { maxLatencyMs: '10' }, TYPE, 'must be a number');
create('maxLatencyMs', 'true', { maxLatencyMs: true }, TYPE, 'must be a number');
for (const v of [0, -5, 60001, NaN, Infinity, -Infinity]) {
  create('maxLatencyMs', String(v), { maxLatencyMs: v }, RANGE, 'above 0 and at most 60000');
}
create('pitch', '"yes"', { pitch: 'yes' }, TYPE, 'pitch must be an object or false');
create('pitch', '1', { pitch: 1 }, TYPE, 'pitch must be an object or false');
create(
  '(unknown key)',
  '{ pitch: { minFreq: 50 } }',
  { pitch: { minFreq: 50 } },
  TYPE,
  'unknown option "pitch.minFreq"',
);
numeric('pitch.minFrequency', 'a frequency in Hz from 20 to 8000', { range: [0, 19, -50, 8001] });
create(
  'pitch.minFrequency',
  '2000 with maxFrequency 1000',
  { pitch: { minFrequency: 2000, maxFrequency: 1000 } },
  RANGE,
  'below pitch.maxFrequency',
);
numeric('pitch.maxFrequency', 'a frequency in Hz from 20 to 8000', { range: [10, 8001] });
create(
  'pitch.maxFrequency',
  '6000 at 22050 Hz',
  { pitch: { maxFrequency: 6000 } },
  RANGE,
  'at most a quarter of the sample rate',
  { sampleRate: 22050 },
);
numeric('pitch.windowSize', 'from 64 to 65536', { range: [0, 32, 2048.5, 65537, 1e10] });
create(
  'pitch.windowSize',
  '1024 with minFrequency 40 at 48 kHz',
  { pitch: { windowSize: 1024, minFrequency: 40 } },
  RANGE,
  'at least two periods of pitch.minFrequency',
);
numeric('pitch.hopSize', 'from 1 to pitch.windowSize', { range: [0, 1.5, 4096, -1] });
numeric('pitch.clarityThreshold', 'a number from 0 to 1', { range: [-0.1, 1.1] });
numeric('pitch.minDb', 'a level in dBFS from -120 to 0', { range: [-121, 1] });
numeric('pitch.a4', 'a frequency in Hz from 300 to 600', { range: [299, 601, 0] });
create('volume', '"fast"', { volume: 'fast' }, TYPE, 'volume must be an object');
create('volume', 'false', { volume: false }, TYPE, 'volume must be an object');
create(
  '(unknown key)',
  '{ volume: { attack: 5 } }',
  { volume: { attack: 5 } },
  TYPE,
  'unknown option "volume.attack"',
);
numeric('volume.attackMs', 'a time in milliseconds from 0 to 60000', { range: [-1, 60001] });
numeric('volume.releaseMs', 'a time in milliseconds from 0 to 60000', { range: [-1, 60001] });

// configure() on a live tap.
function configure(shown, options, error, says) {
  CASES.push({ call: 'configure', option: 'configure()', shown, options, error, says });
}
configure('null', null, TYPE, 'configure() takes an object');
configure('"2048"', '2048', TYPE, 'configure() takes an object');
configure(
  '{ poolSize: 4 }',
  { poolSize: 4 },
  TYPE,
  'cannot change "poolSize" (allowed: batchSize)',
);
configure('{}', {}, TYPE, 'batchSize must be a number');
configure('{ batchSize: "2048" }', { batchSize: '2048' }, TYPE, 'batchSize must be a number');
for (const v of [0, 100, 1000.5, 32768, NaN, Infinity]) {
  configure(`{ batchSize: ${v} }`, { batchSize: v }, RANGE, 'a multiple of 128 from 128 to 16384');
}

// analyze(samples, sampleRate, options).
function analyzeCase(shown, args, error, says) {
  CASES.push({ call: 'analyze', option: 'analyze()', shown, args, error, says });
}
analyzeCase('samples: a Float64Array', ['f64', 44100], TYPE, 'takes a Float32Array');
analyzeCase('samples: a plain array', ['list', 44100], TYPE, 'takes a Float32Array');
analyzeCase('samples: null', [null, 44100], TYPE, 'takes a Float32Array');
analyzeCase('sampleRate: "44100"', ['f32', '44100'], TYPE, 'sampleRate must be a number');
analyzeCase('sampleRate: undefined', ['f32', undefined], TYPE, 'sampleRate must be a number');
for (const v of [NaN, Infinity, 1000, 1e6, 0, -44100]) {
  analyzeCase(
    `sampleRate: ${v}`,
    ['f32', v],
    RANGE,
    'sampleRate must be a rate in Hz from 3000 to 768000',
  );
}
analyzeCase('options: "x"', ['f32', 44100, 'x'], TYPE, 'pitch must be an object');
analyzeCase('options: { foo: 1 }', ['f32', 44100, { foo: 1 }], TYPE, 'unknown option "pitch.foo"');
analyzeCase(
  'options: { minFrequency: 5 }',
  ['f32', 44100, { minFrequency: 5 }],
  RANGE,
  'a frequency in Hz from 20 to 8000',
);
analyzeCase(
  'options: { windowSize: 1e10 }',
  ['f32', 44100, { windowSize: 1e10 }],
  RANGE,
  'from 64 to 65536',
);

// Calls in the wrong state (scenarios in pages/reliability.js, SCENARIOS).
function state(scenario, error, says) {
  CASES.push({ call: 'state', option: '(state)', shown: scenario, scenario, error, says });
}
state('create on a closed AudioContext', STATE, 'closed');
state('create on a finished OfflineAudioContext', STATE, 'closed');
state('create without a context', TYPE, 'context must be an AudioContext or OfflineAudioContext');
state(
  'create with a plain object as context',
  TYPE,
  'context must be an AudioContext or OfflineAudioContext',
);
state('new PitchTap() instead of create', TYPE, 'use `await PitchTap.create');
state('flush() after close()', STATE, 'flush() on a closed tap');
state('sync() after close()', STATE, 'sync() on a closed tap');
state('configure() after close()', STATE, 'configure() on a closed tap');
state('close() twice', STATE, 'close() called twice');
state('close() twice at once', STATE, 'close() called twice');

/** The table of docs/reliability.md, from CASES. */
export function docTable() {
  const rows = ['| call | option | value | error | the message says |', '|---|---|---|---|---|'];
  for (const k of CASES) {
    const call = {
      create: '`PitchTap.create`',
      configure: '`tap.configure`',
      analyze: '`analyze`',
      state: 'wrong state',
    }[k.call];
    rows.push(
      `| ${call} | ${k.option.startsWith('(') || k.option.endsWith(')') ? k.option : `\`${k.option}\``} | ${k.shown.replace(/\|/g, '\\|')} | ${k.error} | ${k.says.replace(/\|/g, '\\|')} |`,
    );
  }
  return rows.join('\n');
}
export const DOC = join(root, 'docs', 'reliability.md');
export const START = '<!-- bad-input-table: written from CASES in tests/e2e/bad-input.mjs -->';
export const END = '<!-- bad-input-table end -->';
