// The main thread's wasm: compiled once per page (the worklet instantiates the same
// WebAssembly.Module), instantiated once here and shared by every tap, and kept usable after
// a Rust panic. A panic (panic = "abort") ends in a wasm trap, which leaves the instance
// running but with two leftovers this module undoes: stack the trapped frames still hold
// (stackMark, stackRestore) and the object wasm-bindgen was calling (release).
//
// The only module that imports the wasm-bindgen glue: the others take its classes from here.
// The glue's specifier and the wasm's URL are relative to pkg/index.js, the bundle this
// module ships in (scripts/bundle-main.mjs keeps both as written, so that bundlers find the
// files).

import init from './pitchtap_wasm.js';

export {
  MainTap,
  PitchAnalysis,
  checkTapOptions,
  offlinePoolSize,
  takePanicMessage,
} from './pitchtap_wasm.js';

const WASM_URL = new URL('./pitchtap_wasm_bg.wasm', import.meta.url);

let wasmModule = null; // Promise<WebAssembly.Module>, one per page
let wasmExports = null; // the main-thread instance's raw exports

/** Compiles the wasm once per page and instantiates it on the main thread. */
export function loadWasm() {
  if (wasmModule === null) {
    wasmModule = (async () => {
      // Browsers without compileStreaming (Safari before 15) take the fallback too.
      const streaming =
        typeof WebAssembly.compileStreaming === 'function'
          ? WebAssembly.compileStreaming(fetch(WASM_URL))
          : Promise.reject(new Error('no WebAssembly.compileStreaming'));
      const module = await streaming.catch(async () => {
        // A server that does not say application/wasm: compile from bytes.
        const res = await fetch(WASM_URL);
        if (!res.ok) throw new Error(`pitchtap: could not load ${WASM_URL} (${res.status})`);
        return WebAssembly.compile(await res.arrayBuffer());
      });
      wasmExports = await init({ module_or_path: module });
      return module;
    })();
    wasmModule.catch(() => {
      wasmModule = null;
    }); // let a later create() retry
  }
  return wasmModule;
}

/** The main-thread wasm memory's size in bytes, 0 before the instance exists. */
export function wasmMemoryBytes() {
  return wasmExports ? wasmExports.memory.buffer.byteLength : 0;
}

/**
 * Where the main-thread instance's shadow stack pointer stands, to be put back after a trap.
 * A Rust panic traps (panic = "abort"): the frames it ends never run their epilogues, so the
 * linear-memory stack they took stays taken. Without putting the pointer back, every panic
 * leaked ~600 bytes of the 1 MiB stack and the instance ran out of stack after ~1700 panics
 * (faults.test.mjs). `__stack_pointer` is exported by the linker (.cargo/config.toml).
 */
export function stackMark() {
  return wasmExports?.__stack_pointer?.value ?? -1;
}
export function stackRestore(mark) {
  if (mark >= 0) wasmExports.__stack_pointer.value = mark;
}

/**
 * Frees a wasm-bindgen object, also one a trap left behind. A trap ends a method before
 * wasm-bindgen drops the reference it takes for the call, so the object then has two owners:
 * `free()` drops one and throws (its "ownership" error), and a second free of the same
 * pointer (the raw export `freeExport`) drops the last and frees it. Without this every
 * main-thread panic leaked its receiver; faults.test.mjs checks memory stays flat.
 */
export function release(obj, freeExport) {
  const ptr = obj.__wbg_ptr;
  try {
    obj.free();
  } catch {
    try {
      if (ptr) wasmExports[freeExport](ptr, 0);
    } catch {
      /* leave it */
    }
  }
}
