// The smallest useful pitchtap program: microphone → tap → `pitch` events in the console.
import { PitchTap } from '/pkg/index.js';

document.getElementById('start').addEventListener('click', async () => {
  const context = new AudioContext(); // inside the click: browsers only start audio on a gesture
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const tap = await PitchTap.create(context);
  tap.attach(stream); // connects it; `sourceended` if the microphone goes away
  tap.addEventListener('pitch', (e) => {
    if (e.detail.voiced) console.log(e.detail.note, e.detail.frequency.toFixed(1), 'Hz');
  });

  // Not part of the five lines: the same, on the page, ten times a second.
  const log = document.getElementById('log');
  setInterval(() => {
    const p = tap.latest.pitch;
    const line = p.voiced ? `${p.note} ${p.frequency.toFixed(1)} Hz` : '(unvoiced)';
    log.textContent = `${line}\n${log.textContent}`.slice(0, 2000);
  }, 100);
  document.getElementById('start').disabled = true;
});
