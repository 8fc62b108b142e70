// The demo's inputs. Each returns { node, audible, label, stop() }: `node` is what gets
// connected to the tap (and, when `audible`, to the speakers); stop() releases it.

/** The microphone, with the browser's voice processing off (it bends pitch and level). */
export async function microphone(context) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const node = context.createMediaStreamSource(stream);
  return {
    node,
    audible: false,
    label: 'microphone',
    stop() {
      node.disconnect();
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

/** A WAV/MP3/… file the user picked, decoded by the browser and looped. */
export async function file(context, picked) {
  const buffer = await context.decodeAudioData(await picked.arrayBuffer());
  const node = new AudioBufferSourceNode(context, { buffer, loop: true });
  node.start();
  return {
    node,
    audible: true,
    label: `${picked.name} (${buffer.duration.toFixed(1)} s, looped)`,
    stop() {
      node.stop();
      node.disconnect();
    },
  };
}

function oscillator(context, frequency) {
  const osc = new OscillatorNode(context, { frequency });
  // 0.3 of full scale: −13.5 dBFS RMS, loud enough to read, quiet enough to hear.
  const node = new GainNode(context, { gain: 0.3 });
  osc.connect(node);
  osc.start();
  return { osc, node };
}

/** A steady sine. */
export function tone(context, frequency = 440) {
  const { osc, node } = oscillator(context, frequency);
  return {
    node,
    audible: true,
    label: `test tone ${frequency} Hz`,
    stop() {
      osc.stop();
      node.disconnect();
    },
  };
}

/**
 * A sine gliding exponentially (evenly in pitch) from `from` to `to` Hz over `seconds`, then
 * starting again. Cycles are scheduled a little ahead by a timer, so the automation list stays
 * short however long it runs.
 */
export function glide(context, { from = 110, to = 880, seconds = 8 } = {}) {
  const { osc, node } = oscillator(context, from);
  const f = osc.frequency;
  let next = context.currentTime + 0.05;
  const schedule = () => {
    while (next < context.currentTime + 2 * seconds) {
      f.setValueAtTime(from, next);
      f.exponentialRampToValueAtTime(to, next + seconds);
      next += seconds;
    }
  };
  schedule();
  const timer = setInterval(schedule, (seconds * 1000) / 2);
  return {
    node,
    audible: true,
    label: `glide ${from}→${to} Hz every ${seconds} s`,
    stop() {
      clearInterval(timer);
      osc.stop();
      node.disconnect();
    },
  };
}
