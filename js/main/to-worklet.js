// Everything the main thread posts to its worklet: buffers going back to the pool, grouped
// (docs/architecture.md, "Buffers come back four at a time"), and control messages.

import { H_EPOCH, H_LEASE, H_MAGIC, H_SLOT, MAGIC } from './constants.js';
import { reportError } from './events.js';

// Most buffers returned to the worklet in one message (see giveBack); never more than a
// quarter of the pool.
const RETURN_GROUP = 4;

/** A u32 read little-endian from a byte array, without allocating. */
export function u32(b, at) {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** A control message the worklet obeys (it carries the tap's token). */
export function control(tap, m) {
  tap.node.port.postMessage({ ...m, token: tap._options.token });
}

/**
 * Returns a buffer to the worklet, or keeps it to return with the next ones in one
 * message: every message the worklet receives costs it a `MessageEvent` and a task, and
 * its garbage is what the audio thread collects (docs/architecture.md, "Buffers come back
 * four at a time"). At most RETURN_GROUP buffers and a quarter of the pool are kept, and
 * everything kept goes back at once when the worklet had half of its pool or less free at
 * its last post, and before every control message (so that sync(), flush() and close() see
 * a full pool).
 * `free`/`poolSize` omitted: return now. `slot`, `lease` and `epoch` are the header's, as
 * read before any listener saw the buffer.
 */
export function giveBack(tap, d, free = 0, poolSize = 0, slot = -1, lease = 0, epoch = 0) {
  if (tap._closed) return;
  // A listener detached the buffer (transferred it away) or wrote over its header: the
  // worklet would refuse it and the slot would stay out for good. It gets a new buffer.
  if (
    slot >= 0 &&
    (d.byteLength === 0 ||
      u32(d, H_MAGIC) !== MAGIC ||
      u32(d, H_SLOT) !== slot ||
      u32(d, H_LEASE) !== lease ||
      u32(d, H_EPOCH) !== epoch)
  ) {
    loseBuffer(
      tap,
      d.byteLength === 0 ? 'detached (transferred) it' : 'changed its header',
      slot,
      lease,
      epoch,
    );
    return;
  }
  const held = tap._held;
  held.push(d);
  tap._heldIds.push(slot, lease, epoch);
  if (held.length >= Math.min(RETURN_GROUP, Math.floor(poolSize / 4)) || free <= poolSize / 2)
    returnHeld(tap);
}

/** A buffer that cannot go back: the worklet frees its slot; reported once. */
function loseBuffer(tap, what, slot, lease, epoch) {
  tap._errors++;
  if (slot >= 0) control(tap, { type: 'lost', lost: [slot, lease, epoch] });
  reportError(tap, {
    message:
      `pitchtap: a batch listener ${what}; that buffer was replaced. detail.samples is ` +
      'valid only during the dispatch: copy what you keep (samples.slice())',
    phase: 'return',
    side: 'main',
    panic: false,
    recovered: true,
    lostFrames: 0,
  });
}

/** Posts the buffers kept by giveBack, if any: one alone, several as an array. */
export function returnHeld(tap) {
  const held = tap._held;
  const n = held.length;
  if (n === 0 || tap._closed) return;
  try {
    if (n === 1) {
      const d = held[0];
      tap._transfer[0] = d.buffer;
      tap.node.port.postMessage(d, tap._transfer);
    } else {
      const transfer = tap._heldTransfer;
      for (let i = 0; i < n; i++) transfer[i] = held[i].buffer;
      tap.node.port.postMessage(held, transfer);
    }
  } catch {
    // A listener detached a kept buffer after its dispatch (DataCloneError): send the
    // others, give up that one.
    const ids = tap._heldIds;
    for (let i = 0; i < n; i++) {
      const d = held[i];
      if (d.byteLength === 0)
        loseBuffer(
          tap,
          'detached (transferred) it after its dispatch',
          ids[3 * i],
          ids[3 * i + 1],
          ids[3 * i + 2],
        );
      else tap.node.port.postMessage(d, [d.buffer]);
    }
  } finally {
    tap._transfer[0] = null;
    tap._heldTransfer.length = 0;
    held.length = 0;
    tap._heldIds.length = 0;
  }
}
