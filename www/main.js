// The pitchtap demo: an input (microphone, a file, a tone or a glide) into a tap; the tuner,
// pitch curve and level meter read tap.latest once per animation frame (no per-event
// allocation), the stats panel reads tap.stats() four times a second. Uses the built package
// from /pkg/, the same files a user installs.
import { PitchTap } from '/pkg/index.js';
import * as inputs from './sources.js';
import { TunerView } from './tuner.js';
import { PitchCurve } from './curve.js';
import { LevelMeter } from './meter.js';
import { StatsView } from './stats.js';
import { ClarityBar } from './clarity.js';
import { SettingsForm } from './settings.js';

const $ = (id) => document.getElementById(id);
const STATS_EVERY_MS = 250;
const INPUT_BUTTONS = { mic: $('mic'), file: $('fileLabel'), tone: $('tone'), glide: $('glide') };

const tuner = new TunerView({
  note: $('note'),
  hand: $('hand'),
  ticks: $('ticks'),
  freq: $('freq'),
  cents: $('cents'),
});
const curve = new PitchCurve($('curve'));
const meter = new LevelMeter($('meter'), { rms: $('rms'), peak: $('peak'), hold: $('hold') });
const stats = new StatsView($('stats'));
const clarity = new ClarityBar({
  fill: $('clarityFill'),
  mark: $('clarityMark'),
  value: $('clarity'),
});
const settings = new SettingsForm($('settings'));

/** One audio session: a context, the tap on it and the input feeding the tap. */
const session = { context: null, monitor: null, tap: null, source: null, kind: '' };

// Input switches, setting changes and stop run one at a time, in order.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(task).catch(showFailure);
  queue = run;
  return run;
}

function status(text, state) {
  $('status').textContent = text;
  if (state) document.body.dataset.state = state;
}

function showFailure(e) {
  const name =
    e?.name === 'NotAllowedError' ? 'The microphone was not allowed' : String(e?.message ?? e);
  status(name, session.source ? 'running' : 'idle');
}

/**
 * The session's context, made (or resumed) synchronously inside the click, as browsers
 * require for audio to start.
 */
function ensureContext() {
  if (!session.context) {
    const context = new AudioContext({ latencyHint: 'interactive' });
    session.context = context;
    session.monitor = new GainNode(context, { gain: $('listen').checked ? 1 : 0 });
    session.monitor.connect(context.destination);
  }
  session.context.resume().catch(() => {});
  return session.context;
}

/** A tap with the form's options, or null (the error is shown next to its field). */
async function createTap(context, options = settings.options(), fallbackField = null) {
  let tap;
  try {
    tap = await PitchTap.create(context, options);
  } catch (e) {
    const field = settings.showError(e, fallbackField);
    if (!field) throw e; // not about an option
    return null;
  }
  tap.addEventListener('error', (e) => status(e.detail.message, 'running'));
  const p = options.pitch;
  curve.setRange(p.minFrequency, p.maxFrequency, p.a4);
  clarity.setThreshold(p.clarityThreshold);
  return tap;
}

async function useInput(context, kind, picked) {
  if (session.context !== context) return; // stopped since the click
  await context.resume();
  if (!session.tap) {
    settings.clearErrors();
    const tap = await createTap(context);
    if (!tap) {
      status('Check the settings: no tap was created.', 'idle');
      return;
    }
    if (session.context !== context) {
      await tap.close();
      return;
    }
    session.tap = tap;
  }
  status(kind === 'mic' ? 'Asking for the microphone…' : 'Starting…', document.body.dataset.state);
  const next =
    kind === 'mic'
      ? await inputs.microphone(context)
      : kind === 'file'
        ? await inputs.file(context, picked)
        : kind === 'tone'
          ? inputs.tone(context)
          : inputs.glide(context);
  if (session.context !== context) {
    next.stop();
    return;
  } // stopped meanwhile
  session.source?.stop(); // the old source: stopped and disconnected
  session.source = next;
  session.kind = kind;
  next.node.connect(session.tap.node);
  if (next.audible) next.node.connect(session.monitor);
  markActive(kind);
  $('stop').disabled = false;
  status(`Running: ${next.label}, ${context.sampleRate} Hz.`, 'running');
  startLoop();
}

