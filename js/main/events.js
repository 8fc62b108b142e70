// The events a tap dispatches on its own behalf (`gap`, `error`, `sourceended`), and the
// bookkeeping that lets the hot path skip the events nobody listens to.

/** Per event type whose events cost work to make: listener → registrations (see below). */
export function newListeners() {
  return { batch: new Map(), pitch: new Map(), volume: new Map() };
}

// Whether anyone listens, per type: listener → registrations (1: bubbling, 2: capture), as
// EventTarget counts them (the same listener with and without `capture` is two).

/** Counts an addEventListener() in `listeners` (newListeners). */
export function countListener(listeners, type, listener, opts) {
  const l = listeners[type];
  if (listener && l) l.set(listener, (l.get(listener) ?? 0) | phaseBit(opts));
}

/** Counts a removeEventListener() in `listeners` (newListeners). */
export function uncountListener(listeners, type, listener, opts) {
  const l = listeners[type];
  if (l && l.has(listener)) {
    const left = l.get(listener) & ~phaseBit(opts);
    if (left === 0) l.delete(listener);
    else l.set(listener, left);
  }
}

/** 2 for a capture registration (`true` or `{ capture: true }`), 1 otherwise. */
function phaseBit(opts) {
  return (typeof opts === 'boolean' ? opts : Boolean(opts && opts.capture)) ? 2 : 1;
}

/** A `gap` event. */
export function dispatchGap(tap, frames, startFrame, sampleRate) {
  tap.dispatchEvent(new CustomEvent('gap', { detail: { frames, startFrame, sampleRate } }));
}

/** An `error` event; a throwing dispatch (a replaced dispatchEvent) is swallowed. */
export function reportError(tap, detail) {
  reportEvent(tap, 'error', detail);
}

/** An event that must not throw into the caller (a replaced dispatchEvent is swallowed). */
export function reportEvent(tap, type, detail) {
  try {
    tap.dispatchEvent(new CustomEvent(type, { detail }));
  } catch {
    /* nothing to add */
  }
}
