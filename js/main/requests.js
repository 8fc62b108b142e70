// Requests to the worklet and their answers: flush, sync, configure, close and the test hook
// each post a control message with an id and wait for the reply of that id. No call waits
// forever: each rejects when the worklet can no longer answer (its context closed, the tap
// off after repeated panics) or after REQUEST_TIMEOUT_MS. Unasked messages (the worklet's
// errors, `ready`) come in here too.

import { isOffline } from './context.js';
import { dispatchGap, reportError } from './events.js';
import { control, returnHeld } from './to-worklet.js';

// Longest a flush(), sync(), configure() or close() waits for the worklet's answer. It answers
// in milliseconds whenever its thread runs; past this its context is gone or its thread stuck.
const REQUEST_TIMEOUT_MS = 10_000;
// Longest close() waits for the last batches of a finished offline render.
const OFFLINE_END_WAIT_MS = 2000;

/** 128 random bits as hex: the token control messages carry (see processor.js, isControl). */
export function newToken() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The worklet will answer no more: every pending call and every later one rejects. */
export function fail(tap, why, name) {
  if (tap._dead === null) tap._dead = why;
  const err = new DOMException(`pitchtap: ${why}`, name);
  for (const p of tap._pending.values()) {
    clearTimeout(p.timer);
    p.reject(err);
  }
  tap._pending.clear();
  tap._readyHooks?.reject(err);
}

/** A message from the worklet that is not a batch: a reply, an error, `ready`. */
export function onControl(tap, m) {
  if (m === null || typeof m !== 'object') return;
  if (m.stats) {
    tap._worklet = m.stats;
    // Drops since the last batch would otherwise wait for the next batch's GAP flag, which
    // may never come (a flush, a close, the end of a render): report them now.
    const pending = m.stats.pendingDrop ?? 0;
    if (pending > tap._reportedPending) {
      const start = m.stats.pendingDropStart;
      dispatchGap(
        tap,
        pending - tap._reportedPending,
        Number.isFinite(start) ? start + tap._reportedPending : NaN,
        tap._sampleRate,
      );
      tap._reportedPending = pending;
    }
  }
  if (m.dead || (m.type === 'error' && m.panic && !m.recovered))
    tap._dead ??= `the tap is off: ${m.message}`;
  switch (m.type) {
    case 'ready':
      tap._sampleRate = m.sampleRate;
      tap._readyHooks.resolve();
      return;
    case 'error': {
      tap._errors++;
      if (m.panic) tap._panics++;
      const err = new Error(
        `pitchtap: worklet ${m.phase} ${m.panic ? 'panicked' : 'failed'}: ${m.message}`,
      );
      if (m.phase === 'create') {
        tap._readyHooks.reject(err);
        return;
      }
      const p = m.id !== undefined && tap._pending.get(m.id);
      if (p) {
        tap._pending.delete(m.id);
        clearTimeout(p.timer);
        p.reject(err);
      }
      if (m.dead) return; // the answer to a call on a dead tap: the call rejects, no event
      reportError(tap, {
        message: err.message,
        phase: m.phase,
        side: 'worklet',
        panic: Boolean(m.panic),
        recovered: Boolean(m.recovered),
        lostFrames: m.lostFrames ?? 0,
      });
      return;
    }
    default: {
      const p = tap._pending.get(m.id);
      if (p) {
        tap._pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m);
      }
    }
  }
}

/**
 * A control message and its answer. Rejects at once when the worklet can no longer answer
 * (its AudioContext closed, the tap off after repeated panics), and after
 * REQUEST_TIMEOUT_MS if no answer came: no call waits forever.
 */
export function request(tap, type, extra) {
  if (tap._dead === null && !isOffline(tap.context) && tap.context.state === 'closed') {
    fail(tap, 'the AudioContext was closed', 'InvalidStateError');
  }
  if (tap._dead !== null) {
    return Promise.reject(new DOMException(`pitchtap: ${type}: ${tap._dead}`, 'InvalidStateError'));
  }
  const id = tap._nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (!tap._pending.delete(id)) return;
      reject(
        new DOMException(
          `pitchtap: the worklet did not answer ${type} within ${REQUEST_TIMEOUT_MS / 1000} s`,
          'TimeoutError',
        ),
      );
    }, REQUEST_TIMEOUT_MS);
    tap._pending.set(id, { resolve, reject, timer });
    returnHeld(tap); // before the request: the worklet takes them back before it answers
    control(tap, { type, id, ...extra });
  });
}

/** close()'s wait for the worklet: its last batches and its answer, where it can give them. */
export async function finish(tap) {
  if (tap._dead !== null) return;
  if (tap.context.state !== 'closed') {
    await request(tap, 'close');
  } else if (isOffline(tap.context) && !tap._ended) {
    // A finished offline render: its last batches may still be on their way. The END
    // batch closes the render; the worklet may also still answer (it did in Chromium,
    // Firefox and WebKit), but a finished context owes nothing, so this is bounded.
    await Promise.race([
      new Promise((resolve) => {
        tap._onEnded = resolve;
      }),
      request(tap, 'close').catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, OFFLINE_END_WAIT_MS)),
    ]);
  }
}