/** Highlights the input in use (aria-pressed on the buttons; the file picker is a label). */
function markActive(kind) {
  for (const [k, el] of Object.entries(INPUT_BUTTONS)) {
    el.dataset.active = String(k === kind);
    if (el.tagName === 'BUTTON') el.setAttribute('aria-pressed', String(k === kind));
  }
}

/** A changed setting on a running tap: batch size live, the rest through a new tap. */
async function applySetting(name) {
  const tap = session.tap;
  if (!tap) {
    settings.clearErrors();
    return;
  } // read at the next start
  if (name === 'batchSize') {
    try {
      await tap.configure({ batchSize: settings.value('batchSize') });
      settings.clearErrors();
    } catch (e) {
      settings.showError(e, 'batchSize');
    }
    return;
  }
  // The batch size in effect, even if the field holds a value that was refused.
  const options = { ...settings.options(), batchSize: tap.stats().batchSize };
  const next = await createTap(session.context, options, name);
  if (!next) {
    status('That setting was not applied; the tap runs on as before.', 'running');
    return;
  }
  if (session.tap !== tap) {
    await next.close();
    return;
  } // stopped meanwhile
  settings.clearErrors();
  // Make the new tap first, so that a refused value leaves the old one running.
  session.tap = next;
  if (session.source) {
    session.source.node.disconnect(tap.node);
    session.source.node.connect(next.node);
  }
  await tap.close();
  if (session.tap === next && session.source) {
    status(
      `Running: ${session.source.label}, ${session.context.sampleRate} Hz (new tap).`,
      'running',
    );
  }
}

/** Detaches the session at once (a click after Stop gets a new one), then shuts it down. */
function stop() {
  const old = { ...session };
  session.context = null;
  session.monitor = null;
  session.tap = null;
  session.source = null;
  session.kind = '';
  return serial(() => shutdown(old));
}

async function shutdown({ context, tap, source }) {
  source?.stop();
  if (tap) await tap.close();
  if (context) await context.close();
  markActive('');
  $('stop').disabled = true;
  // Cleared here, not left to the drawing loop's last frame: a browser may run no frame
  // before the page reads as stopped (WebKit under xvfb did not).
  tuner.update(null, Infinity);
  curve.clear();
  stats.show(null);
  status('Stopped. Pick an input to start again.', 'idle');
}

// Drawing: one loop while a session exists.
let raf = 0;
let lastStats = -Infinity;
let lastPitchTime = -1;
function frame(ms) {
  const now = ms / 1000;
  const tap = session.tap;
  if (tap) {
    const { pitch, volume } = tap.latest;
    if (pitch.time !== lastPitchTime) {
      lastPitchTime = pitch.time;
      curve.push(pitch.time, pitch.voiced ? pitch.frequency : 0);
    }
    tuner.update(pitch, now);
    clarity.update(pitch);
    meter.update(volume, now);
    if (ms - lastStats >= STATS_EVERY_MS) {
      lastStats = ms;
      stats.show(tap.stats());
    }
  } else {
    tuner.update(null, now);
    clarity.update(null);
    meter.update(null, now);
  }
  curve.draw(session.context ? session.context.currentTime : 0);
  meter.draw();
  raf = session.context ? requestAnimationFrame(frame) : 0;
  if (!raf) tuner.update(null, Infinity);
}
function startLoop() {
  if (!raf) raf = requestAnimationFrame(frame);
}

for (const kind of ['mic', 'tone', 'glide']) {
  INPUT_BUTTONS[kind].addEventListener('click', () => {
    const context = ensureContext();
    serial(() => useInput(context, kind));
  });
}
$('file').addEventListener('click', ensureContext);
$('file').addEventListener('change', (e) => {
  const picked = e.target.files[0];
  e.target.value = ''; // picking the same file again is a change too
  if (picked) {
    const context = ensureContext();
    serial(() => useInput(context, 'file', picked));
  }
});
$('stop').addEventListener('click', stop);
$('listen').addEventListener('change', (e) => {
  if (session.monitor) session.monitor.gain.value = e.target.checked ? 1 : 0;
});
settings.onChange((name) => serial(() => applySetting(name)));

document.body.dataset.state = 'idle';
clarity.setThreshold(settings.value('clarityThreshold'));
stats.show(null);
requestAnimationFrame(frame); // one frame: the empty grid and meter
