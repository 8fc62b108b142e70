// The pitchtap demo (transport part): a microphone or a test tone into a tap, the level of
// each batch and the tap's live counters. Uses the built package from /pkg/.
import { PitchTap } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
let context = null; let tap = null; let stopSource = null; let timer = 0;
let level = 0;

async function start(kind) {
  await stop();
  context = new AudioContext();
  await context.resume();
  let source;
  if (kind === 'mic') {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    source = context.createMediaStreamSource(stream);
    stopSource = () => stream.getTracks().forEach((t) => t.stop());
  } else {
    const osc = new OscillatorNode(context, { frequency: 440 });
    source = new GainNode(context, { gain: 0.3 });
    osc.connect(source);
    osc.start();
    stopSource = () => osc.stop();
  }
  tap = await PitchTap.create(context, { batchSize: Number($('batchSize').value) });
  tap.addEventListener('batch', (e) => {
    const s = e.detail.samples; let sum = 0;
    for (let i = 0; i < s.length; i++) sum += s[i] * s[i];
    level = Math.sqrt(sum / s.length);
  });
  source.connect(tap.node);
  $('stop').disabled = false;
  $('status').textContent = `running at ${context.sampleRate} Hz`;
  timer = setInterval(show, 250);
}

function show() {
  if (!tap) return;
  const db = 20 * Math.log10(Math.max(level, 1e-6));
  $('levelBar').style.width = `${Math.max(0, Math.min(100, (db + 60) / 60 * 100))}%`;
  $('levelText').textContent = `level: ${db.toFixed(1)} dBFS (RMS)`;
  const rows = Object.entries(tap.stats()).map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`);
  $('stats').tBodies[0].innerHTML = rows.join('');
}

async function stop() {
  clearInterval(timer);
  if (tap) { await tap.close(); tap = null; }
  if (stopSource) { stopSource(); stopSource = null; }
  if (context) { await context.close(); context = null; }
  $('stop').disabled = true;
  $('status').textContent = 'idle';
}

const guard = (f) => () => f().catch((e) => { $('status').textContent = String(e); });
$('mic').addEventListener('click', guard(() => start('mic')));
$('tone').addEventListener('click', guard(() => start('tone')));
$('stop').addEventListener('click', guard(stop));
$('batchSize').addEventListener('change', () => {
  if (tap) tap.configure({ batchSize: Number($('batchSize').value) }).catch((e) => { $('status').textContent = String(e); });
});
