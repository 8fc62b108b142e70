// A TypeScript consumer of the published package: uses every public declaration of
// pitchtap (pkg/index.d.ts and pkg/types/, from js/) the way an app would. It is never
// run, only type-checked: `make test-types` (tsc --strict --noEmit -p tests/types).
// Each `@ts-expect-error` line is a misuse the declarations must reject; if one is
// accepted, tsc reports the directive as unused and the check fails.

import {
  PitchTap,
  analyze,
  NOTE_NAMES,
  FLAGS,
  HEADER_BYTES,
  type PitchTapOptions,
  type PitchOptions,
  type VolumeOptions,
  type ConfigureOptions,
  type PitchEstimate,
  type AnalysisEstimate,
  type VolumeReading,
  type BatchDetail,
  type GapDetail,
  type ErrorDetail,
  type PitchTapStats,
  type DurationStats,
  type PoolStats,
  type PitchTapLatest,
  type PitchTapEventMap,
  type PitchTapListener,
  type SourceEndedDetail,
} from 'pitchtap';

/** Fails to compile unless A and B are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {
  return;
}

const pitch: PitchOptions = {
  minFrequency: 60,
  maxFrequency: 1000,
  windowSize: 2048,
  hopSize: 441,
  clarityThreshold: 0.7,
  minDb: -60,
  a4: 442,
};
const volume: VolumeOptions = { attackMs: 10, releaseMs: 300 };
const options: PitchTapOptions = {
  batchSize: 1024,
  poolSize: 8,
  maxPoolSize: 16,
  channels: 'mix',
  channelCount: 2,
  maxLatencyMs: 50,
  pitch,
  volume,
};
const others: PitchTapOptions[] = [
  {},
  { channels: 'all', channelCount: 4 },
  { channels: 3 },
  { pitch: false },
  { maxLatencyMs: null },
];

function summary(s: PitchTapStats): string {
  const age: DurationStats = s.batchAgeMs;
  const pool: PoolStats = s.pool;
  const counts: number[] = [
    s.messages,
    s.samples,
    s.droppedSamples,
    s.gaps,
    s.poolSize,
    s.buffersInFlight,
    s.batchSize,
    s.sampleRate,
    s.refused,
    s.malformed,
    s.seqBreaks,
    s.estimatesDropped,
    s.errors,
    s.messagesPerSecond,
    s.batchesReceived,
    s.panics,
    s.sourcesEnded,
    age.last,
    age.p50,
    age.p99,
    s.analysisMs.last,
    s.analysisMs.p50,
    s.analysisMs.p99,
    pool.size,
    pool.free,
    pool.inFlight,
    pool.lowWater,
    pool.exhausted,
  ];
  return counts.join(',');
}

function showPitch(p: PitchEstimate): string {
  const voiced: boolean = p.voiced;
  return `${p.time} ${p.frequency} ${p.clarity} ${voiced} ${p.midi} ${p.note} ${p.cents}`;
}

function showVolume(v: VolumeReading): string {
  return `${v.time} ${v.rms} ${v.peak} ${v.db} ${v.smoothedDb}`;
}

export async function run(context: AudioContext, source: AudioNode): Promise<string[]> {
  const log: string[] = [];
  const tap: PitchTap<AudioContext> = await PitchTap.create(context, options);
  for (const o of others) await (await PitchTap.create(context, o)).close();
  await PitchTap.preload();
  await PitchTap.preload(context);
  // @ts-expect-error preload() takes a BaseAudioContext
  await PitchTap.preload('now');
  const offline = await PitchTap.create(new OfflineAudioContext(1, 128, 44100));
  const rendered: AudioBuffer = await offline.context.startRendering(); // typed as the context passed
  log.push(String(rendered.length));
  // The context keeps the type it was created with: resume() is an AudioContext method.
  await tap.context.resume();
  assertType<Equal<typeof tap.context, AudioContext>>();
  source.connect(tap.node);
  const gain: GainNode = tap.attach(new GainNode(context));
  const mic: MediaStreamAudioSourceNode = tap.attach(new MediaStream());
  const detached: boolean = tap.detach(gain) && tap.detach(mic);
  // @ts-expect-error attach() takes an AudioNode or a MediaStream
  tap.attach('microphone');
  tap.addEventListener('sourceended', (e) => {
    const d: SourceEndedDetail = e.detail;
    const track: MediaStreamTrack = d.track;
    const from: AudioNode = d.source;
    log.push(`${d.kind} ${d.label} ${d.time} ${track.id} ${from.numberOfInputs} ${detached}`);
  });
  const node: AudioWorkletNode = tap.node;
  const ctx: BaseAudioContext = tap.context;
  log.push(node.channelCountMode, String(ctx.sampleRate));

  tap.addEventListener('batch', (e) => {
    assertType<Equal<typeof e, CustomEvent<BatchDetail>>>();
    const d: BatchDetail = e.detail;
    const samples: Float32Array = d.samples;
    if (
      d.flags & FLAGS.GAP ||
      d.flags & (FLAGS.PARTIAL | FLAGS.FLUSHED | FLAGS.LATENCY | FLAGS.DISCONTINUITY)
    ) {
      log.push('flags');
    }
    log.push(`${d.seq} ${d.startFrame} ${d.sampleRate} ${d.channels} ${d.frames} ${samples[0]}`);
  });
  tap.addEventListener('gap', (e) => {
    const d: GapDetail = e.detail;
    log.push(`${d.frames} ${d.startFrame} ${d.sampleRate}`);
  });
  const onPitch = function (this: PitchTap, e: CustomEvent<PitchEstimate>) {
    log.push(showPitch(e.detail), NOTE_NAMES[e.detail.midi] ?? '', summary(this.stats()));
  };
  tap.addEventListener('pitch', onPitch);
  tap.removeEventListener('pitch', onPitch);
  tap.addEventListener(
    'volume',
    (e) => {
      log.push(showVolume(e.detail));
    },
    { once: true },
  );
  const onError: PitchTapListener<PitchTapEventMap['error']> = {
    handleEvent(e) {
      const d: ErrorDetail = e.detail;
      const side: 'worklet' | 'main' = d.side;
      const flags: boolean[] = [d.panic, d.recovered];
      log.push(d.message, d.phase, side, String(flags), String(d.lostFrames));
    },
  };
  tap.addEventListener('error', onError, false);
  tap.removeEventListener('error', onError, false);
  // Any other event name still works as on an EventTarget, untyped.
  tap.addEventListener('custom', (e: Event) => {
    log.push(e.type);
  });

  const latest: PitchTapLatest = tap.latest;
  log.push(showPitch(latest.pitch), showVolume(latest.volume));

  const configure: ConfigureOptions = { batchSize: 2048 };
  log.push(summary(tap.stats()));
  log.push(summary(await tap.flush()));
  log.push(summary(await tap.sync()));
  log.push(summary(await tap.configure(configure)));
  log.push(summary(await tap.close()));

  const estimates: AnalysisEstimate[] = await analyze(new Float32Array(44100), 44100, pitch);
  await analyze(new Float32Array(4096), 22050);
  const progress: number[] = [];
  await analyze(
    new Float32Array(4096),
    22050,
    {},
    { signal: new AbortController().signal, onProgress: (done) => progress.push(done) },
  );
  for (const e of estimates) log.push(showPitch(e), String(e.db));
  const headerBytes: number = HEADER_BYTES;
  const a4: string | undefined = NOTE_NAMES[69];
  log.push(String(headerBytes), a4 ?? '');
  assertType<Equal<typeof FLAGS.GAP, 4>>();
  assertType<Equal<PitchTapEventMap['pitch'], CustomEvent<PitchEstimate>>>();
  return log;
}

// Misuse that must not type-check.
export async function misuse(context: AudioContext, tap: PitchTap): Promise<void> {
  // @ts-expect-error batchSize is a number, not a string
  await PitchTap.create(context, { batchSize: '1024' });
  // @ts-expect-error unknown option key
  await PitchTap.create(context, { bufferSize: 1024 });
  // @ts-expect-error unknown pitch option key
  await PitchTap.create(context, { pitch: { minFreq: 80 } });
  // @ts-expect-error channels is 'mix', 'all' or an index
  await PitchTap.create(context, { channels: 'left' });
  // @ts-expect-error pitch may be turned off with false, not true
  await PitchTap.create(context, { pitch: true });
  // @ts-expect-error a context is required
  await PitchTap.create({ sampleRate: 44100 });
  // @ts-expect-error the constructor is private: use PitchTap.create()
  new PitchTap();
  // @ts-expect-error the fault-test hook is not part of the typed API
  await tap.debugPanic('main');
  // @ts-expect-error configure() changes batchSize only
  await tap.configure({ poolSize: 4 });
  // @ts-expect-error a pitch event carries a PitchEstimate, not a VolumeReading
  tap.addEventListener('pitch', (e) => e.detail.rms);
  // @ts-expect-error the latest objects are read-only to users
  tap.latest.pitch.frequency = 440;
  // @ts-expect-error analyze() takes a Float32Array
  await analyze([0, 1, 0], 44100);
  // @ts-expect-error FLAGS is frozen
  FLAGS.GAP = 8;
}
