// The hot path: a batch from the worklet goes into the main-thread wasm (MainTap), whose
// report JS reads without calling back into wasm; then the events, the `latest` values and
// the buffer's way back. A trap in the wasm is caught here: the batch's frames count as
// dropped and a new receiver takes the next batch.
//
// Per batch this allocates nothing of pitchtap's own, except the events listened to.

import {
  CHANNEL_MODES,
  E_CENTS,
  E_CLARITY,
  E_FRAME,
  E_FREQUENCY,
  E_KIND,
  E_MIDI,
  FLAGS,
  H_EPOCH,
  H_FRAMES,
  H_LEASE,
  H_SAMPLE_RATE,
  H_SLOT,
  H_START_FRAME,
  HEADER_BYTES,
  KIND_EARLY,
  NOTE_NAMES,
  R_ANALYZED,
  R_CHANNELS,
  R_DB,
  R_DROPPED_BEFORE,
  R_ESTIMATES,
  R_FLAGS,
  R_FRAMES,
  R_IN_FLIGHT,
  R_PEAK,
  R_POOL_SIZE,
  R_RMS,
  R_SAMPLE_RATE,
  R_SEQ,
  R_SMOOTHED_DB,
  R_START_FRAME,
  REPORT_ESTIMATE_FIELDS,
  REPORT_HEAD,
  S_MALFORMED,
  S_REPORT_MOVED,
} from './constants.js';
import { dispatchGap, reportError } from './events.js';
import { analyzerSlots } from './options.js';
import { giveBack, u32 } from './to-worklet.js';
import { MainTap, release, stackMark, stackRestore, takePanicMessage } from './wasm.js';

/** The main-thread wasm half of a tap: receives batches and runs the analyzers. */
export function newReceiver(sampleRate, o) {
  return new MainTap(
    HEADER_BYTES + 4 * o.batchSize * (o.channelMode === CHANNEL_MODES.all ? o.channelArg : 1),
    sampleRate,
    o.pitchEnabled,
    analyzerSlots(sampleRate, o),
  );
}

/** The same bytes in a new ArrayBuffer; the old one is detached (a transfer, no copy). */
function moveBuffer(buf) {
  return typeof buf.transfer === 'function'
    ? buf.transfer()
    : structuredClone(buf, { transfer: [buf] });
}

/** One batch `d` (a Uint8Array over a transferred buffer) from the worklet. */
export function onBatch(tap, d) {
  if (tap._closed) return;
  const rx = tap._rx;
  const t0 = performance.now();
  const stack = stackMark();
  let status;
  try {
    // Copy the buffer into wasm memory here, through a view taken once: no call from
    // wasm back into JS per batch.
    const len = d.byteLength;
    let input = tap._input;
    if (input === null || input.length === 0 || input.length < len)
      input = tap._input = rx.inputView(len);
    input.set(d);
    status = rx.receiveBatch(len);
  } catch (e) {
    receiveFailed(tap, e, d, stack);
    giveBack(tap, d); // the buffer is intact: back to the pool
    return;
  }
  if (status === S_MALFORMED) return; // counted, never returned to the pool
  const t1 = performance.now();
  // Who the buffer is, read before any listener sees it: a listener that detaches or
  // scribbles on it must not keep its slot from coming back (see giveBack).
  const slot = u32(d, H_SLOT);
  const lease = u32(d, H_LEASE);
  const epoch = u32(d, H_EPOCH);
  // The batch's numbers, read from the report (no call into wasm); a new view only when
  // the report moved or wasm memory grew (which detached the old one).
  if (status === S_REPORT_MOVED) tap._report = null;
  let r = view(tap);
  const frames = r[R_FRAMES];
  const sr = r[R_SAMPLE_RATE];
  const startFrame = r[R_START_FRAME];
  const endTime = (startFrame + frames) / sr; // context time just after the newest sample
  tap._messages++;
  tap._samples += frames;
  tap._analysis.push(t1 - t0);
  tap._receipts.push(t1);
  // Age of the newest sample: the context's clock now minus the end of the batch.
  tap._age.push((tap.context.currentTime - endTime) * 1000);
  const flags = r[R_FLAGS];
  if ((flags & FLAGS.END) !== 0) tap._ended = true;
  let free = 0;
  let poolSize = 0;
  let shown = false;
  try {
    if ((flags & FLAGS.GAP) !== 0) {
      const dropped = r[R_DROPPED_BEFORE];
      // Part of this run of drops may have been reported already, at a flush() or sync().
      const unreported = dropped - tap._reportedPending;
      tap._reportedPending = 0;
      if (unreported > 0) dispatchGap(tap, unreported, startFrame - unreported, sr);
      r = view(tap); // a listener may have made wasm memory grow
    }
    if (tap._listeners.batch.size > 0) {
      shown = true;
      const channels = r[R_CHANNELS];
      tap.dispatchEvent(
        new CustomEvent('batch', {
          detail: {
            seq: r[R_SEQ],
            startFrame,
            sampleRate: sr,
            channels,
            frames,
            flags,
            // Valid only during this dispatch: the buffer goes back to the worklet right after.
            samples: new Float32Array(d.buffer, HEADER_BYTES, frames * channels),
          },
        }),
      );
    }
    if (tap._closed) return;
    r = view(tap); // a listener may have made wasm memory grow
    poolSize = r[R_POOL_SIZE];
    free = poolSize - r[R_IN_FLIGHT]; // the worklet's free buffers when it posted this one
    if (r[R_ANALYZED] === 1) results(tap, r, sr, endTime);
  } catch (e) {
    // Only a replaced dispatchEvent throws here (listeners' exceptions go to the page's
    // error handler): tell, and go on.
    tap._errors++;
    reportError(tap, {
      message: `pitchtap: dispatching an event threw: ${String((e && e.message) || e)}`,
      phase: 'dispatch',
      side: 'main',
      panic: false,
      recovered: true,
      lostFrames: 0,
    });
  } finally {
    if (tap._ended && tap._onEnded) tap._onEnded();
    // A view a `batch` listener kept is detached from here on, every time, not only once
    // its buffer has gone back (the move costs no copy).
    if (shown && !tap._closed && d.byteLength > 0) d = new Uint8Array(moveBuffer(d.buffer));
    if (!tap._closed) giveBack(tap, d, free, poolSize, slot, lease, epoch);
  }
}

