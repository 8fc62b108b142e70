// `createGlue()`: a fresh copy of the wasm-bindgen glue's state per call, so that the
// worklet can instantiate its wasm again after a Rust panic (the glue keeps its instance
// in module-level variables and instantiates only once per copy).
//
// The package's worklet (pkg/worklet.js, written by scripts/bundle-worklet.mjs) replaces
// this file with a factory that wraps the glue's code in a function. This unbundled
// version can give out the one module-level copy only once: a second call (a recovery)
// throws, and processor.js then reports the tap as off instead of recovered.
import * as glue from './pitchtap_wasm.js';

let given = false;
export function createGlue() {
  if (given) throw new Error('pitchtap: re-instantiating the wasm needs the bundled worklet (scripts/bundle-worklet.mjs)');
  given = true;
  return glue;
}
