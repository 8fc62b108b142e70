// Page-side helpers for tests/e2e/analysis.test.mjs.
import { PitchTap, analyze } from '/pkg/index.js';

/** The fake microphone into a tap: every pitch and volume event for `seconds`. */
/**
 * Input dropouts: runs of 32 or more exact zeros in a batch, as [start, end) in context
 * seconds. Chrome's fake capture device (--use-file-for-fake-audio-capture) sometimes
 * delivers a 10 ms chunk late and the MediaStream source plays zeros instead; a test tone
 * never has such a run, so the tests leave out the readings whose audio held one.
 */
function recordDropouts({ samples, startFrame, sampleRate }, out) {
  let run = 0;
  for (let i = 0; i <= samples.length; i++) {
    if (i < samples.length && samples[i] === 0) { run++; continue; }
    if (run >= 32) out.push([(startFrame + i - run) / sampleRate, (startFrame + i) / sampleRate]);
    run = 0;
  }
}

window.livePitch = async ({ seconds = 2, contextOptions = {}, options = {} }) => {
  const ctx = new AudioContext(contextOptions);
  await ctx.resume();
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const src = ctx.createMediaStreamSource(stream);
  const tap = await PitchTap.create(ctx, options);
  const pitches = []; const volumes = []; const dropouts = [];
  tap.addEventListener('pitch', (e) => pitches.push(e.detail));
  tap.addEventListener('volume', (e) => volumes.push(e.detail));
  tap.addEventListener('batch', (e) => recordDropouts(e.detail, dropouts));
  src.connect(tap.node);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const latest = JSON.parse(JSON.stringify(tap.latest));
  const stats = await tap.close();
  stream.getTracks().forEach((t) => t.stop());
  await ctx.close();
  return { sampleRate: ctx.sampleRate, pitches, volumes, latest, stats, dropouts };
};

/** Fetches a 16-bit PCM mono WAV, converts it exactly as hound does, runs analyze(). */
window.analyzeWav = async (url, options) => {
  const bytes = await (await fetch(url)).arrayBuffer();
  const v = new DataView(bytes);
  let off = 12; let rate = 0; let data = null;
  while (off + 8 <= bytes.byteLength) {
    const id = String.fromCharCode(...new Uint8Array(bytes, off, 4));
    const len = v.getUint32(off + 4, true);
    if (id === 'fmt ') rate = v.getUint32(off + 12, true);
    if (id === 'data') data = new Int16Array(bytes.slice(off + 8, off + 8 + len));
    off += 8 + len + (len & 1);
  }
  const x = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) x[i] = data[i] / 32768;
  return { sampleRate: rate, estimates: await analyze(x, rate, options) };
};

window.badAnalyzerOptions = async () => {
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 44100 });
  const out = {};
  const cases = {
    minAboveMax: { pitch: { minFrequency: 900, maxFrequency: 800 } },
    clarity2: { pitch: { clarityThreshold: 2 } },
    hopString: { pitch: { hopSize: '10' } },
    pitchUnknown: { pitch: { minFreq: 80 } },
    attackNeg: { volume: { attackMs: -1 } },
    volumeNumber: { volume: 5 },
    a4NaN: { pitch: { a4: NaN } },
  };
  for (const [name, o] of Object.entries(cases)) {
    try { await PitchTap.create(ctx, o); out[name] = 'no error'; } catch (e) { out[name] = `${e.name}: ${e.message}`; }
  }
  return out;
};

document.getElementById('status').textContent = 'ready';
