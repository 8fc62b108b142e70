// A level meter from `volume` events: { time, rms, peak, db, smoothedDb }, one per batch.
import { PitchTap } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const dbfs = (linear) => (linear > 1e-6 ? 20 * Math.log10(linear) : -120);

$('start').addEventListener('click', async () => {
  $('start').disabled = true;
  const context = new AudioContext();
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const tap = await PitchTap.create(context, {
    pitch: false, // volume only
    volume: { attackMs: 10, releaseMs: 300 },
  });
  context.createMediaStreamSource(stream).connect(tap.node);

  tap.addEventListener('volume', (e) => {
    const { db, peak, smoothedDb } = e.detail;
    $('level').value = smoothedDb; // a <meter> clamps to its min and max
    $('rms').textContent = db.toFixed(1);
    $('peak').textContent = dbfs(peak).toFixed(1);
  });
});
