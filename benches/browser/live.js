// A live AudioContext with a source (fake microphone or oscillator) into a pitchtap tap, for
// benches/browser/batch-size.mjs and pool-jank.mjs. Every batch's age (context time at
// receipt minus the end of the batch, as stats().batchAgeMs) and receipt time are logged
// into preallocated arrays by a `batch` listener.
import { PitchTap } from '/pkg/index.js';

const LOG = 1 << 16;
const ageMs = new Float64Array(LOG);
const receivedAt = new Float64Array(LOG); // performance.now()
let logged = 0;
let ctx = null;
let source = null;
let tap = null;
let onsets = []; // context seconds
let delays = []; // per onset: first correct pitch event's dispatch, context seconds
let target = 0;

window.open_ = async ({ mic = false, sampleRate = 44100 } = {}) => {
  ctx = new AudioContext({ sampleRate });
  await ctx.resume();
  if (mic) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    source = new MediaStreamAudioSourceNode(ctx, { mediaStream: stream });
    await ctx.audioWorklet.addModule('/benches/browser/onset-processor.js');
    const onset = new AudioWorkletNode(ctx, 'onset', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      processorOptions: { threshold: 0.05, quietFrames: Math.round(0.2 * ctx.sampleRate) },
    });
    onset.port.onmessage = (e) => {
      onsets.push(e.data / ctx.sampleRate);
      delays.push(NaN);
    };
    source.connect(onset);
  } else {
    source = new OscillatorNode(ctx, { type: 'sawtooth', frequency: 220 });
    source.start();
  }
  return ctx.sampleRate;
};

/** A new tap on the source; the previous one is closed first. */
window.startTap = async ({ options, log = false, timeOnsets = false }) => {
  if (tap) await tap.close();
  logged = 0;
  onsets = [];
  delays = [];
  tap = await PitchTap.create(ctx, options);
  if (log) {
    tap.addEventListener('batch', (e) => {
      const d = e.detail;
      const i = logged++ % LOG;
      receivedAt[i] = performance.now();
      ageMs[i] = (ctx.currentTime - (d.startFrame + d.frames) / d.sampleRate) * 1000;
    });
  }
  if (timeOnsets) {
    tap.addEventListener('pitch', (e) => {
      const p = e.detail;
      if (!p.voiced || Math.abs(p.frequency - target) > target * 0.03) return;
      // The latest onset not yet answered whose sound this window can contain.
      for (let k = onsets.length - 1; k >= 0; k--) {
        if (onsets[k] <= p.time) {
          if (Number.isNaN(delays[k])) delays[k] = ctx.currentTime;
          break;
        }
      }
    });
  }
  source.connect(tap.node);
  return tap.stats();
};
window.setTarget = (hz) => {
  target = hz;
};

window.stats = () => tap.stats();
window.syncStats = () => tap.sync();
window.now = () => ({ t: performance.now(), ctxTime: ctx.currentTime });
/** Batches logged since index `from`: [[receivedAt, ageMs], …]. */
window.batchesSince = (from) => {
  const out = [];
  for (let i = from; i < logged; i++) out.push([receivedAt[i % LOG], ageMs[i % LOG]]);
  return { next: logged, batches: out };
};
/** Onsets and the delay to the first correct pitch event after each (context seconds). */
window.onsetDelays = () => onsets.map((t, k) => [t, delays[k] - t]);
/** Blocks the main thread for `ms` (a busy loop); returns when it ended. */
window.jank = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
  return { t: performance.now(), ctxTime: ctx.currentTime };
};

window.benchReady = true;
document.getElementById('status').textContent = 'ready';
