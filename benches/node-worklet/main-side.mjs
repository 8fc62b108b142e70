// The "main thread" of the bench, in its own isolate (a worker_threads Worker, as in the
// browser where the worklet and the page have separate heaps): counts what arrives and
// returns every pitchtap buffer by transfer, as js/main/to-worklet.js does.
import { workerData, parentPort } from 'node:worker_threads';

const port = workerData.port;
const transfer = [null];
let messages = 0;
let frames = 0;
port.on('message', (data) => {
  messages++;
  if (data instanceof Uint8Array) {
    frames += new DataView(data.buffer).getUint32(48, true); // header: frames at offset 48
    transfer[0] = data.buffer;
    port.postMessage(data, transfer);
    transfer[0] = null;
  } else if (data instanceof Float32Array) {
    frames += data.length;
    if (workerData.returnFloat32) {
      // c2: the plain-JS pool wants its buffers back
      transfer[0] = data.buffer;
      port.postMessage(data, transfer);
      transfer[0] = null;
    }
  }
});
parentPort.on('message', (m) => {
  if (m === 'report') parentPort.postMessage({ messages, frames });
});
