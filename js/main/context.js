// What a tap needs of its BaseAudioContext: checks, and the worklet module, loaded once per
// context.
//
// The URL below is relative to pkg/index.js, the bundle this module ships in
// (scripts/bundle-main.mjs keeps it as written, so bundlers find the worklet).

const WORKLET_URL = new URL('./worklet.js', import.meta.url);

const workletLoaded = new WeakMap(); // BaseAudioContext → Promise<void>

/** TypeError unless `context` is a BaseAudioContext; `where` prefixes the message. */
export function checkContext(context, where) {
  if (typeof BaseAudioContext === 'undefined' || !(context instanceof BaseAudioContext)) {
    throw new TypeError(`pitchtap: ${where}context must be an AudioContext or OfflineAudioContext`);
  }
}

/** What create() and preload() reject with for a closed context. */
export function closedContext() {
  return new DOMException('pitchtap: the AudioContext is closed', 'InvalidStateError');
}

export function isOffline(context) {
  return typeof OfflineAudioContext !== 'undefined' && context instanceof OfflineAudioContext;
}

/** Adds pitchtap's worklet module to `context`, once; a failure lets a later call retry. */
export function loadWorklet(context) {
  let p = workletLoaded.get(context);
  if (!p) {
    p = context.audioWorklet.addModule(WORKLET_URL);
    workletLoaded.set(context, p);
    p.catch(() => workletLoaded.delete(context));
  }
  return p;
}
