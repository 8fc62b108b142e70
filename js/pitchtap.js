// pitchtap main-thread API. Published as the package entry: scripts/bundle-main.mjs bundles
// this file and the modules of js/main/ into pkg/index.js.
//
//   const tap = await PitchTap.create(context, { batchSize: 1024 });
//   source.connect(tap.node);
//   tap.addEventListener('batch', (e) => use(e.detail.samples));
//
// What allocates (see docs/api.md): create(), configure(), flush(), close() and stats()
// allocate; receiving a batch allocates nothing of pitchtap's own beyond the MessageEvent
// the browser makes, except for the events you listen to (one CustomEvent, its detail, a
// Float32Array view, and the moved ArrayBuffer with its Uint8Array per `batch` event; one
// CustomEvent per `gap` event).

export { FLAGS, HEADER_BYTES, NOTE_NAMES } from './main/constants.js';
export { DEBUG_PANIC, DEBUG_WASM_BYTES, PitchTap } from './main/tap.js';
export { analyze } from './main/analyze.js';
