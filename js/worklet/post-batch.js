// The whole post of one batch, imported by the worklet's wasm (src/wasm/worklet.rs,
// `post_batch`): copy the staging bytes into the slot's buffer, put that buffer in the
// reused one-element transfer list, post, clear the list. Catches in plain JS and allocates
// nothing; wasm-bindgen copies this file into pkg/snippets/ and scripts/bundle-worklet.mjs
// inlines it into pkg/worklet.js.
export function postBatch(port, buf, staging, transfer) {
  buf.set(staging);
  transfer[0] = buf.buffer;
  try {
    port.postMessage(buf, transfer);
    return true;
  } catch {
    return false;
  } finally {
    transfer[0] = null;
  }
}