/**
 * The receiver's report (see onBatch), as a view taken once and re-taken only when wasm
 * memory grew, which detaches it (a listener may allocate in wasm, e.g. by creating a tap).
 */
function view(tap) {
  const r = tap._report;
  if (r !== null && r.length !== 0) return r;
  return (tap._report = tap._rx.report());
}

// Reads the analyzers' results of the batch just received from the report `r`, into the
// reused `latest` objects; an event per result only if listened to.
function results(tap, r, sr, endTime) {
  const vol = tap.latest.volume;
  vol.time = endTime;
  vol.rms = r[R_RMS];
  vol.peak = r[R_PEAK];
  vol.db = r[R_DB];
  vol.smoothedDb = r[R_SMOOTHED_DB];
  if (tap._listeners.volume.size > 0) {
    tap.dispatchEvent(new CustomEvent('volume', { detail: { ...vol } }));
    if (tap._closed) return;
    r = view(tap);
  }
  const n = r[R_ESTIMATES];
  if (n === 0) return;
  const listened = tap._listeners.pitch.size > 0;
  for (let i = 0, k = REPORT_HEAD; i < n; i++, k += REPORT_ESTIMATE_FIELDS) {
    const time = r[k + E_FRAME] / sr;
    // After an early estimate, the detector's estimates for earlier times still come (as
    // events); `latest` keeps the newest time and never goes back.
    const current = time >= tap.latest.pitch.time;
    if (!current && !listened) continue;
    const pitch = current ? tap.latest.pitch : tap._olderPitch;
    const f = r[k + E_FREQUENCY];
    const midi = r[k + E_MIDI];
    pitch.early = r[k + E_KIND] === KIND_EARLY;
    pitch.time = time;
    pitch.frequency = f;
    pitch.clarity = r[k + E_CLARITY];
    pitch.voiced = f > 0;
    pitch.midi = midi;
    pitch.note = f > 0 ? (NOTE_NAMES[midi] ?? '') : '';
    pitch.cents = r[k + E_CENTS];
    if (listened) {
      tap.dispatchEvent(new CustomEvent('pitch', { detail: { ...pitch } }));
      if (tap._closed) return; // a listener closed the tap
      r = view(tap);
    }
  }
}

/** Receiving a batch threw: a Rust panic (a wasm trap) or a plain JS exception. */
function receiveFailed(tap, e, d, stack) {
  const panic = e instanceof WebAssembly.RuntimeError;
  if (panic) stackRestore(stack);
  let msg = '';
  if (panic) {
    try {
      msg = takePanicMessage();
    } catch {
      /* keep the trap's own message */
    }
  }
  if (!msg) msg = String((e && e.message) || e);
  tap._errors++;
  // The batch it was reading is not delivered: its frames count as dropped, in a gap.
  let lost = 0;
  let start = NaN;
  let rate = tap._sampleRate;
  if (d.byteLength >= HEADER_BYTES) {
    const v = new DataView(d.buffer, d.byteOffset, HEADER_BYTES);
    lost = Math.min(v.getUint32(H_FRAMES, true), (d.byteLength - HEADER_BYTES) / 4);
    start = v.getFloat64(H_START_FRAME, true);
    rate = v.getFloat64(H_SAMPLE_RATE, true);
  }
  tap._lostMain += lost;
  let recovered = true;
  if (panic) {
    tap._panics++;
    const old = tap._rx;
    tap._report = null;
    tap._input = null;
    release(old, '__wbg_maintap_free'); // what the dead receiver held (~100 kB)
    try {
      tap._rx = newReceiver(tap._sampleRate, tap._options);
    } catch (e2) {
      recovered = false;
      tap._closed = true; // nothing left to receive with
      msg += ` (a new receiver failed: ${String((e2 && e2.message) || e2)})`;
    }
  }
  if (lost > 0) dispatchGap(tap, lost, start, rate);
  reportError(tap, {
    message: panic
      ? `pitchtap: main-thread wasm panicked: ${msg}`
      : `pitchtap: receiving a batch failed: ${msg}`,
    phase: 'receive',
    side: 'main',
    panic,
    recovered,
    lostFrames: lost,
  });
}
