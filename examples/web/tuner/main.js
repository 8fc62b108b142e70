// A tuner: the note, how many cents off, the frequency. Reads tap.latest.pitch from
// requestAnimationFrame; the object is reused in place, so nothing is allocated per estimate.
import { PitchTap } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);

$('start').addEventListener('click', async () => {
  $('start').disabled = true;
  const context = new AudioContext();
  const stream = await navigator.mediaDevices.getUserMedia({
    // Voice processing would bend the pitch and the level: off for a tuner.
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const tap = await PitchTap.create(context, { pitch: { minFrequency: 60, maxFrequency: 1200 } });
  context.createMediaStreamSource(stream).connect(tap.node);

  const draw = () => {
    const p = tap.latest.pitch;
    if (p.voiced) {
      $('note').textContent = p.note;
      $('freq').textContent = `${p.frequency.toFixed(1)} Hz`;
      $('cents').textContent = `${p.cents >= 0 ? '+' : ''}${p.cents.toFixed(0)} cents`;
      $('needle').value = p.cents;
    }
    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
});
