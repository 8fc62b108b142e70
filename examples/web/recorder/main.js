// A recorder: `batch` events → copies of the samples → a 16-bit PCM WAV to download.
// `e.detail.samples` is a view over a transferred buffer that goes back to the worklet as
// soon as the event is over, so it must be copied (slice), not kept.
import { PitchTap } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
let session = null;

$('start').addEventListener('click', async () => {
  $('start').disabled = true;
  const context = new AudioContext();
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  // Mono (the default 'mix' of all channels), no analysis: just the samples.
  const tap = await PitchTap.create(context, { pitch: false });
  const chunks = [];
  tap.addEventListener('batch', (e) => chunks.push(e.detail.samples.slice()));
  // Audio dropped for want of a free buffer: keep the timing with silence.
  tap.addEventListener('gap', (e) => chunks.push(new Float32Array(e.detail.frames)));
  context.createMediaStreamSource(stream).connect(tap.node);
  session = { context, stream, tap, chunks };
  $('stop').disabled = false;
  $('status').textContent = 'recording…';
});

$('stop').addEventListener('click', async () => {
  const { context, stream, tap, chunks } = session;
  session = null;
  $('stop').disabled = true;
  await tap.flush(); // the partial batch too
  await tap.close();
  for (const t of stream.getTracks()) t.stop();
  await context.close();

  const wav = encodeWav(chunks, context.sampleRate);
  const url = URL.createObjectURL(wav);
  const frames = (wav.size - 44) / 2;
  $('download').href = url;
  $('player').src = url;
  $('size').textContent =
    `${(frames / context.sampleRate).toFixed(2)} s, ${context.sampleRate} Hz, ${wav.size} bytes`;
  $('result').hidden = false;
  $('status').textContent = '';
  $('start').disabled = false;
});

/** Mono float chunks → a 16-bit PCM WAV Blob (RIFF, 44-byte header). */
function encodeWav(chunks, sampleRate) {
  const frames = chunks.reduce((n, c) => n + c.length, 0);
  const view = new DataView(new ArrayBuffer(44 + 2 * frames));
  const ascii = (at, s) => {
    for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + 2 * frames, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // channels
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, 2 * frames, true);
  let at = 44;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++, at += 2) {
      const s = Math.max(-1, Math.min(1, chunk[i]));
      view.setInt16(at, Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), true);
    }
  }
  return new Blob([view.buffer], { type: 'audio/wav' });
}
