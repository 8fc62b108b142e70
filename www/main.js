// The pitchtap demo: a microphone or a test tone into a tap; the note, frequency and level
// read from tap.latest (no per-event allocation) and the tap's live counters.
// Uses the built package from /pkg/.
import { PitchTap } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
let context = null; let tap = null; let stopSource = null; let timer = 0;
let raf = 0;

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
  source.connect(tap.node);
  $('stop').disabled = false;
  $('status').textContent = `running at ${context.sampleRate} Hz`;
  timer = setInterval(showStats, 250);
  raf = requestAnimationFrame(draw);
}

function draw() {
  if (!tap) return;
  const { pitch, volume } = tap.latest;
  $('note').textContent = pitch.voiced ? pitch.note : '–';
  $('pitchText').textContent = pitch.voiced
    ? `pitch: ${pitch.frequency.toFixed(1)} Hz, ${pitch.cents >= 0 ? '+' : ''}${pitch.cents.toFixed(0)} cents, clarity ${pitch.clarity.toFixed(2)}`
    : 'pitch: unvoiced';
  const db = volume.db;
  $('levelBar').style.width = `${Math.max(0, Math.min(100, (volume.smoothedDb + 60) / 60 * 100))}%`;
  $('levelText').textContent = `level: ${db.toFixed(1)} dBFS (RMS), peak ${volume.peak.toFixed(2)}`;
  raf = requestAnimationFrame(draw);
}

function showStats() {
  if (!tap) return;
  const rows = Object.entries(tap.stats()).map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`);
  $('stats').tBodies[0].innerHTML = rows.join('');
}

async function stop() {
  clearInterval(timer);
  cancelAnimationFrame(raf);
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
